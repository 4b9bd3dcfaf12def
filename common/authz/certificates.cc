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

namespace sslpanel::authz {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string ErrorsOnQueue() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text;
}

// Every certificate in a PEM file, in order.
std::vector<X509Ptr> ReadCertificates(BIO* bio) {
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the end of the input reads as an error
  return certs;
}

std::unique_ptr<BIO, BioFree> FileBio(const std::string& path) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_file(path.c_str(), "r"));
}

absl::Status Bad(const std::string& flag, const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": ", problem));
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
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer certificate does not parse: ", ErrorsOnQueue()));
  }
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(static_cast<GENERAL_NAMES*>(
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

absl::Status CheckCertificateAndKey(const std::string& cert_flag, const std::string& cert_path,
                                    const std::string& key_flag, const std::string& key_path,
                                    absl::Time now) {
  auto cert_bio = FileBio(cert_path);
  if (cert_bio == nullptr) {
    return Bad(cert_flag, cert_path, "cannot be read");
  }
  std::vector<X509Ptr> chain = ReadCertificates(cert_bio.get());
  if (chain.empty()) {
    return Bad(cert_flag, cert_path, "holds no PEM certificate that parses");
  }
  const time_t at = absl::ToTimeT(now);
  if (X509_cmp_time(X509_get0_notAfter(chain[0].get()), const_cast<time_t*>(&at)) < 0) {
    return Bad(cert_flag, cert_path, "the certificate has expired");
  }
  if (X509_cmp_time(X509_get0_notBefore(chain[0].get()), const_cast<time_t*>(&at)) > 0) {
    return Bad(cert_flag, cert_path, "the certificate is not valid yet");
  }
  auto key_bio = FileBio(key_path);
  if (key_bio == nullptr) {
    return Bad(key_flag, key_path, "cannot be read");
  }
  // A callback that asks for no passphrase: without one, OpenSSL would
  // prompt on a terminal and a server started by hand would hang there.
  bool encrypted = false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(
      key_bio.get(), nullptr,
      [](char*, int, int, void* asked) {
        *static_cast<bool*>(asked) = true;
        return 0;
      },
      &encrypted));
  if (key == nullptr) {
    ERR_clear_error();
    return Bad(key_flag, key_path,
               encrypted ? "the private key is encrypted; encrypted private keys are not supported"
                         : "holds no PEM private key that parses");
  }
  if (X509_check_private_key(chain[0].get(), key.get()) != 1) {
    ERR_clear_error();
    return Bad(
        key_flag, key_path,
        absl::StrCat("the key does not match the certificate in ", cert_flag, " ", cert_path));
  }
  return absl::OkStatus();
}

absl::Status CheckCaFile(const std::string& flag, const std::string& path, absl::Time now) {
  auto bio = FileBio(path);
  if (bio == nullptr) {
    return Bad(flag, path, "cannot be read");
  }
  std::vector<X509Ptr> certs = ReadCertificates(bio.get());
  if (certs.empty()) {
    return Bad(flag, path, "holds no PEM certificate that parses");
  }
  const time_t at = absl::ToTimeT(now);
  bool out_of_date = false;
  for (const X509Ptr& cert : certs) {
    // 1 only for basicConstraints CA:TRUE; X509_check_ca also counts a v1
    // self-signed certificate or a keyCertSign key usage alone, which are
    // not the CA this file is meant to hold.
    if (X509_check_ca(cert.get()) != 1) {
      continue;
    }
    if (X509_cmp_time(X509_get0_notAfter(cert.get()), const_cast<time_t*>(&at)) < 0 ||
        X509_cmp_time(X509_get0_notBefore(cert.get()), const_cast<time_t*>(&at)) > 0) {
      out_of_date = true;
      continue;
    }
    return absl::OkStatus();
  }
  return Bad(flag, path,
             out_of_date ? "its CA certificates have expired or are not valid yet"
                         : "holds no CA certificate (basicConstraints CA:TRUE)");
}

}  // namespace sslpanel::authz
