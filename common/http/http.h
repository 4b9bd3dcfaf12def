// HTTP for outbound API clients (KvK, RDAP, ACME) and the small loopback
// servers tests and the local system use to stand in for those APIs.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sslpanel::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Whole-request deadline, connect included.
  absl::Duration timeout = absl::Seconds(10);
};

struct Response {
  int status = 0;
  Headers headers;  // names lower-cased
  std::string body;

  // The first header named `name` (case-insensitive), or "".
  std::string Header(absl::string_view name) const;
};

class Client {
 public:
  virtual ~Client() = default;
  // Any HTTP status is a response; a transport failure (refused, reset,
  // timed out, TLS) is UNAVAILABLE naming the URL.
  virtual absl::StatusOr<Response> Do(const Request& request) = 0;
};

// Whether a transport failure from Client::Do happened before the request
// could reach the server (name not resolved, connection refused, TLS
// handshake failed): the server cannot have acted on it. Every other failure
// (timeout, reset after sending) leaves that unknown.
bool RequestNotSent(const absl::Status& status);

struct CurlOptions {
  // CA bundle to verify TLS servers with; empty uses the system store.
  std::string ca_file;
  std::string user_agent = "sslpanel/1";
};

// A libcurl client; one per thread or shared (each call uses its own handle).
std::unique_ptr<Client> NewCurlClient(const CurlOptions& options);

// A request as the loopback server received it.
struct ServerRequest {
  std::string method;
  std::string path;   // without the query string
  std::string query;  // after '?', undecoded
  Headers headers;    // names lower-cased
  std::string body;

  std::string Header(absl::string_view name) const;
  // Decoded value of query parameter `name`, or "".
  std::string QueryParam(absl::string_view name) const;
};

using Handler = std::function<Response(const ServerRequest&)>;

// A minimal HTTP/1.1 server on loopback: one thread per connection,
// "Connection: close" after each answer. For fakes of external APIs; not for
// production traffic.
class Server {
 public:
  // Listens on host:port (port 0 picks one) and serves `handler`.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const std::string& host, int port,
                                                       Handler handler);
  ~Server();

  int port() const { return port_; }
  std::string base_url() const;
  // Requests served so far (for tests that assert caching).
  int requests_served() const { return served_.load(); }

 private:
  Server(int fd, std::string host, int port, Handler handler);
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_;
  std::string host_;
  int port_;
  Handler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> served_{0};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

// Percent-decodes a URL component ('+' is a space).
std::string UrlDecode(absl::string_view text);
// Percent-encodes a URL component.
std::string UrlEncode(absl::string_view text);

}  // namespace sslpanel::http
