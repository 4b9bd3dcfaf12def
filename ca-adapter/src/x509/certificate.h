// Reading issued certificates: the facts the workflow stores (serial,
// validity) and splitting a PEM chain into the leaf and its intermediates.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::ca::x509 {

struct CertificateInfo {
  std::string der;
  // Lower-case hex without separators, whole octets (as "openssl x509
  // -serial" prints it).
  std::string serial_number;
  absl::Time not_before;
  absl::Time not_after;
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries
};

// Reads the first certificate of a PEM text.
absl::StatusOr<CertificateInfo> InspectCertificate(absl::string_view pem);

// The PEM blocks of a "application/pem-certificate-chain" text, in order,
// each ending with a newline. INVALID_ARGUMENT when there is none.
absl::StatusOr<std::vector<std::string>> SplitPemChain(absl::string_view pem);

// DER of a PEM certificate (for ACME revocation).
absl::StatusOr<std::string> CertificateDer(absl::string_view pem);

}  // namespace sslpanel::ca::x509
