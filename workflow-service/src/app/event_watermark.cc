#include "workflow-service/src/app/event_watermark.h"

#include <algorithm>
#include <utility>

namespace sslpanel::workflow::app {

std::optional<std::set<uint64_t>> WatermarkFollower::Writers() {
  if (!can_prove_) {
    return std::nullopt;
  }
  auto writers = source_.OpenWriters();
  if (!writers.ok()) {
    if (writers.status().code() == absl::StatusCode::kPermissionDenied) {
      can_prove_ = false;
    }
    return std::nullopt;  // any other error: try again next round
  }
  return *std::move(writers);
}

bool WatermarkFollower::Ended(const Proof& proof) {
  if (proof.writers.empty()) {
    return true;
  }
  std::optional<std::set<uint64_t>> open = Writers();
  if (!open.has_value()) {
    return false;
  }
  // Transaction ids are never reused: absent now means ended.
  return std::none_of(proof.writers.begin(), proof.writers.end(),
                      [&](uint64_t id) { return open->count(id) > 0; });
}

absl::Status WatermarkFollower::Start(absl::Time now, std::optional<UnprovenStart>& unproven) {
  if (!start_bound_.has_value()) {
    auto max_id = source_.MaxId();
    if (!max_id.ok()) {
      return max_id.status();
    }
    start_bound_ = *max_id;
    start_since_ = now;
  }
  // Every id at or below the highest was taken before it was read: settled
  // once the writers open after that read have ended.
  // (One listing per round: the server refreshes its listing only when
  // nobody read it for 100 ms.)
  bool ended = false;
  if (!start_proof_.has_value()) {
    if (std::optional<std::set<uint64_t>> writers = Writers(); writers.has_value()) {
      start_proof_ = Proof{*start_bound_, *std::move(writers)};
      ended = start_proof_->writers.empty();
    }
  } else {
    ended = Ended(*start_proof_);
  }
  if (ended) {
    watermark_ = *start_bound_;
    started_ = true;
  } else if (!can_prove_ || now - start_since_ >= options_.start_timeout) {
    watermark_ = std::max<int64_t>(0, *start_bound_ - options_.start_window);
    started_ = true;
    // Ids at or below the new watermark are passed over unproven: reported
    // (the caller logs it as an error and counts it).
    unproven = UnprovenStart{watermark_, *start_bound_, can_prove_, now - start_since_};
  }
  if (started_) {
    start_proof_.reset();
    start_bound_.reset();
  }
  return absl::OkStatus();
}

void WatermarkFollower::Advance(const std::vector<VisibleId>& ids) {
  for (const VisibleId& v : ids) {
    if (v.id == watermark_ + 1) {
      ++watermark_;
    } else if (v.id > watermark_) {
      break;
    }
  }
  holes_.erase(holes_.begin(), holes_.upper_bound(watermark_));
}

absl::StatusOr<StepResult> WatermarkFollower::Step(absl::Time now) {
  StepResult result;
  if (!started_) {
    if (absl::Status status = Start(now, result.unproven_start); !status.ok()) {
      return status;
    }
    if (!started_) {
      result.watermark = watermark_;
      result.gap_open = true;  // poll again soon
      return result;
    }
  }
  const int64_t read_from = watermark_;
  auto ids = source_.IdsAfter(watermark_, options_.read_limit);
  if (!ids.ok()) {
    return ids.status();
  }
  Advance(*ids);

  // The holes this read shows, each with the earliest time it is known to
  // have been missing since: when first seen, or (without a proof to wait
  // for) when the row above it was recorded, if earlier.
  std::map<int64_t, Hole> holes;
  int64_t previous = watermark_;
  for (const VisibleId& v : *ids) {
    if (v.id <= watermark_) {
      continue;
    }
    if (v.id > previous + 1) {
      const int64_t from = previous + 1;
      absl::Time since = can_prove_ ? now : std::min(now, v.recorded_at);
      auto known = holes_.upper_bound(from);
      if (known != holes_.begin() && std::prev(known)->second.to >= from) {
        since = std::min(since, std::prev(known)->second.since);
      }
      holes[from] = Hole{v.id - 1, since};
    }
    previous = v.id;
  }
  holes_ = std::move(holes);
  const int64_t top = previous;

  // The proof of the holes up to `top`.
  if (proof_.has_value()) {
    if (Ended(*proof_)) {
      watermark_ = std::max(watermark_, proof_->bound);
      proof_.reset();
      Advance(*ids);
    }
  } else if (top > watermark_ && std::any_of(holes_.begin(), holes_.end(), [&](const auto& h) {
               return now - h.second.since >= options_.proof_delay;
             })) {
    // Listed only once a hole outlived proof_delay: most close by their
    // commit before that, and the listing is contended server-wide.
    if (std::optional<std::set<uint64_t>> writers = Writers(); writers.has_value()) {
      proof_ = Proof{top, *std::move(writers)};
      if (proof_->writers.empty()) {
        watermark_ = top;
        proof_.reset();
        Advance(*ids);
      }
    }
  }

  // Holes past their time are skipped, oldest first.
  while (!holes_.empty() && holes_.begin()->first == watermark_ + 1 &&
         now - holes_.begin()->second.since >= options_.gap_timeout) {
    const auto [from, hole] = *holes_.begin();
    result.skipped.push_back(SkippedGap{from, hole.to, now - hole.since});
    watermark_ = hole.to;
    Advance(*ids);
  }
  if (proof_.has_value() && proof_->bound <= watermark_) {
    proof_.reset();
  }
  result.watermark = watermark_;
  result.gap_open = !holes_.empty() || proof_.has_value();
  result.behind = static_cast<int>(ids->size()) >= options_.read_limit && watermark_ > read_from;
  return result;
}

}  // namespace sslpanel::workflow::app
