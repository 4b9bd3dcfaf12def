#include "common/x509/tls_files.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/x509/openssl_ptr.h"

namespace sslpanel::x509 {
namespace {

// Every certificate in a PEM file, in order.
std::vector<X509Ptr> ReadCertificates(BIO* bio) {
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the end of the input reads as an error
  return certs;
}

BioPtr FileBio(const std::string& path) { return BioPtr(BIO_new_file(path.c_str(), "r")); }

absl::Status Bad(const std::string& flag, const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": ", problem));
}

}  // namespace

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
  PkeyPtr key(PEM_read_bio_PrivateKey(
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

}  // namespace sslpanel::x509
