#include "common/authz/certificates.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/x509/openssl_ptr.h"

namespace sslpanel::authz {
namespace {

std::string ErrorsOnQueue() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text;
}

std::string Text(const ASN1_IA5STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     ASN1_STRING_length(value));
}

bool IsSegmentChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsTrustDomainChar(char c) {
  return absl::ascii_islower(static_cast<unsigned char>(c)) ||
         absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

bool IsSpiffeId(absl::string_view uri) {
  constexpr absl::string_view kScheme = "spiffe://";
  if (!absl::StartsWith(uri, kScheme) || uri.size() > 2048) {
    return false;
  }
  const absl::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const absl::string_view domain = rest.substr(0, slash);
  // Its character set leaves out ':' (a port), '@' (userinfo), '%' (an
  // escape), '?' and '#' (a query or fragment).
  if (domain.empty() || domain.size() > 255 ||
      !std::all_of(domain.begin(), domain.end(), IsTrustDomainChar)) {
    return false;
  }
  if (slash == absl::string_view::npos) {
    return true;  // the trust domain itself
  }
  for (absl::string_view segment : absl::StrSplit(rest.substr(slash + 1), '/')) {
    if (segment.empty() || segment == "." || segment == ".." ||
        !std::all_of(segment.begin(), segment.end(), IsSegmentChar)) {
      return false;
    }
  }
  return true;
}

bool IsHostName(absl::string_view name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return false;  // '*' (a wildcard), ':', '/', '@', '%', ...
      }
    }
  }
  return true;
}

absl::StatusOr<std::string> IdentityFromCertificate(absl::string_view pem) {
  x509::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer certificate does not parse: ", ErrorsOnQueue()));
  }
  x509::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> uris;
  std::string first_dns;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_URI) {
      uris.push_back(Text(name->d.uniformResourceIdentifier));
    } else if (name->type == GEN_DNS && first_dns.empty()) {
      first_dns = Text(name->d.dNSName);
    }
  }
  if (uris.size() == 1 && IsSpiffeId(uris[0])) {
    return uris[0];
  }
  // Only a host name: a DNS SAN is not checked by anyone as it is issued,
  // and "spiffe://sslpanel.local/ops/x" as a DNS name must not pass for
  // the ops identity.
  return IsHostName(first_dns) ? first_dns : "";
}

}  // namespace sslpanel::authz
