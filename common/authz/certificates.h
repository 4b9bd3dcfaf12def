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
// exactly one and it is a SPIFFE ID (spiffe://trust-domain/path), else its
// first DNS SAN, else "" (no identity). Subject names are never used.
// INVALID_ARGUMENT when the PEM does not parse.
absl::StatusOr<std::string> IdentityFromCertificate(absl::string_view pem);

// A certificate chain (leaf first) and its private key, as a server or a
// client presents them: both parse, the key belongs to the leaf, and the leaf
// is valid at `now`. Errors name the flag and the file.
absl::Status CheckCertificateAndKey(const std::string& cert_flag, const std::string& cert_path,
                                    const std::string& key_flag, const std::string& key_path,
                                    absl::Time now);

// A trust-anchor file holds at least one CA certificate (basicConstraints
// CA:TRUE); errors name the flag and the file.
absl::Status CheckCaFile(const std::string& flag, const std::string& path);

}  // namespace sslpanel::authz
