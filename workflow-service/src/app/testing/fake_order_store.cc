#include "workflow-service/src/app/testing/fake_order_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/text/utf8.h"
#include "workflow-service/src/app/idempotency_keys.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app::testing {
namespace {

absl::Status Duplicate(std::string message, absl::string_view kind) {
  absl::Status status = absl::AlreadyExistsError(std::move(message));
  status.SetPayload(kDuplicatePayload, absl::Cord(kind));
  return status;
}

// What the MySQL read gives back of a text column of `max` characters.
std::string Truncate(const std::string& text, size_t max) { return text::TruncateUtf8(text, max); }

bool Matches(const std::string& common_name, const std::string& pattern) {
  const std::string name = absl::AsciiStrToLower(common_name);
  if (absl::StartsWith(pattern, "*")) {
    return absl::EndsWith(name, pattern.substr(1));
  }
  if (absl::EndsWith(pattern, "*")) {
    return absl::StartsWith(name, pattern.substr(0, pattern.size() - 1));
  }
  return name == pattern;
}

}  // namespace

OrderRecord FakeOrderRepository::Record(const StoredOrder& stored) const {
  OrderRecord record;
  record.order = stored.order;
  record.events = stored.events;
  if (!stored.reports.empty()) {
    record.prevalidation = stored.reports.back();
  }
  return record;
}

absl::StatusOr<OrderRecord> FakeOrderRepository::Get(int64_t order_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = orders_.find(order_id);
  if (it == orders_.end()) {
    return absl::NotFoundError(absl::StrCat("order ", order_id, " not found"));
  }
  return Record(it->second);
}

absl::StatusOr<OrderRecord> FakeOrderRepository::GetByExternalId(
    const std::string& external_order_id) {
  int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_external_id_.find(external_order_id);
    if (it == by_external_id_.end()) {
      return absl::NotFoundError(
          absl::StrCat("no order with external_order_id \"", external_order_id, "\""));
    }
    id = it->second;
  }
  return Get(id);
}

absl::StatusOr<OrderPage> FakeOrderRepository::List(const ListQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string pattern = absl::AsciiStrToLower(query.common_name_pattern);
  OrderPage page;
  for (auto it = orders_.rbegin(); it != orders_.rend(); ++it) {
    const StoredOrder& stored = it->second;
    const domain::Order& order = stored.order;
    if (query.before_order_id > 0 && order.id >= query.before_order_id) {
      continue;
    }
    if (query.order_status.has_value() && order.status != *query.order_status) {
      continue;
    }
    if (query.certificate_status.has_value() &&
        order.certificates[domain::CurrentCertificate(order)].status != *query.certificate_status) {
      continue;
    }
    if (query.reseller_code.has_value() &&
        stored.reseller_code != domain::ToString(*query.reseller_code)) {
      continue;
    }
    if (!pattern.empty() && !Matches(order.certificates.back().common_name, pattern)) {
      continue;
    }
    if (query.expiring_before.has_value()) {
      const int active = domain::NewestActive(order);
      if (active < 0 || order.certificates[active].not_after < query.now ||
          order.certificates[active].not_after >= *query.expiring_before) {
        continue;
      }
    }
    if (query.stuck_only && !order.stuck_since.has_value()) {
      continue;
    }
    if (static_cast<int>(page.orders.size()) == query.limit) {
      page.more = true;
      break;
    }
    page.orders.push_back(Record(stored));
  }
  return page;
}

absl::StatusOr<EventPage> FakeOrderRepository::ListEvents(int64_t order_id, int64_t after_event_id,
                                                          int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  EventPage page;
  auto it = orders_.find(order_id);
  if (it == orders_.end()) {
    return page;
  }
  for (const EventRecord& event : it->second.events) {
    if (event.id <= after_event_id) {
      continue;
    }
    if (static_cast<int>(page.events.size()) == limit) {
      page.more = true;
      break;
    }
    page.events.push_back(event);
  }
  return page;
}

absl::StatusOr<std::optional<RequestRecord>> FakeOrderRepository::FindRequest(
    const std::string& request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(request_id);
  if (it == requests_.end()) {
    return std::optional<RequestRecord>();
  }
  return std::optional<RequestRecord>(it->second.record);
}

absl::StatusOr<OrderRecord> FakeOrderRepository::Save(const OrderRecord& before,
                                                      const SaveRequest& save) {
  std::lock_guard<std::mutex> lock(mu_);
  const domain::Decision& decision = save.decision;
  const absl::Time now = decision.order.updated_at;
  const bool progressed = !decision.events.empty();
  // Everything that can refuse the save is checked before anything changes,
  // in the order the MySQL writers meet them: all or nothing.
  StoredOrder* existing = nullptr;
  if (before.order.id == 0) {
    if (by_external_id_.count(decision.order.external_order_id) > 0) {
      return Duplicate(absl::StrCat("external_order_id: \"", decision.order.external_order_id,
                                    "\" already exists"),
                       kDuplicateExternalOrderId);
    }
  } else {
    auto it = orders_.find(before.order.id);
    if (it == orders_.end() || it->second.order.version != before.order.version) {
      return absl::AbortedError(absl::StrCat("order ", before.order.id,
                                             " was changed by another request (version ",
                                             before.order.version, " is gone); load it again"));
    }
    existing = &it->second;
  }
  if (save.request.has_value() && requests_.count(save.request->request_id) > 0) {
    return Duplicate(absl::StrCat("request_id \"", save.request->request_id,
                                  "\" was used by a concurrent request"),
                     kDuplicateRequestId);
  }

  OrderRecord after;
  after.order = decision.order;
  after.events = before.events;
  after.prevalidation = before.prevalidation;
  domain::Order& order = after.order;
  StoredOrder fresh;
  if (existing == nullptr) {
    order.id = next_order_id_++;
    order.version = 1;
    order.stuck_since.reset();
    fresh.sla_deadline = save.sla_deadline;
    existing = &fresh;
  } else {
    order.version = before.order.version + 1;
    order.stuck_since = progressed ? std::nullopt : existing->order.stuck_since;
    if (progressed) {
      existing->sla_deadline = save.sla_deadline;
    }
  }
  if (save.request.has_value()) {
    RequestRecord request = *save.request;
    request.order_id = order.id;
    requests_[request.request_id] = RequestRow{request, now};
  }
  WriteCertificates(before.order, order, save.first_check_at.value_or(now));
  for (const domain::Event& e : decision.events) {
    EventRecord record;
    record.certificate_id = order.certificates[e.certificate].id;
    record.event = e;
    record.event.actor = Truncate(e.actor, 128);
    record.event.caller = Truncate(e.caller, 255);
    record.event.reason = Truncate(e.reason, 1024);
    record.id = next_event_id_++;
    existing->events.push_back(record);
    // As from MySQL: the ids of new events are known only when read back.
    record.id = 0;
    record.event = e;
    after.events.push_back(std::move(record));
  }
  WriteOutbox(save, order, now);
  if (save.prevalidation.has_value() && save.prevalidation_of >= 0) {
    PrevalidationRecord report = *save.prevalidation;
    report.certificate_id = order.certificates[save.prevalidation_of].id;
    existing->reports.push_back(report);
    after.prevalidation = std::move(report);
  }
  if (save.override_record.has_value()) {
    const OverrideRecord& o = *save.override_record;
    const int64_t certificate_id = order.certificates[o.certificate].id;
    for (auto it = existing->reports.rbegin(); it != existing->reports.rend(); ++it) {
      if (it->certificate_id == certificate_id) {
        it->overridden_by = Truncate(o.actor, 128);
        it->override_reason = Truncate(o.reason, 1024);
        it->override_at = o.at;
        break;
      }
    }
    if (after.prevalidation.has_value() && after.prevalidation->certificate_id == certificate_id) {
      after.prevalidation->overridden_by = o.actor;
      after.prevalidation->override_reason = o.reason;
      after.prevalidation->override_at = o.at;
    }
  }
  if (save.completes_outbox_id.has_value()) {
    auto it = outbox_.find(*save.completes_outbox_id);
    if (it != outbox_.end()) {
      it->second.status = "DONE";
      it->second.lease_owner.reset();
      it->second.last_error.reset();
    }
  }
  existing->order = order;
  existing->reseller_code = std::string(domain::ToString(domain::ResellerCodeOf(order, now)));
  if (existing == &fresh) {
    by_external_id_[order.external_order_id] = order.id;
    orders_[order.id] = std::move(fresh);
  }
  return after;
}

void FakeOrderRepository::WriteCertificates(const domain::Order& before, domain::Order& order,
                                            absl::Time first_check) {
  for (size_t i = 0; i < order.certificates.size(); ++i) {
    domain::Certificate& cert = order.certificates[i];
    const bool known = i < before.certificates.size();
    const bool was_pollable = known && domain::NeedsCaWatch(before, static_cast<int>(i));
    const bool pollable = domain::NeedsCaWatch(order, static_cast<int>(i));
    const std::optional<absl::Time> next_poll =
        pollable ? std::optional<absl::Time>(first_check) : std::nullopt;
    if (cert.id == 0) {
      cert.id = next_certificate_id_++;
      certificates_[cert.id] = CertificateRow{order.id, next_poll, 0};
    } else if (pollable != was_pollable) {
      CertificateRow& row = certificates_[cert.id];
      row.next_poll_at = next_poll;
      row.poll_failures = 0;
    }
  }
}

void FakeOrderRepository::WriteOutbox(const SaveRequest& save, const domain::Order& order,
                                      absl::Time now) {
  for (const domain::Intent& intent : save.decision.intents) {
    const domain::Certificate& cert = order.certificates[intent.certificate];
    std::optional<std::string> ref_key;
    if (intent.kind == domain::IntentKind::kAbandonAtCa ||
        intent.kind == domain::IntentKind::kResolveAtCa) {
      for (auto it = outbox_.rbegin(); it != outbox_.rend(); ++it) {
        const FakeOutboxRow& row = it->second;
        if (row.item.certificate_id == cert.id &&
            row.item.kind == domain::IntentKind::kSubmitToCa &&
            row.item.submission == intent.submission) {
          ref_key = row.item.idempotency_key;
          break;
        }
      }
      if (!ref_key.has_value()) {
        ref_key = IdempotencyKey(installation_id_, domain::IntentKind::kSubmitToCa, cert.id,
                                 intent.submission, 0);
      }
    }
    if (intent.kind == domain::IntentKind::kAbandonAtCa) {
      bool dropped = false;
      for (auto& [id, row] : outbox_) {
        if (row.item.idempotency_key == *ref_key && row.status == "PENDING" &&
            row.item.attempts == 0) {
          row.status = "CANCELLED";
          dropped = true;
        }
      }
      if (dropped) {
        continue;
      }
    }
    FakeOutboxRow row;
    row.item.id = next_outbox_id_++;
    row.item.order_id = order.id;
    row.item.certificate_id = cert.id;
    row.item.kind = intent.kind;
    row.item.submission = intent.submission;
    row.item.idempotency_key =
        IdempotencyKey(installation_id_, intent.kind, cert.id, intent.submission, order.version);
    row.item.ref_key = ref_key.value_or("");
    row.item.detail = intent.detail;
    row.due_at = now;
    outbox_[row.item.id] = std::move(row);
  }
}

std::vector<FakeOutboxRow> FakeOrderRepository::OutboxRows() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FakeOutboxRow> rows;
  for (const auto& [id, row] : outbox_) {
    rows.push_back(row);
  }
  return rows;
}

int FakeOrderRepository::WatchedCertificates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(certificates_.begin(), certificates_.end(),
                                        [](const auto& c) { return c.second.next_poll_at; }));
}

int FakeOrderRepository::RequestIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(requests_.size());
}

int FakeOrderRepository::Orders() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(orders_.size());
}

}  // namespace sslpanel::workflow::app::testing
