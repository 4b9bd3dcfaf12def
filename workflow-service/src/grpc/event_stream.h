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
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
  // Threads that read the feed for the streams.
  int read_threads = 4;
};

class EventStreams {
 public:
  // `installation_id` ties the resume tokens to this database.
  EventStreams(app::EventFeed& feed, std::string installation_id, EventStreamOptions options = {});
  ~EventStreams();  // Shutdown(), then joins its threads
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // The handler of the callback method.
  grpc::ServerWriteReactor<v1::WatchOrderEventsResponse>* Watch(
      grpc::CallbackServerContext* context, const v1::WatchOrderEventsRequest* request);

  // Ends every stream with UNAVAILABLE and refuses new ones (the drain).
  void Shutdown();

  int open_streams() const;

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
