#include "workflow-service/src/csr/openssl_csr_parser.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/x509/key_rules.h"

namespace sslpanel::workflow::csr {
namespace {

using ReqPtr = std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)>;

ReqPtr ReadRequest(const std::string& text) {
  if (absl::StrContains(text, "-----BEGIN")) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
    return ReqPtr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr), X509_REQ_free);
  }
  std::string der;
  const std::string compact = absl::StrReplaceAll(text, {{"\n", ""}, {"\r", ""}, {" ", ""}});
  if (!absl::Base64Unescape(compact, &der) || der.empty()) {
    return ReqPtr(nullptr, X509_REQ_free);
  }
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  return ReqPtr(d2i_X509_REQ(nullptr, &data, static_cast<long>(der.size())), X509_REQ_free);
}

std::string NameField(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) {
    return "";
  }
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::vector<std::string> DnsNames(X509_REQ* req) {
  std::vector<std::string> names;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req);
  if (extensions == nullptr) {
    return names;
  }
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(extensions, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) {
      continue;
    }
    auto* general = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
    if (general == nullptr) {
      continue;
    }
    for (int j = 0; j < sk_GENERAL_NAME_num(general); ++j) {
      const GENERAL_NAME* entry = sk_GENERAL_NAME_value(general, j);
      if (entry->type == GEN_DNS) {
        const ASN1_IA5STRING* dns = entry->d.dNSName;
        names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                           static_cast<size_t>(ASN1_STRING_length(dns)));
      }
    }
    GENERAL_NAMES_free(general);
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  return names;
}

}  // namespace

absl::StatusOr<app::DecodedCsr> OpenSslCsrParser::Parse(const std::string& text) const {
  ReqPtr req = ReadRequest(text);
  if (req == nullptr) {
    return absl::InvalidArgumentError(
        "csr: not a certificate signing request (expected PEM \"-----BEGIN CERTIFICATE "
        "REQUEST-----\" or base64 DER)");
  }
  app::DecodedCsr csr;
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  csr.common_name = NameField(subject, NID_commonName);
  csr.organization = NameField(subject, NID_organizationName);
  csr.organizational_unit = NameField(subject, NID_organizationalUnitName);
  csr.locality = NameField(subject, NID_localityName);
  csr.state = NameField(subject, NID_stateOrProvinceName);
  csr.country = NameField(subject, NID_countryName);
  csr.dns_names = DnsNames(req.get());

  const int signature_nid = X509_REQ_get_signature_nid(req.get());
  csr.signature_algorithm = OBJ_nid2ln(signature_nid) != nullptr ? OBJ_nid2ln(signature_nid) : "";
  int digest_nid = NID_undef;
  int key_nid = NID_undef;
  OBJ_find_sigid_algs(signature_nid, &digest_nid, &key_nid);
  if (digest_nid != NID_sha256 && digest_nid != NID_sha384 && digest_nid != NID_sha512) {
    csr.problems.push_back(absl::StrCat("signed with ", csr.signature_algorithm,
                                        "; SHA-256, SHA-384 or SHA-512 is required"));
  }

  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) {
    csr.problems.push_back("has no readable public key");
    return csr;
  }
  csr.key_bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      csr.key_algorithm = "RSA";
      if (csr.key_bits < 2048) {
        csr.problems.push_back(
            absl::StrCat("RSA key of ", csr.key_bits, " bits is too small; at least 2048"));
      }
      if (std::optional<std::string> problem = sslpanel::x509::RsaExponentProblem(key)) {
        csr.problems.push_back(*std::move(problem));
      }
      break;
    case EVP_PKEY_EC: {
      csr.key_algorithm = "EC";
      char group[64] = {0};
      size_t length = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &length) == 1) {
        csr.curve = group;
      }
      if (csr.curve != "prime256v1" && csr.curve != "secp384r1") {
        csr.problems.push_back(absl::StrCat("EC curve ",
                                            csr.curve.empty() ? "(unknown)" : csr.curve,
                                            " is not accepted; use P-256 or P-384"));
      }
      break;
    }
    default:
      csr.key_algorithm = OBJ_nid2sn(EVP_PKEY_get_base_id(key)) != nullptr
                              ? OBJ_nid2sn(EVP_PKEY_get_base_id(key))
                              : "unknown";
      csr.problems.push_back(absl::StrCat(
          csr.key_algorithm, " keys are not accepted; use RSA (2048+) or EC P-256/P-384"));
  }
  csr.signature_valid = X509_REQ_verify(req.get(), key) == 1;
  if (!csr.signature_valid) {
    csr.problems.push_back("signature does not verify (the CSR was altered or corrupted)");
  }
  return csr;
}

}  // namespace sslpanel::workflow::csr
