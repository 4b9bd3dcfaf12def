// The request parameters of each Sectigo call, built from our commands
// (contract: AutoApplySSL, AutoReplaceSSL, AutoRevokeSSL, CollectSSL,
// AutoUpdateDCV, ResendDCVEmail, WebHostReport). Only documented parameters
// are sent: an unknown one is refused with -2. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ca-adapter/src/domain/order.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"

namespace sslpanel::ca::sectigo {

// `days` for a period: whole years as 365 days each, other periods as 30
// days a month (the CA prices terms in days; an unpriced term is -115).
int DaysForPeriod(int period_months);

// The contract's codeReason for a revocation reason (0, 1, 3, 4, 5).
int CodeReason(domain::RevocationReason reason);

struct ApplyInput {
  std::string product_code;
  int period_months = 0;
  std::string csr_pem;
  std::vector<std::string> names;  // common name first
  std::vector<domain::DomainValidation> domain_validations;
  domain::DcvMethod default_method = domain::DcvMethod::kDns;
  std::optional<domain::Organization> organization;  // OV/EV
  std::string unique_value;
  std::string foreign_order_number;
  bool test = false;
};
// AutoApplySSL: product, days, serverSoftware=-1, csr, DCV of the common
// name, domainNames for more than one name, organisation fields, the
// uniqueValue and foreignOrderNumber with checkFONIsUnique=Y, and the
// certificate id shown in a URL-encoded reply.
Form ApplyForm(const ApplyInput& input);

// OK when every organisation field fits the contract's limits for
// AutoApplySSL (organizationName 64, streetAddress1 and localityName 128,
// postalCode 40 characters; countryName two letters). Else INVALID_ARGUMENT
// naming our field and the CA's: a legal name is never cut short, since the
// CA checks it against the register.
absl::Status CheckOrganization(const domain::Organization& organization);

// OK unless a wildcard name is given an HTTP(S) file method, which the CA
// does not check for wildcards (INVALID_ARGUMENT naming the entry).
absl::Status CheckDcvChoices(const std::vector<domain::DomainValidation>& validations);

// The organisation fields of an AutoApplySSL form (kept for a renewal).
Form OrganizationFields(const Form& apply_form);
// `form` with `name` set to `value` (replaced, or appended).
void SetField(Form& form, const std::string& name, const std::string& value);

struct ReplaceInput {
  std::string order_number;
  std::string csr_pem;
  std::vector<std::string> names;
  std::vector<domain::DomainValidation> domain_validations;
  domain::DcvMethod default_method = domain::DcvMethod::kDns;
  std::string unique_value;
};
Form ReplaceForm(const ReplaceInput& input);

// The DCV method (and approver) chosen for `name`, or the default.
domain::DomainValidation ChoiceFor(const std::string& name,
                                   const std::vector<domain::DomainValidation>& validations,
                                   domain::DcvMethod default_method);

// CollectSSL by certificate id when known (replacements are collectable by
// id), else by order number: status, certificate and chain, individual
// base64 certificates, validity, URL-encoded.
Form CollectForm(const std::string& order_number, const std::string& certificate_id);

// AutoRevokeSSL: rejects a pending order, revokes an issued one.
Form RevokeForm(const std::string& order_number, const std::string& certificate_id,
                const std::string& reason_text, int code_reason);

// WebHostReport of orders placed between `from` and `to`, rows
// [first, last] (1-based).
Form ReportForm(absl::Time from, absl::Time to, int first, int last,
                const std::string& common_name = "");

}  // namespace sslpanel::ca::sectigo
