// A DNS server on UDP 127.0.0.1 (a free port) for pre-flight tests: answers
// TXT and A queries for the names a test sets, "no such record" for other
// types of those names, NXDOMAIN for every other name. Stops when destroyed.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace sslpanel::ca::testing {

class FakeDns {
 public:
  static absl::StatusOr<std::unique_ptr<FakeDns>> Start();
  ~FakeDns();

  // "127.0.0.1:<port>", for --preflight_dns_server.
  std::string address() const;
  void SetTxt(const std::string& name, std::vector<std::string> values);
  void SetA(const std::string& name, std::vector<std::string> addresses);
  // Queries answered so far.
  int queries() const { return queries_.load(); }

 private:
  FakeDns(int fd, int port);
  void Serve();
  // The answer to one query; "" to ignore it.
  std::string Answer(const std::string& query);

  const int fd_;
  const int port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> queries_{0};
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> txt_;  // guarded by mu_
  std::map<std::string, std::vector<std::string>> a_;    // guarded by mu_
  std::thread thread_;
};

}  // namespace sslpanel::ca::testing
