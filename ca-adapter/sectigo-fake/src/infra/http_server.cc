#include "ca-adapter/sectigo-fake/src/infra/http_server.h"

#include <httplib.h>

#include <chrono>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"

namespace sslpanel::sectigo_fake {
namespace {

constexpr char kCollectPath[] = "/products/download/CollectSSL";

// The API name of a contract path, or "" when the path is not one.
std::string EndpointOf(const std::string& path) {
  if (path == kCollectPath) {
    return "CollectSSL";
  }
  absl::string_view action = path;
  if (!absl::ConsumePrefix(&action, "/products/!")) {
    return "";
  }
  for (const std::string& name : EndpointNames()) {
    if (name != "CollectSSL" && absl::EqualsIgnoreCase(name, action)) {
      return name;
    }
  }
  return "";
}

const char* InjectedMessage(int code) {
  switch (code) {
    case -42:
      return "Call limit reached!";
    case -15:
      return "Insufficient credit!";
    case -16:
      return "Permission denied!";
    case -22:
      return "The order is awaiting payment!";
    case -26:
      return "The certificate is being issued!";
    default:
      return "An unknown error occurred!";
  }
}

void SendReply(const Reply& reply, httplib::Response& response) {
  response.status = 200;
  response.set_content(Encode(reply),
                       reply.format == Format::kJson ? "application/json" : "text/plain");
}

void SendJson(const nlohmann::json& json, httplib::Response& response, int status = 200) {
  response.status = status;
  response.set_content(json.dump(), "application/json");
}

}  // namespace

FakeHttpServer::FakeHttpServer(HttpServerOptions options, FakeCa& fake)
    : options_(std::move(options)), fake_(fake) {}

absl::StatusOr<std::unique_ptr<FakeHttpServer>> FakeHttpServer::Start(HttpServerOptions options,
                                                                      FakeCa& fake) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert_file and --tls_key_file go together");
  }
  std::unique_ptr<FakeHttpServer> server(new FakeHttpServer(std::move(options), fake));
  const HttpServerOptions& o = server->options_;
  if (o.tls_cert_file.empty()) {
    server->server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls =
        std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot load the TLS certificate ", o.tls_cert_file, " or its key"));
    }
    server->server_ = std::move(tls);
  }
  // Enough workers that delayed answers do not starve the others.
  server->server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server->Route();
  server->port_ = o.port == 0 ? server->server_->bind_to_any_port(o.host)
                              : (server->server_->bind_to_port(o.host, o.port) ? o.port : -1);
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", o.host, ":", o.port));
  }
  server->thread_ = std::thread([s = server.get()] { s->server_->listen_after_bind(); });
  // stop() before the loop runs is lost (httplib sets is_running inside it),
  // and the destructor's join would hang: return only once it runs.
  for (int i = 0; i < 5000 && !server->server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

FakeHttpServer::~FakeHttpServer() {
  server_->stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::string FakeHttpServer::base_url() const {
  return absl::StrCat(options_.tls_cert_file.empty() ? "http://" : "https://", options_.host, ":",
                      port_);
}

void FakeHttpServer::Route() {
  auto api = [this](const httplib::Request& request, httplib::Response& response) {
    ServeApi(request, response);
  };
  auto admin = [this](const httplib::Request& request, httplib::Response& response) {
    ServeAdmin(request, response);
  };
  server_->Post(R"(/products/.*)", api);
  server_->Get(R"(/products/.*)", api);
  server_->Get(R"(/fake/.*)", admin);
  server_->Post(R"(/fake/.*)", admin);
  server_->Delete(R"(/fake/.*)", admin);
}

void FakeHttpServer::ServeApi(const httplib::Request& request, httplib::Response& response) {
  const std::string endpoint = EndpointOf(request.path);
  if (endpoint.empty()) {
    response.status = 404;
    response.set_content("not a reseller API path", "text/plain");
    return;
  }
  const Params params = Params::FromForm(request.body);
  const Format format = FakeCa::AnswerFormat(endpoint, params);
  if (request.method != "POST") {
    SendReply(ErrorReply(-17, "Request used GET rather than POST!", format), response);
    return;
  }
  if (options_.reject_plain_http && options_.tls_cert_file.empty()) {
    SendReply(ErrorReply(-1, "HTTPS must be used!", format), response);
    return;
  }
  const std::string login = params.GetOr("loginName");
  const bool collect = endpoint == "CollectSSL";
  if (collect && !fake_.BeginCollect(login)) {
    SendReply(
        ErrorReply(-42, "Call limit reached: concurrent CollectSSL calls are not allowed!", format),
        response);
    fake_.RecordRequest(endpoint, params, "-42 (concurrent CollectSSL)");
    return;
  }
  absl::Cleanup end_collect = [&] {
    if (collect) {
      fake_.EndCollect(login);
    }
  };
  std::optional<Fault> fault;
  {
    absl::MutexLock lock(&faults_mu_);
    fault = faults_.Take(endpoint);
  }
  if (fault.has_value() && !fault->after && fault->action != FaultAction::kDelay) {
    ApplyFault(*fault, endpoint, format, response);
    fake_.RecordRequest(endpoint, params, "fault before acting");
    return;
  }
  if (fault.has_value() && fault->action == FaultAction::kDelay && !fault->after) {
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
  }
  const Reply reply = fake_.Handle(endpoint, params);
  fake_.RecordRequest(endpoint, params, absl::StrCat(reply.code, fault ? " (then a fault)" : ""));
  if (fault.has_value() && fault->after) {
    if (fault->action == FaultAction::kDelay) {
      std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
    } else {
      ApplyFault(*fault, endpoint, format, response);
      return;
    }
  }
  SendReply(reply, response);
}

void FakeHttpServer::ApplyFault(const Fault& fault, const std::string& endpoint, Format format,
                                httplib::Response& response) {
  log::Info("injected fault", {{"endpoint", endpoint}, {"fault", FaultJson(fault)}});
  switch (fault.action) {
    case FaultAction::kErrorCode:
      SendReply(ErrorReply(fault.code, InjectedMessage(fault.code), format), response);
      return;
    case FaultAction::kHttpStatus:
      response.status = fault.http_status;
      response.set_content(absl::StrCat("<html><body><h1>", fault.http_status,
                                        " injected by sectigo-fake</h1></body></html>"),
                           "text/html");
      return;
    case FaultAction::kMalformed:
      response.status = 200;
      response.set_content(fault.body, "text/plain");
      return;
    case FaultAction::kDrop:
      // Promise a body and never send it: the connection closes mid-answer.
      response.set_content_provider(64, "text/plain",
                                    [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    case FaultAction::kDelay:
      return;
  }
}

void FakeHttpServer::ServeAdmin(const httplib::Request& request, httplib::Response& response) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (method == "GET" && path == "/fake/health") {
    return SendJson({{"ok", true}}, response);
  }
  if (method == "GET" && path == "/fake/billing") {
    return SendJson(fake_.BillingJson(), response);
  }
  if (method == "GET" && path == "/fake/orders") {
    return SendJson(fake_.OrdersJson(), response);
  }
  if (method == "GET" && path == "/fake/requests") {
    return SendJson(fake_.RequestsJson(), response);
  }
  if (method == "GET" && path == "/fake/ca" && options_.ca_json) {
    return SendJson(options_.ca_json(), response);
  }
  absl::string_view rest = path;
  if (absl::ConsumePrefix(&rest, "/fake/orders/")) {
    if (method == "POST" && absl::ConsumeSuffix(&rest, "/validate")) {
      absl::Status status = fake_.ValidateNow(std::string(rest));
      return SendJson({{"ok", status.ok()}, {"error", status.message()}}, response,
                      status.ok() ? 200 : (absl::IsNotFound(status) ? 404 : 409));
    }
    std::optional<nlohmann::json> order = fake_.OrderJson(std::string(rest));
    return order ? SendJson(*order, response)
                 : SendJson({{"error", "no such order"}}, response, 404);
  }
  if (path == "/fake/faults") {
    absl::MutexLock lock(&faults_mu_);
    if (method == "DELETE") {
      faults_.Clear();
    } else if (method == "POST") {
      absl::StatusOr<Fault> fault = ParseFault(request.body);
      if (!fault.ok()) {
        return SendJson({{"error", fault.status().message()}}, response, 400);
      }
      faults_.Add(*fault);
    }
    nlohmann::json list = nlohmann::json::array();
    for (const Fault& fault : faults_.faults()) {
      list.push_back(nlohmann::json::parse(FaultJson(fault)));
    }
    return SendJson(list, response);
  }
  if (method == "POST" && path == "/fake/accounts") {
    absl::StatusOr<Account> account =
        AccountFromJson(nlohmann::json::parse(request.body, nullptr, false));
    if (!account.ok()) {
      return SendJson({{"error", account.status().message()}}, response, 400);
    }
    fake_.PutAccount(*account);
    return SendJson({{"ok", true}}, response);
  }
  SendJson({{"error", "unknown admin endpoint"}}, response, 404);
}

}  // namespace sslpanel::sectigo_fake
