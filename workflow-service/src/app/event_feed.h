// The committed events of every order, in one total order that never skips
// an event: the port behind WatchOrderEvents and the webhook dispatcher.
//
// order_events.id is an AUTO_INCREMENT taken at insert, not at commit, so a
// transaction can take a lower id and commit after a higher one. The feed
// therefore releases events only up to a watermark: an id W such that every
// id at or below W is committed or provably absent (rolled back, never
// used). Everything a reader gets from ReadAfter(after, ...) has ids in
// (after, Watermark()], ascending, and a later call can never return an id
// at or below one already returned. A cursor (the last id a reader saw, or
// the watermark it read up to) is therefore a complete resume point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow-service/src/app/records.h"

namespace sslpanel::workflow::app {

// One committed event with what a consumer needs to route it.
struct CommittedEvent {
  int64_t order_id = 0;
  std::string external_order_id;
  int64_t order_version = 0;  // the order's version after the change
  EventRecord record;         // record.id is the event id (the feed's position)
};

// Which events a reader wants; empty fields match everything.
struct EventFilter {
  int64_t order_id = 0;
  std::string external_order_id;
  std::vector<std::string> types;
};

struct EventBatch {
  std::vector<CommittedEvent> events;  // ascending ids, all <= through
  // The position the reader has now covered: every id at or below it that
  // matches the filter is in this batch or an earlier one. Equal to the
  // last event's id when the batch is full, else up to the watermark (so a
  // filtered reader moves on past events it does not want).
  int64_t through = 0;
};

class EventFeed {
 public:
  virtual ~EventFeed() = default;

  // Events with ids above `after` that match `filter`, ascending, at most
  // `limit`, never above the watermark.
  virtual absl::StatusOr<EventBatch> ReadAfter(int64_t after, const EventFilter& filter,
                                               int limit) = 0;

  // The current watermark (0 before anything was written). UNAVAILABLE
  // while the feed is still establishing its start. Never waits for the
  // database: safe on gRPC's callback threads and inside transactions.
  virtual absl::StatusOr<int64_t> Watermark() = 0;

  // The watermark once the commits this process made so far were read (a
  // stream or subscription started "now" starts after them). May wait for
  // one read of the table (bounded by the feed, e.g.
  // EventFeedOptions::own_commits_wait): call it on a thread that may
  // block, never on a gRPC callback thread nor holding database locks.
  virtual absl::StatusOr<int64_t> WatermarkAfterOwnCommits() { return Watermark(); }

  // Blocks until the watermark is above `position`, `deadline` passes or
  // the feed shuts down; returns the watermark then (UNAVAILABLE once the
  // feed has stopped). Wakes within about a
  // second for events written by any replica, at once for this process's.
  virtual absl::StatusOr<int64_t> WaitBeyond(int64_t position, absl::Time deadline) = 0;

  // The highest event id in the database now (committed; 0 when none): a
  // fresh read, for telling a cursor ahead of this database (a hand-made
  // token, a restore) from one this replica has not followed that far yet.
  // UNIMPLEMENTED: this feed cannot tell (the check is skipped).
  virtual absl::StatusOr<int64_t> MaxId() {
    return absl::UnimplementedError("this event feed cannot read the highest event id");
  }
};

}  // namespace sslpanel::workflow::app
