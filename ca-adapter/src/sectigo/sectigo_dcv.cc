#include "ca-adapter/src/sectigo/sectigo_dcv.h"

#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "ca-adapter/src/x509/csr.h"

namespace sslpanel::ca::sectigo {
namespace {

std::string Digest(const EVP_MD* md, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out, &size, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string Base32Lower(absl::string_view bytes, size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5 && out.size() < length) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<CsrHashes> HashCsr(absl::string_view csr_pem) {
  absl::StatusOr<x509::CsrInfo> csr = x509::ParseCsr(csr_pem);
  if (!csr.ok()) {
    return csr.status();
  }
  return CsrHashes{absl::BytesToHexString(Digest(EVP_md5(), csr->der)),
                   absl::BytesToHexString(Digest(EVP_sha256(), csr->der))};
}

std::string UniqueValueFor(absl::string_view idempotency_key) {
  return Base32Lower(Digest(EVP_sha256(), idempotency_key), 20);
}

std::string ForeignOrderNumberFor(absl::string_view idempotency_key) {
  return absl::StrCat("sslpanel-", UniqueValueFor(idempotency_key));
}

domain::DcvInstruction CsrHashInstruction(const std::string& host_name, domain::DcvMethod method,
                                          const CsrHashes& hashes, absl::string_view unique_value,
                                          const std::string& approver_email) {
  domain::DcvInstruction instruction;
  instruction.host_name = host_name;
  instruction.method = method;
  instruction.status = "pending";
  absl::string_view base = host_name;
  absl::ConsumePrefix(&base, "*.");
  switch (method) {
    case domain::DcvMethod::kHttp:
    case domain::DcvMethod::kHttps: {
      instruction.http_url =
          absl::StrCat(method == domain::DcvMethod::kHttps ? "https://" : "http://", base,
                       "/.well-known/pki-validation/", absl::AsciiStrToUpper(hashes.md5), ".txt");
      instruction.http_content = absl::StrCat(hashes.sha256, "\nsectigo.com\n", unique_value);
      break;
    }
    case domain::DcvMethod::kEmail:
      instruction.approver_email = approver_email;
      break;
    case domain::DcvMethod::kDns:
    case domain::DcvMethod::kUnspecified:
      instruction.method = domain::DcvMethod::kDns;
      instruction.dns_record_name = absl::StrCat("_", absl::AsciiStrToUpper(hashes.md5), ".", base);
      instruction.dns_record_type = "CNAME";
      instruction.dns_record_value =
          absl::StrCat(hashes.sha256.substr(0, 32), ".", hashes.sha256.substr(32),
                       unique_value.empty() ? "" : ".", unique_value, ".sectigo.com");
      break;
  }
  return instruction;
}

std::vector<domain::DcvInstruction> CsrHashInstructions(
    const std::vector<std::string>& names, const std::vector<domain::DomainValidation>& validations,
    domain::DcvMethod default_method, const CsrHashes& hashes, absl::string_view unique_value) {
  std::vector<domain::DcvInstruction> instructions;
  for (const std::string& name : names) {
    const domain::DomainValidation choice = ChoiceFor(name, validations, default_method);
    instructions.push_back(
        CsrHashInstruction(name, choice.method, hashes, unique_value, choice.approver_email));
  }
  return instructions;
}

}  // namespace sslpanel::ca::sectigo
