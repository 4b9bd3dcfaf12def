#include "bench/src/lifecycle.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <chrono>

#include "common/log/log.h"

namespace sslpanel::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LifecycleTracker::LifecycleTracker(mysql::MysqlConfig config) : config_(std::move(config)) {
  config_.pool_size = 1;
}

LifecycleTracker::~LifecycleTracker() { Stop(); }

absl::Status LifecycleTracker::Start() {
  auto pool = mysql::ConnectionPool::Create(config_);
  if (!pool.ok()) {
    return pool.status();
  }
  pool_ = *std::move(pool);
  // Only events from now on count.
  absl::Status status = pool_->Run("last event id", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(
        stmt->executeQuery("SELECT COALESCE(MAX(id), 0) FROM order_events"));
    rows->next();
    last_event_id_ = rows->getInt64(1);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  start_ns_ = NowNs();
  watcher_ = std::thread([this] { Watch(); });
  return absl::OkStatus();
}

void LifecycleTracker::Stop() {
  stop_ = true;
  if (watcher_.joinable()) {
    watcher_.join();
  }
}

void LifecycleTracker::Watch() {
  int64_t next_sample = 0;
  while (!stop_) {
    const int64_t now = NowNs();
    const bool sample = now >= next_sample;
    absl::Status status = pool_->Run("watch lifecycles", [&](sql::Connection& conn) {
      // Events are append-only, but ids are taken before commit: a lower id
      // may become visible after a higher one. So read everything above the
      // watermark (the highest id below which every id was seen) and move
      // the watermark over a gap only once it is 2 s old (a rollback).
      std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(
          "SELECT id, order_id, to_status = 'ACTIVE' AND (from_status IS NULL OR"
          " from_status <> 'ACTIVE') FROM order_events WHERE id > ? ORDER BY id"));
      stmt->setInt64(1, last_event_id_);
      std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery());
      const int64_t seen_at = NowNs();
      std::lock_guard<std::mutex> lock(mu_);
      while (rows->next()) {
        const int64_t id = rows->getInt64(1);
        if (!seen_ids_.insert(id).second) {
          continue;
        }
        if (!rows->getBoolean(3)) {
          continue;
        }
        const int64_t order_id = rows->getInt64(2);
        auto it = open_.find(order_id);
        if (it != open_.end()) {
          done_.emplace_back(it->second, seen_at);
          open_.erase(it);
        } else {
          seen_early_.insert(order_id);
        }
      }
      while (!seen_ids_.empty()) {
        const int64_t lowest = *seen_ids_.begin();
        if (lowest == last_event_id_ + 1) {
          last_event_id_ = lowest;
          seen_ids_.erase(seen_ids_.begin());
          gap_since_ = 0;
        } else if (gap_since_ == 0) {
          gap_since_ = seen_at;
          break;
        } else if (seen_at - gap_since_ > 2'000'000'000) {
          last_event_id_ = lowest - 1;  // the missing ids never came
          gap_since_ = 0;
        } else {
          break;
        }
      }
      if (sample) {
        std::unique_ptr<sql::Statement> count(conn.createStatement());
        std::unique_ptr<sql::ResultSet> pending(
            count->executeQuery("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'"));
        pending->next();
        outbox_pending_ = pending->getInt64(1);
        BacklogSample s;
        s.t = static_cast<double>(seen_at - start_ns_) / 1e9;
        s.outbox_pending = outbox_pending_;
        s.unfinished = static_cast<int64_t>(open_.size());
        samples_.emplace_back(seen_at, s);
      }
      changed_.notify_all();
      return absl::OkStatus();
    });
    if (!status.ok()) {
      log::Warning("lifecycle watcher", {{"error", status}});
    }
    if (sample) {
      next_sample = now + 250'000'000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void LifecycleTracker::Created(int64_t order_id, int64_t sent_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_early_.erase(order_id) > 0) {
    done_.emplace_back(sent_ns, NowNs());
    return;
  }
  open_[order_id] = sent_ns;
}

int64_t LifecycleTracker::Unfinished() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(open_.size());
}

bool LifecycleTracker::WaitBelow(int64_t limit, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                           [&] { return static_cast<int64_t>(open_.size()) < limit; });
}

int64_t LifecycleTracker::FinishedBetween(int64_t from_ns, int64_t to_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& [sent, finished] : done_) {
    n += finished >= from_ns && finished < to_ns;
  }
  return n;
}

std::vector<int64_t> LifecycleTracker::LatenciesOfCreatedBetween(int64_t from_ns, int64_t to_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> latencies;
  for (const auto& [sent, finished] : done_) {
    if (sent >= from_ns && sent < to_ns) {
      latencies.push_back(finished - sent);
    }
  }
  return latencies;
}

std::vector<BacklogSample> LifecycleTracker::SamplesBetween(int64_t from_ns, int64_t to_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BacklogSample> out;
  for (const auto& [at, sample] : samples_) {
    if (at >= from_ns && at < to_ns) {
      out.push_back(sample);
    }
  }
  return out;
}

int64_t LifecycleTracker::OutboxPending() {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_pending_;
}

double Slope(const std::vector<std::pair<double, double>>& points) {
  const double n = static_cast<double>(points.size());
  if (points.size() < 2) {
    return 0;
  }
  double st = 0, sy = 0, stt = 0, sty = 0;
  for (const auto& [t, y] : points) {
    st += t;
    sy += y;
    stt += t * t;
    sty += t * y;
  }
  const double denominator = n * stt - st * st;
  return denominator == 0 ? 0 : (n * sty - st * sy) / denominator;
}

}  // namespace sslpanel::bench
