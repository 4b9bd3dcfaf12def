#include "common/authz/certificates.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

// A SPIFFE ID: spiffe://<trust domain>[/<path>], no query or fragment.
bool IsSpiffeId(absl::string_view uri) {
  if (!absl::StartsWith(uri, "spiffe://")) {
    return false;
  }
  const absl::string_view rest = uri.substr(9);
  return !rest.empty() && rest[0] != '/' && !absl::StrContains(rest, "?") &&
         !absl::StrContains(rest, "#");
}

std::string Text(const ASN1_IA5STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     ASN1_STRING_length(value));
}

}  // namespace

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
  return first_dns;
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
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return Bad(key_flag, key_path, "holds no PEM private key that parses");
  }
  if (X509_check_private_key(chain[0].get(), key.get()) != 1) {
    ERR_clear_error();
    return Bad(
        key_flag, key_path,
        absl::StrCat("the key does not match the certificate in ", cert_flag, " ", cert_path));
  }
  return absl::OkStatus();
}

absl::Status CheckCaFile(const std::string& flag, const std::string& path) {
  auto bio = FileBio(path);
  if (bio == nullptr) {
    return Bad(flag, path, "cannot be read");
  }
  std::vector<X509Ptr> certs = ReadCertificates(bio.get());
  if (certs.empty()) {
    return Bad(flag, path, "holds no PEM certificate that parses");
  }
  for (const X509Ptr& cert : certs) {
    if (X509_check_ca(cert.get()) >= 1) {
      return absl::OkStatus();
    }
  }
  return Bad(flag, path, "holds no CA certificate (basicConstraints CA:TRUE)");
}

}  // namespace sslpanel::authz
