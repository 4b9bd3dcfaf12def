#include "workflow-service/src/grpc/event_stream.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/drain.h"
#include "common/grpc/status.h"
#include "workflow-service/src/domain/event_types.h"
#include "workflow-service/src/grpc/convert.h"
#include "workflow-service/src/grpc/event_stream_watcher.h"
#include "workflow-service/src/grpc/resume_token.h"
#include "workflow-service/src/grpc/workflow_service.h"

namespace sslpanel::workflow::grpc_api {

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
  bool now = false;  // the watermark, taken on a reader thread (it may wait)
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
    // Not here: this is a gRPC callback thread, and the start "now" may
    // wait for the feed to read this process's last commits.
    now = true;
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
  if (now) {
    watcher->BeginNow();
  } else {
    watcher->Begin(position, /*checkpoint=*/!resumed, resumed);
  }
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
