// Whole order lifecycles (create -> ACTIVE) against the real system: a
// tracker watches the workflow database for ACTIVE events of the orders the
// benchmark created and samples the outbox backlog while it runs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/mysql/mysql.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

struct BacklogSample {
  double t = 0;                // seconds since the tracker started
  int64_t outbox_pending = 0;  // outbox rows not yet delivered
  int64_t unfinished = 0;      // lifecycles created and not yet ACTIVE
};

class LifecycleTracker {
 public:
  // `config` names the workflow database.
  explicit LifecycleTracker(mysql::MysqlConfig config);
  ~LifecycleTracker();

  absl::Status Start();
  void Stop();

  // A lifecycle of order `order_id` began at `sent_ns` (steady clock).
  void Created(int64_t order_id, int64_t sent_ns);
  int64_t Unfinished();
  // Waits until fewer than `limit` lifecycles are unfinished; false on timeout.
  bool WaitBelow(int64_t limit, absl::Duration timeout);

  // Lifecycles that finished (were seen ACTIVE) within [from_ns, to_ns), and
  // the create-to-ACTIVE latencies of those created within it.
  int64_t FinishedBetween(int64_t from_ns, int64_t to_ns);
  std::vector<int64_t> LatenciesOfCreatedBetween(int64_t from_ns, int64_t to_ns);
  std::vector<BacklogSample> SamplesBetween(int64_t from_ns, int64_t to_ns);
  int64_t OutboxPending();

 private:
  void Watch();

  mysql::MysqlConfig config_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::thread watcher_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  int64_t start_ns_ = 0;
  int64_t last_event_id_ = 0;   // every event id up to this one was seen
  std::set<int64_t> seen_ids_;  // seen ids above last_event_id_
  int64_t gap_since_ = 0;
  std::map<int64_t, int64_t> open_;                // order id -> sent
  std::set<int64_t> seen_early_;                   // ACTIVE before Created() ran
  std::vector<std::pair<int64_t, int64_t>> done_;  // (sent, finished)
  std::vector<std::pair<int64_t, BacklogSample>> samples_;
  int64_t outbox_pending_ = 0;
};

// Least-squares slope of y over t (units of y per second).
double Slope(const std::vector<std::pair<double, double>>& points);

}  // namespace sslpanel::bench
