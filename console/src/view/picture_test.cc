// The picture layout: which box is reached or current, which arrow is marked
// or taken, the hover texts and the time format the panel showed.
#include "console/src/view/picture.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::console::view {
namespace {

using ::testing::HasSubstr;

const absl::Time kRequestedAt = absl::FromUnixSeconds(1796190231);  // 2026-12-02 05:43:51 UTC

PictureInput AllNodes() {
  PictureInput input;
  for (const char* status :
       {"OPEN", "REQUESTED", "ACTIVE", "EXPIRED", "REJECTED", "REVOKED", "RENEWED"}) {
    input.nodes.push_back({status, false, false, std::nullopt});
  }
  input.arrows = {
      {"Requested", "OPEN", "REQUESTED", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Activate", "REQUESTED", "ACTIVE", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Expire", "ACTIVE", "EXPIRED", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Cancel", "OPEN", "REJECTED", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Cancel", "REQUESTED", "REJECTED", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Cancel", "ACTIVE", "REVOKED", ArrowState::kIdle, std::nullopt, std::nullopt},
      {"Renew", "ACTIVE", "RENEWED", ArrowState::kIdle, std::nullopt, std::nullopt},
  };
  return input;
}

const SvgBox& Box(const SvgPicture& picture, const std::string& status) {
  for (const SvgBox& box : picture.boxes) {
    if (box.status == status) {
      return box;
    }
  }
  ADD_FAILURE() << "no box " << status;
  static const SvgBox none;
  return none;
}

const SvgArrow& Arrow(const SvgPicture& picture, const std::string& from, const std::string& to) {
  for (const SvgArrow& arrow : picture.arrows) {
    if (arrow.from == from && arrow.to == to) {
      return arrow;
    }
  }
  ADD_FAILURE() << "no arrow " << from << " -> " << to;
  static const SvgArrow none;
  return none;
}

TEST(FormatUtcTest, WritesThePanelsFormat) {
  EXPECT_EQ(FormatUtc(kRequestedAt), "2026-12-02 05:43:51 UTC");
  // Sub-second parts are dropped, not rounded up.
  EXPECT_EQ(FormatUtc(kRequestedAt + absl::Milliseconds(999)), "2026-12-02 05:43:51 UTC");
}

TEST(HumanizeTest, WordsFromEnumNames) {
  EXPECT_EQ(Humanize("ACTIVE"), "Active");
  EXPECT_EQ(Humanize("OVERRIDE_PREVALIDATION"), "Override prevalidation");
  EXPECT_EQ(Humanize(""), "");
}

TEST(LayoutPictureTest, RequestedWithCancelMarked) {
  PictureInput input = AllNodes();
  input.nodes[0] = {"OPEN", true, false, kRequestedAt - absl::Seconds(5)};
  input.nodes[1] = {"REQUESTED", true, true, kRequestedAt};
  input.arrows[0].state = ArrowState::kTaken;
  input.arrows[0].taken_at = kRequestedAt;
  input.arrows[4].state = ArrowState::kMarked;
  input.arrows[4].marked_at = kRequestedAt + absl::Seconds(60);
  const SvgPicture picture = LayoutPicture(input);

  ASSERT_EQ(picture.boxes.size(), 7u);
  ASSERT_EQ(picture.arrows.size(), 7u);
  const SvgBox& requested = Box(picture, "REQUESTED");
  EXPECT_TRUE(requested.current);
  EXPECT_EQ(requested.css_class, "node reached current");
  EXPECT_EQ(requested.title, "Requested: 2026-12-02 05:43:51 UTC");
  EXPECT_EQ(Box(picture, "OPEN").css_class, "node reached");
  EXPECT_EQ(Box(picture, "OPEN").title, "Open: 2026-12-02 05:43:46 UTC");
  EXPECT_EQ(Box(picture, "ACTIVE").css_class, "node");
  EXPECT_EQ(Box(picture, "ACTIVE").title, "Active: not reached");

  const SvgArrow& cancel = Arrow(picture, "REQUESTED", "REJECTED");
  EXPECT_EQ(cancel.state, "marked");
  EXPECT_EQ(cancel.css_class, "arrow marked");
  EXPECT_EQ(cancel.label, "Cancel (marked)") << "a marked arrow is labelled, not only coloured";
  EXPECT_THAT(cancel.title, HasSubstr("marked 2026-12-02 05:44:51 UTC"));
  const SvgArrow& requested_arrow = Arrow(picture, "OPEN", "REQUESTED");
  EXPECT_EQ(requested_arrow.state, "taken");
  EXPECT_TRUE(requested_arrow.label.empty());
  EXPECT_THAT(requested_arrow.title, HasSubstr("taken 2026-12-02 05:43:51 UTC"));
  EXPECT_EQ(Arrow(picture, "ACTIVE", "REVOKED").state, "idle");
  EXPECT_EQ(picture.summary, "Current status: Requested; marked arrow: Cancel");
}

TEST(LayoutPictureTest, LaidOutLikeThePanel) {
  const SvgPicture picture = LayoutPicture(AllNodes());
  const SvgBox& open = Box(picture, "OPEN");
  const SvgBox& requested = Box(picture, "REQUESTED");
  const SvgBox& active = Box(picture, "ACTIVE");
  const SvgBox& expired = Box(picture, "EXPIRED");
  // The main line, left to right on one row.
  EXPECT_EQ(open.y, requested.y);
  EXPECT_EQ(requested.y, active.y);
  EXPECT_EQ(active.y, expired.y);
  EXPECT_LT(open.x, requested.x);
  EXPECT_LT(requested.x, active.x);
  EXPECT_LT(active.x, expired.x);
  // The terminal branches below the status they leave; Renewed beside Expired.
  EXPECT_EQ(Box(picture, "REJECTED").x, requested.x);
  EXPECT_GT(Box(picture, "REJECTED").y, requested.y);
  EXPECT_EQ(Box(picture, "REVOKED").x, active.x);
  EXPECT_EQ(Box(picture, "RENEWED").x, expired.x);
  EXPECT_GT(Box(picture, "RENEWED").y, expired.y);
  // Everything inside the drawing.
  for (const SvgBox& box : picture.boxes) {
    EXPECT_GE(box.x, 0);
    EXPECT_LE(box.x + box.width, picture.width);
    EXPECT_LE(box.y + box.height, picture.height);
  }
  // An arrow starts at its source box's edge and ends at its target's.
  const SvgArrow& activate = Arrow(picture, "REQUESTED", "ACTIVE");
  EXPECT_EQ(activate.x1, requested.x + requested.width);
  EXPECT_EQ(activate.x2, active.x);
}

TEST(LayoutPictureTest, RenewedIsShownAsRenewedNotExpired) {
  PictureInput input = AllNodes();
  input.nodes[2] = {"ACTIVE", true, false, kRequestedAt};
  input.nodes[6] = {"RENEWED", true, true, kRequestedAt + absl::Hours(1)};
  input.arrows[6].state = ArrowState::kTaken;
  const SvgPicture picture = LayoutPicture(input);
  EXPECT_TRUE(Box(picture, "RENEWED").current);
  EXPECT_EQ(Box(picture, "RENEWED").label, "Renewed");
  EXPECT_FALSE(Box(picture, "EXPIRED").reached);
  EXPECT_EQ(Arrow(picture, "ACTIVE", "EXPIRED").state, "idle");
  EXPECT_EQ(Arrow(picture, "ACTIVE", "RENEWED").state, "taken");
}

TEST(LayoutPictureTest, UnknownStatusesAndTheirArrowsAreLeftOut) {
  PictureInput input = AllNodes();
  input.nodes.push_back({"SUSPENDED", true, false, std::nullopt});
  input.arrows.push_back({"Suspend", "ACTIVE", "SUSPENDED", ArrowState::kTaken, {}, {}});
  const SvgPicture picture = LayoutPicture(input);
  EXPECT_EQ(picture.boxes.size(), 7u);
  EXPECT_EQ(picture.arrows.size(), 7u);
  EXPECT_EQ(picture.summary, "Current status: unknown");
}

TEST(LayoutPictureTest, AReachedStatusWithoutATimeSaysSo) {
  PictureInput input = AllNodes();
  input.nodes[0] = {"OPEN", true, true, std::nullopt};
  EXPECT_EQ(Box(LayoutPicture(input), "OPEN").title, "Open: reached, time unknown");
}

}  // namespace
}  // namespace sslpanel::console::view
