// The workflow picture of one certificate laid out like the SSL Panel drew it
// (Open -> Requested -> Active -> Expired in a row; Rejected, Revoked and
// Renewed below): pure geometry and labels from plain data, so the layout is
// tested without gRPC and drawn by a template that escapes every value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sslpanel::console::view {

enum class ArrowState { kIdle, kMarked, kTaken };

// Input: what GetWorkflow returns, with statuses as their short names
// ("OPEN", "REQUESTED", "ACTIVE", "EXPIRED", "REJECTED", "REVOKED", "RENEWED").
struct PictureNode {
  std::string status;
  bool reached = false;
  bool current = false;
  std::optional<absl::Time> entered_at;
};

struct PictureArrow {
  std::string name;  // "Requested", "Activate", "Cancel", "Expire", "Renew"
  std::string from;
  std::string to;
  ArrowState state = ArrowState::kIdle;
  std::optional<absl::Time> marked_at;
  std::optional<absl::Time> taken_at;
};

struct PictureInput {
  std::vector<PictureNode> nodes;
  std::vector<PictureArrow> arrows;
};

// Output: boxes and arrows in SVG user units, with the CSS classes and the
// hover text (<title>) of each.
struct SvgBox {
  std::string status;     // "ACTIVE"
  std::string label;      // "Active"
  std::string css_class;  // "node reached current"
  std::string title;      // "Active: 2026-12-02 05:43:51 UTC"
  bool reached = false;
  bool current = false;
  int x = 0, y = 0, width = 0, height = 0;
  int text_x = 0, text_y = 0;
};

struct SvgArrow {
  std::string name;
  std::string from;
  std::string to;
  std::string state;        // "idle", "marked", "taken"
  std::string css_class;    // "arrow marked"
  std::string title;        // "Cancel: marked 2026-12-02 05:43:51 UTC"
  std::string label;        // drawn next to a marked arrow: "Cancel (marked)"; else empty
  std::string label_class;  // "arrow-label above" (centred) or "arrow-label beside"
  int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  int label_x = 0, label_y = 0;
};

struct SvgPicture {
  int width = 0;
  int height = 0;
  std::vector<SvgBox> boxes;
  std::vector<SvgArrow> arrows;
  // One sentence for screen readers: "Current status: Requested; marked: Cancel".
  std::string summary;
};

// Lays out the picture. Statuses the layout does not know are left out (a
// newer API may add some), and so are arrows that touch them.
SvgPicture LayoutPicture(const PictureInput& input);

// "2026-12-02 05:43:51 UTC": how the console writes every time.
std::string FormatUtc(absl::Time time);

// "Active" for "ACTIVE", "Cancel pending" style words for enum short names:
// the first letter upper case, the rest lower case, underscores as spaces.
std::string Humanize(const std::string& short_name);

}  // namespace sslpanel::console::view
