#include "workflow-service/src/app/key_conflict.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::workflow::app {

bool IsKeyConflict(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists;
}

std::string ReportKeyConflict(const OutboxItem& item, const std::string& adapter,
                              const absl::Status& status,
                              prometheus::Family<prometheus::Counter>& conflicts) {
  conflicts.Add({{"adapter", adapter}, {"kind", std::string(domain::ToString(item.kind))}})
      .Increment();
  log::Warning("CA adapter says the idempotency key belongs to another request; not retried",
               {{"outbox_id", item.id},
                {"order_id", item.order_id},
                {"certificate_id", item.certificate_id},
                {"kind", domain::ToString(item.kind)},
                {"idempotency_key", item.idempotency_key},
                {"adapter", adapter},
                {"error", status}});
  const char* release = "";
  switch (item.kind) {
    case domain::IntentKind::kSubmitToCa:
      release = "submit it again (a new key) or cancel it";
      break;
    case domain::IntentKind::kCancelAtCa:
    case domain::IntentKind::kRevokeAtCa:
      release = "the cancellation is sent again under a new key";
      break;
    default:
      release = "check the CA order by hand";
      break;
  }
  return absl::StrCat("CA adapter \"", adapter, "\" refused idempotency key \"",
                      item.idempotency_key, "\" as used for another request (", status.message(),
                      "); another workflow database probably shares this adapter and installation "
                      "id (a restored or copied database: give it its own with "
                      "`workflow-service migrate --new_installation_id`). Not retried: ",
                      release);
}

domain::command::CaKeyConflict KeyConflictHold(const OutboxItem& item, const std::string& adapter,
                                               const absl::Status& status,
                                               prometheus::Family<prometheus::Counter>& conflicts) {
  return domain::command::CaKeyConflict{item.submission,
                                        ReportKeyConflict(item, adapter, status, conflicts)};
}

}  // namespace sslpanel::workflow::app
