#include "common/testing/csr.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sslpanel::testing {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "MakeCsr: %s failed\n", what);
  std::abort();
}

void AddName(X509_NAME* name, const char* field, const std::string& value) {
  if (!value.empty() &&
      X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    Fail("X509_NAME_add_entry_by_txt");
  }
}

}  // namespace

std::string MakeCsr(const CsrSpec& spec) {
  EVP_PKEY* raw_key = spec.key == CsrSpec::Key::kRsa
                          ? EVP_RSA_gen(static_cast<unsigned int>(spec.rsa_bits))
                          : EVP_EC_gen(spec.curve.c_str());
  if (raw_key == nullptr) {
    Fail("key generation");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw_key, EVP_PKEY_free);
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), X509_REQ_free);
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  AddName(name, "C", spec.country);
  AddName(name, "L", spec.locality);
  AddName(name, "O", spec.organization);
  AddName(name, "CN", spec.common_name);
  if (!spec.dns_names.empty()) {
    std::string san;
    for (const std::string& dns : spec.dns_names) {
      san += (san.empty() ? "DNS:" : ",DNS:") + dns;
    }
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    if (ext == nullptr) {
      Fail("subjectAltName");
    }
    sk_X509_EXTENSION_push(extensions, ext);
    X509_REQ_add_extensions(req.get(), extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  X509_REQ_set_pubkey(req.get(), key.get());
  const EVP_MD* md = EVP_get_digestbyname(spec.digest.c_str());
  if (md == nullptr || X509_REQ_sign(req.get(), key.get(), md) <= 0) {
    Fail("X509_REQ_sign");
  }
  if (spec.corrupt_signature) {
    const ASN1_BIT_STRING* signature = nullptr;
    X509_REQ_get0_signature(req.get(), &signature, nullptr);
    auto* bits = const_cast<ASN1_BIT_STRING*>(signature);
    bits->data[bits->length / 2] ^= 0x5a;
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509_REQ(out.get(), req.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string MakeCsr(const std::string& common_name, const std::vector<std::string>& dns_names) {
  CsrSpec spec;
  spec.common_name = common_name;
  spec.dns_names = dns_names;
  return MakeCsr(spec);
}

}  // namespace sslpanel::testing
