#include "workflow-service/src/domain/picture.h"

#include "gtest/gtest.h"
#include "workflow-service/src/domain/test_orders.h"

namespace sslpanel::workflow::domain {
namespace {

using testing::MustApply;

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);
absl::Time Min(int m) { return kT0 + absl::Minutes(m); }

const PictureArrow& Arrow(const Picture& p, CertificateStatus from, CertificateStatus to) {
  for (const PictureArrow& a : p.arrows) {
    if (a.from == from && a.to == to) return a;
  }
  ADD_FAILURE() << "no arrow";
  return p.arrows[0];
}

const PictureNode& Node(const Picture& p, CertificateStatus status) {
  for (const PictureNode& n : p.nodes) {
    if (n.status == status) return n;
  }
  ADD_FAILURE() << "no node";
  return p.nodes[0];
}

TEST(Picture, RequestedArrowMarkedWhileHeldThenTaken) {
  std::vector<Event> events;
  auto created = CreateOrder(testing::DvOrderData(), false, testing::At(kT0));
  ASSERT_TRUE(created.ok());
  events = created->events;
  Order order = created->order;
  Picture held = DrawWorkflow(order.certificates[0], events);
  EXPECT_EQ(Arrow(held, CertificateStatus::kOpen, CertificateStatus::kRequested).state,
            ArrowState::kMarked);
  EXPECT_EQ(Arrow(held, CertificateStatus::kOpen, CertificateStatus::kRequested).marked_at, kT0);
  EXPECT_TRUE(Node(held, CertificateStatus::kOpen).current);

  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Min(5), &events);
  Picture requested = DrawWorkflow(order.certificates[0], events);
  const PictureArrow& arrow =
      Arrow(requested, CertificateStatus::kOpen, CertificateStatus::kRequested);
  EXPECT_EQ(arrow.state, ArrowState::kTaken);
  EXPECT_EQ(arrow.taken_at, Min(5));
  EXPECT_EQ(Node(requested, CertificateStatus::kRequested).entered_at, Min(5));
  EXPECT_EQ(Node(requested, CertificateStatus::kOpen).entered_at, kT0);
}

TEST(Picture, CancelArrowMarkedFromActiveThenRevoked) {
  std::vector<Event> events;
  auto created = CreateOrder(testing::DvOrderData(), false, testing::At(kT0));
  events = created->events;
  Order order = created->order;
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Min(1), &events);
  order = MustApply(order, 0,
                    command::CaIssued{testing::Issued(Min(2), Min(2) + absl::Hours(9000)), "ok"},
                    Min(2), &events);
  order = MustApply(order, 0, command::Cancel{""}, Min(3), &events);
  Picture marked = DrawWorkflow(order.certificates[0], events);
  EXPECT_EQ(Arrow(marked, CertificateStatus::kActive, CertificateStatus::kRevoked).state,
            ArrowState::kMarked);
  EXPECT_EQ(Arrow(marked, CertificateStatus::kActive, CertificateStatus::kRevoked).marked_at,
            Min(3));
  EXPECT_EQ(Arrow(marked, CertificateStatus::kRequested, CertificateStatus::kActive).state,
            ArrowState::kTaken);
  order = MustApply(order, 0, command::CaCancelled{"revoked"}, Min(4), &events);
  Picture revoked = DrawWorkflow(order.certificates[0], events);
  EXPECT_EQ(Arrow(revoked, CertificateStatus::kActive, CertificateStatus::kRevoked).state,
            ArrowState::kTaken);
  EXPECT_EQ(Arrow(revoked, CertificateStatus::kActive, CertificateStatus::kRevoked).taken_at,
            Min(4));
  EXPECT_TRUE(Node(revoked, CertificateStatus::kRevoked).current);
  EXPECT_FALSE(Node(revoked, CertificateStatus::kExpired).reached);
}

TEST(Picture, RefusedCancelClearsTheMark) {
  std::vector<Event> events;
  auto created = CreateOrder(testing::DvOrderData(), false, testing::At(kT0));
  events = created->events;
  Order order = created->order;
  order = MustApply(order, 0, command::CaAccepted{1, "CA-1", "pending"}, Min(1), &events);
  order = MustApply(order, 0, command::Cancel{""}, Min(2), &events);
  order = MustApply(order, 0, command::CaCancelRefused{"too late"}, Min(3), &events);
  Picture picture = DrawWorkflow(order.certificates[0], events);
  const PictureArrow& cancel =
      Arrow(picture, CertificateStatus::kRequested, CertificateStatus::kRejected);
  EXPECT_EQ(cancel.state, ArrowState::kIdle);
  EXPECT_FALSE(cancel.marked_at.has_value());
}

}  // namespace
}  // namespace sslpanel::workflow::domain
