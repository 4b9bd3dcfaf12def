// The workflow's processing loops, owned together: outbox delivery, the CA
// status sync and the periodic sweeps (expiry, stuck orders, purge,
// gauges), each a WorkLoop over the Processor. main.cc only configures and
// starts them.
#pragma once

#include "absl/time/time.h"
#include "workflow-service/src/app/processor.h"
#include "workflow-service/src/app/work_loop.h"

namespace sslpanel::workflow::app {

struct LoopOptions {
  int outbox_workers = 8;
  int poll_workers = 4;
  // How long an idle claimer waits before claiming again (a Nudge wakes it).
  absl::Duration idle_wait = absl::Milliseconds(250);
  absl::Duration sweep_interval = absl::Seconds(5);
};

class ProcessingLoops {
 public:
  ProcessingLoops(Processor& processor, const LoopOptions& options);
  ~ProcessingLoops();
  ProcessingLoops(const ProcessingLoops&) = delete;
  ProcessingLoops& operator=(const ProcessingLoops&) = delete;

  // Starts the three loops and has `workflow` wake the outbox loop whenever
  // a saved decision has intents for other services.
  void Start(WorkflowApp& workflow);
  // Wakes the outbox loop now (new rows were just committed).
  void Nudge();
  // Claims nothing new from now on; returns at once.
  void RequestStop();
  // Lets what was claimed finish and joins the workers.
  void Stop();

 private:
  // Claims up to `limit` items and turns each into a task of `handle`.
  template <typename Item>
  static absl::StatusOr<std::vector<WorkLoop::Task>> Tasks(absl::StatusOr<std::vector<Item>> items,
                                                           std::function<void(const Item&)> handle);

  Processor& processor_;
  WorkLoop outbox_;
  WorkLoop polls_;
  WorkLoop sweeps_;
};

}  // namespace sslpanel::workflow::app
