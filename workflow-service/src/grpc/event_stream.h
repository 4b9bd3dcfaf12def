// WatchOrderEvents: a server stream on gRPC's callback API over the
// EventFeed (app/event_feed.h).
//
// Each stream holds at most one batch of responses and asks the feed for the
// next only once the last write completed (flow control: a slow client slows
// its stream, nothing piles up). Reads from the database never run on gRPC's
// threads: a small fixed pool of threads does them (each stream has at most
// one read queued), and one thread waits on the feed for the streams that
// have caught up. When the server drains (Drain::OnStart), every stream ends
// with UNAVAILABLE at once and new ones are refused: clients resume with
// their last token on another replica.
//
// A stream with no traffic for keepalive_interval gets a checkpoint (its
// current token, no event), so that load balancers' and proxies' idle
// timeouts do not cut it. At most max_streams streams are open per process;
// more are refused with RESOURCE_EXHAUSTED (try again, or another replica).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"
#include "workflow-service/src/app/event_feed.h"

namespace sslpanel::workflow::grpc_api {

struct EventStreamOptions {
  // Events read (and held) per stream at a time.
  int batch_size = 100;
  // A filtered stream that moved past unwanted events sends a checkpoint
  // (a token, no event) at most this often.
  absl::Duration checkpoint_interval = absl::Seconds(5);
  // Threads that read the feed (and the order snapshots) for the streams;
  // the feed's connection pool needs read_threads + 2 connections.
  int read_threads = 4;
  // Any stream with nothing sent for this long gets a checkpoint (keeps it
  // alive through idle timeouts of load balancers and proxies).
  absl::Duration keepalive_interval = absl::Seconds(30);
  // Streams open at once in this process; more are RESOURCE_EXHAUSTED.
  int max_streams = 256;
};

// The order as it stood at a version, as kept by storage (the serialized
// v1.Order; nullopt: not kept any more, or never written). Called on the
// streams' reader threads.
using OrderSnapshots =
    std::function<absl::StatusOr<std::optional<std::string>>(int64_t order_id, int64_t version)>;

class EventStreams {
 public:
  // `installation_id` ties the resume tokens to this database.
  EventStreams(app::EventFeed& feed, std::string installation_id, EventStreamOptions options = {});
  ~EventStreams();  // Shutdown(), then joins its threads
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // Where include_order reads the order as of each event. Set before
  // serving; unset, include_order is INVALID_ARGUMENT.
  void set_order_snapshots(OrderSnapshots snapshots) { snapshots_ = std::move(snapshots); }

  // The handler of the callback method.
  grpc::ServerWriteReactor<v1::WatchOrderEventsResponse>* Watch(
      grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request);

  // Ends every stream with UNAVAILABLE and refuses new ones (the drain).
  void Shutdown();

  int open_streams() const;
  // Responses handed to gRPC whose write completed (all streams, ever).
  int64_t writes_completed() const { return writes_completed_.load(); }

  class Watcher;

 private:
  friend class Watcher;
  void Schedule(std::shared_ptr<Watcher> watcher);
  void Park(std::shared_ptr<Watcher> watcher, int64_t position);
  void Forget(Watcher* watcher);
  void ReadLoop();
  void WaitLoop();

  app::EventFeed& feed_;
  const std::string installation_id_;
  const EventStreamOptions options_;
  OrderSnapshots snapshots_;
  std::atomic<int64_t> writes_completed_{0};

  mutable std::mutex mu_;
  std::condition_variable work_;    // readers: a stream to read for
  std::condition_variable parked_;  // the waiter: a stream parked
  bool shutting_down_ = false;
  bool stop_ = false;
  std::deque<std::shared_ptr<Watcher>> queue_;
  std::map<Watcher*, std::pair<std::shared_ptr<Watcher>, int64_t>> waiting_;
  std::map<Watcher*, std::weak_ptr<Watcher>> open_;
  std::vector<std::thread> threads_;
};

}  // namespace sslpanel::workflow::grpc_api
