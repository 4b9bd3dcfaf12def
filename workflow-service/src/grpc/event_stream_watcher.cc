#include "workflow-service/src/grpc/event_stream_watcher.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/grpc/status.h"
#include "common/log/log.h"
#include "workflow-service/src/grpc/convert.h"

namespace sslpanel::workflow::grpc_api {

void EventStreams::Watcher::Begin(int64_t position, bool checkpoint, bool resumed) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_ || finishing_) {
    return;
  }
  read_pos_ = position;
  sent_pos_ = position;
  verify_position_ = resumed;
  last_send_ = absl::Now();
  if (checkpoint) {
    queue_.push_back(CheckpointLocked(last_send_));
    WriteNextLocked(lock);
    return;
  }
  lock.unlock();
  hub_.Schedule(shared_from_this());
}

void EventStreams::Watcher::BeginNow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || finishing_) {
      return;
    }
    start_now_ = true;
  }
  hub_.Schedule(shared_from_this());
}

void EventStreams::Watcher::End(const grpc::Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_ || finishing_) {
    return;
  }
  if (write_in_flight_) {
    finishing_ = true;
    pending_status_ = status;
    return;
  }
  finished_ = true;
  lock.unlock();
  Finish(status);
}

void EventStreams::Watcher::Read() {
  int64_t position;
  bool verify;
  bool start_now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || finishing_) {
      return;
    }
    position = read_pos_;
    verify = verify_position_;
    start_now = start_now_;
    start_now_ = false;
  }
  if (start_now) {
    auto start = hub_.feed_.WatermarkAfterOwnCommits();
    if (!start.ok()) {
      End(grpc_util::ToGrpc(start.status()));
      return;
    }
    Begin(*start, /*checkpoint=*/true, /*resumed=*/false);
    return;
  }
  auto watermark = hub_.feed_.Watermark();
  if (verify && watermark.ok()) {
    // A token's position above this replica's watermark is normal (another
    // replica followed further) unless it is above every id the database
    // has: a hand-made token, or a database restored to an older state.
    // That stream would wait for ids that mean other events once written.
    if (position > *watermark) {
      auto max_id = hub_.feed_.MaxId();
      if (max_id.ok() && position > *max_id) {
        End(grpc_util::ToGrpc(absl::InvalidArgumentError(
            "resume_token: ahead of this database; start again without one")));
        return;
      }
      if (!max_id.ok() && max_id.status().code() != absl::StatusCode::kUnimplemented) {
        log::Warning("WatchOrderEvents: reading the highest event id failed; the stream ends",
                     {{"error", max_id.status()}});
        End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                         "reading the events failed; resume with the last resume_token"));
        return;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    verify_position_ = false;
  }
  auto batch = hub_.feed_.ReadAfter(position, filter_, hub_.options_.batch_size);
  if (!batch.ok()) {
    log::Warning("WatchOrderEvents: reading the events failed; the stream ends",
                 {{"error", batch.status()}});
    End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                     "reading the events failed; resume with the last resume_token"));
    return;
  }
  // The responses, built here (a reader thread) with their orders: one
  // read at a time per stream, so only this thread moves read_pos_.
  const int64_t through = std::max(position, batch->through);
  std::vector<Response> responses;
  responses.reserve(batch->events.size());
  for (size_t i = 0; i < batch->events.size(); ++i) {
    const app::CommittedEvent& e = batch->events[i];
    Response r;
    ToProto(e.record, e.order_id, r.mutable_event());
    r.set_external_order_id(e.external_order_id);
    r.set_order_version(e.order_version);
    if (include_order_) {
      if (absl::Status status = AttachOrder(e, r); !status.ok()) {
        log::Warning("WatchOrderEvents: reading an order snapshot failed; the stream ends",
                     {{"error", status}});
        End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                         "reading the events failed; resume with the last resume_token"));
        return;
      }
    }
    // The last event of a batch that covered more carries that.
    const int64_t resume_at =
        i + 1 == batch->events.size() ? std::max(through, e.record.id) : e.record.id;
    r.set_resume_token(MakeResumeToken(hub_.installation_id_, resume_at, fingerprint_));
    responses.push_back(std::move(r));
  }
  const absl::Time now = absl::Now();
  std::unique_lock<std::mutex> lock(mu_);
  if (finished_ || finishing_) {
    return;
  }
  read_pos_ = std::max(read_pos_, through);
  if (!responses.empty()) {
    for (Response& r : responses) {
      queue_.push_back(std::move(r));
    }
    sent_pos_ = read_pos_;
    last_send_ = now;
    WriteNextLocked(lock);
    return;
  }
  if (CheckpointDueLocked(now)) {
    queue_.push_back(CheckpointLocked(now));
    WriteNextLocked(lock);
    return;
  }
  const int64_t at = read_pos_;
  lock.unlock();
  if (watermark.ok() && at < *watermark) {
    hub_.Schedule(shared_from_this());  // a filtered scan goes on
  } else {
    hub_.Park(shared_from_this(), at);
  }
}

bool EventStreams::Watcher::CheckpointDue(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckpointDueLocked(now);
}

void EventStreams::Watcher::OnWriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  write_in_flight_ = false;
  if (ok) {
    hub_.writes_completed_.fetch_add(1);
  }
  if (finishing_ || !ok) {
    if (finished_) {
      return;
    }
    finished_ = true;
    const grpc::Status status =
        finishing_ ? pending_status_
                   : grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    lock.unlock();
    Finish(status);
    return;
  }
  if (!queue_.empty()) {
    WriteNextLocked(lock);
    return;
  }
  lock.unlock();
  hub_.Schedule(shared_from_this());
}

void EventStreams::Watcher::OnDone() {
  hub_.Forget(this);
  std::shared_ptr<Watcher> self;
  {
    std::lock_guard<std::mutex> lock(mu_);
    self = std::move(self_);
  }
  // `self` may be the last owner: this goes with it.
}

bool EventStreams::Watcher::CheckpointDueLocked(absl::Time now) const {
  return (read_pos_ > sent_pos_ && now - last_send_ >= hub_.options_.checkpoint_interval) ||
         now - last_send_ >= hub_.options_.keepalive_interval;
}

Response EventStreams::Watcher::CheckpointLocked(absl::Time now) {
  Response r;
  r.set_resume_token(MakeResumeToken(hub_.installation_id_, read_pos_, fingerprint_));
  sent_pos_ = read_pos_;
  last_send_ = now;
  return r;
}

absl::Status EventStreams::Watcher::AttachOrder(const app::CommittedEvent& e, Response& r) {
  auto snapshot = hub_.snapshots_(e.order_id, e.order_version);
  if (!snapshot.ok()) {
    return snapshot.status();
  }
  if (snapshot->has_value() && !r.mutable_order()->ParseFromString(**snapshot)) {
    log::Warning("WatchOrderEvents: an order snapshot does not decode; sent without the order",
                 {{"order_id", e.order_id}, {"order_version", e.order_version}});
    r.clear_order();
  }
  return absl::OkStatus();
}

void EventStreams::Watcher::WriteNextLocked(std::unique_lock<std::mutex>& lock) {
  current_ = std::move(queue_.front());
  queue_.pop_front();
  write_in_flight_ = true;
  lock.unlock();
  StartWrite(&current_);
}

}  // namespace sslpanel::workflow::grpc_api
