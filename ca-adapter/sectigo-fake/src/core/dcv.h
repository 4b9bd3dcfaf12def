// Domain control validation as the contract states it: the CSR-hash values
// (MD5 and SHA-256 over the CSR's DER; the HTTP(S) file path and its three
// lines; the CNAME name and target, with the optional uniqueValue), the
// tolerant comparison of what a customer published, the approver addresses
// for EMAIL, and the DCV method names. Pure (OpenSSL digests).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::sectigo_fake {

enum class DcvMethod { kEmail, kHttp, kHttps, kCname };

std::optional<DcvMethod> ParseDcvMethod(absl::string_view name);  // exact, upper-case
const char* DcvMethodName(DcvMethod method);

struct CsrHashes {
  std::string md5;     // lower-case hex
  std::string sha256;  // lower-case hex
};

CsrHashes HashCsrDer(absl::string_view der);

struct DcvValues {
  std::string http_path;     // /.well-known/pki-validation/<MD5 UPPER>.txt
  std::string file_content;  // sha256 \n sectigo.com [\n uniqueValue]
  std::string cname_name;    // _<MD5 UPPER>.<domain>.
  std::string cname_target;  // <sha[0:32]>.<sha[32:64]>.[<uniqueValue>.]sectigo.com.
};

DcvValues ComputeDcvValues(const CsrHashes& hashes, absl::string_view domain,
                           absl::string_view unique_value);

// Whether a fetched file proves control: the SHA-256, then "sectigo.com"
// (or the older "comodoca.com", unconfirmed, accepted), then the uniqueValue
// when the order has one. Tolerant of case, CR LF, surrounding blanks and a
// trailing newline.
bool FileContentMatches(absl::string_view body, const CsrHashes& hashes,
                        absl::string_view unique_value);

// Whether a CNAME target proves control (case and the final dot ignored;
// comodoca.com accepted as for files).
bool CnameTargetMatches(absl::string_view target, const CsrHashes& hashes,
                        absl::string_view unique_value);

// The names DCV may be proved at for `fqdn`: itself, then each parent that
// still has two labels (no public-suffix list: "co.uk" would count). A
// wildcard's "*." is dropped first.
std::vector<std::string> AuthDomains(absl::string_view fqdn);

// The approver mailboxes of one authorisation domain.
std::vector<std::string> ApproverEmails(absl::string_view auth_domain);

// Whether `email` is an approver address for `fqdn` (at any of its
// authorisation domains).
bool IsApproverFor(absl::string_view email, absl::string_view fqdn);

// uniqueValue: 1..20 ASCII letters or digits (the contract says
// alphanumeric; our adapter sends lower-case only).
bool IsValidUniqueValue(absl::string_view value);

}  // namespace sslpanel::sectigo_fake
