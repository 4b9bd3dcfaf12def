// The rules on a CSR's public key that every service applies alike (the
// workflow when it takes an order, the CA adapters before they submit one),
// so a key is refused with the same words wherever it is checked.
#pragma once

#include <optional>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;

namespace sslpanel::x509 {

// The smallest RSA public exponent we accept (2^16 + 1). The Baseline
// Requirements (6.1.6) allow any odd exponent >= 3 but recommend 2^16 + 1 or
// more; public CAs refuse small ones, so we do too.
inline constexpr unsigned long kMinRsaExponent = 65537;

// Why an RSA key's public exponent is refused, e.g. "RSA public exponent 3 is
// not accepted; it must be odd and at least 65537"; nullopt when it is fine
// or `key` is not RSA.
std::optional<std::string> RsaExponentProblem(const EVP_PKEY* key);

}  // namespace sslpanel::x509
