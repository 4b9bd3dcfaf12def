#include "ca-adapter/src/acme/dns_resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sslpanel::ca::acme {
namespace {

// A resolver state for one lookup: res_ninit reads /etc/resolv.conf, and
// res_nclose frees what it allocated.
class ResolverState {
 public:
  ResolverState() { std::memset(&state_, 0, sizeof(state_)); }
  ~ResolverState() {
    if (initialized_) {
      res_nclose(&state_);
    }
  }
  ResolverState(const ResolverState&) = delete;
  ResolverState& operator=(const ResolverState&) = delete;

  bool Init() {
    initialized_ = res_ninit(&state_) == 0;
    return initialized_;
  }
  res_state get() { return &state_; }

 private:
  struct __res_state state_;
  bool initialized_ = false;
};

std::string HErrnoText(int code) {
  switch (code) {
    case HOST_NOT_FOUND:
      return "no such name";
    case TRY_AGAIN:
      return "no answer in time, or the server failed (SERVFAIL)";
    case NO_RECOVERY:
      return "the server refused the query";
    case NO_DATA:
      return "no record of that type";
    default:
      return absl::StrCat("resolver error ", code);
  }
}

}  // namespace

absl::StatusOr<DnsResolver> DnsResolver::Create(const std::string& server) {
  if (server.empty()) {
    return DnsResolver("", 53);
  }
  std::vector<std::string> parts = absl::StrSplit(server, absl::MaxSplits(':', 1));
  int port = 53;
  in_addr unused;
  if (inet_pton(AF_INET, parts[0].c_str(), &unused) != 1 ||
      (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &port) || port < 1 || port > 65535))) {
    return absl::InvalidArgumentError(
        absl::StrCat("DNS server \"", server, "\" must be an IPv4 address with an optional :port"));
  }
  return DnsResolver(parts[0], port);
}

absl::StatusOr<std::vector<std::string>> DnsResolver::Query(const std::string& name, int type,
                                                            absl::Duration timeout) const {
  ResolverState state;
  if (!state.Init()) {
    return absl::UnavailableError("DNS: cannot initialise the resolver");
  }
  res_state res = state.get();
  if (!address_.empty()) {
    res->nscount = 1;
    res->nsaddr_list[0].sin_family = AF_INET;
    res->nsaddr_list[0].sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, address_.c_str(), &res->nsaddr_list[0].sin_addr);
  }
  // One try per server, `timeout` each (libresolv counts whole seconds).
  res->retrans = std::max(1, static_cast<int>(std::ceil(absl::ToDoubleSeconds(timeout))));
  res->retry = 1;
  std::vector<unsigned char> answer(NS_MAXMSG);
  const int length =
      res_nquery(res, name.c_str(), ns_c_in, type, answer.data(), static_cast<int>(answer.size()));
  if (length < 0) {
    if (res->res_h_errno == HOST_NOT_FOUND || res->res_h_errno == NO_DATA) {
      return std::vector<std::string>();
    }
    return absl::UnavailableError(
        absl::StrCat("DNS lookup of ", name, ": ", HErrnoText(res->res_h_errno)));
  }
  ns_msg message;
  if (ns_initparse(answer.data(), length, &message) != 0) {
    return absl::UnavailableError(absl::StrCat("DNS lookup of ", name, ": unreadable answer"));
  }
  std::vector<std::string> rdata;
  for (int i = 0; i < ns_msg_count(message, ns_s_an); ++i) {
    ns_rr record;
    if (ns_parserr(&message, ns_s_an, i, &record) != 0) {
      return absl::UnavailableError(absl::StrCat("DNS lookup of ", name, ": unreadable record"));
    }
    if (ns_rr_type(record) == type) {
      rdata.emplace_back(reinterpret_cast<const char*>(ns_rr_rdata(record)), ns_rr_rdlen(record));
    }
  }
  return rdata;
}

absl::StatusOr<std::vector<std::string>> DnsResolver::Txt(const std::string& name,
                                                          absl::Duration timeout) const {
  absl::StatusOr<std::vector<std::string>> records = Query(name, ns_t_txt, timeout);
  if (!records.ok()) {
    return records.status();
  }
  // RFC 1035 3.3.14: one or more <character-string>s, each a length octet
  // and that many octets; a long value is split over several.
  std::vector<std::string> values;
  for (const std::string& rdata : *records) {
    std::string value;
    for (size_t i = 0; i < rdata.size();) {
      const size_t length = static_cast<unsigned char>(rdata[i]);
      if (i + 1 + length > rdata.size()) {
        return absl::UnavailableError(absl::StrCat("DNS lookup of ", name, ": bad TXT record"));
      }
      value.append(rdata, i + 1, length);
      i += 1 + length;
    }
    values.push_back(std::move(value));
  }
  return values;
}

absl::StatusOr<std::vector<std::string>> DnsResolver::Addresses(const std::string& name,
                                                                absl::Duration timeout) const {
  std::vector<std::string> addresses;
  for (const auto& [type, family, size] :
       {std::tuple<int, int, size_t>{ns_t_aaaa, AF_INET6, 16}, {ns_t_a, AF_INET, 4}}) {
    absl::StatusOr<std::vector<std::string>> records = Query(name, type, timeout);
    if (!records.ok()) {
      return records.status();
    }
    for (const std::string& rdata : *records) {
      char text[INET6_ADDRSTRLEN] = {0};
      if (rdata.size() == size && inet_ntop(family, rdata.data(), text, sizeof(text)) != nullptr) {
        addresses.emplace_back(text);
      }
    }
  }
  return addresses;
}

}  // namespace sslpanel::ca::acme
