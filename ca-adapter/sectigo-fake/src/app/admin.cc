// The fake's own JSON views for tests and operators (/fake/...): billing,
// orders with their DCV values, the request log.
#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

namespace sslpanel::sectigo_fake {
namespace {

nlohmann::json CertificateToJson(const Certificate& certificate) {
  const CsrHashes hashes = HashCsrDer(certificate.csr_der);
  nlohmann::json names = nlohmann::json::array();
  for (const NameDcv& name : certificate.dcv) {
    const DcvValues values = ComputeDcvValues(hashes, name.name, certificate.unique_value);
    names.push_back({{"name", name.name},
                     {"dcvMethod", DcvMethodName(name.method)},
                     {"dcvEmailAddress", name.email},
                     {"validated", name.validated},
                     {"httpPath", values.http_path},
                     {"fileContent", values.file_content},
                     {"cnameName", values.cname_name},
                     {"cnameTarget", values.cname_target}});
  }
  nlohmann::json json = {{"certificateID", certificate.id},
                         {"state", CertStateName(certificate.state)},
                         {"uniqueValue", certificate.unique_value},
                         {"names", names},
                         {"csrMd5", hashes.md5},
                         {"csrSha256", hashes.sha256},
                         {"days", certificate.days},
                         {"created", absl::ToUnixSeconds(certificate.created)},
                         {"dcvEmailsSent", certificate.dcv_emails_sent},
                         {"dcvHistory", certificate.dcv_history},
                         {"reason", certificate.reason}};
  if (!certificate.certificate_pem.empty()) {
    json["certificatePem"] = certificate.certificate_pem;
    json["chainPems"] = certificate.chain_pems;
    json["serialNumber"] = certificate.serial_number;
    json["notBefore"] = absl::ToUnixSeconds(certificate.not_before);
    json["notAfter"] = absl::ToUnixSeconds(certificate.not_after);
  }
  return json;
}

}  // namespace

nlohmann::json FakeCa::OrderToJson(const Order& order) const {
  nlohmann::json certificates = nlohmann::json::array();
  for (const Certificate& certificate : order.certificates) {
    certificates.push_back(CertificateToJson(certificate));
  }
  return {{"orderNumber", order.number},
          {"account", order.account},
          {"product", order.product},
          {"test", order.test},
          {"foreignOrderNumber", order.foreign_order_number},
          {"created", absl::ToUnixSeconds(order.created)},
          {"organizationName", order.organization ? order.organization->name : ""},
          {"certificates", certificates}};
}

nlohmann::json FakeCa::BillingJson() {
  absl::MutexLock lock(&mu_);
  int applied = 0;
  int replaced = 0;
  nlohmann::json entries = nlohmann::json::array();
  for (const BillingEntry& entry : billing_) {
    (entry.kind == "apply" ? applied : replaced)++;
    entries.push_back({{"kind", entry.kind},
                       {"orderNumber", entry.order_number},
                       {"certificateID", entry.certificate_id},
                       {"account", entry.account},
                       {"product", entry.product},
                       {"amount", entry.amount},
                       {"time", absl::ToUnixSeconds(entry.time)}});
  }
  int test_orders = 0;
  for (const auto& order : orders_) {
    test_orders += order->test ? 1 : 0;
  }
  return {{"applied", applied},
          {"replaced", replaced},
          {"testOrders", test_orders},
          {"entries", entries}};
}

nlohmann::json FakeCa::OrdersJson() {
  absl::MutexLock lock(&mu_);
  nlohmann::json orders = nlohmann::json::array();
  for (const auto& order : orders_) {
    Refresh(*order, order->certificates.back());
    orders.push_back(OrderToJson(*order));
  }
  return orders;
}

std::optional<nlohmann::json> FakeCa::OrderJson(const std::string& order_number) {
  absl::MutexLock lock(&mu_);
  for (const auto& order : orders_) {
    if (order->number == order_number) {
      Refresh(*order, order->certificates.back());
      return OrderToJson(*order);
    }
  }
  return std::nullopt;
}

nlohmann::json FakeCa::RequestsJson() {
  absl::MutexLock lock(&mu_);
  return requests_;
}

}  // namespace sslpanel::sectigo_fake
