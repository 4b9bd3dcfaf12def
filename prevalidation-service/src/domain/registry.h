// What the data sources know, in the shape the checks need: a company from
// the KvK register, a .nl domain from the registry, a telephone listing.
// Clients translate their wire formats into these.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sslpanel::prevalidation::domain {

// One address of a company's main establishment (hoofdvestiging).
struct CompanyAddress {
  // "bezoekadres" (visiting) or "correspondentieadres" (postal).
  std::string type;
  // The register shields this address from the public (indAfgeschermd).
  bool shielded = false;
  std::string street;
  std::optional<int> house_number;
  std::string house_letter;
  std::string house_number_addition;
  std::string postcode;
  std::string city;
  std::string country;
  // The register's one-line rendering, when it gives one.
  std::string full_address;
};

// A company as the KvK register describes it.
struct Company {
  std::string kvk_number;
  // Name under which the company (maatschappelijke activiteit) is registered.
  std::string name;
  // Statutory name; empty for forms without articles (eenmanszaak).
  std::string statutory_name;
  std::vector<std::string> trade_names;
  std::string legal_form;
  // Registration start and end dates as the register writes them (YYYYMMDD;
  // "00" for an unknown day or month); end_date empty while active. The
  // profile's end date alone decides whether the company is active.
  std::string start_date;
  std::string end_date;
  std::vector<CompanyAddress> addresses;
  // Where this came from, for the report, e.g. "KvK API (api.kvk.nl)".
  std::string source;
};

// A register's answer for one KvK number: a company; or none, either
// definitely (the number is not registered) or `undetermined` because the
// register's answers disagree or are incomplete, so a person must look.
struct CompanyLookup {
  std::optional<Company> company;
  // Which source answered (also when nothing was found).
  std::string source;
  bool undetermined = false;
  // Without a company: what the register answered, for the report.
  std::string detail{};
};

// A .nl domain as the registry's RDAP service describes it.
struct DomainRegistration {
  // The name asked about, ASCII, e.g. "example.nl".
  std::string domain;
  bool exists = false;
  // RDAP statuses, e.g. "active", "pending delete".
  std::vector<std::string> statuses;
  // Registration date as the registry writes it (RFC 3339), if published.
  std::string registered_at;
  // The registrant's organisation or name, when the registry publishes it.
  std::optional<std::string> registrant_name;
  std::string source;
};

// A number found in a public telephone source.
struct PhoneListing {
  std::string number;  // E.164
  std::string name;    // the subscriber as listed
};

struct PhoneLookup {
  std::optional<PhoneListing> listing;
  std::string source;
};

}  // namespace sslpanel::prevalidation::domain
