#include "workflow-service/src/csr/openssl_csr_parser.h"

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
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

// X509_REQ as OpenSSL 3.0 declares it (crypto/x509/x_req.c, x_pubkey.c):
// the same fields, types, tags and options, so both accept the same input,
// except that the public key stays the algorithm and bits it is made of.
// OpenSSL decodes the key of an X509_REQ at once, through a decoder context
// it builds per key (3.0 has no cache of them): most of a CSR's parse.
// Delete this hand-written path (RawSpki/RawReqInfo/RawReq, FastKey and the
// fast block of Parse, with OpenSslCsrParserOptions) once the service builds
// against an OpenSSL that caches its decoders (later 3.x releases do; Debian
// 12 ships 3.0): if bench/ then shows the full decode as cheap, the full
// path alone gives the same answers.
struct RawSpki {
  X509_ALGOR* algor;
  ASN1_BIT_STRING* public_key;
};
struct RawReqInfo {
  ASN1_ENCODING enc;  // the bytes as received: what the signature covers
  ASN1_INTEGER* version;
  X509_NAME* subject;
  RawSpki* pubkey;
  STACK_OF(X509_ATTRIBUTE) * attributes;
};
struct RawReq {
  RawReqInfo* info;
  X509_ALGOR* sig_alg;
  ASN1_BIT_STRING* signature;
};

// clang-format off
ASN1_SEQUENCE(RawSpki) = {
    ASN1_SIMPLE(RawSpki, algor, X509_ALGOR),
    ASN1_SIMPLE(RawSpki, public_key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(RawSpki)

ASN1_SEQUENCE_enc(RawReqInfo, enc, nullptr) = {
    ASN1_SIMPLE(RawReqInfo, version, ASN1_INTEGER),
    ASN1_SIMPLE(RawReqInfo, subject, X509_NAME),
    ASN1_SIMPLE(RawReqInfo, pubkey, RawSpki),
    // Not really OPTIONAL; OpenSSL's X509_REQ_INFO reads it so too.
    ASN1_IMP_SET_OF_OPT(RawReqInfo, attributes, X509_ATTRIBUTE, 0),
} ASN1_SEQUENCE_END_enc(RawReqInfo, RawReqInfo)

ASN1_SEQUENCE(RawReq) = {
    ASN1_SIMPLE(RawReq, info, RawReqInfo),
    ASN1_SIMPLE(RawReq, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(RawReq, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(RawReq);  // (an empty declaration: ends the macros for clang-format)
// clang-format on

struct RawReqFree {
  void operator()(RawReq* req) const {
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(req), ASN1_ITEM_rptr(RawReq));
  }
};
using RawReqPtr = std::unique_ptr<RawReq, RawReqFree>;
using ReqPtr = std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

absl::Status NotACsr() {
  return absl::InvalidArgumentError(
      "csr: not a certificate signing request (expected PEM \"-----BEGIN CERTIFICATE "
      "REQUEST-----\" or base64 DER)");
}

// The DER of the request: what PEM_read_bio_X509_REQ decodes (the first
// "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST" block), or base64 DER.
std::optional<std::string> ReadDer(const std::string& text) {
  if (absl::StrContains(text, "-----BEGIN")) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
    unsigned char* data = nullptr;
    long length = 0;
    if (bio == nullptr || PEM_bytes_read_bio(&data, &length, nullptr, PEM_STRING_X509_REQ,
                                             bio.get(), nullptr, nullptr) != 1) {
      return std::nullopt;
    }
    std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(length));
    OPENSSL_clear_free(data, static_cast<size_t>(length));
    return der;
  }
  std::string der;
  const std::string compact = absl::StrReplaceAll(text, {{"\n", ""}, {"\r", ""}, {" ", ""}});
  if (!absl::Base64Unescape(compact, &der) || der.empty()) {
    return std::nullopt;
  }
  return der;
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

void ReadSubject(X509_NAME* subject, app::DecodedCsr& csr) {
  csr.common_name = NameField(subject, NID_commonName);
  csr.organization = NameField(subject, NID_organizationName);
  csr.organizational_unit = NameField(subject, NID_organizationalUnitName);
  csr.locality = NameField(subject, NID_localityName);
  csr.state = NameField(subject, NID_stateOrProvinceName);
  csr.country = NameField(subject, NID_countryName);
}

// The subjectAltName DNS entries of `extensions` (freed here).
std::vector<std::string> DnsNames(STACK_OF(X509_EXTENSION) * extensions) {
  std::vector<std::string> names;
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

// RFC 2986 defines version 0 (v1) only.
void CheckVersion(long version, app::DecodedCsr& csr) {
  if (version != 0) {
    csr.problems.push_back(absl::StrCat("version ", version,
                                        " is not accepted; RFC 2986 defines only version 0 (v1)"));
  }
}

struct SignatureAlgorithm {
  bool digest_accepted = false;  // SHA-256, SHA-384 or SHA-512
  int key_nid = NID_undef;
};

// The signature algorithm's name and digest rule.
SignatureAlgorithm ReadSignatureAlgorithm(int signature_nid, app::DecodedCsr& csr) {
  csr.signature_algorithm = OBJ_nid2ln(signature_nid) != nullptr ? OBJ_nid2ln(signature_nid) : "";
  int digest_nid = NID_undef;
  SignatureAlgorithm out;
  OBJ_find_sigid_algs(signature_nid, &digest_nid, &out.key_nid);
  out.digest_accepted =
      digest_nid == NID_sha256 || digest_nid == NID_sha384 || digest_nid == NID_sha512;
  if (!out.digest_accepted) {
    csr.problems.push_back(absl::StrCat("signed with ", csr.signature_algorithm,
                                        "; SHA-256, SHA-384 or SHA-512 is required"));
  }
  return out;
}

// Whether `algor` (a SubjectPublicKeyInfo's) is an EC key given with
// explicit curve parameters instead of a named curve's OID: OpenSSL maps
// such parameters to the named curve they match, but the CA/B Baseline
// Requirements have CAs refuse them.
bool ExplicitEcParameters(const X509_ALGOR* algor) {
  const ASN1_OBJECT* object = nullptr;
  int type = V_ASN1_UNDEF;
  X509_ALGOR_get0(&object, &type, nullptr, algor);
  return OBJ_obj2nid(object) == NID_X9_62_id_ecPublicKey && type != V_ASN1_OBJECT;
}

void CheckNamedCurve(const X509_ALGOR* algor, app::DecodedCsr& csr) {
  if (ExplicitEcParameters(algor)) {
    csr.problems.push_back(
        "EC key with explicit curve parameters is not accepted; use a named curve (P-256 or "
        "P-384)");
  }
}

// The key rules; false when the key is unreadable (nothing more to check).
bool ReadKey(EVP_PKEY* key, app::DecodedCsr& csr) {
  if (key == nullptr) {
    csr.problems.push_back("has no readable public key");
    return false;
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
  return true;
}

void ReadSignature(bool valid, app::DecodedCsr& csr) {
  csr.signature_valid = valid;
  if (!csr.signature_valid) {
    csr.problems.push_back("signature does not verify (the CSR was altered or corrupted)");
  }
}

// The key of `spki` through OpenSSL's own decoding of RSA and EC keys (the
// functions its decoder calls too), without the decoder: an RSA key, or an
// EC key on the named curve P-256 or P-384, signed with the matching
// algorithm; nullptr for anything else (the full decode then reads the
// request).
// (RSA and EC_KEY are deprecated in OpenSSL 3.0, not removed; the key is
// used only through EVP_PKEY.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
KeyPtr FastKey(const RawSpki& spki, int signature_key_nid) {
  KeyPtr none(nullptr, EVP_PKEY_free);
  const int key_nid = OBJ_obj2nid(spki.algor->algorithm);
  if (key_nid != signature_key_nid ||
      (key_nid != NID_rsaEncryption && key_nid != NID_X9_62_id_ecPublicKey) ||
      ExplicitEcParameters(spki.algor)) {
    return none;
  }
  unsigned char* der = nullptr;
  const int length =
      ASN1_item_i2d(reinterpret_cast<const ASN1_VALUE*>(&spki), &der, ASN1_ITEM_rptr(RawSpki));
  if (length <= 0) {
    return none;
  }
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(
      der, [](unsigned char* p) { OPENSSL_free(p); });
  KeyPtr key(EVP_PKEY_new(), EVP_PKEY_free);
  if (key == nullptr) {
    return none;
  }
  const unsigned char* p = der;
  if (key_nid == NID_rsaEncryption) {
    RSA* rsa = d2i_RSA_PUBKEY(nullptr, &p, length);
    if (rsa == nullptr || EVP_PKEY_assign_RSA(key.get(), rsa) != 1) {
      RSA_free(rsa);
      return none;
    }
    return key;
  }
  EC_KEY* ec = d2i_EC_PUBKEY(nullptr, &p, length);
  if (ec == nullptr) {
    return none;
  }
  const int curve =
      EC_KEY_get0_group(ec) != nullptr ? EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) : NID_undef;
  if ((curve != NID_X9_62_prime256v1 && curve != NID_secp384r1) ||
      EVP_PKEY_assign_EC_KEY(key.get(), ec) != 1) {
    EC_KEY_free(ec);
    return none;
  }
  return key;
}
#pragma GCC diagnostic pop

}  // namespace

absl::StatusOr<app::DecodedCsr> OpenSslCsrParser::Parse(const std::string& text) const {
  const std::optional<std::string> der = ReadDer(text);
  if (!der.has_value()) {
    return NotACsr();
  }
  if (options_.fast_key_decode) {
    // The key of a good CSR (RSA, or EC on P-256/P-384, signed with
    // SHA-256/384/512) read without OpenSSL's decoder; anything else goes
    // the full way below. The errors the attempt leaves are dropped when it
    // falls back.
    ERR_set_mark();
    const auto* data = reinterpret_cast<const unsigned char*>(der->data());
    RawReqPtr raw(reinterpret_cast<RawReq*>(
        ASN1_item_d2i(nullptr, &data, static_cast<long>(der->size()), ASN1_ITEM_rptr(RawReq))));
    if (raw == nullptr) {
      ERR_pop_to_mark();
      return NotACsr();  // not an X509_REQ either: the same structure
    }
    app::DecodedCsr csr;
    CheckVersion(ASN1_INTEGER_get(raw->info->version), csr);
    const SignatureAlgorithm signature =
        ReadSignatureAlgorithm(OBJ_obj2nid(raw->sig_alg->algorithm), csr);
    KeyPtr key(nullptr, EVP_PKEY_free);
    if (signature.digest_accepted) {
      key = FastKey(*raw->info->pubkey, signature.key_nid);
    }
    if (key != nullptr) {
      ERR_clear_last_mark();
      ReadSubject(raw->info->subject, csr);
      // X509_REQ_get_extensions (its rules differ between 3.x releases) on
      // a request holding just these attributes.
      ReqPtr attributes(X509_REQ_new(), X509_REQ_free);
      if (attributes == nullptr) {
        return absl::ResourceExhaustedError("csr: out of memory");
      }
      for (int i = 0; i < sk_X509_ATTRIBUTE_num(raw->info->attributes); ++i) {
        if (X509_REQ_add1_attr(attributes.get(),
                               sk_X509_ATTRIBUTE_value(raw->info->attributes, i)) != 1) {
          // Fail closed: without them the subjectAltNames would vanish.
          return absl::ResourceExhaustedError("csr: copying the request's attributes failed");
        }
      }
      csr.dns_names = DnsNames(X509_REQ_get_extensions(attributes.get()));
      ReadKey(key.get(), csr);
      CheckNamedCurve(raw->info->pubkey->algor, csr);
      ReadSignature(ASN1_item_verify(ASN1_ITEM_rptr(RawReqInfo), raw->sig_alg, raw->signature,
                                     raw->info, key.get()) == 1,
                    csr);
      fast_parses_.fetch_add(1, std::memory_order_relaxed);
      return csr;
    }
    ERR_pop_to_mark();
  }
  const auto* data = reinterpret_cast<const unsigned char*>(der->data());
  ReqPtr req(d2i_X509_REQ(nullptr, &data, static_cast<long>(der->size())), X509_REQ_free);
  if (req == nullptr) {
    return NotACsr();
  }
  app::DecodedCsr csr;
  ReadSubject(X509_REQ_get_subject_name(req.get()), csr);
  csr.dns_names = DnsNames(X509_REQ_get_extensions(req.get()));
  CheckVersion(X509_REQ_get_version(req.get()), csr);
  ReadSignatureAlgorithm(X509_REQ_get_signature_nid(req.get()), csr);
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (!ReadKey(key, csr)) {
    return csr;
  }
  X509_ALGOR* key_algorithm = nullptr;
  X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &key_algorithm,
                         X509_REQ_get_X509_PUBKEY(req.get()));
  CheckNamedCurve(key_algorithm, csr);
  ReadSignature(X509_REQ_verify(req.get(), key) == 1, csr);
  return csr;
}

}  // namespace sslpanel::workflow::csr
