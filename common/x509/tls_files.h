// The start-up checks of a process's own TLS files: a server or client
// refuses to start on files it could not serve or call with, naming the flag
// and the file, rather than failing every handshake later (gRPC 1.51 reads
// its files only when the first handshake needs them).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::x509 {

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

}  // namespace sslpanel::x509
