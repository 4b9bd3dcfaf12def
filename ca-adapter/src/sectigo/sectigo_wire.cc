#include "ca-adapter/src/sectigo/sectigo_wire.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sslpanel::ca::sectigo {
namespace {

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

std::string PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool ParseCode(absl::string_view text, int* code) {
  return absl::SimpleAtoi(absl::StripAsciiWhitespace(text), code);
}

absl::StatusOr<Reply> ParseUrlEncoded(absl::string_view body) {
  Reply reply;
  reply.url_encoded = true;
  bool has_code = false;
  // '&' separates pairs; a trailing newline (or a client that wraps lines)
  // is tolerated as a separator too.
  for (absl::string_view pair : absl::StrSplit(body, absl::ByAnyChar("&\r\n"), absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    std::string key = PercentDecode(kv.first);
    std::string value = PercentDecode(kv.second);
    if (absl::EqualsIgnoreCase(key, "errorCode")) {
      if (!ParseCode(value, &reply.error_code)) {
        return absl::InvalidArgumentError(
            absl::StrCat("errorCode \"", value, "\" is not a number"));
      }
      has_code = true;
    } else if (absl::EqualsIgnoreCase(key, "errorMessage")) {
      reply.error_message = value;
    }
    reply.fields.emplace_back(std::move(key), std::move(value));
  }
  if (!has_code) {
    return absl::InvalidArgumentError("URL-encoded reply without errorCode");
  }
  return reply;
}

}  // namespace

absl::string_view EndpointPath(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kAutoApplySsl:
      return "!AutoApplySSL";
    case Endpoint::kCollectSsl:
      return "download/CollectSSL";
    case Endpoint::kAutoReplaceSsl:
      return "!AutoReplaceSSL";
    case Endpoint::kAutoRevokeSsl:
      return "!AutoRevokeSSL";
    case Endpoint::kResendDcvEmail:
      return "!ResendDCVEmail";
    case Endpoint::kAutoUpdateDcv:
      return "!AutoUpdateDCV";
    case Endpoint::kGetDcvEmailAddressList:
      return "!GetDCVEmailAddressList";
    case Endpoint::kWebHostReport:
      return "!WebHostReport";
  }
  return "";
}

absl::string_view EndpointName(Endpoint endpoint) {
  absl::string_view path = EndpointPath(endpoint);
  absl::ConsumePrefix(&path, "download/");
  absl::ConsumePrefix(&path, "!");
  return path;
}

bool ContainsIgnoreCase(absl::string_view text, absl::string_view needle) {
  return absl::StrContains(absl::AsciiStrToLower(text), absl::AsciiStrToLower(needle));
}

std::string EncodeForm(const Form& form) {
  return absl::StrJoin(form, "&", [](std::string* out, const auto& kv) {
    absl::StrAppend(out, PercentEncode(kv.first), "=", PercentEncode(kv.second));
  });
}

std::string RedactedForm(const Form& form, const std::vector<std::string>& secret_names) {
  Form copy = form;
  for (auto& [name, value] : copy) {
    for (const std::string& secret : secret_names) {
      if (absl::EqualsIgnoreCase(name, secret)) {
        value = "***";
      }
    }
  }
  return EncodeForm(copy);
}

std::string Reply::Get(absl::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (absl::EqualsIgnoreCase(key, name)) {
      return value;
    }
  }
  return "";
}

bool Reply::Has(absl::string_view name) const {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const auto& kv) { return absl::EqualsIgnoreCase(kv.first, name); });
}

std::vector<std::string> Reply::GetAll(absl::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : fields) {
    if (absl::EqualsIgnoreCase(key, name)) {
      values.push_back(value);
    }
  }
  return values;
}

absl::StatusOr<Reply> ParseReply(absl::string_view body) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(body);
  if (trimmed.empty()) {
    return absl::InvalidArgumentError("empty reply");
  }
  const size_t eol = trimmed.find('\n');
  const absl::string_view first = trimmed.substr(0, eol);
  Reply reply;
  if (ParseCode(first, &reply.error_code)) {
    if (eol != absl::string_view::npos) {
      for (absl::string_view line : absl::StrSplit(trimmed.substr(eol + 1), '\n')) {
        absl::ConsumeSuffix(&line, "\r");
        reply.lines.emplace_back(line);
      }
    }
    if (reply.error_code < 0) {
      reply.error_message = reply.lines.empty() ? "" : reply.lines.front();
    }
    return reply;
  }
  if (ContainsIgnoreCase(first, "errorCode=")) {
    return ParseUrlEncoded(trimmed);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("reply in neither format: \"", first.substr(0, 80), "\""));
}

}  // namespace sslpanel::ca::sectigo
