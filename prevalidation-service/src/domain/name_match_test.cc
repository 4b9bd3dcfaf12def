#include "domain/name_match.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(NormalizeName, IgnoresCasePunctuationDiacriticsAndLegalForm) {
  struct Case {
    const char* name;
    const char* key;
    std::vector<std::string> forms;
  };
  for (const Case& c : std::vector<Case>{
           {"Test BV Donald", "test donald", {"bv"}},
           {"test b.v. donald", "test donald", {"bv"}},
           {"Openprovider B.V.", "openprovider", {"bv"}},
           {"Café De Zwaan N.V.", "cafe de zwaan", {"nv"}},
           {"Jansen & Zonen V.O.F.", "jansen en zonen", {"vof"}},
           {"Stichting Bolderbast", "bolderbast", {"stichting"}},
           {"Coöperatie Zuivel U.A.", "zuivel", {"cooperatie"}},
           {"Bakker Besloten Vennootschap", "bakker", {"bv"}},
           {"Smit Vennootschap onder Firma", "smit", {"vof"}},
           {"Nieuw B.V. i.o.", "nieuw", {"bv"}},
           {"Jan's Fietsen", "jans fietsen", {}},
           {"Hoek-Bouw  (Holding)", "hoek bouw holding", {}},
           {"Stichting", "stichting", {"stichting"}},  // nothing but a legal form
       }) {
    const NormalizedName normalized = NormalizeName(c.name);
    EXPECT_EQ(normalized.key, c.key) << c.name;
    EXPECT_EQ(normalized.legal_forms, c.forms) << c.name;
  }
}

TEST(MatchName, AcceptsWhatAPersonWouldAccept) {
  const std::vector<RegisteredName> registered = {{"Test BV Donald", "statutory name"},
                                                  {"Donald Appels", "trade name"}};
  for (const char* name : {"Test BV Donald", "TEST B.V. DONALD", "Test Donald B.V.", "Test Donald",
                           "test-donald bv", "Donald Appels", "Dönald Äppels"}) {
    const NameMatch match = MatchName(name, registered);
    EXPECT_TRUE(match.matched) << name;
    EXPECT_FALSE(match.legal_form_differs) << name;
  }
  EXPECT_EQ(MatchName("donald appels", registered).best.kind, "trade name");
}

TEST(MatchName, RefusesOtherNamesAndReportsTheClosest) {
  const std::vector<RegisteredName> registered = {{"Test BV Donald", "statutory name"},
                                                  {"Donald Appels", "trade name"}};
  const NameMatch match = MatchName("Tset BV Donald", registered);
  EXPECT_FALSE(match.matched);
  EXPECT_EQ(match.best.name, "Test BV Donald");
  EXPECT_GT(match.similarity, 0.7);
  EXPECT_LT(match.similarity, 1.0);

  EXPECT_FALSE(MatchName("Donald Peren", registered).matched);
  EXPECT_EQ(MatchName("Donald Peren", registered).best.name, "Donald Appels");
  EXPECT_FALSE(MatchName("Donald", registered).matched);
  EXPECT_FALSE(MatchName("", registered).matched);
}

TEST(MatchName, FlagsADifferentLegalForm) {
  const NameMatch match = MatchName("Katrien B.V.", {{"Katrien N.V.", "statutory name"}});
  EXPECT_TRUE(match.matched);
  EXPECT_TRUE(match.legal_form_differs);
  // Naming no legal form is fine.
  EXPECT_FALSE(MatchName("Katrien", {{"Katrien N.V.", "statutory name"}}).legal_form_differs);
}

TEST(MatchName, PrefersACandidateWithTheSameLegalForm) {
  const NameMatch match =
      MatchName("Acme B.V.", {{"Acme N.V.", "statutory name"}, {"Acme BV", "trade name"}});
  EXPECT_TRUE(match.matched);
  EXPECT_FALSE(match.legal_form_differs);
  EXPECT_EQ(match.best.kind, "trade name");
}

TEST(MatchName, NoCandidates) { EXPECT_FALSE(MatchName("Acme", {}).matched); }

}  // namespace
}  // namespace sslpanel::prevalidation::domain
