#include "workflow-service/src/storage/mysql_event_feed.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {
namespace {

using mysql::FromSqlTime;
using Statement = mysql::Statement;

app::CommittedEvent ReadCommittedEvent(const Rows& rows) {
  app::CommittedEvent out;
  out.order_id = rows->getInt64("order_id");
  out.order_version = rows->getInt64("order_version");
  out.external_order_id = Str(rows, "external_order_id");
  app::EventRecord& record = out.record;
  record.id = rows->getInt64("id");
  record.certificate_id = rows->getInt64("certificate_id");
  domain::Event& e = record.event;
  e.certificate = rows->getInt("seq");
  e.type = Str(rows, "type");
  if (!rows->isNull("from_status")) {
    e.from_status = ParseOr(Str(rows, "from_status"), domain::CertificateStatus::kOpen);
  }
  e.to_status = ParseOr(Str(rows, "to_status"), domain::CertificateStatus::kOpen);
  e.from_pending = ParseOr(Str(rows, "from_pending"), domain::PendingOperation::kNone);
  e.to_pending = ParseOr(Str(rows, "to_pending"), domain::PendingOperation::kNone);
  e.at = FromSqlTime(Str(rows, "occurred_at"));
  e.actor = Str(rows, "actor");
  e.caller = Str(rows, "caller");
  e.reason = Str(rows, "reason");
  return out;
}

}  // namespace

namespace {

app::WatermarkOptions FollowerOptions(const EventFeedOptions& options) {
  app::WatermarkOptions w = options.watermark;
  w.proof_delay = std::max(w.proof_delay, options.poll_interval * 3 / 4);
  return w;
}

}  // namespace

MysqlEventFeed::MysqlEventFeed(mysql::ConnectionPool& pool, EventFeedOptions options,
                               prometheus::Registry* registry)
    : pool_(pool), options_(options), source_(pool), follower_(source_, FollowerOptions(options)) {
  if (registry != nullptr) {
    gaps_skipped_ = &prometheus::BuildCounter()
                         .Name("sslpanel_event_gaps_skipped_total")
                         .Help(
                             "Event ids the event feed skipped unproven after "
                             "--event_gap_timeout (an event committed later is not streamed)")
                         .Register(*registry)
                         .Add({});
    unproven_starts_ = &prometheus::BuildCounter()
                            .Name("sslpanel_event_feed_unproven_starts_total")
                            .Help(
                                "Starts of the event feed that took the ids below the start "
                                "window as settled without proof (an event committing later "
                                "with such an id is not streamed)")
                            .Register(*registry)
                            .Add({});
    watermark_gauge_ = &prometheus::BuildGauge()
                            .Name("sslpanel_event_watermark")
                            .Help(
                                "The event feed's watermark: every event id at or below it "
                                "is committed or provably absent")
                            .Register(*registry)
                            .Add({});
  }
}

MysqlEventFeed::~MysqlEventFeed() { Stop(); }

void MysqlEventFeed::Start() {
  // The start on the caller's thread: a few rounds, normally under a second
  // (listings at least 100 ms apart, see Loop), bounded by the start timeout
  // (and, while the database does not answer, a little more).
  const absl::Time give_up = absl::Now() + options_.watermark.start_timeout + absl::Seconds(5);
  while (StepOnce().gap_open && !follower_.started() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(120));
  }
  thread_ = std::thread([this] { Loop(); });
}

void MysqlEventFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  changed_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void MysqlEventFeed::Notify() {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Only the first commit since the last read wakes the follower (the
    // others are read with it), and only while somebody reads the feed.
    wake = !notified_ && Following(absl::Now());
    notified_ = true;
  }
  if (wake) {
    wake_.notify_one();
  }
}

MysqlEventFeed::StepOutcome MysqlEventFeed::StepOnce() {
  ++steps_;
  const bool could_prove = follower_.can_prove();
  auto step = follower_.Step(absl::Now());
  if (could_prove && !follower_.can_prove()) {
    can_prove_ = false;
    log::Warning(
        "the event feed cannot read information_schema.INNODB_TRX (grant the database user "
        "PROCESS): holes in the event ids are no longer proven, only skipped after "
        "--event_gap_timeout; an event whose transaction commits later than that is not "
        "streamed",
        {{"event_gap_timeout", options_.watermark.gap_timeout}});
  }
  if (!step.ok()) {
    log::Warning("event feed: read failed; retrying", {{"error", step.status()}});
    std::lock_guard<std::mutex> lock(mu_);
    steps_published_ = steps_begun_;  // nothing new; a Watermark() waiting goes on
    changed_.notify_all();
    return StepOutcome{true, false};
  }
  if (const auto& start = step->unproven_start; start.has_value()) {
    log::Error(
        "event feed: started without proof that the event ids at or below through_id are "
        "settled (no INNODB_TRX listing, or transactions open longer than the start timeout); "
        "an event with such an id whose transaction was open at the start and commits later is "
        "not streamed",
        {{"through_id", start->through},
         {"highest_id", start->highest},
         {"reason", start->could_list ? "start timeout" : "no PROCESS privilege"},
         {"waited", start->waited}});
    if (unproven_starts_ != nullptr) {
      unproven_starts_->Increment();
    }
  }
  for (const app::SkippedGap& gap : step->skipped) {
    log::Error(
        "event feed: event ids skipped without proof after the gap timeout; an event with "
        "such an id that commits later is not streamed",
        {{"from_id", gap.from},
         {"to_id", gap.to},
         {"missing_for", gap.missing_for},
         {"proven", follower_.can_prove()}});
    if (gaps_skipped_ != nullptr) {
      gaps_skipped_->Increment(static_cast<double>(gap.to - gap.from + 1));
    }
  }
  if (watermark_gauge_ != nullptr) {
    watermark_gauge_->Set(static_cast<double>(step->watermark));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    watermark_ = step->watermark;
    started_ = follower_.started();
    steps_published_ = steps_begun_;
  }
  changed_.notify_all();
  return StepOutcome{step->gap_open, step->behind};
}

void MysqlEventFeed::Loop() {
  absl::BitGen bits;
  StepOutcome last{!follower_.started(), false};
  absl::Time last_step = absl::Now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Holes are proven from listings at least 100 ms apart (InnoDB
      // refreshes its listing only then); jitter keeps replicas from
      // reading it in lockstep.
      const absl::Duration gap_wait =
          options_.poll_interval * absl::Uniform<double>(bits, 0.8, 1.6);
      while (!stop_) {
        const absl::Time now = absl::Now();
        // When the next read is due without a wake-up.
        absl::Time due;
        if (!started_) {
          due = last_step + gap_wait;  // still starting (a failed boot): retry soon
        } else if (!Following(now)) {
          due = last_step + options_.idle_poll_interval;  // nobody reads
        } else if (last.gap_open) {
          due = last_step + gap_wait;
        } else {
          due = last_step + (waiters_ > 0 ? options_.poll_interval : options_.idle_poll_interval);
          if (notified_) {
            due = std::min(due, last_step + options_.min_step_interval);
          }
        }
        // A reader asks for a read (Watermark()), or the last read was full
        // and moved: read again soon, but not in a tight loop.
        if (step_wanted_ || last.behind) {
          due = std::min(due, last_step + options_.min_step_interval);
        }
        if (now >= due) {
          break;
        }
        wake_.wait_for(lock, absl::ToChronoNanoseconds(due - now));
      }
      if (stop_) {
        return;
      }
      notified_ = false;
      step_wanted_ = false;
      ++steps_begun_;
    }
    last_step = absl::Now();
    last = StepOnce();
  }
}

absl::StatusOr<int64_t> MysqlEventFeed::Watermark() {
  std::lock_guard<std::mutex> lock(mu_);
  // Interest first, also while starting: a reader waiting for the start
  // has the follower retry at the short interval.
  Interested(absl::Now());
  if (!started_) {
    return absl::UnavailableError("the event feed is starting; try again");
  }
  return watermark_;
}

absl::StatusOr<int64_t> MysqlEventFeed::WatermarkAfterOwnCommits() {
  std::unique_lock<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  const bool unread = notified_ && !Following(now);
  Interested(now);
  if (!started_) {
    return absl::UnavailableError("the event feed is starting; try again");
  }
  if (unread && !stop_) {
    // Nobody read the feed lately, so this process's last commits may not
    // have been read: read them first (a stream started "now" starts after
    // them, as when the feed follows every commit). Bounded: a database
    // that does not answer leaves the watermark as it was.
    const int64_t target = steps_begun_ + 1;
    step_wanted_ = true;
    wake_.notify_one();
    changed_.wait_for(lock, absl::ToChronoNanoseconds(options_.own_commits_wait),
                      [&] { return stop_ || steps_published_ >= target; });
  }
  return watermark_;
}

absl::StatusOr<int64_t> MysqlEventFeed::WaitBeyond(int64_t position, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (!Following(now)) {
    step_wanted_ = true;  // the watermark may be up to idle_poll_interval old
  }
  Interested(now);
  ++waiters_;
  wake_.notify_one();  // polls at the short interval from now on
  changed_.wait_until(lock, absl::ToChronoTime(deadline),
                      [&] { return stop_ || (started_ && watermark_ > position); });
  --waiters_;
  Interested(absl::Now());
  if (stop_) {
    return absl::UnavailableError("the event feed stopped");
  }
  return watermark_;
}

absl::StatusOr<app::EventBatch> MysqlEventFeed::ReadAfter(int64_t after,
                                                          const app::EventFilter& filter,
                                                          int limit) {
  int64_t watermark = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watermark = started_ ? watermark_ : 0;
    Interested(absl::Now());
  }
  app::EventBatch batch;
  batch.through = std::max<int64_t>(after, 0);
  if (after >= watermark || limit <= 0) {
    return batch;
  }
  const int64_t upper = std::min(watermark, after + options_.scan_window);
  std::string where = "e.id > ? AND e.id <= ?";
  if (filter.order_id != 0) {
    absl::StrAppend(&where, " AND e.order_id = ?");
  }
  if (!filter.external_order_id.empty()) {
    absl::StrAppend(&where, " AND o.external_order_id = ?");
  }
  if (!filter.types.empty()) {
    absl::StrAppend(&where, " AND e.type IN (", Placeholders(filter.types.size()), ")");
  }
  absl::Status status = pool_.Run("read events", [&](sql::Connection& conn) {
    Statement stmt = pool_.Prepare(
        conn,
        absl::StrCat("SELECT e.id, e.order_id, e.order_version, e.certificate_id, c.seq, e.type,"
                     " e.from_status, e.to_status, e.from_pending, e.to_pending, e.occurred_at,"
                     " e.actor, e.caller, e.reason, o.external_order_id"
                     " FROM order_events e JOIN orders o ON o.id = e.order_id"
                     " JOIN certificates c ON c.id = e.certificate_id WHERE ",
                     where, " ORDER BY e.id LIMIT ", limit));
    int k = 1;
    stmt->setInt64(k++, after);
    stmt->setInt64(k++, upper);
    if (filter.order_id != 0) {
      stmt->setInt64(k++, filter.order_id);
    }
    if (!filter.external_order_id.empty()) {
      stmt->setString(k++, filter.external_order_id);
    }
    for (const std::string& type : filter.types) {
      stmt->setString(k++, type);
    }
    Rows rows(stmt->executeQuery());
    while (rows->next()) {
      batch.events.push_back(ReadCommittedEvent(rows));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  batch.through =
      static_cast<int>(batch.events.size()) == limit ? batch.events.back().record.id : upper;
  return batch;
}

}  // namespace sslpanel::workflow::storage
