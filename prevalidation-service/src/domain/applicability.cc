#include "domain/applicability.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::prevalidation::domain {

Applicability DecideApplicability(ValidationType type, const HostName& common_name,
                                  absl::string_view country_code) {
  Applicability result;
  if (type != ValidationType::kOv && type != ValidationType::kEv) {
    result.reason = "DV certificates get no organisation checks";
    return result;
  }
  if (!IsUnderNl(common_name)) {
    result.reason = absl::StrCat("common name \"", common_name.ascii, "\" is not under .nl");
    return result;
  }
  const absl::string_view country = absl::StripAsciiWhitespace(country_code);
  if (!absl::EqualsIgnoreCase(country, "NL")) {
    result.reason = absl::StrCat("the organisation's country is \"", country, "\", not NL");
    return result;
  }
  result.applies = true;
  return result;
}

}  // namespace sslpanel::prevalidation::domain
