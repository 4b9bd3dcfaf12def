#include "ca-adapter/sectigo-fake/src/core/wire.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sslpanel::sectigo_fake {
namespace {

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

// A value without its trailing newlines, so each value is whole lines.
absl::string_view Trimmed(absl::string_view value) {
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
    value.remove_suffix(1);
  }
  return value;
}

}  // namespace

std::string FormDecode(absl::string_view text) {
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

std::string FormEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Params Params::FromForm(absl::string_view body) {
  Pairs pairs;
  for (absl::string_view part : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    pairs.emplace_back(FormDecode(kv.first), FormDecode(kv.second));
  }
  return FromPairs(std::move(pairs));
}

Params Params::FromPairs(Pairs pairs) {
  Params params;
  params.pairs_ = std::move(pairs);
  return params;
}

std::optional<std::string> Params::Get(absl::string_view name) const {
  for (const auto& [key, value] : pairs_) {
    if (absl::EqualsIgnoreCase(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string Params::GetOr(absl::string_view name, absl::string_view fallback) const {
  std::optional<std::string> value = Get(name);
  return value.has_value() ? *value : std::string(fallback);
}

bool Params::Flag(absl::string_view name) const { return absl::EqualsIgnoreCase(GetOr(name), "Y"); }

std::optional<std::string> Params::FirstUnknown(const std::vector<absl::string_view>& known) const {
  for (const auto& [key, value] : pairs_) {
    const std::string lower = absl::AsciiStrToLower(key);
    const bool listed = std::any_of(known.begin(), known.end(), [&](absl::string_view name) {
      return absl::EndsWith(name, "*") ? absl::StartsWith(lower, absl::StripSuffix(name, "*"))
                                       : lower == name;
    });
    if (!listed) {
      return key;
    }
  }
  return std::nullopt;
}

Pairs Params::Redacted() const {
  Pairs out;
  for (const auto& pair : pairs_) {
    if (!absl::EqualsIgnoreCase(pair.first, "loginPassword")) {
      out.push_back(pair);
    }
  }
  return out;
}

std::string Reply::Field(absl::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

std::string Encode(const Reply& reply) {
  switch (reply.format) {
    case Format::kJson:
      return reply.json;
    case Format::kUrlEncoded: {
      std::string out = absl::StrCat("errorCode=", reply.code);
      for (const auto& [key, value] : reply.fields) {
        absl::StrAppend(&out, "&", FormEncode(key), "=", FormEncode(value));
      }
      return out;
    }
    case Format::kTab: {
      std::string out = absl::StrCat(reply.code, "\n");
      for (const auto& [key, value] : reply.fields) {
        absl::StrAppend(&out, key, "\t", Trimmed(value), "\n");
      }
      return out;
    }
    case Format::kNewline:
      break;
  }
  std::string out = absl::StrCat(reply.code, "\n");
  for (const auto& field : reply.fields) {
    absl::StrAppend(&out, Trimmed(field.second), "\n");
  }
  return out;
}

Reply ErrorReply(int code, std::string message, Format format) {
  Reply reply;
  reply.code = code;
  reply.format = format == Format::kTab ? Format::kNewline : format;
  if (format == Format::kJson) {
    reply.json = absl::StrCat(R"({"errorCode":)", code, R"(,"errorMessage":")", message, "\"}");
  }
  reply.Add("errorMessage", std::move(message));
  return reply;
}

std::string MissingArgument(absl::string_view name) {
  return absl::StrCat("The '", name, "' argument is missing!");
}

std::string UnknownArgument(absl::string_view name) {
  return absl::StrCat("The '", name, "' argument is not recognised!");
}

std::string InvalidArgument(absl::string_view name) {
  return absl::StrCat("The value of the '", name, "' argument is invalid!");
}

}  // namespace sslpanel::sectigo_fake
