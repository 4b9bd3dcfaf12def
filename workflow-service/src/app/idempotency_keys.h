// The idempotency keys the workflow stores with its outbox rows and sends to
// CA adapters, and the installation id that makes them unique beyond one
// database. Pure: the random bits come from the caller.
//
// Why an installation-id prefix rather than a random key per outbox row:
// a key stays readable ("wf-<installation>-submit-<certificate>-<submission>"),
// so an operator finds the adapter's record of a certificate from its id and
// sees which database sent it; the randomness is drawn once per database by
// `migrate` (not in every write, and not with SQL UUID(), which MySQL and
// MariaDB compute differently and statement-based replication cannot
// repeat); and a conflict names the installation, which tells the operator
// whether another database shares this one's id (a restored or copied
// database: see README "Idempotency keys"). Keys are stored with their outbox
// rows, so rows written before the prefix existed (or before the id was
// renewed) replay the key they were first sent with.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::app {

// An installation id is this many lower-case hex digits (64 random bits).
inline constexpr int kInstallationIdLength = 16;

// A new installation id from `random64`, which returns 64 random bits per
// call (an OS-seeded generator in main; a fixed one in tests).
std::string NewInstallationId(const std::function<uint64_t()>& random64);

// INVALID_ARGUMENT naming the rule unless `id` is kInstallationIdLength
// lower-case hex digits.
absl::Status CheckInstallationId(absl::string_view id);

// The key of an intent's outbox row. Unique per installation and certificate
// and submission (prevalidate, submit, abandon) or order version (cancel,
// revoke, DCV change, DCV e-mail, resolution: each can be asked again), e.g.
// "wf-3f9a0c1d2e4b5a69-submit-42-1". At most 80 characters (adapters accept
// 128).
std::string IdempotencyKey(absl::string_view installation_id, domain::IntentKind kind,
                           int64_t certificate_id, int submission, int64_t order_version);

}  // namespace sslpanel::workflow::app
