// FakeWorkQueue: claims under leases, as MysqlWorkQueue does.
#include <algorithm>
#include <utility>

#include "common/text/utf8.h"
#include "workflow-service/src/app/testing/fake_order_store.h"

namespace sslpanel::workflow::app::testing {

absl::StatusOr<std::vector<OutboxItem>> FakeWorkQueue::ClaimOutbox(absl::Time now, int limit,
                                                                   absl::Duration lease,
                                                                   const std::string& owner) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  std::vector<FakeOutboxRow*> due;
  for (auto& [id, row] : store_.outbox_) {
    if (row.status == "PENDING" && row.due_at <= now) {
      due.push_back(&row);
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const FakeOutboxRow* a, const FakeOutboxRow* b) {
    return a->due_at < b->due_at;
  });
  if (static_cast<int>(due.size()) > limit) {
    due.resize(limit);
  }
  std::vector<OutboxItem> items;
  for (FakeOutboxRow* row : due) {
    row->item.attempts += 1;
    OutboxItem item = row->item;
    row->due_at = now + lease;
    row->lease_owner = text::TruncateUtf8(owner, 64);
    items.push_back(std::move(item));
  }
  return items;
}

absl::Status FakeWorkQueue::RetryOutbox(int64_t id, absl::Time due, const std::string& error,
                                        absl::Time now) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  auto it = store_.outbox_.find(id);
  if (it != store_.outbox_.end() && it->second.status == "PENDING") {
    it->second.due_at = due;
    it->second.last_error = text::TruncateUtf8(error, 1024);
    it->second.lease_owner.reset();
  }
  return absl::OkStatus();
}

absl::Status FakeWorkQueue::FinishOutbox(int64_t id, const std::string& status,
                                         const std::string& note, absl::Time now) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  auto it = store_.outbox_.find(id);
  if (it != store_.outbox_.end() && it->second.status == "PENDING") {
    it->second.status = status;
    it->second.last_error =
        note.empty() ? std::nullopt : std::optional<std::string>(text::TruncateUtf8(note, 1024));
    it->second.lease_owner.reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PollItem>> FakeWorkQueue::ClaimPolls(absl::Time now, int limit,
                                                                absl::Duration lease) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  std::vector<std::pair<int64_t, FakeOrderRepository::CertificateRow*>> due;
  for (auto& [id, row] : store_.certificates_) {
    if (row.next_poll_at.has_value() && *row.next_poll_at <= now) {
      due.emplace_back(id, &row);
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return *a.second->next_poll_at < *b.second->next_poll_at;
  });
  if (static_cast<int>(due.size()) > limit) {
    due.resize(limit);
  }
  std::vector<PollItem> items;
  for (auto& [id, row] : due) {
    items.push_back({id, row->order_id, row->poll_failures});
    row->next_poll_at = now + lease;
  }
  return items;
}

absl::Status FakeWorkQueue::SchedulePoll(int64_t certificate_id, absl::Time next, bool failed) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  auto it = store_.certificates_.find(certificate_id);
  if (it != store_.certificates_.end() && it->second.next_poll_at.has_value()) {
    it->second.next_poll_at = next;
    it->second.poll_failures = failed ? it->second.poll_failures + 1 : 0;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> FakeWorkQueue::OrdersToExpire(absl::Time now, int limit) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  std::vector<int64_t> ids;
  for (const auto& [id, stored] : store_.orders_) {
    if (static_cast<int>(ids.size()) == limit) {
      break;
    }
    for (const domain::Certificate& cert : stored.order.certificates) {
      if (cert.status == domain::CertificateStatus::kActive && cert.not_after <= now) {
        ids.push_back(id);
        break;
      }
    }
  }
  return ids;
}

absl::StatusOr<std::vector<int64_t>> FakeWorkQueue::StuckCandidates(absl::Time now, int limit) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  std::vector<std::pair<absl::Time, int64_t>> due;
  for (const auto& [id, stored] : store_.orders_) {
    if (stored.sla_deadline.has_value() && *stored.sla_deadline <= now) {
      due.emplace_back(*stored.sla_deadline, id);
    }
  }
  std::sort(due.begin(), due.end());
  std::vector<int64_t> ids;
  for (const auto& [deadline, id] : due) {
    if (static_cast<int>(ids.size()) == limit) {
      break;
    }
    ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<bool> FakeWorkQueue::FlagStuck(int64_t order_id, absl::Time now) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  auto it = store_.orders_.find(order_id);
  if (it == store_.orders_.end() || !it->second.sla_deadline.has_value() ||
      *it->second.sla_deadline > now) {
    return false;
  }
  it->second.order.stuck_since = it->second.sla_deadline;
  it->second.sla_deadline.reset();
  return true;
}

absl::StatusOr<int64_t> FakeWorkQueue::OutboxBacklog() {
  std::lock_guard<std::mutex> lock(store_.mu_);
  return std::count_if(store_.outbox_.begin(), store_.outbox_.end(),
                       [](const auto& row) { return row.second.status == "PENDING"; });
}

absl::StatusOr<int64_t> FakeWorkQueue::StuckOrders() {
  std::lock_guard<std::mutex> lock(store_.mu_);
  return std::count_if(store_.orders_.begin(), store_.orders_.end(), [](const auto& stored) {
    return stored.second.order.stuck_since.has_value();
  });
}

absl::StatusOr<int64_t> FakeWorkQueue::Purge(absl::Time outbox_before, absl::Time requests_before,
                                             int limit) {
  std::lock_guard<std::mutex> lock(store_.mu_);
  int64_t purged = 0;
  int outbox = 0;
  for (auto it = store_.outbox_.begin(); it != store_.outbox_.end() && outbox < limit;) {
    if (it->second.status != "PENDING" && it->second.due_at < outbox_before) {
      it = store_.outbox_.erase(it);
      ++outbox;
    } else {
      ++it;
    }
  }
  int requests = 0;
  for (auto it = store_.requests_.begin(); it != store_.requests_.end() && requests < limit;) {
    if (it->second.created_at < requests_before) {
      it = store_.requests_.erase(it);
      ++requests;
    } else {
      ++it;
    }
  }
  purged = outbox + requests;
  return purged;
}

}  // namespace sslpanel::workflow::app::testing
