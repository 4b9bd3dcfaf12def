// --state_file: the fake's orders, accounts, billing and counters as one
// JSON snapshot, written (tmp file + rename) after every API call and admin
// change, and read at start, so a restarted fake keeps its orders.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

namespace sslpanel::sectigo_fake {
namespace {

nlohmann::json TimeJson(absl::Time time) {
  if (time == absl::InfiniteFuture() || time == absl::InfinitePast()) {
    return nullptr;
  }
  return absl::ToUnixMicros(time);
}

absl::Time TimeFrom(const nlohmann::json& json, absl::Time fallback) {
  return json.is_number() ? absl::FromUnixMicros(json.get<int64_t>()) : fallback;
}

nlohmann::json CertificateState(const Certificate& c) {
  nlohmann::json dcv = nlohmann::json::array();
  for (const NameDcv& name : c.dcv) {
    dcv.push_back({name.name, static_cast<int>(name.method), name.email, name.validated});
  }
  return {{"id", c.id},
          {"state", static_cast<int>(c.state)},
          {"csrPem", c.csr_pem},
          {"csrDer", absl::Base64Escape(c.csr_der)},
          {"names", c.names},
          {"uniqueValue", c.unique_value},
          {"dcv", dcv},
          {"days", c.days},
          {"created", TimeJson(c.created)},
          {"validateAt", TimeJson(c.validate_at)},
          {"dcvEmailsSent", c.dcv_emails_sent},
          {"dcvHistory", c.dcv_history},
          {"reason", c.reason},
          {"certificatePem", c.certificate_pem},
          {"chainPems", c.chain_pems},
          {"serialNumber", c.serial_number},
          {"notBefore", TimeJson(c.not_before)},
          {"notAfter", TimeJson(c.not_after)}};
}

Certificate CertificateFrom(const nlohmann::json& j) {
  Certificate c;
  c.id = j.at("id");
  c.state = static_cast<CertState>(j.at("state").get<int>());
  c.csr_pem = j.at("csrPem");
  absl::Base64Unescape(j.at("csrDer").get<std::string>(), &c.csr_der);
  c.names = j.at("names").get<std::vector<std::string>>();
  c.unique_value = j.at("uniqueValue");
  for (const nlohmann::json& name : j.at("dcv")) {
    c.dcv.push_back({name[0], static_cast<DcvMethod>(name[1].get<int>()), name[2], name[3]});
  }
  c.days = j.at("days");
  c.created = TimeFrom(j.at("created"), absl::UnixEpoch());
  c.validate_at = TimeFrom(j.at("validateAt"), absl::InfiniteFuture());
  c.dcv_emails_sent = j.at("dcvEmailsSent");
  c.dcv_history = j.at("dcvHistory").get<std::vector<std::string>>();
  c.reason = j.at("reason");
  c.certificate_pem = j.at("certificatePem");
  c.chain_pems = j.at("chainPems").get<std::vector<std::string>>();
  c.serial_number = j.at("serialNumber");
  c.not_before = TimeFrom(j.at("notBefore"), absl::UnixEpoch());
  c.not_after = TimeFrom(j.at("notAfter"), absl::UnixEpoch());
  return c;
}

nlohmann::json OrderState(const Order& order) {
  nlohmann::json certificates = nlohmann::json::array();
  for (const Certificate& certificate : order.certificates) {
    certificates.push_back(CertificateState(certificate));
  }
  nlohmann::json organization = nullptr;
  if (order.organization.has_value()) {
    const Organization& o = *order.organization;
    organization = {o.name,     o.unit,  o.street1,     o.street2, o.street3,
                    o.locality, o.state, o.postal_code, o.country};
  }
  return {{"number", order.number},
          {"account", order.account},
          {"product", order.product},
          {"test", order.test},
          {"fon", order.foreign_order_number},
          {"created", TimeJson(order.created)},
          {"organization", organization},
          {"certificates", certificates}};
}

std::unique_ptr<Order> OrderFrom(const nlohmann::json& j) {
  auto order = std::make_unique<Order>();
  order->number = j.at("number");
  order->account = j.at("account");
  order->product = j.at("product");
  order->test = j.at("test");
  order->foreign_order_number = j.at("fon");
  order->created = TimeFrom(j.at("created"), absl::UnixEpoch());
  if (j.at("organization").is_array()) {
    const auto& o = j.at("organization");
    order->organization = Organization{o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8]};
  }
  for (const nlohmann::json& certificate : j.at("certificates")) {
    order->certificates.push_back(CertificateFrom(certificate));
  }
  return order;
}

}  // namespace

void FakeCa::SaveState() {
  if (options_.state_file.empty()) {
    return;
  }
  nlohmann::json accounts = nlohmann::json::array();
  for (const auto& [name, a] : accounts_) {
    nlohmann::json listed = nlohmann::json::object();
    for (const auto& [email, time] : a.listed_emails) {
      listed[email] = TimeJson(time);
    }
    accounts.push_back({{"loginName", a.login_name},
                        {"loginPassword", a.login_password},
                        {"credit", a.credit},
                        {"testEnabled", a.test_enabled},
                        {"unpaid", a.unpaid},
                        {"paymentElsewhere", a.payment_elsewhere},
                        {"locked", a.locked},
                        {"listedEmails", listed}});
  }
  nlohmann::json orders = nlohmann::json::array();
  for (const auto& order : orders_) {
    orders.push_back(OrderState(*order));
  }
  nlohmann::json billing = nlohmann::json::array();
  for (const BillingEntry& e : billing_) {
    billing.push_back({e.kind, e.order_number, e.certificate_id, e.account, e.product, e.amount,
                       TimeJson(e.time)});
  }
  const nlohmann::json state = {{"nextOrder", next_order_},
                                {"nextCertificate", next_certificate_},
                                {"accounts", accounts},
                                {"orders", orders},
                                {"billing", billing}};
  const std::string tmp = options_.state_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << state.dump();
  }
  std::rename(tmp.c_str(), options_.state_file.c_str());
}

absl::Status FakeCa::LoadState() {
  if (options_.state_file.empty()) {
    return absl::OkStatus();
  }
  std::ifstream in(options_.state_file);
  if (!in) {
    return absl::OkStatus();  // first start
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::MutexLock lock(&mu_);
  try {
    const nlohmann::json state = nlohmann::json::parse(text.str());
    next_order_ = state.at("nextOrder");
    next_certificate_ = state.at("nextCertificate");
    for (const nlohmann::json& json : state.at("accounts")) {
      absl::StatusOr<Account> account = AccountFromJson(json);
      if (!account.ok()) {
        return account.status();
      }
      for (const auto& [email, time] : json.at("listedEmails").items()) {
        account->listed_emails[email] = TimeFrom(time, absl::UnixEpoch());
      }
      accounts_[account->login_name] = *account;
    }
    for (const nlohmann::json& order : state.at("orders")) {
      orders_.push_back(OrderFrom(order));
    }
    for (const nlohmann::json& e : state.at("billing")) {
      billing_.push_back({e[0], e[1], e[2], e[3], e[4], e[5], TimeFrom(e[6], absl::UnixEpoch())});
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("--state_file ", options_.state_file, " is unreadable: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::sectigo_fake
