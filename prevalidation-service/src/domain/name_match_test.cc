#include "domain/name_match.h"

#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(NormalizeName, SetsApartOneLegalFormAtEitherEnd) {
  struct Case {
    const char* name;
    const char* key;
    const char* form;
  };
  for (const Case& c : std::vector<Case>{
           {"Openprovider B.V.", "openprovider", "bv"},
           {"Café De Zwaan N.V.", "cafe de zwaan", "nv"},
           {"Jansen & Zonen V.O.F.", "jansen en zonen", "vof"},
           {"Stichting Bolderbast", "bolderbast", "stichting"},
           {"Vereniging Eigen Huis", "eigen huis", "vereniging"},
           {"Coöperatie Zuivel U.A.", "zuivel", "cooperatie"},
           {"Coöperatieve Vereniging Zuivel", "zuivel", "cooperatie"},
           {"Bakker Besloten Vennootschap", "bakker", "bv"},
           {"Smit Vennootschap onder Firma", "smit", "vof"},
           {"Nieuw B.V. i.o.", "nieuw", "bv"},
           {"Acme Ltd", "acme", "ltd"},
           {"Jan's Fietsen", "jans fietsen", ""},
           {"Hoek-Bouw  (Holding)", "hoek bouw holding", ""},
           {"Stichting", "stichting", "stichting"},  // nothing but a legal form
           // A legal-form word inside the name is part of the name.
           {"Test BV Donald", "test bv donald", ""},
           {"test b.v. donald", "test bv donald", ""},
           // One form only: the trailing one; the leading word stays.
           {"CV Maker B.V.", "cv maker", "bv"},
           {"BA Holding B.V.", "ba holding", "bv"},
           // Foreign forms and qualifiers only trail.
           {"Ltd Services", "ltd services", ""},
           {"BA Holding", "ba holding", ""},
       }) {
    const NormalizedName normalized = NormalizeName(c.name);
    EXPECT_EQ(normalized.key, c.key) << c.name;
    EXPECT_EQ(normalized.legal_form, c.form) << c.name;
  }
  EXPECT_EQ(NormalizeName("CV Maker B.V.").full, "cv maker bv");
}

TEST(CanonicalLegalForm, ReadsKvkRechtsvormen) {
  struct Case {
    const char* rechtsvorm;
    const char* form;
  };
  for (const Case& c : std::vector<Case>{
           {"Besloten Vennootschap", "bv"},
           {"Besloten vennootschap met gewone structuur", "bv"},
           {"Naamloze Vennootschap", "nv"},
           {"Eenmanszaak", "eenmanszaak"},
           {"Eenmanszaak met meer dan één eigenaar", "eenmanszaak"},
           {"Vennootschap onder firma", "vof"},
           {"Commanditaire vennootschap", "cv"},
           {"Stichting", "stichting"},
           {"Vereniging met volledige rechtsbevoegdheid", "vereniging"},
           {"Coöperatie", "cooperatie"},
           {"Onderlinge Waarborgmaatschappij", "owm"},
           {"Maatschap", "maatschap"},
           {"Europese naamloze vennootschap (SE)", ""},
           {"Kerkgenootschap", ""},
           {"", ""},
       }) {
    EXPECT_EQ(CanonicalLegalForm(c.rechtsvorm), c.form) << c.rechtsvorm;
  }
}

TEST(MatchName, AcceptsWhatAPersonWouldAccept) {
  const std::vector<RegisteredName> registered = {{"Test BV Donald", "statutory name"},
                                                  {"Donald Appels", "trade name"}};
  for (const char* name :
       {"Test BV Donald", "TEST B.V. DONALD", "test-bv donald", "Test BV Donald B.V.",
        "Donald Appels", "Dönald Äppels", "Donald Appels B.V.", "DonaldAppels"}) {
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
  EXPECT_EQ(MatchName("Tset B.V.", registered).best.name, "Test BV Donald");
}

TEST(MatchName, LegalFormWordsInsideANameAreNotDropped) {
  struct Case {
    const char* name;
    const char* registered;
    bool matched;
  };
  for (const Case& c : std::vector<Case>{
           {"Holding", "BA Holding B.V.", false},
           {"Holding B.V.", "BA Holding B.V.", false},
           {"BA Holding", "BA Holding B.V.", true},
           {"Maker B.V.", "CV Maker B.V.", false},
           {"CV Maker", "CV Maker B.V.", true},
           {"CV Maker BV", "CV Maker B.V.", true},
           {"Test Donald", "Test BV Donald", false},
           {"Test Donald B.V.", "Test BV Donald", false},
           {"Eigen Huis", "Vereniging Eigen Huis", true},
           {"Jan Jansen B.V.", "Jan Jansen", true},  // the register's legal form decides
       }) {
    EXPECT_EQ(MatchName(c.name, {{c.registered, "statutory name"}}).matched, c.matched)
        << c.name << " vs " << c.registered;
  }
}

TEST(MatchName, ReportsTheStatedAndRegisteredLegalForms) {
  struct Case {
    const char* name;
    const char* registered;
    bool differs;
    const char* stated;
    const char* registered_form;
  };
  for (const Case& c : std::vector<Case>{
           {"Katrien B.V.", "Katrien N.V.", true, "bv", "nv"},
           {"Eigen Huis B.V.", "Vereniging Eigen Huis", true, "bv", "vereniging"},
           {"Katrien", "Katrien N.V.", false, "", "nv"},
           {"Jan Jansen B.V.", "Jan Jansen", false, "bv", ""},
           {"Stichting Bolderbast", "Bolderbast Stichting", false, "stichting", "stichting"},
       }) {
    const NameMatch match = MatchName(c.name, {{c.registered, "statutory name"}});
    EXPECT_TRUE(match.matched) << c.name;
    EXPECT_EQ(match.legal_form_differs, c.differs) << c.name;
    EXPECT_EQ(match.stated_form, c.stated) << c.name;
    EXPECT_EQ(match.registered_form, c.registered_form) << c.name;
  }
}

TEST(MatchName, TheRegistersLegalFormCounts) {
  struct Case {
    const char* name;
    RegisteredName registered;
    bool differs;
  };
  for (const Case& c : std::vector<Case>{
           {"Jan Jansen B.V.", {"Jan Jansen", "registered name", "eenmanszaak"}, true},
           {"Jan Jansen", {"Jan Jansen", "registered name", "eenmanszaak"}, false},
           {"Eigen Huis B.V.", {"Eigen Huis", "registered name", "vereniging"}, true},
           {"Stichting Eigen Huis", {"Eigen Huis", "registered name", "stichting"}, false},
           // The rechtsvorm or the registered name's own form: either is the register's.
           {"Acme B.V.", {"Acme N.V.", "statutory name", "bv"}, false},
           {"Acme N.V.", {"Acme N.V.", "statutory name", "bv"}, false},
           {"Acme C.V.", {"Acme N.V.", "statutory name", "bv"}, true},
       }) {
    const NameMatch match = MatchName(c.name, {c.registered});
    EXPECT_TRUE(match.matched) << c.name;
    EXPECT_EQ(match.legal_form_differs, c.differs) << c.name;
  }
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
