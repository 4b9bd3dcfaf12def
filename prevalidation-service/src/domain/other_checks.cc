#include "domain/other_checks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/address.h"

namespace sslpanel::prevalidation::domain {
namespace {

constexpr absl::string_view kCsrSource = "CSR";

// The order's legal name followed by the register's names, all with the
// register's legal form: a name stating another form is another entity.
std::vector<RegisteredName> OrganizationNames(const DutchOrganization& organization,
                                              const std::vector<RegisteredName>& registered) {
  std::vector<RegisteredName> names = {{organization.legal_name, "order's organisation name",
                                        registered.empty() ? "" : registered.front().legal_form}};
  names.insert(names.end(), registered.begin(), registered.end());
  return names;
}

bool IsBeingDeleted(const std::vector<std::string>& statuses) {
  for (const std::string& status : statuses) {
    const std::string lower = absl::AsciiStrToLower(status);
    if (lower == "pending delete" || lower == "redemption period") {
      return true;
    }
  }
  return false;
}

}  // namespace

CheckResult CheckCsrSubject(const std::optional<CsrSubject>& csr,
                            const DutchOrganization& organization,
                            const std::vector<RegisteredName>& registered,
                            absl::string_view registered_city) {
  CheckResult result;
  result.code = std::string(kCsrSubjectMatch);
  result.source = std::string(kCsrSource);
  if (!csr.has_value()) {
    result.outcome = Outcome::kUnknown;
    result.message = "No CSR was given, so its subject could not be compared.";
    result.remedy = "Send the CSR with the order.";
    return result;
  }
  result.evidence =
      absl::StrCat("CSR: O=", Quoted(csr->organization), ", L=", Quoted(csr->locality),
                   ", C=", Quoted(csr->country), "; order: ", Quoted(organization.legal_name), ", ",
                   Quoted(organization.city), ", ", organization.country_code);
  if (csr->organization.empty() && csr->locality.empty() && csr->country.empty()) {
    result.outcome = Outcome::kWarning;
    result.message =
        "The CSR names no organisation (no O, L or C); the CA will use the validated "
        "organisation details.";
    return result;
  }
  std::vector<std::string> mismatches;
  std::vector<std::string> absent;
  if (csr->organization.empty()) {
    absent.push_back("O");
  } else if (const NameMatch match =
                 MatchName(csr->organization, OrganizationNames(organization, registered));
             !match.matched || match.legal_form_differs) {
    mismatches.push_back(
        absl::StrCat("O ", Quoted(csr->organization), " is not ", Quoted(organization.legal_name)));
  }
  // L is a place name: as in the address check, one that differs from the
  // order's city (and from the register's) is a remark, not another
  // organisation; the CA puts the validated locality in the certificate.
  std::string locality_remark;
  if (csr->locality.empty()) {
    absent.push_back("L");
  } else if (NormalizeCity(csr->locality) != NormalizeCity(organization.city) &&
             (registered_city.empty() ||
              NormalizeCity(csr->locality) != NormalizeCity(registered_city))) {
    locality_remark =
        absl::StrCat("L ", Quoted(csr->locality), " is not ", Quoted(organization.city));
  }
  if (csr->country.empty()) {
    absent.push_back("C");
  } else if (!absl::EqualsIgnoreCase(csr->country, organization.country_code)) {
    mismatches.push_back(
        absl::StrCat("C ", Quoted(csr->country), " is not ", Quoted(organization.country_code)));
  }
  const std::string fix =
      absl::StrCat("Create a new CSR with O=", Quoted(organization.legal_name),
                   ", L=", Quoted(organization.city), ", C=", organization.country_code,
                   ", or leave those fields out.");
  if (!mismatches.empty()) {
    if (!locality_remark.empty()) {
      mismatches.push_back(locality_remark);
    }
    result.outcome = Outcome::kFail;
    result.message = absl::StrCat(
        "The CSR subject names another organisation: ", absl::StrJoin(mismatches, "; "), ".");
    result.remedy = fix;
    return result;
  }
  if (!locality_remark.empty()) {
    result.outcome = Outcome::kWarning;
    result.message =
        absl::StrCat("The CSR subject names the organisation, but its ", locality_remark,
                     "; the certificate will show the validated "
                     "locality.");
    result.remedy = fix;
    return result;
  }
  result.outcome = Outcome::kPass;
  result.message = absent.empty() ? "The CSR subject (O, L, C) matches the organisation."
                                  : absl::StrCat("The CSR subject matches the organisation (",
                                                 absl::StrJoin(absent, ", "), " not set).");
  return result;
}

CheckResult CheckPhoneListed(const std::optional<PhoneLookup>& lookup, bool source_configured,
                             const DutchOrganization& organization,
                             const std::vector<RegisteredName>& registered, ValidationType type) {
  CheckResult result;
  result.code = std::string(kPhoneListed);
  const bool ev = type == ValidationType::kEv;
  if (!organization.phone.has_value()) {
    result.source = "order data";
    result.outcome = ev ? Outcome::kFail : Outcome::kWarning;
    result.message = ev ? "EV certificates need a telephone number, and the order has none."
                        : "The order has no telephone number; the CA may ask for one.";
    result.remedy = "Add the organisation's telephone number to the order.";
    return result;
  }
  if (!source_configured || !lookup.has_value()) {
    result.source = "none configured";
    result.outcome = Outcome::kUnknown;
    result.message = "No public telephone source is configured, so the number was not looked up.";
    result.evidence = absl::StrCat("order: ", *organization.phone);
    result.remedy = "No action needed: an operator verifies the number by hand.";
    return result;
  }
  result.source = lookup->source;
  if (!lookup->listing.has_value()) {
    result.outcome = ev ? Outcome::kUnknown : Outcome::kWarning;
    result.message = absl::StrCat(
        "Telephone number ", *organization.phone, " is not listed in the public source",
        ev ? "; EV needs a verified number, so an operator must verify it."
           : "; the CA may verify it another way.");
    result.evidence = absl::StrCat("order: ", *organization.phone, "; source: not listed");
    result.remedy =
        "Give a number listed under the organisation's name, for example its main "
        "switchboard.";
    return result;
  }
  const PhoneListing& listing = *lookup->listing;
  result.evidence = absl::StrCat("order: ", *organization.phone, "; source: ", listing.number,
                                 " listed for ", Quoted(listing.name));
  const NameMatch match = MatchName(listing.name, OrganizationNames(organization, registered));
  if (match.matched && !match.legal_form_differs) {
    absl::StrAppend(&result.evidence, "; matches the ", match.best.kind, " ",
                    Quoted(match.best.name));
    result.outcome = Outcome::kPass;
    result.message =
        absl::StrCat("Telephone number ", *organization.phone, " is listed for the organisation.");
    return result;
  }
  result.outcome = Outcome::kWarning;
  result.message = absl::StrCat("Telephone number ", *organization.phone, " is listed for ",
                                Quoted(listing.name), ", not for the organisation.");
  result.remedy = "Give the organisation's own telephone number.";
  return result;
}

CheckResult CheckDomainExists(const DomainRegistration& registration) {
  CheckResult result;
  result.code = std::string(kDomainExists);
  result.source = registration.source;
  if (!registration.exists) {
    result.outcome = Outcome::kFail;
    result.message = absl::StrCat("Domain ", registration.domain, " is not registered.");
    result.evidence = absl::StrCat("registry: no domain ", registration.domain);
    result.remedy = "Check the spelling of the common name, or register the domain first.";
    return result;
  }
  result.evidence =
      absl::StrCat("registry: ", registration.domain, " status ",
                   registration.statuses.empty() ? "(none published)"
                                                 : absl::StrJoin(registration.statuses, ", "));
  if (!registration.registered_at.empty()) {
    absl::StrAppend(&result.evidence, ", registered ", registration.registered_at);
  }
  if (IsBeingDeleted(registration.statuses)) {
    result.outcome = Outcome::kFail;
    result.message = absl::StrCat("Domain ", registration.domain, " is being deleted.");
    result.remedy = "Renew or restore the domain with its registrar before ordering.";
    return result;
  }
  result.outcome = Outcome::kPass;
  result.message = absl::StrCat("Domain ", registration.domain, " is registered.");
  return result;
}

CheckResult CheckDomainRegistrant(const DomainRegistration& registration,
                                  const DutchOrganization& organization,
                                  const std::vector<RegisteredName>& registered) {
  if (!registration.exists) {
    CheckResult not_run =
        NotRun(kDomainRegistrantMatch,
               absl::StrCat("the domain ", registration.domain, " is not registered"),
               registration.source);
    not_run.evidence = absl::StrCat("registry: no domain ", registration.domain);
    return not_run;
  }
  CheckResult result;
  result.code = std::string(kDomainRegistrantMatch);
  result.source = registration.source;
  if (!registration.registrant_name.has_value()) {
    result.outcome = Outcome::kUnknown;
    result.message =
        absl::StrCat("The registry does not publish the registrant of ", registration.domain, ".");
    result.evidence =
        absl::StrCat("registry: registrant of ", registration.domain, " not published");
    result.remedy = "No action needed: an operator checks the domain holder by hand.";
    return result;
  }
  const std::string& registrant = *registration.registrant_name;
  result.evidence = absl::StrCat("registry: registrant of ", registration.domain, " ",
                                 Quoted(registrant), "; order: ", Quoted(organization.legal_name));
  const NameMatch match = MatchName(registrant, OrganizationNames(organization, registered));
  if (match.matched && !match.legal_form_differs) {
    // The KvK names count too: the domain may be held under the registered
    // name while the order uses a trade name.
    absl::StrAppend(&result.evidence, "; matches the ", match.best.kind, " ",
                    Quoted(match.best.name));
    result.outcome = Outcome::kPass;
    result.message =
        absl::StrCat("The registrant of ", registration.domain, " is the organisation.");
    return result;
  }
  result.outcome = Outcome::kFail;
  result.message = absl::StrCat("The registrant of ", registration.domain, " is ",
                                Quoted(registrant), ", not the organisation.");
  result.remedy =
      "Order for the organisation that holds the domain, or have the registrar update the "
      "domain holder first.";
  return result;
}

CheckResult CheckDomainsNotLookedUp(const std::vector<std::string>& domains, size_t limit) {
  CheckResult result;
  result.code = std::string(kDomainExists);
  result.outcome = Outcome::kUnknown;
  result.source = "order data";
  result.message = absl::StrCat(domains.size(), " more .nl domain", domains.size() == 1 ? "" : "s",
                                " of the order were not looked up (at most ", limit,
                                " are looked up per order).");
  result.evidence = absl::StrCat("not looked up: ", absl::StrJoin(domains, ", "));
  result.remedy =
      "No action needed: an operator checks these domains' holders by hand, or split the names "
      "over several orders.";
  return result;
}

}  // namespace sslpanel::prevalidation::domain
