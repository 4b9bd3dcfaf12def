#include "workflow-service/src/app/testing/fake_event_feed.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::app::testing {

void FakeEventFeed::Add(CommittedEvent event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(event));
  std::sort(events_.begin(), events_.end(), [](const CommittedEvent& a, const CommittedEvent& b) {
    return a.record.id < b.record.id;
  });
}

void FakeEventFeed::SetWatermark(int64_t watermark) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    watermark_ = std::max(watermark_, watermark);
  }
  changed_.notify_all();
}

void FakeEventFeed::Commit(CommittedEvent event) {
  const int64_t id = event.record.id;
  Add(std::move(event));
  SetWatermark(id);
}

absl::StatusOr<EventBatch> FakeEventFeed::ReadAfter(int64_t after, const EventFilter& filter,
                                                    int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  EventBatch batch;
  batch.through = std::max(after, watermark_);
  for (const CommittedEvent& e : events_) {
    if (e.record.id <= after || e.record.id > watermark_) {
      continue;
    }
    const bool wanted =
        (filter.order_id == 0 || filter.order_id == e.order_id) &&
        (filter.external_order_id.empty() || filter.external_order_id == e.external_order_id) &&
        (filter.types.empty() || std::find(filter.types.begin(), filter.types.end(),
                                           e.record.event.type) != filter.types.end());
    if (!wanted) {
      continue;
    }
    if (static_cast<int>(batch.events.size()) == limit) {
      batch.through = batch.events.back().record.id;
      break;
    }
    batch.events.push_back(e);
  }
  return batch;
}

absl::StatusOr<int64_t> FakeEventFeed::Watermark() {
  std::lock_guard<std::mutex> lock(mu_);
  return watermark_;
}

absl::StatusOr<int64_t> FakeEventFeed::WaitBeyond(int64_t position, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_until(lock, absl::ToChronoTime(deadline), [&] { return watermark_ > position; });
  return watermark_;
}

CommittedEvent MakeEvent(int64_t id, int64_t order_id, int64_t version, const std::string& type) {
  CommittedEvent e;
  e.order_id = order_id;
  e.external_order_id = absl::StrCat("ext-", order_id);
  e.order_version = version;
  e.record.id = id;
  e.record.certificate_id = order_id * 10;
  e.record.event.type = type;
  e.record.event.at = absl::FromUnixSeconds(1'800'000'000 + id);
  e.record.event.actor = "test";
  return e;
}

}  // namespace sslpanel::workflow::app::testing
