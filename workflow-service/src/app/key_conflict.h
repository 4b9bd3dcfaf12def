// What the workflow does when a CA adapter answers ALREADY_EXISTS to a call
// carrying an idempotency key: the key is bound to a different request at the
// adapter (another workflow database sharing it, e.g. a restored copy with
// the same installation id). Repeating the call can never succeed. Sending a
// submission under a new key automatically could order twice, so it is held
// (HoldReason::kCaKeyConflict) until someone submits it again or cancels it;
// a cancellation or revocation orders nothing, so the customer's cancel is
// sent again under a new key (CANCEL_RESENT). Every conflict is counted and
// logged.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "workflow-service/src/app/processing_ports.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::app {

// Whether an adapter's answer to a keyed call says the key belongs to a
// different request or operation (the adapters' IdempotentExecutor answers
// ALREADY_EXISTS for exactly that).
bool IsKeyConflict(const absl::Status& status);

// The reason shown on the certificate: the key, the adapter's words and what
// an operator does. Counts the conflict in `conflicts`
// (sslpanel_ca_key_conflicts_total{adapter,kind}) and logs it.
std::string ReportKeyConflict(const OutboxItem& item, const std::string& adapter,
                              const absl::Status& status,
                              prometheus::Family<prometheus::Counter>& conflicts);

// The hold for a submission (submit, reissue, renew) whose key conflicts.
domain::command::CaKeyConflict KeyConflictHold(const OutboxItem& item, const std::string& adapter,
                                               const absl::Status& status,
                                               prometheus::Family<prometheus::Counter>& conflicts);

}  // namespace sslpanel::workflow::app
