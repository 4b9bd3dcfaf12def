// The reactor of one WatchOrderEvents stream (event_stream.h): reads the
// feed on the hub's reader threads, writes one batch at a time, and sends
// checkpoints. Only the hub (event_stream.cc) uses it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/grpc/event_stream.h"
#include "workflow-service/src/grpc/resume_token.h"

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
  void Begin(int64_t position, bool checkpoint, bool resumed);
  // Begin(watermark, checkpoint) with the watermark after this process's
  // commits (EventFeed::WatermarkAfterOwnCommits), taken by the first
  // Read() on a reader thread: it may wait, a gRPC callback thread must not.
  void BeginNow();

  // Ends the stream with `status` (after the write in flight, if any).
  void End(const grpc::Status& status);

  // On a reader thread: the next batch, or park until the feed moves.
  void Read();

  // For the waiter: whether a checkpoint is due although the feed did not
  // move past `position`.
  bool CheckpointDue(absl::Time now);

  void OnWriteDone(bool ok) override;

  void OnCancel() override { End(grpc::Status::CANCELLED); }

  void OnDone() override;

  std::shared_ptr<Watcher> self_;

 private:
  // A filtered stream that moved past events it does not want tells the
  // client so every checkpoint_interval; any stream with nothing sent for
  // keepalive_interval hears from us (idle timeouts).
  bool CheckpointDueLocked(absl::Time now) const;

  Response CheckpointLocked(absl::Time now);

  // The order as of `e` from its snapshot; none when it is no longer kept
  // (retention) or cannot be decoded (logged).
  absl::Status AttachOrder(const app::CommittedEvent& e, Response& r);

  // Writes the front of the queue; `lock` is held and released.
  void WriteNextLocked(std::unique_lock<std::mutex>& lock);

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
  bool start_now_ = false;        // the start position not yet taken (BeginNow)
  absl::Time last_send_;
};

}  // namespace sslpanel::workflow::grpc_api
