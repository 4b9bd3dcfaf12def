#include "workflow-service/src/domain/picture.h"

namespace sslpanel::workflow::domain {
namespace {

using S = CertificateStatus;

Picture EmptyPicture() {
  Picture picture;
  for (S status :
       {S::kOpen, S::kRequested, S::kActive, S::kExpired, S::kRejected, S::kRevoked, S::kRenewed}) {
    picture.nodes.push_back({status});
  }
  picture.arrows = {
      {"Requested", S::kOpen, S::kRequested}, {"Activate", S::kRequested, S::kActive},
      {"Expire", S::kActive, S::kExpired},    {"Cancel", S::kRequested, S::kRejected},
      {"Cancel", S::kActive, S::kRevoked},    {"Renew", S::kActive, S::kRenewed},
      {"Cancel", S::kOpen, S::kRejected},
  };
  return picture;
}

PictureArrow* FindArrow(Picture& picture, S from, S to) {
  for (PictureArrow& arrow : picture.arrows) {
    if (arrow.from == from && arrow.to == to) {
      return &arrow;
    }
  }
  return nullptr;
}

// The arrow a pending operation marks in a given status.
PictureArrow* MarkedArrow(Picture& picture, S status, PendingOperation pending) {
  if (pending == PendingOperation::kRequest && status == S::kOpen) {
    return FindArrow(picture, S::kOpen, S::kRequested);
  }
  if (pending == PendingOperation::kCancel && status == S::kRequested) {
    return FindArrow(picture, S::kRequested, S::kRejected);
  }
  if (pending == PendingOperation::kCancel && status == S::kActive) {
    return FindArrow(picture, S::kActive, S::kRevoked);
  }
  return nullptr;
}

}  // namespace

Picture DrawWorkflow(const Certificate& certificate, const std::vector<Event>& events) {
  Picture picture = EmptyPicture();
  for (const Event& event : events) {
    const bool status_changed =
        !event.from_status.has_value() || *event.from_status != event.to_status;
    if (status_changed) {
      for (PictureNode& node : picture.nodes) {
        if (node.status == event.to_status) {
          node.reached = true;
          node.entered_at = event.at;
        }
      }
      if (event.from_status.has_value()) {
        if (PictureArrow* arrow = FindArrow(picture, *event.from_status, event.to_status)) {
          arrow->taken_at = event.at;
        }
      }
    }
    if (event.to_pending != event.from_pending || status_changed) {
      if (PictureArrow* arrow = MarkedArrow(picture, event.to_status, event.to_pending);
          arrow != nullptr &&
          (event.from_pending != event.to_pending || !arrow->marked_at.has_value())) {
        arrow->marked_at = event.at;
      }
    }
  }
  PictureArrow* marked = MarkedArrow(picture, certificate.status, certificate.pending);
  for (PictureArrow& arrow : picture.arrows) {
    if (arrow.taken_at.has_value()) {
      arrow.state = ArrowState::kTaken;
    } else if (&arrow == marked) {
      arrow.state = ArrowState::kMarked;
    } else {
      arrow.state = ArrowState::kIdle;
      arrow.marked_at.reset();  // a mark that was withdrawn (refused cancel)
    }
  }
  for (PictureNode& node : picture.nodes) {
    node.current = node.status == certificate.status;
  }
  return picture;
}

std::vector<StatusTime> StatusHistory(const std::vector<Event>& events) {
  std::vector<StatusTime> history;
  for (const Event& event : events) {
    if (!event.from_status.has_value() || *event.from_status != event.to_status) {
      history.push_back({event.to_status, event.at});
    }
  }
  return history;
}

}  // namespace sslpanel::workflow::domain
