#include "common/testing/test_certs.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/x509/openssl_ptr.h"

namespace sslpanel::testing {
namespace {

using x509::BioPtr;
using x509::PkeyPtr;
using x509::X509Ptr;

std::atomic<long> next_serial{1000};

std::string Contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size);
}

absl::Status Extend(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  const bool added = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  if (!added) {
    ERR_clear_error();
    return absl::InternalError(absl::StrCat("certificate extension ", value));
  }
  return absl::OkStatus();
}

std::string PemOf(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return Contents(bio.get());
}

std::string PemOf(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return Contents(bio.get());
}

// Signs a certificate for `key` with `spec`; self-signed when issuer is null.
absl::StatusOr<X509Ptr> Sign(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                             EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), next_serial++);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), absl::ToInt64Seconds(spec.valid_from));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), absl::ToInt64Seconds(spec.valid_until));
  X509_set_pubkey(cert.get(), key);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  std::vector<std::pair<int, std::string>> extensions;
  if (spec.is_ca) {
    extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                  {NID_key_usage, "critical,keyCertSign,cRLSign"}};
  } else {
    extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                  {NID_key_usage, "critical,digitalSignature"},
                  {NID_ext_key_usage, "serverAuth,clientAuth"}};
  }
  if (!spec.sans.empty()) {
    extensions.push_back({NID_subject_alt_name, absl::StrJoin(spec.sans, ",")});
  }
  for (const auto& [nid, value] : extensions) {
    if (absl::Status s = Extend(cert.get(), signer, nid, value); !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    ERR_clear_error();
    return absl::InternalError("certificate signing failed");
  }
  return cert;
}

}  // namespace

absl::StatusOr<TestCa> TestCa::Create(const std::string& name) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  CertSpec spec;
  spec.common_name = name;
  spec.is_ca = true;
  spec.valid_until = absl::Hours(24 * 30);
  auto cert = Sign(spec, key.get(), nullptr, nullptr);
  if (!cert.ok()) {
    return cert.status();
  }
  TestCa ca;
  ca.ca_ = {PemOf(key.get()), PemOf(cert->get())};
  return ca;
}

absl::StatusOr<KeyAndCert> TestCa::Issue(const CertSpec& spec) const {
  BioPtr key_bio(BIO_new_mem_buf(ca_.key_pem.data(), static_cast<int>(ca_.key_pem.size())));
  PkeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  BioPtr cert_bio(BIO_new_mem_buf(ca_.cert_pem.data(), static_cast<int>(ca_.cert_pem.size())));
  X509Ptr ca_cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (ca_key == nullptr || ca_cert == nullptr) {
    return absl::InternalError("the test CA does not parse");
  }
  PkeyPtr key(EVP_EC_gen("P-256"));
  auto cert = Sign(spec, key.get(), ca_cert.get(), ca_key.get());
  if (!cert.ok()) {
    return cert.status();
  }
  return KeyAndCert{PemOf(key.get()), PemOf(cert->get())};
}

absl::Status WriteTextFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::trunc);
  out << contents;
  out.close();
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

}  // namespace sslpanel::testing
