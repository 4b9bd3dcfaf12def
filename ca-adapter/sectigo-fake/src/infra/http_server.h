// The fake's HTTP(S) face (cpp-httplib): the contract's paths
// (/products/!<Action>, /products/download/CollectSSL), POST + form only,
// always HTTP 200 for API answers; injected faults around each call; and the
// /fake/ admin endpoints in JSON (README.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"
#include "ca-adapter/sectigo-fake/src/core/faults.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sslpanel::sectigo_fake {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free one
  std::string tls_cert_file;
  std::string tls_key_file;
  bool reject_plain_http = false;
  // GET /fake/ca answers this.
  std::function<nlohmann::json()> ca_json;
};

class FakeHttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<FakeHttpServer>> Start(HttpServerOptions options,
                                                               FakeCa& fake);
  ~FakeHttpServer();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" (https when serving TLS); the API's base URL
  // is this plus "/products/".
  std::string base_url() const;

 private:
  FakeHttpServer(HttpServerOptions options, FakeCa& fake);
  void Route();
  void ServeApi(const httplib::Request& request, httplib::Response& response);
  void ServeAdmin(const httplib::Request& request, httplib::Response& response);
  void ApplyFault(const Fault& fault, const std::string& endpoint, Format format,
                  httplib::Response& response);

  HttpServerOptions options_;
  FakeCa& fake_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex faults_mu_;
  FaultList faults_ ABSL_GUARDED_BY(faults_mu_);
};

}  // namespace sslpanel::sectigo_fake
