#include "clients/kvk_json.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::clients {
namespace {

std::string Read(const std::string& relative) {
  std::ifstream in(std::string(SSLPANEL_PREVALIDATION_TESTDATA) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseBasisprofiel, ReadsTheDocumentedProfile) {
  absl::StatusOr<domain::Company> company =
      ParseBasisprofiel(Read("kvk/basisprofielen/68750110.json"));
  ASSERT_TRUE(company.ok()) << company.status();
  EXPECT_EQ(company->kvk_number, "68750110");
  EXPECT_EQ(company->name, "Test BV Donald");
  EXPECT_EQ(company->statutory_name, "Test BV Donald");
  EXPECT_EQ(company->trade_names, std::vector<std::string>{"Test BV Donald"});
  EXPECT_EQ(company->start_date, "20170519");
  EXPECT_EQ(company->end_date, "");
  EXPECT_EQ(company->legal_form, "Besloten vennootschap met gewone structuur");
  ASSERT_EQ(company->addresses.size(), 2u);
  const domain::CompanyAddress& visiting = company->addresses[1];
  EXPECT_EQ(visiting.type, "bezoekadres");
  EXPECT_FALSE(visiting.shielded);
  EXPECT_EQ(visiting.street, "Hizzaarderlaan");
  EXPECT_EQ(visiting.house_number, 3);
  EXPECT_EQ(visiting.house_number_addition, "A");
  EXPECT_EQ(visiting.postcode, "8823SJ");
  EXPECT_EQ(visiting.city, "Lollum");
}

TEST(ParseBasisprofiel, ReadsShieldingEndDatesAndTradeNameOrder) {
  absl::StatusOr<domain::Company> shielded =
      ParseBasisprofiel(Read("kvk/basisprofielen/90001354.json"));
  ASSERT_TRUE(shielded.ok());
  EXPECT_TRUE(shielded->addresses[0].shielded);

  absl::StatusOr<domain::Company> ended =
      ParseBasisprofiel(Read("kvk/basisprofielen/96354429.json"));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->end_date, "20230630");

  absl::StatusOr<domain::Company> ordered = ParseBasisprofiel(R"({
    "kvkNummer": "12345678", "naam": "X",
    "handelsnamen": [{"naam": "Second", "volgorde": 2}, {"naam": "First", "volgorde": 1}],
    "_embedded": {"hoofdvestiging": {"eersteHandelsnaam": "Branch Name",
      "adressen": [{"type": "bezoekadres", "indAfgeschermd": "ja", "huisnummer": "12"}]}}})");
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(ordered->trade_names, (std::vector<std::string>{"First", "Second", "Branch Name"}));
  EXPECT_TRUE(ordered->addresses[0].shielded);
  EXPECT_EQ(ordered->addresses[0].house_number, 12);  // a number sent as a string
}

TEST(ParseBasisprofiel, UsesTheOwnersAddressesWithoutAMainEstablishment) {
  absl::StatusOr<domain::Company> company = ParseBasisprofiel(R"({
    "kvkNummer": "69599068", "statutaireNaam": "Test Stichting Bolderbast",
    "_embedded": {"eigenaar": {"rechtsvorm": "Stichting",
      "adressen": [{"type": "bezoekadres", "straatnaam": "Oosterwal", "plaats": "Lochem"}]}}})");
  ASSERT_TRUE(company.ok());
  ASSERT_EQ(company->addresses.size(), 1u);
  EXPECT_EQ(company->addresses[0].city, "Lochem");
  EXPECT_EQ(company->legal_form, "Stichting");
}

TEST(ParseBasisprofiel, RefusesWhatIsNotAProfile) {
  EXPECT_FALSE(ParseBasisprofiel("<html>").ok());
  EXPECT_FALSE(ParseBasisprofiel("[]").ok());
  EXPECT_FALSE(ParseBasisprofiel(R"({"naam": "no number"})").ok());
}

TEST(ParseZoeken, ReadsResultsWithTheirActiveFlag) {
  absl::StatusOr<KvkSearchPage> page = ParseZoeken(R"({
    "pagina": 1, "resultatenPerPagina": 10, "totaal": 2,
    "resultaten": [
      {"kvkNummer": "68750110", "naam": "Test BV Donald", "type": "rechtspersoon"},
      {"kvkNummer": "68750110", "vestigingsnummer": "000037178598", "naam": "Test BV Donald",
       "adres": {"binnenlandsAdres": {"type": "bezoekadres", "straatnaam": "Hizzaarderlaan",
                                      "plaats": "Lollum"}},
       "type": "hoofdvestiging", "actief": "Nee"}]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total, 2);
  const std::vector<KvkSearchHit>& hits = page->hits;
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_TRUE(hits[0].active);  // absent means active
  EXPECT_FALSE(hits[1].active);
  EXPECT_EQ(hits[1].type, "hoofdvestiging");
  EXPECT_FALSE(ParseZoeken(R"({"foo": 1})").ok());
  // A page past the results still says how many there are.
  absl::StatusOr<KvkSearchPage> past =
      ParseZoeken(R"({"pagina": 3, "totaal": 16, "resultaten": []})");
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->hits.empty());
  EXPECT_EQ(past->total, 16);
}

TEST(ParseFout, ReadsErrorCodes) {
  const std::vector<KvkError> errors =
      ParseFout(R"({"fout": [{"code": "IPD5200", "omschrijving": "Geen resultaten"}]})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "IPD5200");
  EXPECT_TRUE(ParseFout("Not Found").empty());
}

}  // namespace
}  // namespace sslpanel::prevalidation::clients
