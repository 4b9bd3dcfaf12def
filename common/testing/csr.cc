#include "common/testing/csr.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
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

// EVP_RSA_gen always picks 65537; tests need other public exponents too.
EVP_PKEY* RsaKey(int bits, unsigned long exponent) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> e(BN_new(), BN_free);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || e == nullptr || BN_set_word(e.get(), exponent) != 1 ||
      EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1) {
    return nullptr;
  }
  return key;
}

// A public RSA key with the modulus of `key` and the exponent `exponent`.
EVP_PKEY* WithExponent(const EVP_PKEY* key, unsigned long exponent) {
  BIGNUM* n = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1) {
    return nullptr;
  }
  std::unique_ptr<BIGNUM, decltype(&BN_free)> modulus(n, BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> e(BN_new(), BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        OSSL_PARAM_BLD_free);
  if (e == nullptr || build == nullptr || BN_set_word(e.get(), exponent) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* out = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return out;
}

}  // namespace

std::string MakeCsr(const CsrSpec& spec) {
  EVP_PKEY* raw_key = spec.key == CsrSpec::Key::kRsa ? RsaKey(spec.rsa_bits, spec.rsa_exponent)
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
  if (spec.swap_in_rsa_exponent != 0) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> swapped(
        WithExponent(key.get(), spec.swap_in_rsa_exponent), EVP_PKEY_free);
    if (swapped == nullptr || X509_REQ_set_pubkey(req.get(), swapped.get()) != 1) {
      Fail("swapping the RSA exponent");
    }
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
