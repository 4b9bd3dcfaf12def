// The reseller API's wire format as the contract describes it: form-encoded
// request parameters (names matched in any case, since the docs' samples mix
// case) and the three answer shapes — newline text, URL-encoded pairs, and
// the tab-separated text of GetDCVEmailAddressList — plus the error texts
// that name the argument. Pure.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::sectigo_fake {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The decoded parameters of one request.
class Params {
 public:
  // Parses an application/x-www-form-urlencoded body ('+' is a space).
  static Params FromForm(absl::string_view body);
  static Params FromPairs(Pairs pairs);

  // The first value of `name`, compared without case; nullopt when absent.
  std::optional<std::string> Get(absl::string_view name) const;
  // The value, or "" when absent.
  std::string GetOr(absl::string_view name, absl::string_view fallback = "") const;
  bool Has(absl::string_view name) const { return Get(name).has_value(); }
  // "Y" in any case (the API's yes/no flags).
  bool Flag(absl::string_view name) const;
  // The first parameter (as sent) whose name is not in `known` (lower-case;
  // a trailing '*' matches any suffix, e.g. "apprep*").
  std::optional<std::string> FirstUnknown(const std::vector<absl::string_view>& known) const;
  // Every parameter except loginPassword, for the request log.
  Pairs Redacted() const;

 private:
  Pairs pairs_;
};

enum class Format { kNewline, kUrlEncoded, kTab, kJson };

// One answer: errorCode plus named values in wire order. Newline text prints
// the code and then each value on its own line (a value may hold several
// lines, e.g. a PEM); URL-encoded prints errorCode=…&name=value…; tab text
// prints the code and then "name<TAB>value" lines; JSON prints `json`.
struct Reply {
  int code = 0;
  Format format = Format::kNewline;
  Pairs fields;
  std::string json;

  Reply& Add(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // The first value of `name`, or "".
  std::string Field(absl::string_view name) const;
};

std::string Encode(const Reply& reply);

// An error answer: the code and errorMessage.
Reply ErrorReply(int code, std::string message, Format format);

// The API's error texts; each names the argument.
std::string MissingArgument(absl::string_view name);  // -3
std::string UnknownArgument(absl::string_view name);  // -2
std::string InvalidArgument(absl::string_view name);  // -4

// Percent-encoding as application/x-www-form-urlencoded does (space = '+').
std::string FormEncode(absl::string_view text);
std::string FormDecode(absl::string_view text);

}  // namespace sslpanel::sectigo_fake
