// Small helpers for calling the workflow API in end-to-end tests, as an
// internal client would: build a request, call with a deadline, return the
// order or the status.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"

namespace sslpanel::integration {

namespace v1 = ::sslpanel::workflow::v1;

// A DV order for `common_name` on product `product` with a fresh CSR.
v1::CreateOrderRequest DvOrder(const std::string& id, const std::string& common_name,
                               const std::string& product = "sandbox-dv");
// An OV order for KvK test company 68750110 (Test BV Donald) under .nl with
// `legal_name` as the customer typed it.
v1::CreateOrderRequest DutchOvOrder(const std::string& id, const std::string& legal_name);
v1::Organization TestBvDonald(const std::string& legal_name);

absl::StatusOr<v1::Order> Create(v1::WorkflowService::Stub& stub,
                                 const v1::CreateOrderRequest& request);
absl::StatusOr<v1::Order> Get(v1::WorkflowService::Stub& stub, const std::string& order_id);
absl::StatusOr<v1::Order> Cancel(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                 const std::string& request_id,
                                 const std::string& certificate_id = "");
absl::StatusOr<v1::Order> Reissue(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                  const std::string& request_id, const std::string& csr);
absl::StatusOr<v1::Order> Renew(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                const std::string& request_id);
absl::StatusOr<std::vector<v1::Event>> Events(v1::WorkflowService::Stub& stub,
                                              const std::string& order_id);
absl::StatusOr<v1::GetWorkflowResponse> Picture(v1::WorkflowService::Stub& stub,
                                                const std::string& order_id,
                                                const std::string& certificate_id = "");

std::vector<std::string> EventTypes(const std::vector<v1::Event>& events);
std::vector<v1::CertificateStatus> StatusHistory(const v1::Certificate& certificate);

// The state of the arrow from `from` to `to` in a workflow picture.
v1::ArrowState ArrowState(const v1::GetWorkflowResponse& picture, v1::CertificateStatus from,
                          v1::CertificateStatus to);

// Verifies `leaf` (with `chain`) against the root PEM in `root_file`, as
// `openssl verify -CAfile root -untrusted chain leaf` would; the error text.
std::string VerifyChain(const std::string& leaf, const std::string& chain,
                        const std::string& root_pem);

}  // namespace sslpanel::integration
