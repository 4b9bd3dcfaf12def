// sslpanel.ca.v1.CaAdapterService for every CA: validates requests (naming
// the field), runs mutating calls through the idempotency executor, hands
// the work to the CA's backend, and maps errors for the wire (with the
// "retry-after-seconds" trailer when the CA asked us to wait, and the
// "ca-outcome-unknown" / "ca-account-problem" trailers for the two holds).
#pragma once

#include "absl/time/time.h"
#include "ca-adapter/src/app/ca_backend.h"
#include "ca-adapter/src/app/idempotent_executor.h"
#include "common/time/clock.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::ca::grpc_api {

struct ServiceOptions {
  // Longest time one call may spend on the CA, whatever the caller's
  // deadline; the idempotency lease is longer than this.
  absl::Duration call_budget = absl::Seconds(60);
};

class CaAdapterServiceImpl final : public v1::CaAdapterService::Service {
 public:
  CaAdapterServiceImpl(app::CaBackend& backend, app::IdempotentExecutor& executor,
                       const Clock& clock, ServiceOptions options);

  ::grpc::Status GetCapabilities(::grpc::ServerContext* context,
                                 const v1::GetCapabilitiesRequest* request,
                                 v1::GetCapabilitiesResponse* response) override;
  ::grpc::Status SubmitOrder(::grpc::ServerContext* context, const v1::SubmitOrderRequest* request,
                             v1::SubmitOrderResponse* response) override;
  ::grpc::Status GetOrderStatus(::grpc::ServerContext* context,
                                const v1::GetOrderStatusRequest* request,
                                v1::GetOrderStatusResponse* response) override;
  ::grpc::Status CancelOrder(::grpc::ServerContext* context, const v1::CancelOrderRequest* request,
                             v1::CancelOrderResponse* response) override;
  ::grpc::Status RevokeCertificate(::grpc::ServerContext* context,
                                   const v1::RevokeCertificateRequest* request,
                                   v1::RevokeCertificateResponse* response) override;
  ::grpc::Status ReissueCertificate(::grpc::ServerContext* context,
                                    const v1::ReissueCertificateRequest* request,
                                    v1::ReissueCertificateResponse* response) override;
  ::grpc::Status RenewOrder(::grpc::ServerContext* context, const v1::RenewOrderRequest* request,
                            v1::RenewOrderResponse* response) override;
  ::grpc::Status ListApproverEmails(::grpc::ServerContext* context,
                                    const v1::ListApproverEmailsRequest* request,
                                    v1::ListApproverEmailsResponse* response) override;
  ::grpc::Status ChangeDcvMethod(::grpc::ServerContext* context,
                                 const v1::ChangeDcvMethodRequest* request,
                                 v1::ChangeDcvMethodResponse* response) override;
  ::grpc::Status ResendDcvEmail(::grpc::ServerContext* context,
                                const v1::ResendDcvEmailRequest* request,
                                v1::ResendDcvEmailResponse* response) override;
  ::grpc::Status ResolveSubmission(::grpc::ServerContext* context,
                                   const v1::ResolveSubmissionRequest* request,
                                   v1::ResolveSubmissionResponse* response) override;

 private:
  absl::Time Deadline(const ::grpc::ServerContext& context) const;
  // The order a submit key stands for, for a cancel without a CA reference.
  absl::StatusOr<app::Answer> CancelBySubmitKey(const domain::CancelCommand& command,
                                                const app::CallOptions& options);
  // Finds (never creates) the order an interrupted creating call made.
  absl::StatusOr<app::Answer> FindCreated(const std::string& operation,
                                          const std::string& serialized,
                                          const app::CallOptions& options);

  app::CaBackend& backend_;
  app::IdempotentExecutor& executor_;
  const Clock& clock_;
  ServiceOptions options_;
  domain::Capabilities capabilities_;
};

}  // namespace sslpanel::ca::grpc_api
