// API messages to view models: the GetWorkflow graph to the picture input,
// an order's facts, chain, report and history to the order page.
#include "console/src/grpc/to_view.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::console::grpc_glue {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::GetWorkflowResponse CancelMarked() {
  v1::GetWorkflowResponse workflow;
  workflow.set_certificate_id("c1");
  auto* open = workflow.add_nodes();
  open->set_status(v1::CERTIFICATE_STATUS_OPEN);
  open->set_reached(true);
  open->mutable_entered_at()->set_seconds(1796190200);
  auto* requested = workflow.add_nodes();
  requested->set_status(v1::CERTIFICATE_STATUS_REQUESTED);
  requested->set_reached(true);
  requested->set_current(true);
  requested->mutable_entered_at()->set_seconds(1796190231);
  auto* rejected = workflow.add_nodes();
  rejected->set_status(v1::CERTIFICATE_STATUS_REJECTED);
  auto* taken = workflow.add_arrows();
  taken->set_name("Requested");
  taken->set_from_status(v1::CERTIFICATE_STATUS_OPEN);
  taken->set_to_status(v1::CERTIFICATE_STATUS_REQUESTED);
  taken->set_state(v1::ARROW_STATE_TAKEN);
  auto* marked = workflow.add_arrows();
  marked->set_name("Cancel");
  marked->set_from_status(v1::CERTIFICATE_STATUS_REQUESTED);
  marked->set_to_status(v1::CERTIFICATE_STATUS_REJECTED);
  marked->set_state(v1::ARROW_STATE_MARKED);
  marked->mutable_marked_at()->set_seconds(1796190300);
  return workflow;
}

TEST(ToPictureInputTest, StatusesStatesAndTimes) {
  const view::PictureInput input = ToPictureInput(CancelMarked());
  ASSERT_EQ(input.nodes.size(), 3u);
  EXPECT_EQ(input.nodes[1].status, "REQUESTED");
  EXPECT_TRUE(input.nodes[1].current);
  EXPECT_EQ(input.nodes[1].entered_at, absl::FromUnixSeconds(1796190231));
  EXPECT_FALSE(input.nodes[2].entered_at.has_value()) << "an unset Timestamp is no time";
  ASSERT_EQ(input.arrows.size(), 2u);
  EXPECT_EQ(input.arrows[0].state, view::ArrowState::kTaken);
  EXPECT_EQ(input.arrows[1].state, view::ArrowState::kMarked);
  EXPECT_EQ(input.arrows[1].from, "REQUESTED");
  EXPECT_EQ(input.arrows[1].marked_at, absl::FromUnixSeconds(1796190300));
}

v1::Order ClosedOrder() {
  v1::Order order;
  order.set_order_id("o1");
  order.set_external_order_id("ext/1");
  order.set_status(v1::ORDER_STATUS_CLOSED);
  order.set_reseller_code(v1::RESELLER_CODE_FAI);
  order.mutable_organization()->set_legal_name("Test BV Donald");
  auto* cert = order.add_certificates();
  cert->set_certificate_id("c1");
  cert->set_kind(v1::CERTIFICATE_KIND_INITIAL);
  cert->set_status(v1::CERTIFICATE_STATUS_REJECTED);
  cert->set_pending_operation(v1::PENDING_OPERATION_NONE);
  cert->set_reseller_code(v1::RESELLER_CODE_FAI);
  cert->set_ca_reference("sandbox-42");
  cert->set_ca_raw_status("refused");
  cert->mutable_activation_time()->set_seconds(1796190231);
  auto* dcv = cert->add_dcv_instructions();
  dcv->set_host_name("www.example.nl");
  dcv->set_method(v1::DCV_METHOD_DNS);
  dcv->set_dns_record_name("_acme-challenge.www.example.nl");
  dcv->set_dns_record_type("TXT");
  dcv->set_dns_record_value("token");
  auto* report = order.mutable_prevalidation()->mutable_report();
  report->set_overall(prevalidation::v1::OVERALL_FAIL);
  auto* check = report->add_checks();
  check->set_code("KVK_NAME_MATCH");
  check->set_outcome(prevalidation::v1::CHECK_OUTCOME_FAIL);
  check->set_evidence("order: 'Tset B.V.'; register: 'Test BV Donald'");
  return order;
}

TEST(ToOrderPageTest, FactsChainReportAndHistory) {
  v1::Event event;
  event.set_type("CA_REFUSED");
  event.set_from_status(v1::CERTIFICATE_STATUS_REQUESTED);
  event.set_to_status(v1::CERTIFICATE_STATUS_REJECTED);
  event.mutable_occur_time()->set_seconds(1796190231);
  const view::OrderPage page = ToOrderPage(ClosedOrder(), {CancelMarked()}, {event}, true);
  EXPECT_TRUE(page.closed);
  EXPECT_THAT(page.actions, IsEmpty());
  EXPECT_EQ(page.external_href, "/orders/by-external/ext%2F1");
  EXPECT_THAT(page.facts, Contains(AllOf(Field(&view::KeyValue::key, "Reseller code"),
                                         Field(&view::KeyValue::value, "FAI"))));
  ASSERT_EQ(page.certificates.size(), 1u);
  const view::CertificateView& cert = page.certificates[0];
  EXPECT_EQ(cert.heading, "Certificate 1 of 1: Initial");
  EXPECT_EQ(cert.status, "Rejected");
  EXPECT_EQ(cert.pending, "");
  EXPECT_THAT(cert.facts,
              Contains(AllOf(Field(&view::KeyValue::key, "Activation"),
                             Field(&view::KeyValue::value, "2026-12-02 05:43:51 UTC"))));
  EXPECT_THAT(cert.facts, Contains(Field(&view::KeyValue::value, "refused")));
  EXPECT_THAT(cert.facts, Contains(Field(&view::KeyValue::value, "sandbox-42")));
  ASSERT_EQ(cert.dcv.size(), 1u);
  EXPECT_EQ(cert.dcv[0].detail, "_acme-challenge.www.example.nl TXT token");
  EXPECT_EQ(cert.picture.boxes.size(), 3u);
  EXPECT_TRUE(page.prevalidation.present);
  EXPECT_EQ(page.prevalidation.overall, "Fail");
  ASSERT_EQ(page.prevalidation.checks.size(), 1u);
  EXPECT_EQ(page.prevalidation.checks[0].outcome_class, "outcome fail");
  EXPECT_THAT(page.prevalidation.checks[0].evidence, HasSubstr("register: 'Test BV Donald'"));
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.events[0].status_change, "Requested \u2192 Rejected");
  EXPECT_THAT(page.events_note, HasSubstr("first 1 events"));
}

TEST(ToOrderPageTest, AMissingPictureIsSaidNotHidden) {
  const view::OrderPage page =
      ToOrderPage(ClosedOrder(), {absl::UnavailableError("workflow down")}, {}, false);
  EXPECT_THAT(page.certificates[0].picture_error, HasSubstr("workflow down"));
}

TEST(ToOrderRowTest, NewestCertificateAndItsMarkedArrow) {
  v1::Order order = ClosedOrder();
  auto* second = order.add_certificates();
  second->set_status(v1::CERTIFICATE_STATUS_REQUESTED);
  second->set_pending_operation(v1::PENDING_OPERATION_CANCEL);
  const view::OrderRow row = ToOrderRow(order);
  EXPECT_EQ(row.href, "/orders/o1");
  EXPECT_EQ(row.reseller_code, "FAI");
  EXPECT_EQ(row.certificate_status, "Requested (Cancel marked)");
  EXPECT_EQ(row.chain_length, "2");
}

}  // namespace
}  // namespace sslpanel::console::grpc_glue
