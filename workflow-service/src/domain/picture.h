// The workflow picture the panel draws for one certificate: boxes with the
// time each status was entered, arrows marked (waiting) or taken, with times.
// Derived from the certificate's events, so it is data any UI can draw.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::domain {

struct PictureNode {
  CertificateStatus status;
  bool reached = false;
  bool current = false;
  std::optional<absl::Time> entered_at;  // latest entry
};

enum class ArrowState { kIdle, kMarked, kTaken };

struct PictureArrow {
  std::string name;
  CertificateStatus from;
  CertificateStatus to;
  ArrowState state = ArrowState::kIdle;
  std::optional<absl::Time> marked_at;
  std::optional<absl::Time> taken_at;
};

struct Picture {
  std::vector<PictureNode> nodes;
  std::vector<PictureArrow> arrows;
};

// `events` are the certificate's own events, oldest first.
Picture DrawWorkflow(const Certificate& certificate, const std::vector<Event>& events);

// Every status the certificate has entered, with the time, oldest first.
struct StatusTime {
  CertificateStatus status;
  absl::Time entered_at;
};
std::vector<StatusTime> StatusHistory(const std::vector<Event>& events);

}  // namespace sslpanel::workflow::domain
