#include "grpc/service.h"

#include "common/grpc/status.h"
#include "common/log/log.h"
#include "grpc/convert.h"

namespace sslpanel::prevalidation::grpc {

namespace v1 = ::sslpanel::prevalidation::v1;

::grpc::Status PrevalidationServiceImpl::Prevalidate(::grpc::ServerContext* context,
                                                     const v1::PrevalidateRequest* request,
                                                     v1::PrevalidateResponse* response) {
  constexpr absl::string_view kRpc = "Prevalidate";
  const absl::Time start = clock_.Now();
  absl::StatusOr<domain::PrevalidationRequest> decoded = FromProto(*request);
  absl::StatusOr<domain::Report> report =
      decoded.ok() ? prevalidator_.Run(*decoded) : absl::StatusOr<domain::Report>(decoded.status());
  const absl::Duration took = clock_.Now() - start;
  if (!report.ok()) {
    if (absl::IsUnavailable(report.status())) {
      log::Warning("prevalidation postponed: data source unavailable",
                   {{"kvk_number", request->organization().kvk_number()},
                    {"common_name", request->common_name()},
                    {"error", report.status()},
                    {"took", took}});
    } else {
      log::Info("prevalidation refused",
                {{"common_name", request->common_name()}, {"error", report.status()}});
    }
    return grpc_util::ToGrpc(report.status(), kRpc);
  }
  ToProto(*report, response->mutable_report());
  log::Info("prevalidated", {{"kvk_number", request->organization().kvk_number()},
                             {"common_name", request->common_name()},
                             {"overall", domain::OverallName(report->overall)},
                             {"checks", report->checks.size()},
                             {"took", took}});
  return ::grpc::Status::OK;
}

}  // namespace sslpanel::prevalidation::grpc
