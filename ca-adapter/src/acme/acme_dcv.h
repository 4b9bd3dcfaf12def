// Domain-control validation in ACME terms: which challenge of an
// authorization answers for a name (the method the order asked for, dns-01
// for wildcards), and what the customer must publish for it (RFC 8555
// sections 8.3 and 8.4). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ca-adapter/src/acme/acme_objects.h"
#include "ca-adapter/src/domain/order.h"

namespace sslpanel::ca::acme {

// The challenge to answer for `authorization`: the type matching the
// order's choice for its name (else `default_method`), the other of
// dns-01/http-01 when the CA does not offer it, nullptr when neither.
const Challenge* ChooseChallenge(const Authorization& authorization,
                                 const std::vector<domain::DomainValidation>& choices,
                                 domain::DcvMethod default_method);

// One instruction per authorization; `thumbprint` is the account key's JWK
// thumbprint that key authorizations are made of.
std::vector<domain::DcvInstruction> DcvInstructions(
    const std::vector<Authorization>& authorizations,
    const std::vector<domain::DomainValidation>& choices, domain::DcvMethod default_method,
    absl::string_view thumbprint);

}  // namespace sslpanel::ca::acme
