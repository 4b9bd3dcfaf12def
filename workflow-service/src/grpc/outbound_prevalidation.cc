// The prevalidation service's client (GrpcPrevalidationClient).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/grpc/outbound.h"
#include "workflow-service/src/grpc/outbound_call.h"

namespace sslpanel::workflow::grpc_api {
namespace {

namespace pv1 = ::sslpanel::prevalidation::v1;

}  // namespace

absl::StatusOr<app::PrevalidationAnswer> GrpcPrevalidationClient::Prevalidate(
    const domain::Order& order, const domain::Certificate& cert) {
  pv1::PrevalidateRequest request;
  switch (order.validation_type) {
    case domain::ValidationType::kDv:
      request.set_validation_type(pv1::VALIDATION_TYPE_DV);
      break;
    case domain::ValidationType::kOv:
      request.set_validation_type(pv1::VALIDATION_TYPE_OV);
      break;
    case domain::ValidationType::kEv:
      request.set_validation_type(pv1::VALIDATION_TYPE_EV);
      break;
  }
  request.set_common_name(cert.common_name);
  for (const std::string& name : cert.additional_names) {
    request.add_additional_names(name);
  }
  const domain::Organization& o = order.organization;
  pv1::Organization* org = request.mutable_organization();
  org->set_legal_name(o.legal_name);
  org->set_kvk_number(o.kvk_number);
  org->set_street(o.street);
  org->set_house_number(o.house_number);
  org->set_house_number_addition(o.house_number_addition);
  org->set_postcode(o.postcode);
  org->set_city(o.city);
  org->set_country_code(o.country_code);
  org->set_phone(o.phone);
  request.set_csr(cert.csr_pem);

  grpc::ClientContext context;
  SetDeadline(context, deadline_);
  pv1::PrevalidateResponse response;
  grpc::Status status = stub_->Prevalidate(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    // The service refused the data itself: the customer must correct it,
    // like any failed check.
    pv1::PrevalidationReport* report = response.mutable_report();
    report->set_overall(pv1::OVERALL_FAIL);
    pv1::CheckResult* check = report->add_checks();
    check->set_code("REQUEST_VALID");
    check->set_outcome(pv1::CHECK_OUTCOME_FAIL);
    check->set_message(status.error_message());
    check->set_remedy("Correct the order data named in the message.");
    check->set_source("prevalidation-service");
  } else if (!status.ok()) {
    return Failure(status, context);
  }
  const pv1::PrevalidationReport& report = response.report();
  app::PrevalidationAnswer answer;
  switch (report.overall()) {
    case pv1::OVERALL_PASS:
      answer.outcome = domain::PrevalidationOutcome::kPass;
      break;
    case pv1::OVERALL_NOT_APPLICABLE:
      answer.outcome = domain::PrevalidationOutcome::kNotApplicable;
      break;
    case pv1::OVERALL_FAIL:
      answer.outcome = domain::PrevalidationOutcome::kFail;
      break;
    case pv1::OVERALL_NEEDS_REVIEW:
      answer.outcome = domain::PrevalidationOutcome::kNeedsReview;
      break;
    default:
      return absl::InternalError("the prevalidation service answered without an outcome");
  }
  std::vector<std::string> problems;
  for (const pv1::CheckResult& check : report.checks()) {
    if (check.outcome() == pv1::CHECK_OUTCOME_FAIL ||
        (answer.outcome == domain::PrevalidationOutcome::kNeedsReview &&
         (check.outcome() == pv1::CHECK_OUTCOME_UNKNOWN ||
          check.outcome() == pv1::CHECK_OUTCOME_ERROR))) {
      problems.push_back(absl::StrCat(check.code(), ": ", check.message()));
    }
  }
  answer.summary = absl::StrJoin(problems, "; ");
  answer.checked_at =
      report.has_checked_at() ? FromTimestamp(report.checked_at()) : absl::InfinitePast();
  (void)google::protobuf::util::MessageToJsonString(report, &answer.report_json);
  return answer;
}

}  // namespace sslpanel::workflow::grpc_api
