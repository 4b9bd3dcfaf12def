#include "domain/kvk_checks.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/address.h"

namespace sslpanel::prevalidation::domain {
namespace {

constexpr absl::string_view kOrderSource = "order data";

CheckResult Result(absl::string_view code, Outcome outcome, std::string source) {
  CheckResult result;
  result.code = std::string(code);
  result.outcome = outcome;
  result.source = std::move(source);
  return result;
}

// "20230101" -> "2023-01-01", leaving anything unexpected as it is.
std::string FormatDate(absl::string_view date) {
  if (date.size() != 8) {
    return std::string(date);
  }
  return absl::StrCat(date.substr(0, 4), "-", date.substr(4, 2), "-", date.substr(6, 2));
}

bool IsUnsetDate(absl::string_view date) { return date.empty() || date == "00000000"; }

std::string RenderRegisterNames(const std::vector<RegisteredName>& names) {
  std::vector<std::string> parts;
  for (const RegisteredName& name : names) {
    parts.push_back(absl::StrCat(name.kind, " ", Quoted(name.name)));
  }
  return parts.empty() ? "no names" : absl::StrJoin(parts, ", ");
}

const CompanyAddress* FindAddress(const Company& company, absl::string_view type) {
  for (const CompanyAddress& address : company.addresses) {
    if (address.type == type) {
      return &address;
    }
  }
  return nullptr;
}

std::string RenderOrderAddress(const DutchOrganization& organization) {
  std::string number = std::to_string(organization.house_number.number);
  if (!organization.house_number.addition.empty()) {
    absl::StrAppend(&number, " ", organization.house_number.addition);
  }
  const std::string street =
      organization.street.empty() ? number : absl::StrCat(organization.street, " ", number);
  return absl::StrCat(street, ", ", FormatPostcode(organization.postcode), " ", organization.city);
}

std::string RegisteredAddition(const CompanyAddress& address) {
  return NormalizeAddition(absl::StrCat(address.house_letter, address.house_number_addition));
}

std::string RenderRegisteredAddress(const CompanyAddress& address) {
  std::string number =
      address.house_number.has_value() ? std::to_string(*address.house_number) : "";
  const std::string addition = RegisteredAddition(address);
  if (!addition.empty()) {
    absl::StrAppend(&number, " ", addition);
  }
  const std::optional<std::string> postcode = NormalizePostcode(address.postcode);
  return absl::StrCat(address.street, " ", number, ", ",
                      postcode.has_value() ? FormatPostcode(*postcode) : address.postcode, " ",
                      address.city);
}

}  // namespace

std::string RegisteredVisitingCity(const Company& company) {
  const CompanyAddress* visiting = FindAddress(company, "bezoekadres");
  return visiting == nullptr || visiting->shielded ? "" : visiting->city;
}

std::vector<RegisteredName> RegisteredNames(const Company& company) {
  std::vector<RegisteredName> names;
  const std::string legal_form = CanonicalLegalForm(company.legal_form);
  auto add = [&names, &legal_form](const std::string& name, absl::string_view kind) {
    if (name.empty()) {
      return;
    }
    for (const RegisteredName& existing : names) {
      if (existing.name == name) {
        return;
      }
    }
    names.push_back({name, std::string(kind), legal_form});
  };
  add(company.statutory_name, "statutory name");
  add(company.name, "registered name");
  for (const std::string& trade_name : company.trade_names) {
    add(trade_name, "trade name");
  }
  return names;
}

CheckResult CheckKvkNumberFormat(const DutchOrganization& organization) {
  CheckResult result = Result(kKvkNumberFormat, Outcome::kPass, std::string(kOrderSource));
  result.message = absl::StrCat("KvK number ", organization.kvk_number, " is well formed.");
  result.evidence = absl::StrCat("order: ", Quoted(organization.kvk_number), " (8 digits)");
  return result;
}

CheckResult CheckCompanyFound(const DutchOrganization& organization, const CompanyLookup& lookup) {
  if (!lookup.company.has_value()) {
    const std::string register_answer = lookup.detail.empty() ? "no registration" : lookup.detail;
    if (lookup.undetermined) {
      CheckResult result = Result(kKvkCompanyFound, Outcome::kUnknown, lookup.source);
      result.message = absl::StrCat("The KvK register's answers do not settle whether KvK number ",
                                    organization.kvk_number, " is registered.");
      result.evidence =
          absl::StrCat("order: ", Quoted(organization.kvk_number), "; register: ", register_answer);
      result.remedy =
          "No action needed: an operator looks the number up in the KvK Handelsregister by hand.";
      return result;
    }
    CheckResult result = Result(kKvkCompanyFound, Outcome::kFail, lookup.source);
    result.message =
        absl::StrCat("KvK number ", organization.kvk_number, " is not in the KvK register.");
    result.evidence =
        absl::StrCat("order: ", Quoted(organization.kvk_number), "; register: ", register_answer);
    result.remedy =
        "Check the KvK number on the organisation's KvK extract (uittreksel) and correct it.";
    return result;
  }
  const Company& company = *lookup.company;
  CheckResult result = Result(kKvkCompanyFound, Outcome::kPass, company.source);
  result.message = absl::StrCat("KvK number ", company.kvk_number, " is registered to ",
                                Quoted(company.name), ".");
  result.evidence = absl::StrCat("register: ", Quoted(company.name));
  if (!company.legal_form.empty()) {
    absl::StrAppend(&result.evidence, " (", company.legal_form, ")");
  }
  if (!IsUnsetDate(company.start_date)) {
    absl::StrAppend(&result.evidence, ", registered since ", FormatDate(company.start_date));
  }
  return result;
}

CheckResult CheckCompanyActive(const Company& company, absl::string_view today) {
  CheckResult result = Result(kKvkCompanyActive, Outcome::kPass, company.source);
  const std::string end = IsUnsetDate(company.end_date) ? "" : company.end_date;
  if (!end.empty() && end <= today) {
    result.outcome = Outcome::kFail;
    result.message =
        absl::StrCat(Quoted(company.name), " is deregistered from the KvK register since ",
                     FormatDate(end), ".");
    result.evidence = absl::StrCat("register: materieleRegistratie.datumEinde ", FormatDate(end));
    result.remedy =
        "Order the certificate for an organisation that is still registered, with its KvK number.";
    return result;
  }
  if (!end.empty()) {
    result.outcome = Outcome::kWarning;
    result.message = absl::StrCat(Quoted(company.name), "'s registration ends on ", FormatDate(end),
                                  "; a certificate would outlive it.");
    result.evidence = absl::StrCat("register: datumEinde ", FormatDate(end), " (after today, ",
                                   FormatDate(today), ")");
    return result;
  }
  result.message = absl::StrCat(Quoted(company.name), " is an active registration.");
  result.evidence = IsUnsetDate(company.start_date)
                        ? "register: no end date"
                        : absl::StrCat("register: active since ", FormatDate(company.start_date),
                                       ", no end date");
  return result;
}

CheckResult CheckNameMatch(const DutchOrganization& organization, const Company& company) {
  const std::vector<RegisteredName> names = RegisteredNames(company);
  CheckResult result = Result(kKvkNameMatch, Outcome::kPass, company.source);
  if (names.empty()) {
    result.outcome = Outcome::kUnknown;
    result.message = "The KvK register returned no name for this company.";
    result.evidence = absl::StrCat("order: ", Quoted(organization.legal_name));
    result.remedy = "No action needed: an operator compares the name by hand.";
    return result;
  }
  const NameMatch match = MatchName(organization.legal_name, names);
  result.evidence = absl::StrCat("order: ", Quoted(organization.legal_name),
                                 "; register: ", RenderRegisterNames(names));
  if (!company.legal_form.empty()) {
    absl::StrAppend(&result.evidence, "; legal form (rechtsvorm) ", company.legal_form);
  }
  if (match.matched && !match.legal_form_differs) {
    result.message = absl::StrCat("Organisation name matches the ", match.best.kind, " ",
                                  Quoted(match.best.name), ".");
    return result;
  }
  if (match.matched) {
    // The legal form is part of who the organisation is: "Jan Jansen B.V."
    // is not the sole proprietorship "Jan Jansen".
    const std::string registered_as =
        match.best.legal_form.empty() ? LegalFormLabel(match.registered_form) : company.legal_form;
    result.outcome = Outcome::kFail;
    result.message = absl::StrCat("Organisation name ", Quoted(organization.legal_name),
                                  " states the legal form ", LegalFormLabel(match.stated_form),
                                  ", but the KvK registers ", Quoted(match.best.name), " as ",
                                  registered_as, ": that is a different legal entity.");
    result.remedy = absl::StrCat(
        "Enter the organisation name as registered with the KvK, e.g. ", Quoted(match.best.name),
        ", without a legal form the register does not show. If the certificate is for another "
        "organisation (a ",
        LegalFormLabel(match.stated_form), "), order it with that organisation's own KvK number.");
    return result;
  }
  result.outcome = Outcome::kFail;
  result.message = absl::StrCat("Organisation name ", Quoted(organization.legal_name),
                                " matches no registered name; the closest is the ", match.best.kind,
                                " ", Quoted(match.best.name), ".");
  absl::StrAppend(&result.evidence, "; closest: ", Quoted(match.best.name), " (",
                  std::lround(match.similarity * 100), "% similar)");
  result.remedy = absl::StrCat("Enter the organisation name as registered with the KvK, e.g. ",
                               Quoted(match.best.name), ", or one of its registered trade names.");
  return result;
}

CheckResult CheckAddressMatch(const DutchOrganization& organization, const Company& company) {
  CheckResult result = Result(kKvkAddressMatch, Outcome::kPass, company.source);
  const std::string order_address = RenderOrderAddress(organization);
  const CompanyAddress* visiting = FindAddress(company, "bezoekadres");
  bool any_shielded = false;
  for (const CompanyAddress& address : company.addresses) {
    any_shielded = any_shielded || address.shielded;
  }
  if (visiting == nullptr || visiting->shielded) {
    result.outcome = Outcome::kUnknown;
    result.message = visiting != nullptr || any_shielded
                         ? "The KvK register shields this company's visiting address, so it "
                           "cannot be compared."
                         : "The KvK register holds no visiting address for this company.";
    result.evidence =
        absl::StrCat("order: ", Quoted(order_address), "; register: visiting address ",
                     visiting != nullptr || any_shielded ? "shielded (indAfgeschermd)" : "absent");
    result.remedy =
        "No action needed: an operator verifies the address from another document (for example "
        "a recent bank statement).";
    return result;
  }
  const std::string registered_address = RenderRegisteredAddress(*visiting);
  result.evidence = absl::StrCat("order: ", Quoted(order_address),
                                 "; register (visiting address): ", Quoted(registered_address));
  const std::optional<std::string> registered_postcode = NormalizePostcode(visiting->postcode);
  const std::string registered_addition = RegisteredAddition(*visiting);
  const std::string& order_addition = organization.house_number.addition;
  // Postcode, house number and letter/addition together name one address:
  // 3 and 3 A are different doors, possibly different companies.
  std::vector<std::string> fails;
  if (!registered_postcode.has_value() || *registered_postcode != organization.postcode) {
    fails.push_back(
        absl::StrCat("postcode ", FormatPostcode(organization.postcode), " is not the registered ",
                     registered_postcode.has_value() ? FormatPostcode(*registered_postcode)
                                                     : Quoted(visiting->postcode)));
  }
  const bool number_matches = visiting->house_number.has_value() &&
                              *visiting->house_number == organization.house_number.number;
  if (!number_matches) {
    fails.push_back(absl::StrCat(
        "house number ", organization.house_number.number, " is not the registered ",
        visiting->house_number.has_value() ? std::to_string(*visiting->house_number) : "(none)"));
  } else if (order_addition != registered_addition && !registered_addition.empty()) {
    fails.push_back(order_addition.empty()
                        ? absl::StrCat("the order lacks the registered house letter/addition ",
                                       registered_addition)
                        : absl::StrCat("house letter/addition ", order_addition,
                                       " is not the registered ", registered_addition));
  }
  // Dutch postcode + number identify the street, so a different place name
  // is usually the municipality or an old spelling: a remark.
  const bool city_differs = NormalizeCity(organization.city) != NormalizeCity(visiting->city);
  const std::string city_remark = absl::StrCat("city ", Quoted(organization.city),
                                               " is not the registered ", Quoted(visiting->city));
  if (!fails.empty()) {
    if (city_differs) {
      fails.push_back(city_remark);
    }
    result.outcome = Outcome::kFail;
    result.message = absl::StrCat("Address does not match the registered visiting address: ",
                                  absl::StrJoin(fails, "; "), ".");
    result.remedy =
        absl::StrCat("Enter the visiting address registered with the KvK (", registered_address,
                     "), or have the KvK registration updated first.");
    return result;
  }
  if (!order_addition.empty() && registered_addition.empty()) {
    // The register shows the number without one: it may hold the building
    // as a whole, or the order names another door in it. A person decides.
    result.outcome = Outcome::kUnknown;
    result.message =
        absl::StrCat("The order's house letter/addition ", order_addition,
                     " is not in the register, which shows the visiting address without one",
                     city_differs ? absl::StrCat("; also, ", city_remark) : "", ".");
    result.remedy = absl::StrCat(
        "No action needed: an operator checks that the address is the registered one (",
        registered_address, ").");
    return result;
  }
  if (city_differs) {
    result.outcome = Outcome::kWarning;
    result.message = absl::StrCat(
        "Address matches the registered visiting address by postcode and house number, but ",
        city_remark, ".");
    result.remedy =
        absl::StrCat("Prefer the address exactly as registered: ", registered_address, ".");
    return result;
  }
  result.message = "Address matches the registered visiting address.";
  return result;
}

}  // namespace sslpanel::prevalidation::domain
