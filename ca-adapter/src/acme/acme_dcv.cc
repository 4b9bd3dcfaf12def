#include "ca-adapter/src/acme/acme_dcv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/jose.h"

namespace sslpanel::ca::acme {

const Challenge* ChooseChallenge(const Authorization& authorization,
                                 const std::vector<domain::DomainValidation>& choices,
                                 domain::DcvMethod default_method) {
  const std::string name = authorization.wildcard ? absl::StrCat("*.", authorization.identifier)
                                                  : authorization.identifier;
  domain::DcvMethod method = default_method;
  for (const domain::DomainValidation& dv : choices) {
    if (absl::AsciiStrToLower(dv.host_name) == name) {
      method = dv.method;
    }
  }
  if (authorization.wildcard) {
    method = domain::DcvMethod::kDns;  // RFC 8555 section 7.1.3: only dns-01
  }
  const char* preferred = method == domain::DcvMethod::kHttp ? "http-01" : "dns-01";
  const char* fallback = method == domain::DcvMethod::kHttp ? "dns-01" : "http-01";
  for (const char* type : {preferred, fallback}) {
    for (const Challenge& challenge : authorization.challenges) {
      if (challenge.type == type) {
        return &challenge;
      }
    }
  }
  return nullptr;
}

std::vector<domain::DcvInstruction> DcvInstructions(
    const std::vector<Authorization>& authorizations,
    const std::vector<domain::DomainValidation>& choices, domain::DcvMethod default_method,
    absl::string_view thumbprint) {
  std::vector<domain::DcvInstruction> instructions;
  for (const Authorization& authz : authorizations) {
    const Challenge* challenge = ChooseChallenge(authz, choices, default_method);
    domain::DcvInstruction instruction;
    instruction.host_name =
        authz.wildcard ? absl::StrCat("*.", authz.identifier) : authz.identifier;
    // While the authorization is pending its challenge tells more (pending,
    // processing); afterwards the authorization's own word counts.
    instruction.status =
        authz.status == "pending" && challenge != nullptr ? challenge->status : authz.status;
    if (challenge == nullptr) {
      instructions.push_back(std::move(instruction));
      continue;
    }
    const std::string key_authorization = KeyAuthorization(challenge->token, thumbprint);
    if (challenge->type == "http-01") {
      instruction.method = domain::DcvMethod::kHttp;
      instruction.http_url = absl::StrCat("http://", authz.identifier,
                                          "/.well-known/acme-challenge/", challenge->token);
      instruction.http_content = key_authorization;
    } else {
      instruction.method = domain::DcvMethod::kDns;
      instruction.dns_record_name = absl::StrCat("_acme-challenge.", authz.identifier);
      instruction.dns_record_type = "TXT";
      instruction.dns_record_value = Dns01TxtValue(key_authorization);
    }
    instructions.push_back(std::move(instruction));
  }
  return instructions;
}

}  // namespace sslpanel::ca::acme
