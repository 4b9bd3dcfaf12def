// Reads the subject of a certificate signing request (PKCS #10, PEM) with
// OpenSSL, for the CSR check: O, L, C and CN as UTF-8.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/request.h"

namespace sslpanel::prevalidation::csr {

// INVALID_ARGUMENT (without a field name) when `pem` is not a PEM CSR or its
// self-signature does not verify: such a CSR would be refused by any CA.
absl::StatusOr<domain::CsrSubject> DecodeCsrSubject(absl::string_view pem);

}  // namespace sslpanel::prevalidation::csr
