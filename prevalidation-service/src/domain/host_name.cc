#include "domain/host_name.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/text.h"

namespace sslpanel::prevalidation::domain {
namespace {

bool IsDot(uint32_t c) { return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61; }

char Digit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

uint32_t Adapt(uint32_t delta, uint32_t points, bool first) {
  constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

absl::Status CheckLabel(absl::string_view label) {
  if (label.empty()) {
    return absl::InvalidArgumentError("has an empty label");
  }
  if (label.size() > 63) {
    return absl::InvalidArgumentError(absl::StrCat("label \"", label, "\" is longer than 63"));
  }
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return absl::InvalidArgumentError(
          absl::StrCat("label \"", label, "\" may only hold letters, digits and '-'"));
    }
  }
  if (label.front() == '-' || label.back() == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("label \"", label, "\" must not start or end with '-'"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string PunycodeEncode(const std::vector<uint32_t>& input) {
  constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26;
  std::string out;
  for (uint32_t c : input) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    }
  }
  const uint32_t basic = static_cast<uint32_t>(out.size());
  uint32_t handled = basic;
  if (basic > 0) {
    out.push_back('-');
  }
  uint32_t n = 0x80, delta = 0, bias = 72;
  while (handled < input.size()) {
    uint32_t m = 0xFFFFFFFF;
    for (uint32_t c : input) {
      if (c >= n && c < m) {
        m = c;
      }
    }
    delta += (m - n) * (handled + 1);
    n = m;
    for (uint32_t c : input) {
      if (c < n) {
        ++delta;
      }
      if (c == n) {
        uint32_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          const uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) {
            break;
          }
          out.push_back(Digit(t + (q - t) % (kBase - t)));
          q = (q - t) / (kBase - t);
        }
        out.push_back(Digit(q));
        bias = Adapt(delta, handled + 1, handled == basic);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return out;
}

absl::StatusOr<HostName> ParseHostName(absl::string_view text, bool allow_wildcard) {
  std::vector<uint32_t> code_points = DecodeUtf8(text);
  if (!code_points.empty() && IsDot(code_points.back())) {
    code_points.pop_back();  // the root's dot: "example.nl." is "example.nl"
  }
  if (code_points.empty()) {
    return absl::InvalidArgumentError("is empty");
  }
  HostName host;
  std::vector<uint32_t> label;
  auto finish_label = [&]() -> absl::Status {
    bool ascii = true;
    for (uint32_t& c : label) {
      c = ToLowerLatin(c);
      ascii = ascii && c < 0x80;
    }
    std::string encoded;
    if (ascii) {
      for (uint32_t c : label) {
        encoded.push_back(static_cast<char>(c));
      }
    } else {
      for (uint32_t c : label) {
        if (c == 0xFFFD || c < 0x20) {
          return absl::InvalidArgumentError("is not valid UTF-8 text");
        }
      }
      encoded = absl::StrCat("xn--", PunycodeEncode(label));
    }
    const bool is_wildcard = encoded == "*";
    if (is_wildcard) {
      if (!allow_wildcard || !host.labels.empty()) {
        return absl::InvalidArgumentError("may only have a wildcard as its leftmost label");
      }
      host.wildcard = true;
    } else if (absl::Status valid = CheckLabel(encoded); !valid.ok()) {
      return valid;
    }
    host.labels.push_back(std::move(encoded));
    label.clear();
    return absl::OkStatus();
  };
  for (uint32_t c : code_points) {
    if (IsDot(c)) {
      if (absl::Status s = finish_label(); !s.ok()) {
        return s;
      }
    } else {
      label.push_back(c);
    }
  }
  if (absl::Status s = finish_label(); !s.ok()) {
    return s;
  }
  host.ascii = absl::StrJoin(host.labels, ".");
  if (host.ascii.size() > 253) {
    return absl::InvalidArgumentError("is longer than 253 characters");
  }
  if (host.wildcard && host.labels.size() < 3) {
    return absl::InvalidArgumentError("has a wildcard directly under a top-level domain");
  }
  return host;
}

bool IsUnderNl(const HostName& host) {
  return host.labels.size() >= 2 && host.labels.back() == "nl" &&
         host.labels[host.labels.size() - 2] != "*";
}

std::string RegisteredNlDomain(const HostName& host) {
  if (!IsUnderNl(host)) {
    return "";
  }
  return absl::StrCat(host.labels[host.labels.size() - 2], ".nl");
}

std::vector<std::string> RegisteredNlDomains(const HostName& common_name,
                                             const std::vector<HostName>& additional_names) {
  std::vector<std::string> domains;
  auto add = [&domains](const HostName& host) {
    const std::string domain = RegisteredNlDomain(host);
    if (!domain.empty() && std::find(domains.begin(), domains.end(), domain) == domains.end()) {
      domains.push_back(domain);
    }
  };
  add(common_name);
  for (const HostName& name : additional_names) {
    add(name);
  }
  return domains;
}

}  // namespace sslpanel::prevalidation::domain
