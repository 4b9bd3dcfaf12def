// An in-memory EventFeed for tests: events are appended with ids chosen by
// the test, and only released up to a watermark the test moves, so a test
// can hold back an event the way an uncommitted transaction would.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "workflow-service/src/app/event_feed.h"

namespace sslpanel::workflow::app::testing {

class FakeEventFeed final : public EventFeed {
 public:
  // Adds a committed event (ids ascending); not visible above the watermark.
  void Add(CommittedEvent event);
  // Releases everything up to `watermark`.
  void SetWatermark(int64_t watermark);
  // Adds an event and moves the watermark to its id.
  void Commit(CommittedEvent event);

  absl::StatusOr<EventBatch> ReadAfter(int64_t after, const EventFilter& filter,
                                       int limit) override;
  absl::StatusOr<int64_t> Watermark() override;
  absl::StatusOr<int64_t> WaitBeyond(int64_t position, absl::Time deadline) override;

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<CommittedEvent> events_;
  int64_t watermark_ = 0;
};

// An event of `order_id` at `version` with id `id` and type `type`.
CommittedEvent MakeEvent(int64_t id, int64_t order_id, int64_t version, const std::string& type);

}  // namespace sslpanel::workflow::app::testing
