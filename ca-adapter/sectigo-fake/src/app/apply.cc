// AutoApplySSL (a new billed order) and AutoReplaceSSL (a new certificate on
// an issued order).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"
#include "ca-adapter/sectigo-fake/src/core/catalogue.h"
#include "ca-adapter/sectigo-fake/src/core/csr_check.h"

namespace sslpanel::sectigo_fake {
namespace {

std::optional<int> ParseInt(const std::string& text) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> names;
  for (absl::string_view name : absl::StrSplit(text, absl::ByAnyChar(", "), absl::SkipEmpty())) {
    names.push_back(absl::AsciiStrToLower(name));
  }
  return names;
}

// The names an order covers: the CSR's, or domainNames (primaryDomainName
// first) when given, which must then include every CSR name.
std::optional<Reply> OrderNames(const Params& params, const CsrFacts& csr, Format format,
                                std::vector<std::string>& names) {
  names = CsrNames(csr);
  if (!params.Has("domainNames")) {
    return std::nullopt;
  }
  std::vector<std::string> listed = SplitNames(*params.Get("domainNames"));
  for (const std::string& name : names) {
    if (std::find(listed.begin(), listed.end(), name) == listed.end()) {
      return ErrorReply(-162, absl::StrCat("The CSR contains a name not in domainNames: ", name),
                        format);
    }
  }
  const std::string primary = absl::AsciiStrToLower(params.GetOr("primaryDomainName", names[0]));
  names = {primary};
  for (const std::string& name : listed) {
    if (name != primary) {
      names.push_back(name);
    }
  }
  return std::nullopt;
}

std::optional<Reply> CheckYesNo(const Params& params, Format format) {
  for (const char* flag : {"isCustomerValidated", "test", "showCertificateID",
                           "showCertificateState", "checkFONIsUnique", "prioritiseCSRValues"}) {
    const std::string value = absl::AsciiStrToUpper(params.GetOr(flag, "N"));
    if (value != "Y" && value != "N") {
      return ErrorReply(-4, InvalidArgument(flag), format);
    }
  }
  return std::nullopt;
}

std::optional<Reply> CheckOrganization(const Params& params, Format format,
                                       std::optional<Organization>& organization) {
  const std::pair<const char*, size_t> kLimits[] = {
      {"organizationName", 64}, {"organizationalUnitName", 64}, {"postOfficeBox", 40},
      {"streetAddress1", 128},  {"streetAddress2", 128},        {"streetAddress3", 128},
      {"localityName", 128},    {"stateOrProvinceName", 128},   {"postalCode", 40}};
  for (const auto& [name, limit] : kLimits) {
    if (params.GetOr(name).size() > limit) {
      return ErrorReply(-4, InvalidArgument(name), format);
    }
  }
  if (params.Has("countryName") && !IsCountryCode(*params.Get("countryName"))) {
    return ErrorReply(-7, "The 'countryName' argument is not a valid ISO-3166 country!", format);
  }
  if (params.Has("organizationName")) {
    organization =
        Organization{params.GetOr("organizationName"),    params.GetOr("organizationalUnitName"),
                     params.GetOr("streetAddress1"),      params.GetOr("streetAddress2"),
                     params.GetOr("streetAddress3"),      params.GetOr("localityName"),
                     params.GetOr("stateOrProvinceName"), params.GetOr("postalCode"),
                     params.GetOr("countryName")};
  }
  return std::nullopt;
}

// `days` (preferred) or `years`, and the priced years they buy.
std::optional<Reply> ReadTerm(const Params& params, Format format, int& days, int& years) {
  if (params.Has("days")) {
    std::optional<int> value = ParseInt(*params.Get("days"));
    if (!value.has_value() || *value < 1) {
      return ErrorReply(-4, InvalidArgument("days"), format);
    }
    days = *value;
  } else {
    std::optional<int> value = ParseInt(*params.Get("years"));
    if (!value.has_value() || *value < 1) {
      return ErrorReply(-4, InvalidArgument("years"), format);
    }
    days = *value * 365;
  }
  std::optional<int> priced = PricedYears(days);
  if (!priced.has_value()) {
    return ErrorReply(-115, "No price is available for this product and term!", format);
  }
  years = *priced;
  return std::nullopt;
}

}  // namespace

// checkFONIsUnique=Y: a foreignOrderNumber the account used before is -4
// (our reading; the message names the order that has it).
std::optional<Reply> FakeCa::CheckForeignOrderNumber(const Account& account, const Params& params,
                                                     Format format) {
  const std::string fon = params.GetOr("foreignOrderNumber");
  if (fon.empty() || !params.Flag("checkFONIsUnique")) {
    return std::nullopt;
  }
  for (const auto& order : orders_) {
    if (order->account == account.login_name && order->foreign_order_number == fon) {
      return ErrorReply(-4,
                        absl::StrCat("The value of the 'foreignOrderNumber' argument is not "
                                     "unique (order ",
                                     order->number, " has it)!"),
                        format);
    }
  }
  return std::nullopt;
}

// Reusing a CSR with the same token makes the earlier order fail [D].
void FakeCa::RejectReusedToken(const std::string& csr_der, const std::string& unique_value) {
  for (auto& order : orders_) {
    for (Certificate& earlier : order->certificates) {
      if (earlier.state == CertState::kAwaitingValidation && earlier.csr_der == csr_der &&
          earlier.unique_value == unique_value) {
        earlier.state = CertState::kRejected;
        earlier.reason = "DCV token reused by a later order";
      }
    }
  }
}

// The DCV of each name from dcvMethod / dcvEmailAddress(es); the EMAIL
// addresses must be approvers listed by GetDCVEmailAddressList < 24 h ago.
std::optional<Reply> FakeCa::DcvFromParams(const Account& account, const Params& params,
                                           Format format, const std::vector<std::string>& names,
                                           std::vector<NameDcv>& dcv) {
  const std::string method_name =
      params.GetOr("dcvMethod", params.Has("dcvEmailAddress") ? "EMAIL" : "HTTP_CSR_HASH");
  std::optional<DcvMethod> method = ParseDcvMethod(method_name);
  if (!method.has_value()) {
    return ErrorReply(-4, InvalidArgument("dcvMethod"), format);
  }
  std::vector<std::string> emails;
  if (params.Has("dcvEmailAddresses")) {
    emails = SplitNames(*params.Get("dcvEmailAddresses"));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    NameDcv name{names[i], *method, "", false};
    if (*method == DcvMethod::kEmail) {
      const char* argument = i < emails.size() ? "dcvEmailAddresses" : "dcvEmailAddress";
      name.email = i < emails.size() ? emails[i] : absl::AsciiStrToLower(params.GetOr(argument));
      if (name.email.empty()) {
        return ErrorReply(-3, MissingArgument("dcvEmailAddress"), format);
      }
      if ((i == 0 || i < emails.size()) && !IsApproverFor(name.email, names[i])) {
        return ErrorReply(-4, InvalidArgument(argument), format);
      }
      if (!EmailListed(account, name.email)) {
        return ErrorReply(-4, InvalidArgument(argument), format);
      }
    }
    dcv.push_back(std::move(name));
  }
  return std::nullopt;
}

Reply FakeCa::AutoApplySsl(Account& account, const Params& params, Format format) {
  for (const char* required : {"product", "csr", "serverSoftware"}) {
    if (!params.Has(required)) {
      return ErrorReply(-3, MissingArgument(required), format);
    }
  }
  if (!params.Has("days") && !params.Has("years")) {
    return ErrorReply(-3, MissingArgument("days"), format);
  }
  std::optional<int> code = ParseInt(*params.Get("product"));
  const Product* product = code.has_value() ? FindProduct(*code) : nullptr;
  if (product == nullptr) {
    return ErrorReply(-4, InvalidArgument("product"), format);
  }
  int days = 0;
  int years = 0;
  if (std::optional<Reply> error = ReadTerm(params, format, days, years)) {
    return *error;
  }
  if (!ParseInt(*params.Get("serverSoftware")).has_value()) {
    return ErrorReply(-4, InvalidArgument("serverSoftware"), format);
  }
  CsrCheck csr = CheckCsr(*params.Get("csr"));
  if (!csr.facts.has_value()) {
    return ErrorReply(csr.code, csr.message, format);
  }
  const bool wildcard_csr = csr.facts->common_name.rfind("*.", 0) == 0;
  if (wildcard_csr != product->wildcard) {
    return ErrorReply(-5,
                      wildcard_csr ? "The CSR's common name contains a wildcard but the product is "
                                     "not a wildcard product!"
                                   : "The product is a wildcard product but the CSR's common name "
                                     "has no wildcard!",
                      format);
  }
  std::vector<std::string> names;
  if (std::optional<Reply> error = OrderNames(params, *csr.facts, format, names)) {
    return *error;
  }
  if (std::optional<Reply> error = CheckYesNo(params, format)) {
    return *error;
  }
  std::optional<Organization> organization;
  if (std::optional<Reply> error = CheckOrganization(params, format, organization)) {
    return *error;
  }
  const std::string unique_value = params.GetOr("uniqueValue");
  if (params.Has("uniqueValue") && !IsValidUniqueValue(unique_value)) {
    return ErrorReply(-4, InvalidArgument("uniqueValue"), format);
  }
  std::vector<NameDcv> dcv;
  if (std::optional<Reply> error = DcvFromParams(account, params, format, names, dcv)) {
    return *error;
  }
  const std::string fon = params.GetOr("foreignOrderNumber");
  if (std::optional<Reply> error = CheckForeignOrderNumber(account, params, format)) {
    return *error;
  }
  const bool test = params.Flag("test");
  if (test && !account.test_enabled) {
    return ErrorReply(-91, "Test orders are not enabled for this account!", format);
  }
  const double price = test ? 0.0 : product->price_per_year * years;
  if (!account.payment_elsewhere && account.credit < price) {
    return ErrorReply(-15, "Insufficient credit!", format);
  }
  RejectReusedToken(csr.facts->der, unique_value);
  auto order = std::make_unique<Order>();
  order->number = NextOrderNumber();
  order->account = account.login_name;
  order->product = product->code;
  order->test = test;
  order->foreign_order_number = fon;
  order->created = clock_.Now();
  order->organization = organization;
  Certificate certificate =
      NewCertificate(csr.facts->pem, csr.facts->der, names, unique_value, std::move(dcv), days);
  order->certificates.push_back(std::move(certificate));
  if (!account.payment_elsewhere) {
    account.credit -= price;
  }
  if (!test) {
    billing_.push_back({"apply", order->number, order->certificates.back().id, account.login_name,
                        product->code, price, clock_.Now()});
  }
  Reply reply;
  reply.code = account.payment_elsewhere ? 1 : 0;
  reply.format = format;
  reply.Add("orderNumber", order->number)
      .Add("totalCost", FormatAmount(price))
      .Add("expectedDeliveryTime", absl::StrCat(absl::ToUnixSeconds(ExpectedDelivery())));
  if (params.Flag("showCertificateID")) {
    reply.Add("certificateID", order->certificates.back().id);
  }
  if (params.Flag("showCertificateState")) {
    reply.Add("certificateState", CertStateName(CertState::kAwaitingValidation));
  }
  if (params.Has("uniqueValue")) {
    reply.Add("uniqueValue", unique_value);
  }
  orders_.push_back(std::move(order));
  return reply;
}

Certificate FakeCa::NewCertificate(const std::string& csr_pem, const std::string& csr_der,
                                   std::vector<std::string> names, const std::string& unique_value,
                                   std::vector<NameDcv> dcv, int days) {
  Certificate certificate;
  certificate.id = NextCertificateId();
  certificate.csr_pem = csr_pem;
  certificate.csr_der = csr_der;
  certificate.names = std::move(names);
  certificate.unique_value = unique_value;
  certificate.dcv = std::move(dcv);
  certificate.days = days;
  certificate.created = clock_.Now();
  if (options_.validation == ValidationMode::kAuto) {
    certificate.validate_at = clock_.Now() + options_.auto_validate_after;
  }
  return certificate;
}

Reply FakeCa::AutoReplaceSsl(Account& account, const Params& params, Format) {
  const Format format = Format::kUrlEncoded;
  if (!params.Has("orderNumber")) {
    return ErrorReply(-3, MissingArgument("orderNumber"), format);
  }
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  Order& order = *selected.order;
  Certificate& current = order.certificates.back();
  Refresh(order, current);
  Decision decision = DecideReplace(
      current.state, current.state == CertState::kIssued && clock_.Now() > current.not_after);
  if (decision.code < 0) {
    return ErrorReply(decision.code, decision.message, format);
  }
  std::string pem = current.csr_pem;
  std::string der = current.csr_der;
  std::vector<std::string> names = current.names;
  if (params.Has("csr")) {
    CsrCheck csr = CheckCsr(*params.Get("csr"));
    if (!csr.facts.has_value()) {
      return ErrorReply(csr.code, csr.message, format);
    }
    if (std::optional<Reply> error = OrderNames(params, *csr.facts, format, names)) {
      return *error;
    }
    pem = csr.facts->pem;
    der = csr.facts->der;
  }
  const std::string unique_value = params.GetOr("uniqueValue");
  if (params.Has("uniqueValue") && !IsValidUniqueValue(unique_value)) {
    return ErrorReply(-4, InvalidArgument("uniqueValue"), format);
  }
  std::vector<NameDcv> dcv;
  if (params.Has("dcvMethod") || params.Has("dcvEmailAddress")) {
    if (std::optional<Reply> error = DcvFromParams(account, params, format, names, dcv)) {
      return *error;
    }
  } else {
    for (const std::string& name : names) {
      dcv.push_back({name, current.dcv.front().method, current.dcv.front().email, false});
    }
  }
  // The same CSR again keeps its validation (the contract leaves it open).
  if (der == current.csr_der) {
    for (NameDcv& name : dcv) {
      name.validated = true;
    }
  }
  order.certificates.push_back(
      NewCertificate(pem, der, names, unique_value, std::move(dcv), current.days));
  billing_.push_back({"replace", order.number, order.certificates.back().id, account.login_name,
                      order.product, 0.0, clock_.Now()});
  Reply reply;
  reply.format = format;
  reply.Add("certificateID", order.certificates.back().id)
      .Add("expectedDeliveryTime", absl::StrCat(absl::ToUnixSeconds(ExpectedDelivery())));
  return reply;
}

}  // namespace sslpanel::sectigo_fake
