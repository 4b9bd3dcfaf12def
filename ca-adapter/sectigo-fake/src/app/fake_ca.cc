#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::sectigo_fake {
namespace {

using Known = std::vector<absl::string_view>;

const Known kAuth = {"loginname", "loginpassword"};

// The parameters each endpoint takes (lower-case; '*' = any suffix). A name
// outside its list is -2, as the contract says.
const std::map<std::string, Known>& KnownParameters() {
  static const auto* known = new std::map<std::string, Known>{
      {"AutoApplySSL",
       {"product",
        "days",
        "years",
        "serversoftware",
        "csr",
        "domainnames",
        "primarydomainname",
        "maxsubjectcns",
        "dcvmethod",
        "dcvemailaddress",
        "dcvemailaddresses",
        "uniquevalue",
        "iscustomervalidated",
        "test",
        "showcertificateid",
        "showcertificatestate",
        "responseformat",
        "organizationname",
        "organizationalunitname",
        "postofficebox",
        "streetaddress1",
        "streetaddress2",
        "streetaddress3",
        "localityname",
        "stateorprovincename",
        "postalcode",
        "countryname",
        "prioritisecsrvalues",
        "companynumber",
        "apprep*",
        "emailaddress",
        "joi*",
        "foreignordernumber",
        "checkfonisunique"}},
      {"CollectSSL",
       {"ordernumber", "certificateid", "baseordernumber", "querytype", "responsetype",
        "responseencoding", "showvalidityperiod", "showfqdn", "showextstatus",
        "showmdcdomaindetails", "showmdcdomaindetails2", "showstatusdetails", "responseformat"}},
      {"AutoReplaceSSL",
       {"ordernumber", "exactorder", "serversoftware", "csr", "domainnames", "primarydomainname",
        "maxsubjectcns", "dcvmethod", "dcvemailaddress", "uniquevalue", "iscustomervalidated",
        "showcertificateid", "responseformat"}},
      {"AutoRevokeSSL",
       {"ordernumber", "certificateid", "serialnumber", "revocationreason", "codereason", "test",
        "includeincrl", "responseformat"}},
      {"autoRevokeCertificate",
       {"ordernumber", "certificateid", "serialnumber", "revocationreason", "codereason", "test",
        "includeincrl", "responseformat"}},
      {"ResendDCVEmail",
       {"ordernumber", "baseordernumber", "dcvemailaddress", "dcvtemplateid", "responseformat"}},
      {"AutoUpdateDCV",
       {"ordernumber", "baseordernumber", "domainname", "newmethod", "newdcvemailaddress",
        "domainnames", "newmethods", "newdcvemailaddresses", "dcvtemplateid"}},
      {"GetDCVEmailAddressList", {"domainname", "responseformat", "product"}},
      {"GetMDCDomainDetails", {"ordernumber", "showstatusdetails", "responseformat"}},
      {"WebHostReport",
       {"notbefore", "notafter", "firstresultno", "lastresultno", "fqdn", "ordernumber"}},
  };
  return *known;
}

}  // namespace

const std::vector<std::string>& EndpointNames() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string>;
    for (const auto& [name, known] : KnownParameters()) {
      out->push_back(name);
    }
    return out;
  }();
  return *names;
}

absl::StatusOr<Account> AccountFromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("loginName") || !json.contains("loginPassword")) {
    return absl::InvalidArgumentError("account: an object with loginName and loginPassword");
  }
  Account account;
  try {
    account.login_name = json.at("loginName").get<std::string>();
    account.login_password = json.at("loginPassword").get<std::string>();
    account.credit = json.value("credit", account.credit);
    account.test_enabled = json.value("testEnabled", true);
    account.unpaid = json.value("unpaid", false);
    account.payment_elsewhere = json.value("paymentElsewhere", false);
    account.locked = json.value("locked", false);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("account: ", e.what()));
  }
  return account;
}

FakeCa::FakeCa(FakeCaOptions options, const Clock& clock, Signer& signer, DcvChecker& checker)
    : options_(options), clock_(clock), signer_(signer), checker_(checker) {}

void FakeCa::PutAccount(Account account) {
  absl::MutexLock lock(&mu_);
  auto it = accounts_.find(account.login_name);
  if (it != accounts_.end()) {
    account.listed_emails = std::move(it->second.listed_emails);
  }
  const std::string name = account.login_name;
  accounts_[name] = std::move(account);
  SaveState();
}

FakeCa::Endpoint FakeCa::EndpointFor(const std::string& name) {
  static const std::map<std::string, Endpoint> kEndpoints = {
      {"AutoApplySSL", &FakeCa::AutoApplySsl},
      {"CollectSSL", &FakeCa::CollectSsl},
      {"AutoReplaceSSL", &FakeCa::AutoReplaceSsl},
      {"AutoRevokeSSL", &FakeCa::AutoRevokeSsl},
      {"autoRevokeCertificate", &FakeCa::AutoRevokeCertificate},
      {"ResendDCVEmail", &FakeCa::ResendDcvEmail},
      {"AutoUpdateDCV", &FakeCa::AutoUpdateDcv},
      {"GetDCVEmailAddressList", &FakeCa::GetDcvEmailAddressList},
      {"GetMDCDomainDetails", &FakeCa::GetMdcDomainDetails},
      {"WebHostReport", &FakeCa::WebHostReport}};
  auto it = kEndpoints.find(name);
  return it == kEndpoints.end() ? nullptr : it->second;
}

Format FakeCa::AnswerFormat(const std::string& endpoint, const Params& params) {
  const std::string format = params.GetOr("responseFormat");
  if (endpoint == "GetDCVEmailAddressList") {
    return format == "2" ? Format::kJson : Format::kTab;
  }
  if (endpoint == "GetMDCDomainDetails") {
    return format == "2" ? Format::kJson : Format::kUrlEncoded;
  }
  if (endpoint == "AutoApplySSL" || endpoint == "CollectSSL" || endpoint == "AutoRevokeSSL" ||
      endpoint == "autoRevokeCertificate") {
    return format == "1" ? Format::kUrlEncoded : Format::kNewline;
  }
  return Format::kUrlEncoded;
}

Reply FakeCa::Handle(const std::string& endpoint, const Params& params) {
  const Format format = AnswerFormat(endpoint, params);
  std::vector<absl::string_view> known = kAuth;
  const Known& own = KnownParameters().at(endpoint);
  known.insert(known.end(), own.begin(), own.end());
  if (std::optional<std::string> unknown = params.FirstUnknown(known)) {
    return ErrorReply(-2, UnknownArgument(*unknown), format);
  }
  if (endpoint == "CollectSSL" || endpoint == "GetMDCDomainDetails") {
    RunNetworkChecks(params);
  }
  absl::MutexLock lock(&mu_);
  Account* account = nullptr;
  if (std::optional<Reply> refused = Authenticate(params, format, &account)) {
    return *refused;
  }
  Reply reply = (this->*EndpointFor(endpoint))(*account, params, format);
  SaveState();
  return reply;
}

std::optional<Reply> FakeCa::Authenticate(const Params& params, Format format, Account** account) {
  for (const char* name : {"loginName", "loginPassword"}) {
    if (!params.Has(name)) {
      return ErrorReply(-3, MissingArgument(name), format);
    }
  }
  auto it = accounts_.find(*params.Get("loginName"));
  if (it == accounts_.end() || it->second.login_password != *params.Get("loginPassword") ||
      it->second.locked) {
    return ErrorReply(-16, "Permission denied!", format);
  }
  *account = &it->second;
  return std::nullopt;
}

FakeCa::Selected FakeCa::Select(const Account& account, const Params& params, Format format) {
  Selected selected;
  std::string argument;
  std::string value;
  for (const char* name : {"orderNumber", "certificateID", "baseOrderNumber", "serialNumber"}) {
    if (params.Has(name)) {
      argument = name;
      value = absl::AsciiStrToLower(*params.Get(name));
      break;
    }
  }
  if (argument.empty()) {
    selected.error = ErrorReply(-3, MissingArgument("orderNumber"), format);
    return selected;
  }
  for (auto& order : orders_) {
    if (order->account != account.login_name) {
      continue;
    }
    if (argument == "orderNumber" || argument == "baseOrderNumber") {
      if (order->number == value) {
        selected.order = order.get();
        selected.certificate = &order->certificates.back();
      }
      continue;
    }
    for (Certificate& certificate : order->certificates) {
      std::string serial = certificate.serial_number;
      serial.erase(0, std::min(serial.find_first_not_of('0'), serial.size()));
      std::string wanted = value;
      wanted.erase(0, std::min(wanted.find_first_not_of('0'), wanted.size()));
      if ((argument == "certificateID" && certificate.id == value) ||
          (argument == "serialNumber" && !serial.empty() && serial == wanted)) {
        selected.order = order.get();
        selected.certificate = &certificate;
      }
    }
  }
  if (selected.order == nullptr) {
    selected.error = ErrorReply(-4, InvalidArgument(argument), format);
  }
  return selected;
}

bool FakeCa::BeginCollect(const std::string& login_name) {
  absl::MutexLock lock(&mu_);
  return collecting_.insert(login_name).second;
}

void FakeCa::EndCollect(const std::string& login_name) {
  absl::MutexLock lock(&mu_);
  collecting_.erase(login_name);
}

void FakeCa::RecordRequest(const std::string& endpoint, const Params& params,
                           const std::string& outcome) {
  nlohmann::json entry = {
      {"endpoint", endpoint}, {"time", absl::ToUnixSeconds(clock_.Now())}, {"outcome", outcome}};
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [name, value] : params.Redacted()) {
    pairs.push_back({name, value});
  }
  entry["params"] = std::move(pairs);
  absl::MutexLock lock(&mu_);
  requests_.push_back(std::move(entry));
  if (requests_.size() > 5000) {
    requests_.erase(requests_.begin());
  }
}

bool FakeCa::EmailListed(const Account& account, const std::string& email) const {
  auto it = account.listed_emails.find(absl::AsciiStrToLower(email));
  return it != account.listed_emails.end() && clock_.Now() - it->second < absl::Hours(24);
}

std::string FakeCa::NextOrderNumber() { return absl::StrCat(next_order_++); }

std::string FakeCa::NextCertificateId() { return absl::StrCat(next_certificate_++); }

absl::Time FakeCa::ExpectedDelivery() const {
  return clock_.Now() + (options_.validation == ValidationMode::kAuto ? options_.auto_validate_after
                                                                      : absl::Hours(1));
}

}  // namespace sslpanel::sectigo_fake
