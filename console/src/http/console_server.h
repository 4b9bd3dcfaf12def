// The console's HTTP glue: cpp-httplib routes for the order list, the order
// pages and the stylesheet, security headers on every answer, and API errors
// turned into readable pages with the matching HTTP status.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "console/src/grpc/workflow_client.h"
#include "console/src/view/page_model.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace sslpanel::console::http {

// Sent with every answer: nothing but the console's own stylesheet may load,
// no script at all, no framing, no form posts elsewhere.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

// The page for an API error: 404 not found, 400 invalid argument, 503 when
// the workflow service cannot be reached, 502 for anything else it answered.
view::ErrorPage ErrorPageFor(const absl::Status& status);

class ConsoleServer {
 public:
  // Events beyond this many are not shown (the page says so).
  static constexpr int kMaxEvents = 500;

  explicit ConsoleServer(grpc_glue::WorkflowClient& workflow);
  ~ConsoleServer();

  // Binds host:port (port 0 picks one); returns the bound port.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Serves until Stop(); call after Bind().
  void Serve();
  void Stop();

 private:
  void Routes();

  grpc_glue::WorkflowClient& workflow_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace sslpanel::console::http
