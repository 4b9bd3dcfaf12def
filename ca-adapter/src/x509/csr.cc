#include "ca-adapter/src/x509/csr.h"

#include <openssl/pem.h>

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/x509/openssl_util.h"
#include "common/x509/key_rules.h"

namespace sslpanel::ca::x509 {
namespace {

absl::Status Invalid(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("csr: ", problem));
}

absl::StatusOr<std::string> CheckKey(EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (bits < 2048 || bits > 8192) {
        return Invalid(absl::StrCat("RSA key of ", bits, " bits (2048 to 8192 accepted)"));
      }
      if (std::optional<std::string> problem = sslpanel::x509::RsaExponentProblem(key)) {
        return Invalid(*problem);
      }
      return absl::StrCat("RSA-", bits);
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1) {
        return Invalid("EC key without a named curve");
      }
      const std::string curve(group, length);
      if (curve == "prime256v1" || curve == "P-256") {
        return std::string("EC-P-256");
      }
      if (curve == "secp384r1" || curve == "P-384") {
        return std::string("EC-P-384");
      }
      return Invalid(absl::StrCat("EC curve ", curve, " (P-256 and P-384 accepted)"));
    }
    default:
      return Invalid("key type not accepted (RSA or EC P-256/P-384)");
  }
}

}  // namespace

absl::StatusOr<CsrInfo> ParseCsr(absl::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (req == nullptr) {
    OpenSslErrors();
    return Invalid("cannot parse the PEM certificate signing request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) {
    OpenSslErrors();
    return Invalid("has no usable public key");
  }
  // The key rules first: a key we refuse is the more useful reason, even on
  // a request whose signature is broken too.
  absl::StatusOr<std::string> key_type = CheckKey(key);
  if (!key_type.ok()) {
    OpenSslErrors();
    return key_type.status();
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    OpenSslErrors();
    return Invalid("its signature does not verify with its own key");
  }
  CsrInfo info;
  info.key_type = *std::move(key_type);

  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  const int cn_index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (cn_index >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn_index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length >= 0) {
      info.common_name = absl::AsciiStrToLower(
          absl::string_view(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length)));
      OPENSSL_free(utf8);
    }
  }
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req.get());
  if (extensions != nullptr) {
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr)));
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_DNS) {
        const ASN1_STRING* dns = name->d.dNSName;
        info.dns_names.push_back(absl::AsciiStrToLower(
            absl::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                              static_cast<size_t>(ASN1_STRING_length(dns)))));
      }
    }
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_X509_REQ(req.get(), &der);
  if (der_length <= 0) {
    OpenSslErrors();
    return Invalid("cannot be re-encoded as DER");
  }
  info.der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_length));
  OPENSSL_free(der);
  OpenSslErrors();  // leave the queue empty for the next caller on this thread
  return info;
}

std::vector<std::string> CsrNames(const CsrInfo& csr) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  };
  add(csr.common_name);
  for (const std::string& name : csr.dns_names) {
    add(name);
  }
  return names;
}

}  // namespace sslpanel::ca::x509
