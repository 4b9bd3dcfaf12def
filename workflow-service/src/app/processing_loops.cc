#include "workflow-service/src/app/processing_loops.h"

#include <utility>
#include <vector>

namespace sslpanel::workflow::app {

template <typename Item>
absl::StatusOr<std::vector<WorkLoop::Task>> ProcessingLoops::Tasks(
    absl::StatusOr<std::vector<Item>> items, std::function<void(const Item&)> handle) {
  if (!items.ok()) {
    return items.status();
  }
  std::vector<WorkLoop::Task> tasks;
  for (Item& item : *items) {
    tasks.push_back([handle, item = std::move(item)] { handle(item); });
  }
  return tasks;
}

ProcessingLoops::ProcessingLoops(Processor& processor, const LoopOptions& options)
    : processor_(processor),
      outbox_("outbox", options.outbox_workers, options.idle_wait,
              [this](int limit) {
                return Tasks<OutboxItem>(processor_.ClaimOutbox(limit),
                                         [this](const OutboxItem& i) { processor_.Deliver(i); });
              }),
      polls_("ca-sync", options.poll_workers, options.idle_wait,
             [this](int limit) {
               return Tasks<PollItem>(processor_.ClaimPolls(limit),
                                      [this](const PollItem& i) { processor_.Poll(i); });
             }),
      sweeps_("sweeps", 1, options.sweep_interval,
              [this](int) -> absl::StatusOr<std::vector<WorkLoop::Task>> {
                processor_.ExpireCertificates(100);
                processor_.FlagStuckOrders(100);
                processor_.PurgeOld(1000);
                processor_.UpdateGauges();
                return std::vector<WorkLoop::Task>{};
              }) {}

ProcessingLoops::~ProcessingLoops() { Stop(); }

void ProcessingLoops::Start(WorkflowApp& workflow) {
  workflow.set_on_intents([this] { Nudge(); });
  outbox_.Start();
  polls_.Start();
  sweeps_.Start();
}

void ProcessingLoops::Nudge() { outbox_.Nudge(); }

void ProcessingLoops::RequestStop() {
  outbox_.RequestStop();
  polls_.RequestStop();
  sweeps_.RequestStop();
}

void ProcessingLoops::Stop() {
  outbox_.Stop();
  polls_.Stop();
  sweeps_.Stop();
}

}  // namespace sslpanel::workflow::app
