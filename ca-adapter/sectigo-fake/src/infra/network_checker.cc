#include "ca-adapter/sectigo-fake/src/infra/network_checker.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>
#include <memory>
#include <vector>

#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"

namespace sslpanel::sectigo_fake {
namespace {

bool SplitHostPort(const std::string& address, std::string& host, int& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  host = address.substr(0, colon);
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port > 0 && port < 65536;
}

}  // namespace

std::string LookUpCname(const std::string& name, const std::string& ip, int port) {
  struct __res_state state;
  std::memset(&state, 0, sizeof(state));
  if (res_ninit(&state) != 0) {
    return "";
  }
  if (!ip.empty()) {
    state.nscount = 1;
    state.nsaddr_list[0].sin_family = AF_INET;
    state.nsaddr_list[0].sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &state.nsaddr_list[0].sin_addr);
  }
  state.retrans = 2;
  state.retry = 1;
  std::vector<unsigned char> answer(NS_MAXMSG);
  const int length = res_nquery(&state, name.c_str(), ns_c_in, ns_t_cname, answer.data(),
                                static_cast<int>(answer.size()));
  std::string target;
  ns_msg message;
  if (length > 0 && ns_initparse(answer.data(), length, &message) == 0) {
    for (int i = 0; i < ns_msg_count(message, ns_s_an) && target.empty(); ++i) {
      ns_rr record;
      char expanded[NS_MAXDNAME];
      if (ns_parserr(&message, ns_s_an, i, &record) == 0 && ns_rr_type(record) == ns_t_cname &&
          ns_name_uncompress(ns_msg_base(message), ns_msg_end(message), ns_rr_rdata(record),
                             expanded, sizeof(expanded)) >= 0) {
        target = expanded;
      }
    }
  }
  res_nclose(&state);
  return target;
}

absl::StatusOr<NetworkChecker> NetworkChecker::Create(const NetworkCheckerOptions& options) {
  NetworkChecker checker(options);
  std::string host;
  int port = 0;
  for (const auto& [flag, value] : {std::pair{"--dcv_http_address", options.http_address},
                                    std::pair{"--dcv_https_address", options.https_address},
                                    std::pair{"--dcv_dns_server", options.dns_server}}) {
    if (!value.empty() && !SplitHostPort(value, host, port)) {
      return absl::InvalidArgumentError(absl::StrCat(flag, " must be host:port, not ", value));
    }
  }
  if (!options.dns_server.empty()) {
    SplitHostPort(options.dns_server, checker.dns_ip_, checker.dns_port_);
    in_addr parsed;
    if (inet_pton(AF_INET, checker.dns_ip_.c_str(), &parsed) != 1) {
      return absl::InvalidArgumentError("--dcv_dns_server must be an IPv4 address:port");
    }
  }
  return checker;
}

bool NetworkChecker::Check(const DcvCheck& check) {
  switch (check.method) {
    case DcvMethod::kHttp:
      return CheckFile(check, false);
    case DcvMethod::kHttps:
      return CheckFile(check, true);
    case DcvMethod::kCname:
      return CheckCname(check);
    case DcvMethod::kEmail:
      return false;
  }
  return false;
}

bool NetworkChecker::CheckFile(const DcvCheck& check, bool https) const {
  const std::string& address = https ? options_.https_address : options_.http_address;
  std::string host = check.name;
  int port = https ? 443 : 80;
  if (!address.empty()) {
    SplitHostPort(address, host, port);
  }
  const std::string path = ComputeDcvValues(check.hashes, check.name, check.unique_value).http_path;
  std::unique_ptr<httplib::Client> client;
  if (https) {
    client = std::make_unique<httplib::Client>(absl::StrCat("https://", host, ":", port));
    client->enable_server_certificate_verification(false);
  } else {
    client = std::make_unique<httplib::Client>(host, port);
  }
  client->set_connection_timeout(2);
  client->set_read_timeout(3);
  client->set_follow_location(false);
  httplib::Result result = client->Get(path.c_str(), {{"Host", check.name}});
  const bool ok = result && result->status == 200 &&
                  FileContentMatches(result->body, check.hashes, check.unique_value);
  log::Info("DCV file check", {{"name", check.name}, {"path", path}, {"proved", ok}});
  return ok;
}

bool NetworkChecker::CheckCname(const DcvCheck& check) const {
  for (const std::string& domain : AuthDomains(check.name)) {
    const std::string name =
        absl::StrCat("_", absl::AsciiStrToUpper(check.hashes.md5), ".", domain);
    const std::string target = LookUpCname(name, dns_ip_, dns_port_);
    if (!target.empty() && CnameTargetMatches(target, check.hashes, check.unique_value)) {
      log::Info("DCV CNAME check", {{"name", name}, {"proved", true}});
      return true;
    }
  }
  log::Info("DCV CNAME check", {{"name", check.name}, {"proved", false}});
  return false;
}

}  // namespace sslpanel::sectigo_fake
