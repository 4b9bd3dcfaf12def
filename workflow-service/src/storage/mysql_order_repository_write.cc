// The write side of MysqlOrderRepository: Save runs the writers of
// order_writers.h, one per table, in one transaction per decision.
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "workflow-service/src/storage/mysql_order_repository.h"
#include "workflow-service/src/storage/order_writers.h"

namespace sslpanel::workflow::storage {
namespace {

// What a duplicate key hit while a writer ran means to the caller.
enum class OnDuplicate {
  kPlain,            // ALREADY_EXISTS as the database said it
  kExternalOrderId,  // another order has the external order id
  kRequestId,        // a concurrent request used the request id
};

struct Step {
  OrderWriter write;
  OnDuplicate on_duplicate;
};

// The writers of a Save, in order: each may use what the ones before it
// assigned (the order id, the certificate ids). Adding a table to Save is
// adding its writer here.
constexpr Step kSteps[] = {
    {WriteOrderRow, OnDuplicate::kExternalOrderId},
    {WriteRequestId, OnDuplicate::kRequestId},
    {WriteCertificates, OnDuplicate::kPlain},
    {WriteEvents, OnDuplicate::kPlain},
    {WriteOutbox, OnDuplicate::kPlain},
    {WritePrevalidation, OnDuplicate::kPlain},
    {CompleteOutbox, OnDuplicate::kPlain},
};

absl::Status WithDuplicateKind(absl::Status status, absl::string_view kind) {
  status.SetPayload(app::kDuplicatePayload, absl::Cord(kind));
  return status;
}

// The ALREADY_EXISTS callers can act on, with the DuplicateKind payload.
absl::Status Duplicate(OnDuplicate on_duplicate, const app::SaveRequest& save,
                       absl::Status status) {
  switch (on_duplicate) {
    case OnDuplicate::kRequestId:
      return WithDuplicateKind(
          absl::AlreadyExistsError(absl::StrCat("request_id \"", save.request->request_id,
                                                "\" was used by a concurrent request")),
          app::kDuplicateRequestId);
    case OnDuplicate::kExternalOrderId:
      return WithDuplicateKind(
          absl::AlreadyExistsError(absl::StrCat(
              "external_order_id: \"", save.decision.order.external_order_id, "\" already exists")),
          app::kDuplicateExternalOrderId);
    case OnDuplicate::kPlain:
      break;
  }
  return status;
}

}  // namespace

absl::StatusOr<app::OrderRecord> MysqlOrderRepository::Save(const app::OrderRecord& before,
                                                            const app::SaveRequest& save) {
  app::OrderRecord after;
  after.order = save.decision.order;
  after.events = before.events;
  after.prevalidation = before.prevalidation;
  const absl::Time now = save.decision.order.updated_at;
  OnDuplicate on_duplicate = OnDuplicate::kPlain;
  absl::Status status = mysql::WithTransaction(pool_, "save order", [&](sql::Connection& conn) {
    SaveContext ctx{pool_, conn, installation_id_, before, save, after, now, mysql::ToSqlTime(now)};
    for (const Step& step : kSteps) {
      on_duplicate = step.on_duplicate;
      if (absl::Status written = step.write(ctx); !written.ok()) {
        return written;
      }
    }
    on_duplicate = OnDuplicate::kPlain;
    // The order as of this version, for webhooks and include_order.
    if (!save.decision.events.empty() && encode_snapshot_) {
      WriteOrderSnapshot(pool_, conn, after, encode_snapshot_, now);
    }
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return Duplicate(on_duplicate, save, std::move(status));
  }
  if (!status.ok()) {
    return status;
  }
  if (!save.decision.events.empty() && on_events_committed_) {
    on_events_committed_();  // wakes the event feed; cheap, never blocks
  }
  return after;
}

}  // namespace sslpanel::workflow::storage
