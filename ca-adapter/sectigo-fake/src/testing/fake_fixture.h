// The fake in-process for tests: its CAs in a fresh directory, the API on
// 127.0.0.1:0 over real HTTP, and small client helpers (cpp-httplib).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"
#include "ca-adapter/sectigo-fake/src/infra/http_server.h"
#include "ca-adapter/sectigo-fake/src/infra/network_checker.h"
#include "ca-adapter/sectigo-fake/src/infra/sandbox_signer.h"

namespace sslpanel::sectigo_fake::testing {

inline constexpr char kLogin[] = "sslpanel";
inline constexpr char kPassword[] = "sslpanel-fake-password";

// A reply as the client saw it; transport_ok false when the connection
// failed or broke before a whole answer arrived.
struct ClientReply {
  bool transport_ok = false;
  int status = 0;
  std::string body;
};

class FakeStack {
 public:
  // `http` sets TLS (tls_cert_file / tls_key_file) and the like; its host,
  // port and ca_json are the stack's own.
  static absl::StatusOr<std::unique_ptr<FakeStack>> Start(FakeCaOptions options = Manual(),
                                                          NetworkCheckerOptions checks = {},
                                                          HttpServerOptions http = {});
  static FakeCaOptions Manual();

  int port() const { return server_->port(); }
  FakeCa& fake() { return *fake_; }
  SandboxSigner& signer() { return *signer_; }

  // POSTs a form to /products/<path> (e.g. "!AutoApplySSL").
  ClientReply Api(const std::string& path, const Pairs& form, double timeout_seconds = 10);
  ClientReply Raw(const std::string& method, const std::string& path, const std::string& body,
                  double timeout_seconds = 10);
  nlohmann::json Admin(const std::string& method, const std::string& path,
                       const std::string& body = "");

 private:
  FakeStack() = default;
  SystemClock clock_;
  std::unique_ptr<SandboxSigner> signer_;
  std::unique_ptr<NetworkChecker> checker_;
  std::unique_ptr<FakeCa> fake_;
  std::unique_ptr<FakeHttpServer> server_;
};

// The URL-encoded pairs of an answer body, in order.
Pairs ParseUrlEncoded(const std::string& body);
// The first value of `name` in `pairs`, or "".
std::string Value(const Pairs& pairs, const std::string& name);

// A fixture file of the contract examples.
std::string ExampleFile(const std::string& relative_path);

}  // namespace sslpanel::sectigo_fake::testing
