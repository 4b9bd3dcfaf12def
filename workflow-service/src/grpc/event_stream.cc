#include "workflow-service/src/grpc/event_stream.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/drain.h"
#include "common/grpc/status.h"
#include "common/log/log.h"
#include "workflow-service/src/domain/event_types.h"
#include "workflow-service/src/grpc/convert.h"
#include "workflow-service/src/grpc/resume_token.h"
#include "workflow-service/src/grpc/workflow_service.h"

namespace sslpanel::workflow::grpc_api {

using Response = v1::WatchOrderEventsResponse;

// One stream. Owned by a shared_ptr of its own from creation until OnDone
// (gRPC holds a raw pointer meanwhile); queued reads hold more, so a read
// that finishes after the stream ended finds it finished and does nothing.
class EventStreams::Watcher final : public grpc::ServerWriteReactor<Response>,
                                    public std::enable_shared_from_this<Watcher> {
 public:
  Watcher(EventStreams& hub, app::EventFilter filter, bool include_order)
      : hub_(hub),
        filter_(std::move(filter)),
        fingerprint_(FilterFingerprint(filter_.order_id, filter_.external_order_id, filter_.types)),
        include_order_(include_order) {}

  // Starts reading at `position`; with `checkpoint`, first tells the client
  // the token of where it starts. `resumed`: the position came from a token
  // (checked against the database on the first read above the watermark).
  // Does nothing on a stream that already ended (a drain between Watch's
  // registration and this call).
  void Begin(int64_t position, bool checkpoint, bool resumed) {
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

  // Ends the stream with `status` (after the write in flight, if any).
  void End(const grpc::Status& status) {
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

  // On a reader thread: the next batch, or park until the feed moves.
  void Read() {
    int64_t position;
    bool verify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_ || finishing_) {
        return;
      }
      position = read_pos_;
      verify = verify_position_;
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

  // For the waiter: whether a checkpoint is due although the feed did not
  // move past `position`.
  bool CheckpointDue(absl::Time now) {
    std::lock_guard<std::mutex> lock(mu_);
    return CheckpointDueLocked(now);
  }

  void OnWriteDone(bool ok) override {
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

  void OnCancel() override { End(grpc::Status::CANCELLED); }

  void OnDone() override {
    hub_.Forget(this);
    std::shared_ptr<Watcher> self;
    {
      std::lock_guard<std::mutex> lock(mu_);
      self = std::move(self_);
    }
    // `self` may be the last owner: this goes with it.
  }

  std::shared_ptr<Watcher> self_;

 private:
  // A filtered stream that moved past events it does not want tells the
  // client so every checkpoint_interval; any stream with nothing sent for
  // keepalive_interval hears from us (idle timeouts).
  bool CheckpointDueLocked(absl::Time now) const {
    return (read_pos_ > sent_pos_ && now - last_send_ >= hub_.options_.checkpoint_interval) ||
           now - last_send_ >= hub_.options_.keepalive_interval;
  }

  Response CheckpointLocked(absl::Time now) {
    Response r;
    r.set_resume_token(MakeResumeToken(hub_.installation_id_, read_pos_, fingerprint_));
    sent_pos_ = read_pos_;
    last_send_ = now;
    return r;
  }

  // The order as of `e` from its snapshot; none when it is no longer kept
  // (retention) or cannot be decoded (logged).
  absl::Status AttachOrder(const app::CommittedEvent& e, Response& r) {
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

  // Writes the front of the queue; `lock` is held and released.
  void WriteNextLocked(std::unique_lock<std::mutex>& lock) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    write_in_flight_ = true;
    lock.unlock();
    StartWrite(&current_);
  }

  EventStreams& hub_;
  const app::EventFilter filter_;
  const uint64_t fingerprint_;  // of filter_, in every token
  const bool include_order_;
  std::mutex mu_;
  bool write_in_flight_ = false;
  bool finishing_ = false;
  bool finished_ = false;
  grpc::Status pending_status_;
  std::deque<Response> queue_;
  Response current_;
  int64_t read_pos_ = 0;          // every matching event at or below it was read
  int64_t sent_pos_ = 0;          // the position of the last token sent
  bool verify_position_ = false;  // a token's position not yet checked
  absl::Time last_send_;
};

namespace {

// A stream that fails at once.
class Refusal final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit Refusal(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<Response>* WorkflowServiceImpl::WatchOrderEvents(
    grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request) {
  if (event_streams_ == nullptr) {
    return new Refusal(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "WatchOrderEvents is not served here"));
  }
  return event_streams_->Watch(context, request);
}

EventStreams::EventStreams(app::EventFeed& feed, std::string installation_id,
                           EventStreamOptions options)
    : feed_(feed), installation_id_(std::move(installation_id)), options_(options) {
  for (int i = 0; i < std::max(1, options_.read_threads); ++i) {
    threads_.emplace_back([this] { ReadLoop(); });
  }
  threads_.emplace_back([this] { WaitLoop(); });
}

EventStreams::~EventStreams() {
  Shutdown();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_all();
  parked_.notify_all();
  for (std::thread& t : threads_) {
    t.join();
  }
}

grpc::ServerWriteReactor<Response>* EventStreams::Watch(
    grpc::CallbackServerContext*, const v1::WatchOrderEventsRequest* request) {
  app::EventFilter filter;
  if (!request->order_id().empty()) {
    auto id = ParseId("order_id", request->order_id());
    if (!id.ok()) {
      return new Refusal(grpc_util::ToGrpc(id.status()));
    }
    filter.order_id = *id;
  }
  if (request->external_order_id().size() > 64) {
    return new Refusal(
        grpc_util::ToGrpc(absl::InvalidArgumentError("external_order_id: at most 64 characters")));
  }
  filter.external_order_id = request->external_order_id();
  filter.types.assign(request->event_types().begin(), request->event_types().end());
  if (absl::Status types = domain::CheckEventTypes("event_types", filter.types); !types.ok()) {
    return new Refusal(grpc_util::ToGrpc(types));
  }
  std::sort(filter.types.begin(), filter.types.end());
  filter.types.erase(std::unique(filter.types.begin(), filter.types.end()), filter.types.end());

  if (request->include_order() && !snapshots_) {
    return new Refusal(
        grpc_util::ToGrpc(absl::InvalidArgumentError("include_order: not available yet")));
  }

  int64_t position = 0;
  const bool resumed = !request->resume_token().empty();
  if (resumed) {
    // The token must carry these very filters: its position may lie past
    // events it did not want, which other filters would miss.
    auto parsed = ParseResumeToken(
        request->resume_token(), installation_id_,
        FilterFingerprint(filter.order_id, filter.external_order_id, filter.types));
    if (!parsed.ok()) {
      return new Refusal(grpc_util::ToGrpc(parsed.status()));
    }
    position = *parsed;
  } else if (request->start() != v1::WATCH_START_EARLIEST) {
    if (request->start() != v1::WATCH_START_NOW &&
        request->start() != v1::WATCH_START_UNSPECIFIED) {
      return new Refusal(grpc_util::ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("start: unknown value ", static_cast<int>(request->start())))));
    }
    auto watermark = feed_.Watermark();
    if (!watermark.ok()) {
      return new Refusal(grpc_util::ToGrpc(watermark.status()));
    }
    position = *watermark;
  }

  auto watcher = std::make_shared<Watcher>(*this, std::move(filter), request->include_order());
  watcher->self_ = watcher;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      watcher->self_.reset();
      return new Refusal(grpc_util::Drain::Unavailable());
    }
    if (static_cast<int>(open_.size()) >= options_.max_streams) {
      watcher->self_.reset();
      return new Refusal(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("WatchOrderEvents: this replica already serves ", options_.max_streams,
                       " streams (--max_event_streams); retry later or on another replica")));
    }
    open_[watcher.get()] = watcher;
  }
  watcher->Begin(position, /*checkpoint=*/!resumed, resumed);
  return watcher.get();
}

void EventStreams::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    for (auto& [raw, weak] : open_) {
      if (auto w = weak.lock()) {
        open.push_back(std::move(w));
      }
    }
    queue_.clear();
    waiting_.clear();
  }
  for (const auto& w : open) {
    w->End(grpc_util::Drain::Unavailable());
  }
}

int EventStreams::open_streams() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(open_.size());
}

void EventStreams::Schedule(std::shared_ptr<Watcher> watcher) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      return;
    }
    queue_.push_back(std::move(watcher));
  }
  work_.notify_one();
}

void EventStreams::Park(std::shared_ptr<Watcher> watcher, int64_t position) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      return;
    }
    Watcher* raw = watcher.get();
    waiting_[raw] = {std::move(watcher), position};
  }
  parked_.notify_one();
}

void EventStreams::Forget(Watcher* watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(watcher);
  waiting_.erase(watcher);
}

void EventStreams::ReadLoop() {
  while (true) {
    std::shared_ptr<Watcher> next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) {
        return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    next->Read();
  }
}

void EventStreams::WaitLoop() {
  while (true) {
    int64_t lowest = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      parked_.wait(lock, [&] { return stop_ || !waiting_.empty(); });
      if (stop_) {
        return;
      }
      lowest = waiting_.begin()->second.second;
      for (const auto& [raw, entry] : waiting_) {
        lowest = std::min(lowest, entry.second);
      }
    }
    // Short slices: checkpoints fall due and new streams park meanwhile.
    auto watermark = feed_.WaitBeyond(lowest, absl::Now() + absl::Milliseconds(250));
    if (!watermark.ok()) {
      // The feed stopped: the process is going down.
      std::unique_lock<std::mutex> lock(mu_);
      parked_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_; });
      continue;
    }
    const absl::Time now = absl::Now();
    std::vector<std::shared_ptr<Watcher>> ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->second.second < *watermark || it->second.first->CheckpointDue(now)) {
          ready.push_back(std::move(it->second.first));
          it = waiting_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& w : ready) {
      Schedule(std::move(w));
    }
  }
}

}  // namespace sslpanel::workflow::grpc_api
