#include "common/x509/key_rules.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace sslpanel::x509 {
namespace {

std::string Rule() { return absl::StrCat("it must be odd and at least ", kMinRsaExponent); }

using BignumPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

// The exponent in decimal when short enough to read in a message; a
// customer's key may carry a huge one.
std::string Describe(const BIGNUM* e) {
  if (BN_num_bits(e) > 64) {
    return absl::StrCat("of ", BN_num_bits(e), " bits");
  }
  char* text = BN_bn2dec(e);
  if (text == nullptr) {
    return "(unreadable)";
  }
  std::string out(text);
  OPENSSL_free(text);
  return out;
}

}  // namespace

std::optional<std::string> RsaExponentProblem(const EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    return std::nullopt;
  }
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw) != 1 || raw == nullptr) {
    ERR_clear_error();
    return absl::StrCat("RSA public exponent is unreadable; ", Rule());
  }
  BignumPtr e(raw, BN_free);
  BignumPtr min(BN_new(), BN_free);
  if (min == nullptr || BN_set_word(min.get(), kMinRsaExponent) != 1) {
    return absl::StrCat("RSA public exponent cannot be checked; ", Rule());
  }
  if (BN_is_odd(e.get()) && BN_cmp(e.get(), min.get()) >= 0) {
    return std::nullopt;
  }
  return absl::StrCat("RSA public exponent ", Describe(e.get()), " is not accepted; ", Rule());
}

}  // namespace sslpanel::x509
