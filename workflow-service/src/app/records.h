// What the workflow reads and writes through its ports: an order with its
// chain, its event history (with storage ids) and its latest prevalidation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "workflow-service/src/domain/model.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::app {

struct EventRecord {
  int64_t id = 0;
  int64_t certificate_id = 0;
  domain::Event event;
};

// A prevalidation report as stored; the report itself stays in its wire
// format (JSON), which only the gRPC layer reads.
struct PrevalidationRecord {
  int64_t certificate_id = 0;
  int submission = 0;
  domain::PrevalidationOutcome outcome = domain::PrevalidationOutcome::kPass;
  std::string report_json;
  absl::Time checked_at;
  std::string overridden_by;
  std::string override_reason;
  std::optional<absl::Time> override_at;
};

struct OrderRecord {
  domain::Order order;              // certificates carry their storage ids
  std::vector<EventRecord> events;  // oldest first
  std::optional<PrevalidationRecord> prevalidation;

  // Position of the certificate with storage id `id`, or -1.
  int IndexOf(int64_t certificate_id) const;
  // The certificate's own events, oldest first.
  std::vector<domain::Event> EventsOf(int index) const;
};

// The idempotency record of a mutating call.
struct RequestRecord {
  std::string request_id;
  std::string method;       // e.g. "CancelCertificate"
  std::string fingerprint;  // hash of the request without its request_id
  int64_t order_id = 0;
};

// An override to stamp on the stored report of certificate `certificate`.
struct OverrideRecord {
  int certificate = 0;
  std::string actor;
  std::string reason;
  absl::Time at;
};

// Everything one transition writes, committed together.
struct SaveRequest {
  domain::Decision decision;
  std::optional<RequestRecord> request;
  std::optional<PrevalidationRecord> prevalidation;  // certificate_id via `prevalidation_of`
  int prevalidation_of = -1;                         // position of its certificate
  std::optional<OverrideRecord> override_record;
  // The outbox row whose delivery produced this decision; marked done.
  std::optional<int64_t> completes_outbox_id;
  // When the order counts as stuck if its state does not change again
  // (written with every state change; nullopt: it waits on nobody we
  // answer for).
  std::optional<absl::Time> sla_deadline;
  // When a certificate this decision starts watching is first due for a CA
  // status check (nullopt: at once). A delivery that makes that check
  // itself right after the save leases it this way, as a claim would.
  std::optional<absl::Time> first_check_at;
};

// Filters of ListOrders; empty optionals do not filter.
struct ListQuery {
  std::optional<domain::OrderStatus> order_status;
  std::optional<domain::CertificateStatus> certificate_status;
  std::optional<domain::ResellerCode> reseller_code;
  std::string common_name_pattern;  // "a.b", "a.*" or "*.b"
  std::optional<absl::Time> expiring_before;
  absl::Time now;
  bool stuck_only = false;
  int64_t before_order_id = 0;  // keyset: ids below this (0 = from the newest)
  int limit = 50;
};

struct OrderPage {
  std::vector<OrderRecord> orders;
  bool more = false;
};

struct EventPage {
  std::vector<EventRecord> events;
  bool more = false;
};

}  // namespace sslpanel::workflow::app
