// The MySQL EventFeed: one watermark follower per process (app/
// event_watermark.h) on its own thread, reading order_events.
//
// Replicas: each process follows the table itself, polling it every
// poll_interval while a reader waits (idle_poll_interval otherwise), so an
// event committed by any replica is seen within about that long; this
// process's own commits wake the follower (Notify, from Save) at once, or,
// under load, at most once per min_step_interval (the commits in between
// are read together). The positions are event ids, the same on every
// replica, so a cursor from one replica is good on any other (a replica that
// has not followed that far yet simply waits).
//
// Nobody reading (no stream, no webhook dispatcher here, none for
// interest_period): commits do not wake the follower; it reads once per
// idle_poll_interval, so the feed costs next to nothing per commit. The
// first reader wakes it at once (any read of the feed turns interest back on
// and wakes it for the commits it was not woken for), and
// WatermarkAfterOwnCommits() first has the commits of this process read (at
// most own_commits_wait), so a stream started "now" starts after them.
//
// Proving holes needs the ids of the open read-write transactions:
// information_schema.INNODB_TRX, which needs the PROCESS privilege (those of
// sessions using another database are left out, via PROCESSLIST). Without
// it the follower logs a warning once and relies on the gap timeout alone.
// InnoDB fills that table from a cache it refreshes only when nobody read
// it for 100 ms, so a listing counts only when it shows the reader's own
// transaction running the very statement that reads the listing (a unique
// text: begun after the ids were read), proof that it was taken after them.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "common/mysql/mysql.h"
#include "workflow-service/src/app/event_feed.h"
#include "workflow-service/src/app/event_watermark.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace sslpanel::workflow::storage {

// The port to the database the follower reads (exposed for the tests).
class MysqlCommitSource final : public app::CommitSource {
 public:
  explicit MysqlCommitSource(mysql::ConnectionPool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<app::VisibleId>> IdsAfter(int64_t after, int limit) override;
  absl::StatusOr<int64_t> MaxId() override;
  absl::StatusOr<std::optional<std::set<uint64_t>>> OpenWriters() override;

 private:
  mysql::ConnectionPool& pool_;
};

struct EventFeedOptions {
  // How often the table is read while a reader waits or a hole is open.
  absl::Duration poll_interval = absl::Milliseconds(150);
  // How often otherwise (keeps Watermark() fresh for readers that poll).
  absl::Duration idle_poll_interval = absl::Seconds(1);
  // The shortest time between two reads woken by this process's commits
  // (or by a read that found more ids than it takes): under load the
  // commits of this long are read together, not one read per commit.
  absl::Duration min_step_interval = absl::Milliseconds(10);
  // How long after a reader last used the feed (WaitBeyond, ReadAfter,
  // Watermark) commits still wake the follower; after that, and while no
  // reader waits, it reads only once per idle_poll_interval.
  absl::Duration interest_period = absl::Seconds(5);
  // How long WatermarkAfterOwnCommits() waits for the read of this
  // process's commits that nobody read yet (after a quiet spell); a
  // database that does not answer meanwhile leaves the watermark as it was.
  absl::Duration own_commits_wait = absl::Seconds(1);
  app::WatermarkOptions watermark;
  // (watermark.proof_delay is raised to at least 3/4 of poll_interval: a
  // hole is listed against INNODB_TRX only once it outlived about one poll.)
  // Ids one ReadAfter scans at most (a filtered reader far behind moves on
  // in steps of this many instead of one long scan).
  int64_t scan_window = 10000;
};

class MysqlEventFeed final : public app::EventFeed {
 public:
  // `registry` (may be null) gets sslpanel_event_gaps_skipped_total,
  // sslpanel_event_feed_unproven_starts_total and sslpanel_event_watermark.
  MysqlEventFeed(mysql::ConnectionPool& pool, EventFeedOptions options,
                 prometheus::Registry* registry);
  ~MysqlEventFeed() override;

  // Establishes the start (at most the start timeout, normally well under a
  // second) and starts following. Call once.
  void Start();
  // Stops following; WaitBeyond returns at once from then on.
  void Stop();
  // This process committed events: read soon (see min_step_interval) if
  // anybody reads the feed. Cheap (a flag, a wake-up only then).
  void Notify();

  // The follower's reads so far, the start included (for the tests).
  int64_t steps() const { return steps_.load(); }

  // False once INNODB_TRX turned out unreadable (gap timeout only).
  bool can_prove_gaps() const { return can_prove_.load(); }

  absl::StatusOr<app::EventBatch> ReadAfter(int64_t after, const app::EventFilter& filter,
                                            int limit) override;
  absl::StatusOr<int64_t> Watermark() override;
  absl::StatusOr<int64_t> WatermarkAfterOwnCommits() override;
  absl::StatusOr<int64_t> WaitBeyond(int64_t position, absl::Time deadline) override;
  absl::StatusOr<int64_t> MaxId() override { return source_.MaxId(); }

 private:
  void Loop();
  struct StepOutcome {
    bool gap_open = false;
    bool behind = false;
  };
  // One step of the follower.
  StepOutcome StepOnce();
  // Whether a reader uses the feed now (mu_ held).
  bool Following(absl::Time now) const { return waiters_ > 0 || now < interest_until_; }
  // A reader used the feed (mu_ held). Interest turning back on wakes the
  // follower for commits it was not woken for meanwhile.
  void Interested(absl::Time now) {
    if (notified_ && !Following(now)) {
      wake_.notify_one();
    }
    interest_until_ = std::max(interest_until_, now + options_.interest_period);
  }

  mysql::ConnectionPool& pool_;
  const EventFeedOptions options_;
  MysqlCommitSource source_;
  app::WatermarkFollower follower_;  // the loop's thread only (and Start)
  prometheus::Counter* gaps_skipped_ = nullptr;
  prometheus::Counter* unproven_starts_ = nullptr;
  prometheus::Gauge* watermark_gauge_ = nullptr;
  std::atomic<bool> can_prove_{true};
  std::atomic<int64_t> steps_{0};

  std::mutex mu_;
  std::condition_variable wake_;     // the follower: notified or a reader waits
  std::condition_variable changed_;  // readers: the watermark moved or stop
  int64_t watermark_ = 0;            // published
  bool started_ = false;
  bool notified_ = false;        // this process committed since the last step
  bool step_wanted_ = false;     // a reader asks for a step now (Watermark)
  int64_t steps_begun_ = 0;      // the loop's steps begun...
  int64_t steps_published_ = 0;  // ...and those whose watermark is published
  bool stop_ = false;
  int waiters_ = 0;
  absl::Time interest_until_ = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace sslpanel::workflow::storage
