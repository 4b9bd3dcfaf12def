// Rendering: every value from an order is escaped (organisation names,
// registry data and CA messages come from outside), the page holds no script
// or inline style, and the picture's states reach the markup.
#include "console/src/view/render.h"

#include "console/src/view/links.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::console::view {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostile[] = "<img src=x onerror=alert(1)>\"'&";
constexpr char kEscaped[] = "&lt;img src=x onerror=alert(1)&gt;&quot;&apos;&amp;";

OrderPage HostileOrder() {
  OrderPage page;
  page.order_id = "0f1e2d3c";
  page.external_order_id = kHostile;
  page.external_href = ExternalOrderHref(kHostile);
  page.common_name = kHostile;
  page.facts = {{"Order status", "Open"}};
  page.organization = {{"Legal name", kHostile}};
  page.actions = {"Cancel"};
  CertificateView cert;
  cert.heading = "Certificate 1 of 1: initial";
  cert.certificate_id = kHostile;
  cert.status = "Requested";
  cert.pending = "Cancel";
  cert.facts = {{"CA status (raw)", kHostile}};
  cert.dcv = {{kHostile, "DNS", kHostile, kHostile}};
  PictureInput input;
  input.nodes = {{"OPEN", true, false, absl::FromUnixSeconds(0)},
                 {"REQUESTED", true, true, absl::FromUnixSeconds(60)},
                 {"REJECTED", false, false, std::nullopt}};
  input.arrows = {{"Requested", "OPEN", "REQUESTED", ArrowState::kTaken, {}, {}},
                  {kHostile, "REQUESTED", "REJECTED", ArrowState::kMarked, {}, {}}};
  cert.picture = LayoutPicture(input);
  page.certificates.push_back(cert);
  page.prevalidation.present = true;
  page.prevalidation.overall = "Fail";
  page.prevalidation.checks = {
      {"KVK_NAME_MATCH", "Fail", "outcome fail", kHostile, kHostile, kHostile, kHostile}};
  page.events = {{"1970-01-01 00:01:00 UTC", "c1", "CA_ACCEPTED", "", "", kHostile, kHostile}};
  return page;
}

TEST(RenderTest, EveryValueIsEscaped) {
  const std::string html = RenderOrderPage(HostileOrder());
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("onerror=alert(1)>")));
  EXPECT_THAT(html, HasSubstr(std::string("<dd>") + kEscaped + "</dd>"));
  // In attributes too, and in the SVG.
  EXPECT_THAT(html, HasSubstr(std::string("data-certificate-id=\"") + kEscaped + "\""));
  EXPECT_THAT(html, HasSubstr(std::string("data-arrow=\"") + kEscaped + "\""));
  // The link to the external id is percent-encoded, then escaped.
  EXPECT_THAT(html, HasSubstr("href=\"/orders/by-external/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29"
                              "%3E%22%27%26\""));
}

TEST(RenderTest, NoScriptAndNoInlineStyle) {
  for (const std::string& html : {RenderOrderPage(HostileOrder()), RenderListPage(ListPage{}),
                                  RenderErrorPage(ErrorPage{404, "Not found", kHostile, ""})}) {
    EXPECT_THAT(html, Not(HasSubstr("<script")));
    EXPECT_THAT(html, Not(HasSubstr("<style")));
    EXPECT_THAT(html, Not(HasSubstr("style=")));
    EXPECT_THAT(html, Not(HasSubstr("http://"))) << "no external assets";
    EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/static/console.css\">"));
    EXPECT_THAT(html, Not(HasSubstr("template error")));
  }
}

TEST(RenderTest, ThePictureCarriesItsStates) {
  const std::string html = RenderOrderPage(HostileOrder());
  EXPECT_THAT(html, HasSubstr("<g class=\"node reached current\" data-status=\"REQUESTED\" "
                              "data-reached=\"true\" data-current=\"true\"><title>Requested: "
                              "1970-01-01 00:01:00 UTC</title>"));
  EXPECT_THAT(html, HasSubstr("<g class=\"arrow taken\" data-arrow=\"Requested\""));
  EXPECT_THAT(html, HasSubstr("data-state=\"marked\""));
  EXPECT_THAT(html, HasSubstr(">current</text>"));
  EXPECT_THAT(html, HasSubstr("(marked)</text>"));
}

TEST(RenderTest, ActionsOrWhyThereAreNone) {
  OrderPage page = HostileOrder();
  EXPECT_THAT(RenderOrderPage(page),
              HasSubstr("<button type=\"button\" class=\"action\" disabled>Cancel</button>"));
  page.actions.clear();
  page.certificates.clear();
  page.closed = true;
  const std::string closed = RenderOrderPage(page);
  EXPECT_THAT(closed, Not(HasSubstr("class=\"action\"")));
  EXPECT_THAT(closed, HasSubstr("None: the order is closed."));
}

TEST(RenderTest, ListPageKeepsTheFiltersAndLinksTheOrders) {
  ListPage page;
  page.order_statuses = {{"", "any", false}, {"OPEN", "Open", true}};
  page.common_name_pattern = kHostile;
  page.rows = {
      {"id-1", OrderHref("id-1"), kHostile, "www.example.nl", "Open", "PAI", "Open", "1", "", ""}};
  page.next_href = ListHref({{"status", "OPEN"}, {"page_token", "a b&c"}});
  const std::string html = RenderListPage(page);
  EXPECT_THAT(html, HasSubstr("<option value=\"OPEN\" selected>Open</option>"));
  EXPECT_THAT(html, HasSubstr(std::string("value=\"") + kEscaped + "\""));
  EXPECT_THAT(html, HasSubstr("<a href=\"/orders/id-1\">id-1</a>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"code\">PAI</td>"));
  EXPECT_THAT(html, HasSubstr("href=\"/orders?status=OPEN&amp;page_token=a%20b%26c\""));
}

TEST(RenderTest, ErrorPageShowsTheStatus) {
  const std::string html = RenderErrorPage({503, "Workflow service unavailable", "down", "retry"});
  EXPECT_THAT(html, HasSubstr("HTTP 503"));
  EXPECT_THAT(html, HasSubstr("<h1 class=\"error-title\">Workflow service unavailable</h1>"));
}

TEST(RenderTest, StylesheetStylesMarkedArrowsApartFromIdleOnes) {
  EXPECT_THAT(std::string(Stylesheet()), HasSubstr(".arrow.marked .shaft"));
  EXPECT_THAT(std::string(Stylesheet()), HasSubstr("stroke-dasharray"));
}

}  // namespace
}  // namespace sslpanel::console::view
