// The ports the workflow's use cases need; storage/ and grpc/ implement them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workflow-service/src/app/records.h"

namespace sslpanel::workflow::app {

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;

  // NOT_FOUND when there is no such order.
  virtual absl::StatusOr<OrderRecord> Get(int64_t order_id) = 0;
  virtual absl::StatusOr<OrderRecord> GetByExternalId(const std::string& external_order_id) = 0;
  virtual absl::StatusOr<OrderPage> List(const ListQuery& query) = 0;
  // Events with ids above `after_event_id`, oldest first.
  virtual absl::StatusOr<EventPage> ListEvents(int64_t order_id, int64_t after_event_id,
                                               int limit) = 0;

  // Writes a decision in one transaction: the order (inserted when
  // before.order.id is 0, else updated only if its version is unchanged),
  // its certificates, the new events, outbox rows for the intents, and the
  // request, prevalidation and override records. Returns the order as
  // stored. ABORTED when another writer changed the order first (reload and
  // decide again); ALREADY_EXISTS with a DuplicateKind payload on a
  // duplicate request id or external order id.
  virtual absl::StatusOr<OrderRecord> Save(const OrderRecord& before, const SaveRequest& save) = 0;

  // The idempotency record of `request_id`, if the request was seen.
  virtual absl::StatusOr<std::optional<RequestRecord>> FindRequest(
      const std::string& request_id) = 0;
};

// Which unique key a duplicate hit; attached to ALREADY_EXISTS from Save.
inline constexpr char kDuplicatePayload[] = "type.sslpanel/duplicate";
inline constexpr char kDuplicateRequestId[] = "request_id";
inline constexpr char kDuplicateExternalOrderId[] = "external_order_id";

// A parsed certificate signing request.
struct DecodedCsr {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string locality;
  std::string state;
  std::string country;
  std::vector<std::string> dns_names;
  std::string key_algorithm;  // "RSA" or "EC"
  int key_bits = 0;
  std::string curve;
  std::string signature_algorithm;
  bool signature_valid = false;
  // Why the CSR itself is unacceptable (key, signature); empty when fine.
  std::vector<std::string> problems;

  bool operator==(const DecodedCsr&) const = default;
};

class CsrParser {
 public:
  virtual ~CsrParser() = default;
  // INVALID_ARGUMENT when the text is not a CSR at all.
  virtual absl::StatusOr<DecodedCsr> Parse(const std::string& pem_or_base64_der) const = 0;
};

}  // namespace sslpanel::workflow::app
