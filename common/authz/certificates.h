// The caller's identity in its client certificate, read with OpenSSL: gRPC
// 1.51 fills peer_spiffe_id only for a certificate with exactly one URI SAN,
// and checks no form. (The start-up checks of TLS files are in
// common/x509/tls_files.h.)
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::authz {

// The identity in a peer certificate (PEM): its only URI SAN when there is
// exactly one and it is a SPIFFE ID (IsSpiffeId), else its first DNS SAN when
// that is a host name (IsHostName), else "" (no identity). Subject names are
// never used.
// INVALID_ARGUMENT when the PEM does not parse.
absl::StatusOr<std::string> IdentityFromCertificate(absl::string_view pem);

// A SPIFFE ID as the SPIFFE ID spec has it: "spiffe://", a trust domain of
// [a-z0-9.-_] (so no port, userinfo or percent-encoding), then optionally
// a path of non-empty segments of [A-Za-z0-9.-_] other than "." and "..",
// no trailing '/', no query or fragment; at most 2048 bytes.
bool IsSpiffeId(absl::string_view uri);

// A host name: dot-separated labels of letters, digits and inner hyphens,
// 1-63 bytes each, 253 in all; no wildcard, no trailing dot.
bool IsHostName(absl::string_view name);

}  // namespace sslpanel::authz
