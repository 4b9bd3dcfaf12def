// WorkflowApp's reads: orders, their events and workflow picture, and CSR decoding.
#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/validation.h"
#include "workflow-service/src/app/workflow_app.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {

absl::StatusOr<OrderRecord> WorkflowApp::GetOrder(int64_t order_id) {
  return orders_.Get(order_id);
}

absl::StatusOr<OrderRecord> WorkflowApp::GetOrderByExternalId(
    const std::string& external_order_id) {
  if (absl::Status s = ValidateExternalOrderId(external_order_id); !s.ok()) {
    return s;
  }
  return orders_.GetByExternalId(external_order_id);
}

absl::StatusOr<OrderPage> WorkflowApp::ListOrders(ListQuery query) {
  query.now = clock_.Now();
  return orders_.List(query);
}

absl::StatusOr<WorkflowPicture> WorkflowApp::GetWorkflow(int64_t order_id,
                                                         std::optional<int64_t> certificate_id) {
  auto record = orders_.Get(order_id);
  if (!record.ok()) {
    return record.status();
  }
  auto index = ResolveCertificate(*record, certificate_id);
  if (!index.ok()) {
    return index.status();
  }
  const int target = *index >= 0 ? *index : static_cast<int>(record->order.certificates.size()) - 1;
  const domain::Certificate& certificate = record->order.certificates[target];
  return WorkflowPicture{certificate.id,
                         domain::DrawWorkflow(certificate, record->EventsOf(target))};
}

absl::StatusOr<EventPage> WorkflowApp::ListEvents(int64_t order_id, int64_t after_event_id,
                                                  int limit) {
  return orders_.ListEvents(order_id, after_event_id, limit);
}

absl::StatusOr<DecodedCsr> WorkflowApp::DecodeCsr(const std::string& csr) const {
  if (csr.empty()) {
    return absl::InvalidArgumentError("csr: required");
  }
  if (csr.size() > kMaxCsrBytes) {
    return absl::InvalidArgumentError(absl::StrCat("csr: at most ", kMaxCsrBytes, " bytes"));
  }
  return csr_parser_.Parse(csr);
}

}  // namespace sslpanel::workflow::app
