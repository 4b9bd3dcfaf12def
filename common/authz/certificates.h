// What a server reads from certificates with OpenSSL: the caller's identity
// from its client certificate, and the start-up checks of its own TLS files
// (a server refuses to start on files it could not serve with, rather than
// failing every handshake later). gRPC 1.51 fills peer_spiffe_id only for a
// certificate with exactly one URI SAN and checks its files only when the
// first handshake needs them, so both are done here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

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

// A certificate chain (leaf first) and its private key, as a server or a
// client presents them: both parse, the key belongs to the leaf, and the leaf
// is valid at `now`. An encrypted key is refused, never prompted for. Errors
// name the flag and the file.
absl::Status CheckCertificateAndKey(const std::string& cert_flag, const std::string& cert_path,
                                    const std::string& key_flag, const std::string& key_path,
                                    absl::Time now);

// A trust-anchor file holds at least one CA certificate (basicConstraints
// CA:TRUE) valid at `now`; errors name the flag and the file.
absl::Status CheckCaFile(const std::string& flag, const std::string& path, absl::Time now);

}  // namespace sslpanel::authz
