#include "integration-tests/webhook_receiver.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/testing/test_certs.h"

namespace sslpanel::integration {

absl::StatusOr<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Start(const std::string& dir) {
  auto ca = testing::TestCa::Create("webhook receiver test CA");
  if (!ca.ok()) {
    return ca.status();
  }
  testing::CertSpec spec;
  spec.common_name = "127.0.0.1";
  spec.sans = {"IP:127.0.0.1", "DNS:localhost"};
  auto leaf = ca->Issue(spec);
  if (!leaf.ok()) {
    return leaf.status();
  }
  auto receiver = std::unique_ptr<WebhookReceiver>(new WebhookReceiver());
  receiver->ca_file_ = dir + "/webhook-ca.pem";
  const std::string cert = dir + "/webhook-receiver.pem";
  const std::string key = dir + "/webhook-receiver.key";
  for (const auto& [path, contents] :
       {std::pair{receiver->ca_file_, ca->ca().cert_pem}, std::pair{cert, leaf->cert_pem},
        std::pair{key, leaf->key_pem}}) {
    if (absl::Status written = testing::WriteTextFile(path, contents); !written.ok()) {
      return written;
    }
  }
  const std::string port_file = dir + "/webhook-receiver.port";
  const std::string admin_port_file = dir + "/webhook-receiver.admin-port";
  auto process = testing::Subprocess::Start(
      {SSLPANEL_NODE, SSLPANEL_SOURCE_DIR "/integration-tests/webhook-receiver/receiver.js",
       "--cert=" + cert, "--key=" + key, "--port_file=" + port_file,
       "--admin_port_file=" + admin_port_file},
      dir + "/webhook-receiver.log");
  if (!process.ok()) {
    return process.status();
  }
  receiver->process_ = *std::move(process);
  // The admin port file is written first.
  auto port = testing::WaitForPortFile(port_file, *receiver->process_);
  if (!port.ok()) {
    return absl::UnavailableError(absl::StrCat("webhook receiver: ", port.status().message(), "\n",
                                               receiver->process_->Log()));
  }
  receiver->port_ = *port;
  auto admin_port = testing::WaitForPortFile(admin_port_file, *receiver->process_);
  if (!admin_port.ok()) {
    return admin_port.status();
  }
  receiver->admin_port_ = *admin_port;
  return receiver;
}

std::string WebhookReceiver::url() const {
  return absl::StrCat("https://127.0.0.1:", port_, "/hook");
}

absl::StatusOr<std::string> WebhookReceiver::Admin(const std::string& method,
                                                   const std::string& path,
                                                   const std::string& body) {
  httplib::Client client("127.0.0.1", admin_port_);
  client.set_read_timeout(10, 0);
  httplib::Result result =
      method == "POST" ? client.Post(path, body, "application/json") : client.Get(path);
  if (!result) {
    return absl::UnavailableError(absl::StrCat("webhook receiver ", method, " ", path, ": ",
                                               httplib::to_string(result.error())));
  }
  if (result->status != 200) {
    return absl::InternalError(absl::StrCat("webhook receiver ", method, " ", path, ": ",
                                            result->status, " ", result->body));
  }
  return result->body;
}

absl::Status WebhookReceiver::SetSecrets(const std::map<std::string, std::string>& secrets) {
  return Admin("POST", "/admin/secrets", nlohmann::json(secrets).dump()).status();
}

absl::Status WebhookReceiver::SetBehaviour(const std::string& json) {
  return Admin("POST", "/admin/behaviour", json).status();
}

absl::StatusOr<std::vector<ReceivedWebhook>> WebhookReceiver::Received(bool raw) {
  auto body = Admin("GET", raw ? "/admin/received?raw=1" : "/admin/received", "");
  if (!body.ok()) {
    return body.status();
  }
  const nlohmann::json parsed = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("received")) {
    return absl::InternalError("webhook receiver: unreadable /admin/received");
  }
  auto text = [](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : std::string();
  };
  std::vector<ReceivedWebhook> out;
  for (const nlohmann::json& r : parsed["received"]) {
    ReceivedWebhook w;
    w.seq = r.value("seq", 0);
    w.path = text(r["path"]);
    w.webhook_id = text(r["webhook_id"]);
    w.attempt = r.value("attempt", 0);
    int64_t timestamp = 0;
    w.webhook_timestamp =
        absl::SimpleAtoi(text(r["webhook_timestamp"]), &timestamp) ? timestamp : 0;
    w.at_ms = r["at_ms"].is_number() ? r["at_ms"].get<int64_t>() : 0;
    w.signatures = r.value("signatures", 0);
    w.verified = r.value("verified", false);
    for (const nlohmann::json& name : r["verified_by"]) {
      w.verified_by.push_back(text(name));
    }
    w.errors = r["errors"].dump();
    w.type = text(r["type"]);
    w.event_id = text(r["event_id"]);
    w.event_type = text(r["event_type"]);
    w.order_id = text(r["order_id"]);
    w.order_version = r["order_version"].is_number() ? r["order_version"].get<int64_t>() : -1;
    w.certificate_status = text(r["certificate_status"]);
    w.answered = r.value("answered", 0);
    if (raw) {
      w.raw_headers = r["raw_headers"].dump();
      w.raw_body = text(r["raw_body"]);
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace sslpanel::integration
