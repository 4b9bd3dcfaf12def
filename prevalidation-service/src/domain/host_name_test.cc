#include "domain/host_name.h"

#include "domain/text.h"
#include "gtest/gtest.h"

namespace sslpanel::prevalidation::domain {
namespace {

TEST(PunycodeEncode, MatchesRfc3492) {
  struct Case {
    const char* label;
    const char* want;
  };
  for (const Case& c : std::vector<Case>{{"bücher", "bcher-kva"},
                                         {"münchen", "mnchen-3ya"},
                                         {"café", "caf-dma"},
                                         {"ü", "tda"},
                                         {"straße", "strae-oqa"},
                                         {"ĳssel", "ssel-uza"}}) {
    EXPECT_EQ(PunycodeEncode(DecodeUtf8(c.label)), c.want) << c.label;
  }
}

TEST(ParseHostName, NormalizesToTheAsciiForm) {
  struct Case {
    const char* in;
    const char* ascii;
  };
  for (const Case& c : std::vector<Case>{
           {"www.example.nl", "www.example.nl"},
           {"WWW.Example.NL", "www.example.nl"},
           {"www.example.nl.", "www.example.nl"},
           {"*.example.nl", "*.example.nl"},
           {"bücher.nl", "xn--bcher-kva.nl"},
           {"BÜCHER.NL", "xn--bcher-kva.nl"},
           {"xn--bcher-kva.nl", "xn--bcher-kva.nl"},
           {"shop\xE3\x80\x82"
            "example\xE3\x80\x82nl",
            "shop.example.nl"},  // ideographic stops
       }) {
    absl::StatusOr<HostName> host = ParseHostName(c.in, true);
    ASSERT_TRUE(host.ok()) << c.in << ": " << host.status();
    EXPECT_EQ(host->ascii, c.ascii) << c.in;
  }
}

TEST(ParseHostName, RefusesMalformedNames) {
  for (const char* bad :
       {"", ".", "example..nl", "-example.nl", "exa mple.nl", "example_.nl", "www.*.example.nl",
        "*.nl",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v"
        ".w.x.y.z.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ".nl"}) {
    EXPECT_FALSE(ParseHostName(bad, true).ok()) << bad;
  }
  EXPECT_FALSE(ParseHostName("*.example.nl", false).ok());
}

TEST(RegisteredNlDomain, IsTheSecondLevelName) {
  struct Case {
    const char* in;
    bool under_nl;
    const char* domain;
  };
  for (const Case& c : std::vector<Case>{
           {"example.nl", true, "example.nl"},
           {"www.shop.example.nl", true, "example.nl"},
           {"*.example.nl", true, "example.nl"},
           {"Example.NL.", true, "example.nl"},
           {"bücher.nl", true, "xn--bcher-kva.nl"},
           {"nl", false, ""},
           {"example.nl.evil.com", false, ""},
           {"examplenl", false, ""},
           {"example.com", false, ""},
       }) {
    absl::StatusOr<HostName> host = ParseHostName(c.in, true);
    ASSERT_TRUE(host.ok()) << c.in;
    EXPECT_EQ(IsUnderNl(*host), c.under_nl) << c.in;
    EXPECT_EQ(RegisteredNlDomain(*host), c.domain) << c.in;
  }
}

TEST(RegisteredNlDomains, DistinctCommonNameFirst) {
  auto parse = [](const char* text) { return *ParseHostName(text, true); };
  EXPECT_EQ(RegisteredNlDomains(
                parse("www.own.nl"),
                {parse("own.nl"), parse("www.other-company.nl"), parse("*.own.nl"),
                 parse("www.example.com"), parse("shop.Other-Company.nl"), parse("bücher.nl")}),
            (std::vector<std::string>{"own.nl", "other-company.nl", "xn--bcher-kva.nl"}));
  EXPECT_EQ(RegisteredNlDomains(parse("www.example.com"), {parse("example.nl")}),
            (std::vector<std::string>{"example.nl"}));
}

}  // namespace
}  // namespace sslpanel::prevalidation::domain
