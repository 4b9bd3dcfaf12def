// Sectigo's CSR-hash domain-control validation, computed here so the
// customer sees what to publish before the CA looks: MD5 and SHA-256 over the
// CSR's DER, a file for HTTP(S), a CNAME for DNS (contract, "DCV
// (CSR-hash)"); and the per-order unique value that keeps those tokens
// unique and identifies the order at the CA.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::sectigo {

struct CsrHashes {
  std::string md5;     // lower-case hex
  std::string sha256;  // lower-case hex
};

// Hashes of the CSR's DER encoding (not of the PEM text).
absl::StatusOr<CsrHashes> HashCsr(absl::string_view csr_pem);

// The uniqueValue for an idempotency key: 20 characters of lower-case
// base32 ([a-z2-7]) of the key's SHA-256, so it is a valid DNS label, fits
// the CA's 20-character limit, and is the same after a restart.
std::string UniqueValueFor(absl::string_view idempotency_key);
// The foreignOrderNumber (partner reference) for the same key.
std::string ForeignOrderNumberFor(absl::string_view idempotency_key);

// The instruction for one name. HTTP/HTTPS:
// http[s]://<name>/.well-known/pki-validation/<MD5 upper>.txt holding the
// SHA-256, "sectigo.com" and the unique value on three lines. DNS:
// _<MD5 upper>.<name> CNAME <sha[0:32]>.<sha[32:64]>.<unique>.sectigo.com (a
// wildcard's record goes on its base name). EMAIL: the approver address.
domain::DcvInstruction CsrHashInstruction(const std::string& host_name, domain::DcvMethod method,
                                          const CsrHashes& hashes, absl::string_view unique_value,
                                          const std::string& approver_email);

// Instructions for every name of an order: each name's chosen method, or
// `default_method`.
std::vector<domain::DcvInstruction> CsrHashInstructions(
    const std::vector<std::string>& names, const std::vector<domain::DomainValidation>& validations,
    domain::DcvMethod default_method, const CsrHashes& hashes, absl::string_view unique_value);

}  // namespace sslpanel::ca::sectigo
