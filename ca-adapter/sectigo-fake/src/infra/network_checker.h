// --validation=check: proves control the way the CA would, on loopback. The
// HTTP(S) file is fetched from a configurable host:port with the name being
// validated as Host (no redirects followed); the CNAME is looked up through
// a configurable DNS server with libresolv's res_nquery on a resolver state
// of the call's own (as the ACME adapter's pre-flight does: glibc, nothing
// extra to package), at the name and each parent.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/sectigo-fake/src/app/ports.h"

namespace sslpanel::sectigo_fake {

struct NetworkCheckerOptions {
  std::string http_address;   // host:port; "" = the name, port 80
  std::string https_address;  // host:port; "" = the name, port 443
  std::string dns_server;     // ip:port; "" = the system resolver
};

class NetworkChecker final : public DcvChecker {
 public:
  static absl::StatusOr<NetworkChecker> Create(const NetworkCheckerOptions& options);
  bool Check(const DcvCheck& check) override;

 private:
  explicit NetworkChecker(NetworkCheckerOptions options) : options_(std::move(options)) {}
  bool CheckFile(const DcvCheck& check, bool https) const;
  bool CheckCname(const DcvCheck& check) const;

  NetworkCheckerOptions options_;
  std::string dns_ip_;
  int dns_port_ = 53;
};

// The CNAME target at `name` through the DNS server ip:port (system
// resolver when ip is empty); "" when there is none.
std::string LookUpCname(const std::string& name, const std::string& ip, int port);

}  // namespace sslpanel::sectigo_fake
