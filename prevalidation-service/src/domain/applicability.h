// Whether the Dutch checks apply to an order: only OV/EV certificates whose
// common name is under .nl, for an organisation registered in the Netherlands.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "domain/host_name.h"
#include "domain/request.h"

namespace sslpanel::prevalidation::domain {

struct Applicability {
  bool applies = false;
  // Why not, for the report; empty when the checks apply.
  std::string reason;
};

// `country_code` is the organisation's ISO 3166-1 alpha-2 code in any case.
Applicability DecideApplicability(ValidationType type, const HostName& common_name,
                                  absl::string_view country_code);

}  // namespace sslpanel::prevalidation::domain
