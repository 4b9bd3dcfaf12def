#include "ca-adapter/sectigo-fake/src/core/csr_check.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::sectigo_fake {
namespace {

struct ReqFree {
  void operator()(X509_REQ* req) const { X509_REQ_free(req); }
};

CsrCheck Refuse(int code, std::string message) {
  ERR_clear_error();
  CsrCheck check;
  check.code = code;
  check.message = std::move(message);
  return check;
}

// The base64 between the armour lines (or the whole text), whitespace removed.
std::string Base64Body(absl::string_view text) {
  std::string body(text);
  for (const char* marker :
       {"-----BEGIN NEW CERTIFICATE REQUEST-----", "-----BEGIN CERTIFICATE REQUEST-----"}) {
    const size_t begin = body.find(marker);
    if (begin != std::string::npos) {
      body = body.substr(begin + strlen(marker));
      break;
    }
  }
  const size_t end = body.find("-----END");
  if (end != std::string::npos) {
    body.resize(end);
  }
  body.erase(std::remove_if(body.begin(), body.end(),
                            [](unsigned char c) { return absl::ascii_isspace(c); }),
             body.end());
  return body;
}

std::string Armour(const std::string& der) {
  const std::string b64 = absl::Base64Escape(der);
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    absl::StrAppend(&pem, b64.substr(i, 64), "\n");
  }
  return absl::StrCat(pem, "-----END CERTIFICATE REQUEST-----\n");
}

// "" when the key is acceptable, else the refusal.
std::optional<CsrCheck> KeyProblem(EVP_PKEY* key, std::string& key_type) {
  const int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    if (bits < 2048 || bits > 8192) {
      return Refuse(-12, absl::StrCat("The CSR's public key size is not supported (RSA ", bits,
                                      " bits; 2048 to 8192 accepted)!"));
    }
    key_type = absl::StrCat("RSA-", bits);
    return std::nullopt;
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t length = 0;
    EVP_PKEY_get_group_name(key, group, sizeof(group), &length);
    const std::string curve(group, length);
    for (const auto& [name, label] :
         {std::pair{"prime256v1", "EC-P-256"}, std::pair{"secp384r1", "EC-P-384"},
          std::pair{"secp521r1", "EC-P-521"}}) {
      if (curve == name) {
        key_type = label;
        return std::nullopt;
      }
    }
    return Refuse(-10, absl::StrCat("The CSR's EC curve ", curve,
                                    " is not supported (P-256, P-384, P-521)!"));
  }
  return Refuse(-10, "The CSR's public key algorithm is not supported (RSA or EC)!");
}

std::string CommonName(X509_REQ* req) {
  X509_NAME* subject = X509_REQ_get_subject_name(req);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) {
    return "";
  }
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (length < 0) {
    return "";
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return absl::AsciiStrToLower(cn);
}

std::vector<std::string> DnsNames(X509_REQ* req) {
  std::vector<std::string> names;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req);
  if (extensions == nullptr) {
    return names;
  }
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      names.push_back(absl::AsciiStrToLower(
          std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                      static_cast<size_t>(ASN1_STRING_length(dns)))));
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

}  // namespace

CsrCheck CheckCsr(absl::string_view text) {
  const std::string body = Base64Body(text);
  std::string der;
  const bool base64_alphabet = std::all_of(body.begin(), body.end(), [](unsigned char c) {
    return absl::ascii_isalnum(c) || c == '+' || c == '/' || c == '=';
  });
  if (body.empty() || body.size() > 32767 || body.size() % 4 != 0 || !base64_alphabet ||
      !absl::Base64Unescape(body, &der)) {
    return Refuse(-8, "The 'csr' argument is not base64 encoded!");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_REQ, ReqFree> req(
      d2i_X509_REQ(nullptr, &data, static_cast<long>(der.size())));
  if (req == nullptr) {
    return Refuse(-9, "The CSR could not be decoded!");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) {
    return Refuse(-9, "The CSR has no usable public key!");
  }
  std::string key_type;
  if (std::optional<CsrCheck> problem = KeyProblem(key, key_type)) {
    return *problem;
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    return Refuse(-11, "The CSR's signature is invalid!");
  }
  CsrFacts facts;
  facts.common_name = CommonName(req.get());
  if (facts.common_name.empty()) {
    return Refuse(-6, "The CSR is missing a required field (commonName)!");
  }
  facts.dns_names = DnsNames(req.get());
  facts.der = std::move(der);
  facts.pem = Armour(facts.der);
  facts.key_type = std::move(key_type);
  ERR_clear_error();
  CsrCheck check;
  check.facts = std::move(facts);
  return check;
}

std::vector<std::string> CsrNames(const CsrFacts& csr) {
  std::vector<std::string> names{csr.common_name};
  for (const std::string& name : csr.dns_names) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace sslpanel::sectigo_fake
