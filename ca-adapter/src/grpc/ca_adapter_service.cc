#include "ca-adapter/src/grpc/ca_adapter_service.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/domain/validation.h"
#include "ca-adapter/src/grpc/convert.h"
#include "ca-adapter/src/grpc/fingerprint.h"
#include "ca-adapter/src/x509/csr.h"
#include "common/grpc/status.h"
#include "common/log/log.h"

namespace sslpanel::ca::grpc_api {
namespace {

constexpr char kSubmitOrder[] = "SubmitOrder";
constexpr char kCancelOrder[] = "CancelOrder";
constexpr char kRevokeCertificate[] = "RevokeCertificate";
constexpr char kReissueCertificate[] = "ReissueCertificate";
constexpr char kRenewOrder[] = "RenewOrder";
constexpr char kChangeDcvMethod[] = "ChangeDcvMethod";
constexpr char kResendDcvEmail[] = "ResendDcvEmail";
constexpr char kResolveSubmission[] = "ResolveSubmission";

// The calls that create a CA order; a cancel may name their keys.
const std::vector<std::string>& CreatingOperations() {
  static const auto* operations =
      new std::vector<std::string>{kSubmitOrder, kReissueCertificate, kRenewOrder};
  return *operations;
}

template <typename Response>
absl::StatusOr<app::Answer> AnswerOf(const absl::StatusOr<domain::OrderStatus>& status) {
  if (!status.ok()) {
    return status.status();
  }
  Response response;
  ToProto(*status, response.mutable_status());
  return app::Answer{response.SerializeAsString(), status->ca_order_id};
}

template <typename Request>
app::IdempotentRequest Idempotent(const char* operation, const Request& request) {
  return app::IdempotentRequest{request.idempotency_key(), operation,
                                Fingerprint(operation, request), request.SerializeAsString()};
}

// Metadata values must be printable ASCII: anything else (a CA's message in
// another script, a line break) becomes "?", and the value is kept short.
std::string TrailerValue(absl::string_view reason) {
  std::string value(reason.substr(0, 512));
  for (char& c : value) {
    if (c < 0x20 || c > 0x7e) {
      c = '?';
    }
  }
  return value;
}

::grpc::Status Reply(::grpc::ServerContext* context, const absl::Status& status,
                     absl::string_view rpc) {
  if (status.ok()) {
    return ::grpc::Status::OK;
  }
  if (std::optional<absl::Duration> delay = domain::RetryAfter(status); delay.has_value()) {
    context->AddTrailingMetadata(std::string(domain::kRetryAfterKey),
                                 std::to_string(absl::ToInt64Seconds(*delay)));
  }
  for (absl::string_view key : {domain::kOutcomeUnknownKey, domain::kAccountProblemKey}) {
    if (std::optional<std::string> reason = domain::HoldSignal(status, key); reason.has_value()) {
      context->AddTrailingMetadata(std::string(key), TrailerValue(*reason));
    }
  }
  if (status.code() != absl::StatusCode::kInternal && status.code() != absl::StatusCode::kUnknown) {
    log::Info("rpc failed", {{"rpc", rpc}, {"status", status}});
  }
  return grpc_util::ToGrpc(status, rpc);
}

template <typename Response>
::grpc::Status ReplyWith(::grpc::ServerContext* context, const absl::StatusOr<std::string>& answer,
                         Response* response, absl::string_view rpc) {
  if (!answer.ok()) {
    return Reply(context, answer.status(), rpc);
  }
  if (!response->ParseFromString(*answer)) {
    return Reply(context, absl::InternalError("a stored answer does not parse"), rpc);
  }
  return ::grpc::Status::OK;
}

absl::Status CheckCsr(const std::string& pem) {
  absl::StatusOr<x509::CsrInfo> csr = x509::ParseCsr(pem);
  return csr.ok() ? absl::OkStatus() : csr.status();
}

}  // namespace

CaAdapterServiceImpl::CaAdapterServiceImpl(app::CaBackend& backend,
                                           app::IdempotentExecutor& executor, const Clock& clock,
                                           ServiceOptions options)
    : backend_(backend),
      executor_(executor),
      clock_(clock),
      options_(options),
      capabilities_(backend.GetCapabilities()) {}

absl::Time CaAdapterServiceImpl::Deadline(const ::grpc::ServerContext& context) const {
  absl::Duration budget = options_.call_budget;
  const std::chrono::system_clock::time_point deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    // gRPC deadlines are wall-clock instants. Keep a moment to answer in.
    const absl::Duration remaining = absl::FromChrono(deadline) -
                                     absl::FromChrono(std::chrono::system_clock::now()) -
                                     absl::Milliseconds(200);
    budget = std::clamp(remaining, absl::ZeroDuration(), budget);
  }
  return clock_.Now() + budget;
}

::grpc::Status CaAdapterServiceImpl::GetCapabilities(::grpc::ServerContext* context,
                                                     const v1::GetCapabilitiesRequest* request,
                                                     v1::GetCapabilitiesResponse* response) {
  ToProto(capabilities_, response);
  return ::grpc::Status::OK;
}

::grpc::Status CaAdapterServiceImpl::SubmitOrder(::grpc::ServerContext* context,
                                                 const v1::SubmitOrderRequest* request,
                                                 v1::SubmitOrderResponse* response) {
  const domain::SubmitCommand command = FromProto(*request);
  absl::Status valid = domain::ValidateSubmit(command, capabilities_);
  if (valid.ok()) {
    valid = CheckCsr(command.csr_pem);
  }
  if (!valid.ok()) {
    return Reply(context, valid, kSubmitOrder);
  }
  absl::StatusOr<std::string> answer = executor_.Run(
      Idempotent(kSubmitOrder, *request), Deadline(*context), [&](const app::CallOptions& o) {
        return AnswerOf<v1::SubmitOrderResponse>(backend_.Submit(command, o));
      });
  return ReplyWith(context, answer, response, kSubmitOrder);
}

::grpc::Status CaAdapterServiceImpl::GetOrderStatus(::grpc::ServerContext* context,
                                                    const v1::GetOrderStatusRequest* request,
                                                    v1::GetOrderStatusResponse* response) {
  if (absl::Status valid = domain::ValidateCaOrderId(request->ca_order_id()); !valid.ok()) {
    return Reply(context, valid, "GetOrderStatus");
  }
  app::CallOptions options;
  options.deadline = Deadline(*context);
  absl::StatusOr<domain::OrderStatus> status = backend_.GetStatus(request->ca_order_id(), options);
  if (!status.ok()) {
    return Reply(context, status.status(), "GetOrderStatus");
  }
  ToProto(*status, response->mutable_status());
  return ::grpc::Status::OK;
}

absl::StatusOr<app::Answer> CaAdapterServiceImpl::FindCreated(const std::string& operation,
                                                              const std::string& serialized,
                                                              const app::CallOptions& options) {
  if (operation == kSubmitOrder) {
    v1::SubmitOrderRequest original;
    if (original.ParseFromString(serialized)) {
      return AnswerOf<v1::SubmitOrderResponse>(backend_.Submit(FromProto(original), options));
    }
  } else if (operation == kReissueCertificate) {
    v1::ReissueCertificateRequest original;
    if (original.ParseFromString(serialized)) {
      return AnswerOf<v1::ReissueCertificateResponse>(
          backend_.Reissue(FromProto(original), options));
    }
  } else if (operation == kRenewOrder) {
    v1::RenewOrderRequest original;
    if (original.ParseFromString(serialized)) {
      return AnswerOf<v1::RenewOrderResponse>(backend_.Renew(FromProto(original), options));
    }
  }
  return absl::InternalError(absl::StrCat("cannot resume a stored ", operation, " request"));
}

absl::StatusOr<app::Answer> CaAdapterServiceImpl::CancelBySubmitKey(
    const domain::CancelCommand& command, const app::CallOptions& options) {
  absl::StatusOr<app::SubmitResolution> resolution = executor_.ResolveSubmitKey(
      command.submit_idempotency_key, CreatingOperations(), options.deadline,
      [this](const std::string& operation, const std::string& serialized,
             const app::CallOptions& find_options) {
        return FindCreated(operation, serialized, find_options);
      });
  if (!resolution.ok()) {
    return resolution.status();
  }
  if (resolution->never_submitted) {
    domain::OrderStatus cancelled;
    cancelled.state = domain::OrderState::kCancelled;
    cancelled.raw_status = "cancelled before submission";
    return AnswerOf<v1::CancelOrderResponse>(cancelled);
  }
  // Submit, reissue and renew answers all carry the CaOrderStatus as field
  // 1, so any of them reads as a SubmitOrderResponse.
  v1::SubmitOrderResponse submitted;
  if (!submitted.ParseFromString(resolution->response) ||
      submitted.status().ca_order_id().empty()) {
    return absl::InternalError("the stored submit answer names no CA order");
  }
  return AnswerOf<v1::CancelOrderResponse>(
      backend_.Cancel(submitted.status().ca_order_id(), command.reason, options));
}

::grpc::Status CaAdapterServiceImpl::CancelOrder(::grpc::ServerContext* context,
                                                 const v1::CancelOrderRequest* request,
                                                 v1::CancelOrderResponse* response) {
  const domain::CancelCommand command = FromProto(*request);
  if (absl::Status valid = domain::ValidateCancel(command); !valid.ok()) {
    return Reply(context, valid, kCancelOrder);
  }
  absl::StatusOr<std::string> answer =
      executor_.Run(Idempotent(kCancelOrder, *request), Deadline(*context),
                    [&](const app::CallOptions& o) -> absl::StatusOr<app::Answer> {
                      if (command.ca_order_id.empty()) {
                        return CancelBySubmitKey(command, o);
                      }
                      return AnswerOf<v1::CancelOrderResponse>(
                          backend_.Cancel(command.ca_order_id, command.reason, o));
                    });
  return ReplyWith(context, answer, response, kCancelOrder);
}

::grpc::Status CaAdapterServiceImpl::RevokeCertificate(::grpc::ServerContext* context,
                                                       const v1::RevokeCertificateRequest* request,
                                                       v1::RevokeCertificateResponse* response) {
  absl::StatusOr<domain::RevokeCommand> command = FromProto(*request);
  absl::Status valid = command.status();
  if (valid.ok()) {
    valid = domain::ValidateRevoke(*command);
  }
  if (!valid.ok()) {
    return Reply(context, valid, kRevokeCertificate);
  }
  absl::StatusOr<std::string> answer = executor_.Run(
      Idempotent(kRevokeCertificate, *request), Deadline(*context), [&](const app::CallOptions& o) {
        return AnswerOf<v1::RevokeCertificateResponse>(
            backend_.Revoke(command->ca_order_id, command->reason, o));
      });
  return ReplyWith(context, answer, response, kRevokeCertificate);
}

::grpc::Status CaAdapterServiceImpl::ReissueCertificate(
    ::grpc::ServerContext* context, const v1::ReissueCertificateRequest* request,
    v1::ReissueCertificateResponse* response) {
  const domain::ReissueCommand command = FromProto(*request);
  absl::Status valid = domain::ValidateReissue(command, capabilities_);
  if (valid.ok()) {
    valid = CheckCsr(command.csr_pem);
  }
  if (!valid.ok()) {
    return Reply(context, valid, kReissueCertificate);
  }
  absl::StatusOr<std::string> answer =
      executor_.Run(Idempotent(kReissueCertificate, *request), Deadline(*context),
                    [&](const app::CallOptions& o) {
                      return AnswerOf<v1::ReissueCertificateResponse>(backend_.Reissue(command, o));
                    });
  return ReplyWith(context, answer, response, kReissueCertificate);
}

::grpc::Status CaAdapterServiceImpl::RenewOrder(::grpc::ServerContext* context,
                                                const v1::RenewOrderRequest* request,
                                                v1::RenewOrderResponse* response) {
  const domain::RenewCommand command = FromProto(*request);
  absl::Status valid = domain::ValidateRenew(command, capabilities_);
  if (valid.ok()) {
    valid = CheckCsr(command.csr_pem);
  }
  if (!valid.ok()) {
    return Reply(context, valid, kRenewOrder);
  }
  absl::StatusOr<std::string> answer = executor_.Run(
      Idempotent(kRenewOrder, *request), Deadline(*context), [&](const app::CallOptions& o) {
        return AnswerOf<v1::RenewOrderResponse>(backend_.Renew(command, o));
      });
  return ReplyWith(context, answer, response, kRenewOrder);
}

::grpc::Status CaAdapterServiceImpl::ListApproverEmails(
    ::grpc::ServerContext* context, const v1::ListApproverEmailsRequest* request,
    v1::ListApproverEmailsResponse* response) {
  if (absl::Status valid = domain::ValidateListApproverEmails(request->host_name(), capabilities_);
      !valid.ok()) {
    return Reply(context, valid, "ListApproverEmails");
  }
  app::CallOptions options;
  options.deadline = Deadline(*context);
  absl::StatusOr<std::vector<std::string>> emails =
      backend_.ListApproverEmails(request->host_name(), options);
  if (!emails.ok()) {
    return Reply(context, emails.status(), "ListApproverEmails");
  }
  response->set_host_name(request->host_name());
  for (const std::string& email : *emails) {
    response->add_approver_emails(email);
  }
  return ::grpc::Status::OK;
}

::grpc::Status CaAdapterServiceImpl::ChangeDcvMethod(::grpc::ServerContext* context,
                                                     const v1::ChangeDcvMethodRequest* request,
                                                     v1::ChangeDcvMethodResponse* response) {
  const domain::ChangeDcvCommand command = FromProto(*request);
  if (absl::Status valid = domain::ValidateChangeDcv(command, capabilities_); !valid.ok()) {
    return Reply(context, valid, kChangeDcvMethod);
  }
  absl::StatusOr<std::string> answer = executor_.Run(
      Idempotent(kChangeDcvMethod, *request), Deadline(*context), [&](const app::CallOptions& o) {
        return AnswerOf<v1::ChangeDcvMethodResponse>(backend_.ChangeDcvMethod(command, o));
      });
  return ReplyWith(context, answer, response, kChangeDcvMethod);
}

::grpc::Status CaAdapterServiceImpl::ResendDcvEmail(::grpc::ServerContext* context,
                                                    const v1::ResendDcvEmailRequest* request,
                                                    v1::ResendDcvEmailResponse* response) {
  const domain::ResendDcvEmailCommand command = FromProto(*request);
  if (absl::Status valid = domain::ValidateResendDcvEmail(command, capabilities_); !valid.ok()) {
    return Reply(context, valid, kResendDcvEmail);
  }
  absl::StatusOr<std::string> answer = executor_.Run(
      Idempotent(kResendDcvEmail, *request), Deadline(*context), [&](const app::CallOptions& o) {
        return AnswerOf<v1::ResendDcvEmailResponse>(backend_.ResendDcvEmail(command, o));
      });
  return ReplyWith(context, answer, response, kResendDcvEmail);
}

::grpc::Status CaAdapterServiceImpl::ResolveSubmission(::grpc::ServerContext* context,
                                                       const v1::ResolveSubmissionRequest* request,
                                                       v1::ResolveSubmissionResponse* response) {
  // Not through the executor: it is keyed by the submission's own key, and
  // the backend makes repeating the same resolution harmless (a different
  // one for a settled key is FAILED_PRECONDITION).
  const domain::ResolveSubmissionCommand command = FromProto(*request);
  if (absl::Status valid = domain::ValidateResolveSubmission(command); !valid.ok()) {
    return Reply(context, valid, kResolveSubmission);
  }
  app::CallOptions options;
  options.deadline = Deadline(*context);
  absl::StatusOr<domain::OrderStatus> status = backend_.ResolveSubmission(command, options);
  if (!status.ok()) {
    return Reply(context, status.status(), kResolveSubmission);
  }
  log::Info("submission resolved", {{"submit_idempotency_key", command.submit_idempotency_key},
                                    {"attach_ca_order_id", command.attach_ca_order_id},
                                    {"resubmit", command.resubmit ? "yes" : "no"},
                                    {"operator", command.operator_identity},
                                    {"reason", command.reason}});
  ToProto(*status, response->mutable_status());
  return ::grpc::Status::OK;
}

}  // namespace sslpanel::ca::grpc_api
