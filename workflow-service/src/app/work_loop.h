// A claim loop with its own workers: one thread claims as many items as
// there are idle workers (batched claiming; ENVIRONMENT.md shows many
// competing single-row claimers collapse on two cores), the workers handle
// them. Plain threads; what is claimed and how is the caller's business.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sslpanel::workflow::app {

class WorkLoop {
 public:
  using Task = std::function<void()>;
  // Claims up to `limit` items and returns one task per item.
  using Claim = std::function<absl::StatusOr<std::vector<Task>>(int limit)>;

  WorkLoop(std::string name, int workers, absl::Duration idle_wait, Claim claim);
  ~WorkLoop();

  void Start();
  // Wakes the claimer now (new work was just committed).
  void Nudge();
  // Stops claiming at once; workers finish what was claimed. Returns
  // immediately; Stop() waits for them.
  void RequestStop();
  // Stops claiming, lets the workers finish what was claimed, joins.
  void Stop();

 private:
  void ClaimerLoop();
  void WorkerLoop();

  const std::string name_;
  const int workers_;
  const absl::Duration idle_wait_;
  Claim claim_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Task> tasks_;
  int busy_ = 0;
  bool nudged_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sslpanel::workflow::app
