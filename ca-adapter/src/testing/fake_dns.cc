#include "ca-adapter/src/testing/fake_dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::ca::testing {
namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeTxt = 16;

void Put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xFF));
}

uint16_t Get16(const std::string& in, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(in[at]) << 8 |
                               static_cast<unsigned char>(in[at + 1]));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeDns>> FakeDns::Start() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("bind UDP 127.0.0.1:0: ", error));
  }
  return std::unique_ptr<FakeDns>(new FakeDns(fd, ntohs(addr.sin_port)));
}

FakeDns::FakeDns(int fd, int port) : fd_(fd), port_(port) {
  thread_ = std::thread([this] { Serve(); });
}

FakeDns::~FakeDns() {
  stopping_ = true;
  thread_.join();
  ::close(fd_);
}

std::string FakeDns::address() const { return absl::StrCat("127.0.0.1:", port_); }

void FakeDns::SetTxt(const std::string& name, std::vector<std::string> values) {
  std::lock_guard<std::mutex> lock(mu_);
  txt_[absl::AsciiStrToLower(name)] = std::move(values);
}

void FakeDns::SetA(const std::string& name, std::vector<std::string> addresses) {
  std::lock_guard<std::mutex> lock(mu_);
  a_[absl::AsciiStrToLower(name)] = std::move(addresses);
}

void FakeDns::Serve() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    char buffer[1500];
    sockaddr_in from{};
    socklen_t from_length = sizeof(from);
    const ssize_t n = ::recvfrom(fd_, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from),
                                 &from_length);
    if (n <= 0) {
      continue;
    }
    const std::string answer = Answer(std::string(buffer, static_cast<size_t>(n)));
    if (!answer.empty()) {
      ++queries_;
      ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from),
               from_length);
    }
  }
}

std::string FakeDns::Answer(const std::string& query) {
  if (query.size() < 17 || Get16(query, 4) != 1) {
    return "";
  }
  // The question: labels up to the root, then type and class.
  std::string name;
  size_t at = 12;
  while (at < query.size() && query[at] != 0) {
    const size_t length = static_cast<unsigned char>(query[at]);
    if (length > 63 || at + 1 + length >= query.size()) {
      return "";
    }
    absl::StrAppend(&name, name.empty() ? "" : ".", query.substr(at + 1, length));
    at += 1 + length;
  }
  if (at + 5 > query.size()) {
    return "";
  }
  const uint16_t type = Get16(query, at + 1);
  const std::string question = query.substr(12, at + 5 - 12);
  name = absl::AsciiStrToLower(name);

  std::vector<std::string> rdata;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto txt = txt_.find(name);
    auto a = a_.find(name);
    known = txt != txt_.end() || a != a_.end();
    if (type == kTypeTxt && txt != txt_.end()) {
      for (const std::string& value : txt->second) {
        // <character-string>s of at most 255 octets each.
        std::string strings;
        size_t i = 0;
        do {
          const std::string chunk = value.substr(i, 255);
          strings.push_back(static_cast<char>(chunk.size()));
          strings += chunk;
          i += 255;
        } while (i < value.size());
        rdata.push_back(strings);
      }
    }
    if (type == kTypeA && a != a_.end()) {
      for (const std::string& address : a->second) {
        in_addr v4;
        if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
          rdata.emplace_back(reinterpret_cast<const char*>(&v4), 4);
        }
      }
    }
  }
  std::string out = query.substr(0, 2);  // the id
  const uint16_t flags = Get16(query, 2);
  Put16(out, static_cast<uint16_t>(0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | (known ? 0 : 3)));
  Put16(out, 1);
  Put16(out, static_cast<uint16_t>(rdata.size()));
  Put16(out, 0);
  Put16(out, 0);
  out += question;
  for (const std::string& data : rdata) {
    Put16(out, 0xC00C);  // the name: a pointer to the question's
    Put16(out, type);
    Put16(out, 1);  // IN
    Put16(out, 0);  // TTL 0: nothing to cache
    Put16(out, 0);
    Put16(out, static_cast<uint16_t>(data.size()));
    out += data;
  }
  return out;
}

}  // namespace sslpanel::ca::testing
