// Input checks of the API, in one place: each refusal is INVALID_ARGUMENT
// naming the request field ("additional_names[2]", "organization.postcode").
// Values come back normalised (lower-case names, "1234 AB" postcodes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/app/products.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::app {

// A request id (idempotency key): 1..128 printable ASCII characters.
absl::Status ValidateRequestId(const std::string& request_id);

// Who asks (for the history): at most 128 bytes, no control characters.
absl::Status ValidateActor(const std::string& actor);

// The ordering system's order id: 1..64 printable ASCII characters.
absl::Status ValidateExternalOrderId(const std::string& external_order_id);

// The largest CSR accepted (a 4096-bit RSA CSR with many names is ~5 KB).
inline constexpr size_t kMaxCsrBytes = 16 * 1024;

// Common name plus additional names, normalised and de-duplicated, checked
// against the product's wildcard and SAN limits.
struct Names {
  std::string common_name;
  std::vector<std::string> additional_names;
};
absl::StatusOr<Names> ValidateNames(const std::string& common_name,
                                    const std::vector<std::string>& additional_names,
                                    const Product& product);

// Expands the DCV choice to one entry per name: `method` (required) with
// `approver_email` for every name, overridden per name by `per_name`.
absl::StatusOr<std::vector<domain::DomainValidation>> ExpandDcv(
    const Names& names, std::optional<domain::DcvMethod> method, const std::string& approver_email,
    const std::vector<domain::DomainValidation>& per_name);

// Checks an organisation (required for OV/EV: `required`) and normalises it.
absl::StatusOr<domain::Organization> ValidateOrganization(const domain::Organization& org,
                                                          bool required);

// Parses and checks a CSR against the certificate's names: the key and
// signature are acceptable, the common name is the order's, and every SAN
// is among the order's names.
absl::Status ValidateCsrForNames(const CsrParser& parser, const std::string& csr,
                                 const Names& names);

// The approver addresses CAs accept: admin@, administrator@, hostmaster@,
// postmaster@, webmaster@ of the host or a parent domain.
bool IsApproverAddressFor(const std::string& email, const std::string& host_name);

}  // namespace sslpanel::workflow::app
