#include "console/src/view/picture.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sslpanel::console::view {
namespace {

// Grid cells of the panel's drawing: the main line on row 0, the terminal
// side branches under the status they leave.
struct Cell {
  int column;
  int row;
};
const std::map<std::string, Cell>& Cells() {
  static const auto* cells = new std::map<std::string, Cell>{
      {"OPEN", {0, 0}},     {"REQUESTED", {1, 0}}, {"ACTIVE", {2, 0}},  {"EXPIRED", {3, 0}},
      {"REJECTED", {1, 1}}, {"REVOKED", {2, 1}},   {"RENEWED", {3, 1}},
  };
  return *cells;
}

constexpr int kMargin = 24;
constexpr int kColumnStep = 170;
constexpr int kRowStep = 120;
constexpr int kBoxWidth = 120;
constexpr int kBoxHeight = 44;
constexpr int kTop = 28;  // room for a marked arrow's label above row 0

std::string StateName(ArrowState state) {
  switch (state) {
    case ArrowState::kMarked:
      return "marked";
    case ArrowState::kTaken:
      return "taken";
    case ArrowState::kIdle:
      break;
  }
  return "idle";
}

std::string ArrowTitle(const PictureArrow& arrow) {
  std::string title =
      absl::StrCat(arrow.name, " (", Humanize(arrow.from), " to ", Humanize(arrow.to), "): ");
  switch (arrow.state) {
    case ArrowState::kMarked:
      absl::StrAppend(&title, "marked",
                      arrow.marked_at ? absl::StrCat(" ", FormatUtc(*arrow.marked_at)) : "",
                      ", waiting");
      break;
    case ArrowState::kTaken:
      absl::StrAppend(&title, "taken",
                      arrow.taken_at ? absl::StrCat(" ", FormatUtc(*arrow.taken_at)) : "");
      break;
    case ArrowState::kIdle:
      absl::StrAppend(&title, "not taken");
      break;
  }
  return title;
}

}  // namespace

std::string FormatUtc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", time, absl::UTCTimeZone());
}

std::string Humanize(const std::string& short_name) {
  std::string out;
  out.reserve(short_name.size());
  for (size_t i = 0; i < short_name.size(); ++i) {
    const char c = short_name[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (i == 0) {
      out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
    } else {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
  }
  return out;
}

SvgPicture LayoutPicture(const PictureInput& input) {
  SvgPicture picture;
  picture.width = 2 * kMargin + 3 * kColumnStep + kBoxWidth;
  picture.height = kTop + kRowStep + kBoxHeight + kMargin;

  std::map<std::string, SvgBox> placed;
  std::string current_label;
  for (const PictureNode& node : input.nodes) {
    auto cell = Cells().find(node.status);
    if (cell == Cells().end()) {
      continue;
    }
    SvgBox box;
    box.status = node.status;
    box.label = Humanize(node.status);
    box.reached = node.reached || node.current;
    box.current = node.current;
    box.css_class =
        absl::StrCat("node", box.reached ? " reached" : "", box.current ? " current" : "");
    if (node.entered_at && box.reached) {
      box.title = absl::StrCat(box.label, ": ", FormatUtc(*node.entered_at));
    } else if (box.reached) {
      box.title = absl::StrCat(box.label, ": reached, time unknown");
    } else {
      box.title = absl::StrCat(box.label, ": not reached");
    }
    box.x = kMargin + cell->second.column * kColumnStep;
    box.y = kTop + cell->second.row * kRowStep;
    box.width = kBoxWidth;
    box.height = kBoxHeight;
    box.text_x = box.x + kBoxWidth / 2;
    box.text_y = box.y + kBoxHeight / 2 + 5;
    if (box.current) {
      current_label = box.label;
    }
    placed[box.status] = box;
    picture.boxes.push_back(box);
  }

  std::vector<std::string> marked;
  for (const PictureArrow& arrow : input.arrows) {
    auto from = placed.find(arrow.from);
    auto to = placed.find(arrow.to);
    if (from == placed.end() || to == placed.end()) {
      continue;
    }
    const SvgBox& a = from->second;
    const SvgBox& b = to->second;
    SvgArrow out;
    out.name = arrow.name;
    out.from = arrow.from;
    out.to = arrow.to;
    out.state = StateName(arrow.state);
    out.css_class = absl::StrCat("arrow ", out.state);
    out.title = ArrowTitle(arrow);
    if (a.y == b.y) {  // along the main line
      out.x1 = a.x + a.width;
      out.y1 = a.y + a.height / 2;
      out.x2 = b.x;
      out.y2 = b.y + b.height / 2;
    } else if (a.x == b.x) {  // straight down to a side branch
      out.x1 = a.x + a.width / 2;
      out.y1 = a.y + a.height;
      out.x2 = b.x + b.width / 2;
      out.y2 = b.y;
    } else {  // diagonally down (Open to Rejected, Active to Renewed)
      out.x1 = a.x + a.width - 10;
      out.y1 = a.y + a.height;
      out.x2 = b.x + 10;
      out.y2 = b.y;
    }
    if (arrow.state == ArrowState::kMarked) {
      out.label = absl::StrCat(arrow.name, " (marked)");
      marked.push_back(arrow.name);
      // Above the row for a horizontal arrow (the gap between boxes is
      // narrower than the text), beside a vertical or diagonal one.
      if (a.y == b.y) {
        out.label_class = "arrow-label above";
        out.label_x = (out.x1 + out.x2) / 2;
        out.label_y = a.y - 8;
      } else {
        out.label_class = "arrow-label beside";
        out.label_x = (out.x1 + out.x2) / 2 + 8;
        out.label_y = (out.y1 + out.y2) / 2 + 4;
      }
    }
    picture.arrows.push_back(out);
  }
  picture.summary = absl::StrCat(
      "Current status: ", current_label.empty() ? "unknown" : current_label,
      marked.empty() ? "" : absl::StrCat("; marked arrow: ", absl::StrJoin(marked, ", ")));
  return picture;
}

}  // namespace sslpanel::console::view
