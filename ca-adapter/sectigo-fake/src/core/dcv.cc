#include "ca-adapter/sectigo-fake/src/core/dcv.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sslpanel::sectigo_fake {
namespace {

std::string HexDigest(const EVP_MD* md, absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

constexpr const char* kBrands[] = {"sectigo.com", "comodoca.com"};
constexpr const char* kMailboxes[] = {"admin", "administrator", "hostmaster", "postmaster",
                                      "webmaster"};

}  // namespace

std::optional<DcvMethod> ParseDcvMethod(absl::string_view name) {
  for (DcvMethod method :
       {DcvMethod::kEmail, DcvMethod::kHttp, DcvMethod::kHttps, DcvMethod::kCname}) {
    if (name == DcvMethodName(method)) {
      return method;
    }
  }
  return std::nullopt;
}

const char* DcvMethodName(DcvMethod method) {
  switch (method) {
    case DcvMethod::kEmail:
      return "EMAIL";
    case DcvMethod::kHttp:
      return "HTTP_CSR_HASH";
    case DcvMethod::kHttps:
      return "HTTPS_CSR_HASH";
    case DcvMethod::kCname:
      return "CNAME_CSR_HASH";
  }
  return "";
}

CsrHashes HashCsrDer(absl::string_view der) {
  return {HexDigest(EVP_md5(), der), HexDigest(EVP_sha256(), der)};
}

DcvValues ComputeDcvValues(const CsrHashes& hashes, absl::string_view domain,
                           absl::string_view unique_value) {
  const std::string md5_upper = absl::AsciiStrToUpper(hashes.md5);
  DcvValues values;
  values.http_path = absl::StrCat("/.well-known/pki-validation/", md5_upper, ".txt");
  values.file_content = absl::StrCat(hashes.sha256, "\nsectigo.com");
  if (!unique_value.empty()) {
    absl::StrAppend(&values.file_content, "\n", unique_value);
  }
  values.cname_name = absl::StrCat("_", md5_upper, ".", domain, ".");
  values.cname_target =
      absl::StrCat(hashes.sha256.substr(0, 32), ".", hashes.sha256.substr(32), ".", unique_value,
                   unique_value.empty() ? "" : ".", "sectigo.com.");
  return values;
}

bool FileContentMatches(absl::string_view body, const CsrHashes& hashes,
                        absl::string_view unique_value) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) {
      lines.push_back(absl::AsciiStrToLower(line));
    }
  }
  const size_t expected = unique_value.empty() ? 2 : 3;
  if (lines.size() != expected || lines[0] != hashes.sha256) {
    return false;
  }
  if (std::none_of(std::begin(kBrands), std::end(kBrands),
                   [&](const char* brand) { return lines[1] == brand; })) {
    return false;
  }
  return unique_value.empty() || lines[2] == absl::AsciiStrToLower(unique_value);
}

bool CnameTargetMatches(absl::string_view target, const CsrHashes& hashes,
                        absl::string_view unique_value) {
  std::string got = absl::AsciiStrToLower(absl::StripAsciiWhitespace(target));
  if (!absl::EndsWith(got, ".")) {
    got.push_back('.');
  }
  for (const char* brand : kBrands) {
    std::string want =
        ComputeDcvValues(hashes, "", absl::AsciiStrToLower(unique_value)).cname_target;
    want = absl::StrCat(absl::StripSuffix(want, "sectigo.com."), brand, ".");
    if (got == want) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> AuthDomains(absl::string_view fqdn) {
  std::string name = absl::AsciiStrToLower(absl::StripPrefix(fqdn, "*."));
  std::vector<std::string> domains;
  while (std::count(name.begin(), name.end(), '.') >= 1) {
    domains.push_back(name);
    name = name.substr(name.find('.') + 1);
  }
  return domains;
}

std::vector<std::string> ApproverEmails(absl::string_view auth_domain) {
  std::vector<std::string> emails;
  for (const char* mailbox : kMailboxes) {
    emails.push_back(absl::StrCat(mailbox, "@", absl::AsciiStrToLower(auth_domain)));
  }
  return emails;
}

bool IsApproverFor(absl::string_view email, absl::string_view fqdn) {
  const std::string wanted = absl::AsciiStrToLower(email);
  for (const std::string& domain : AuthDomains(fqdn)) {
    for (const std::string& candidate : ApproverEmails(domain)) {
      if (candidate == wanted) {
        return true;
      }
    }
  }
  return false;
}

bool IsValidUniqueValue(absl::string_view value) {
  return !value.empty() && value.size() <= 20 &&
         std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return absl::ascii_isalnum(c); });
}

}  // namespace sslpanel::sectigo_fake
