#include "integration-tests/client.h"

#include <grpcpp/grpcpp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/grpc/status.h"
#include "common/testing/csr.h"

namespace sslpanel::integration {
namespace {

template <typename Call>
absl::Status Invoke(Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return grpc_util::FromGrpc(call(&context));
}

std::vector<X509*> ReadCerts(const std::string& pem) {
  std::vector<X509*> certs;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.push_back(cert);
  }
  return certs;
}

}  // namespace

v1::CreateOrderRequest DvOrder(const std::string& id, const std::string& common_name,
                               const std::string& product) {
  v1::CreateOrderRequest request;
  request.set_request_id("create-" + id);
  request.set_external_order_id("ext-" + id);
  request.set_product_id(product);
  // One month: inside the 90-day renewal window from the start.
  request.set_period_months(product == "acme-dv" ? 3 : 1);
  request.set_common_name(common_name);
  request.set_csr(testing::MakeCsr(common_name, {common_name}));
  request.set_dcv_method(v1::DCV_METHOD_DNS);
  request.set_actor("test:billing");
  return request;
}

v1::Organization TestBvDonald(const std::string& legal_name) {
  v1::Organization o;
  o.set_legal_name(legal_name);
  o.set_kvk_number("68750110");
  o.set_street("Hizzaarderlaan");
  o.set_house_number("3");
  o.set_house_number_addition("A");
  o.set_postcode("8823 SJ");
  o.set_city("Lollum");
  o.set_country_code("NL");
  o.set_phone("+31 58 123 4567");
  return o;
}

v1::CreateOrderRequest DutchOvOrder(const std::string& id, const std::string& legal_name) {
  v1::CreateOrderRequest request;
  request.set_request_id("create-" + id);
  request.set_external_order_id("ext-" + id);
  request.set_product_id("sandbox-ov");
  request.set_period_months(12);
  request.set_common_name("www.testbvdonald.nl");
  request.add_additional_names("testbvdonald.nl");
  testing::CsrSpec spec;
  spec.common_name = "www.testbvdonald.nl";
  spec.dns_names = {"www.testbvdonald.nl", "testbvdonald.nl"};
  spec.organization = "Test BV Donald";
  spec.locality = "Lollum";
  spec.country = "NL";
  request.set_csr(testing::MakeCsr(spec));
  request.set_dcv_method(v1::DCV_METHOD_DNS);
  *request.mutable_organization() = TestBvDonald(legal_name);
  return request;
}

absl::StatusOr<v1::Order> Create(v1::WorkflowService::Stub& stub,
                                 const v1::CreateOrderRequest& request) {
  v1::CreateOrderResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.CreateOrder(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response.order();
}

absl::StatusOr<v1::Order> Get(v1::WorkflowService::Stub& stub, const std::string& order_id) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  v1::GetOrderResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.GetOrder(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response.order();
}

absl::StatusOr<v1::Order> Cancel(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                 const std::string& request_id, const std::string& certificate_id) {
  v1::CancelCertificateRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order_id);
  request.set_certificate_id(certificate_id);
  request.set_reason("customer asked");
  request.set_actor("test:customer");
  v1::CancelCertificateResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.CancelCertificate(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response.order();
}

absl::StatusOr<v1::Order> Reissue(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                  const std::string& request_id, const std::string& csr) {
  v1::ReissueCertificateRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order_id);
  request.set_csr(csr);
  v1::ReissueCertificateResponse response;
  absl::Status status = Invoke(
      [&](grpc::ClientContext* c) { return stub.ReissueCertificate(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response.order();
}

absl::StatusOr<v1::Order> Renew(v1::WorkflowService::Stub& stub, const std::string& order_id,
                                const std::string& request_id) {
  v1::RenewOrderRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order_id);
  v1::RenewOrderResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.RenewOrder(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response.order();
}

absl::StatusOr<std::vector<v1::Event>> Events(v1::WorkflowService::Stub& stub,
                                              const std::string& order_id) {
  v1::ListOrderEventsRequest request;
  request.set_order_id(order_id);
  request.set_page_size(500);
  v1::ListOrderEventsResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.ListOrderEvents(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return std::vector<v1::Event>(response.events().begin(), response.events().end());
}

absl::StatusOr<v1::GetWorkflowResponse> Picture(v1::WorkflowService::Stub& stub,
                                                const std::string& order_id,
                                                const std::string& certificate_id) {
  v1::GetWorkflowRequest request;
  request.set_order_id(order_id);
  request.set_certificate_id(certificate_id);
  v1::GetWorkflowResponse response;
  absl::Status status =
      Invoke([&](grpc::ClientContext* c) { return stub.GetWorkflow(c, request, &response); });
  if (!status.ok()) {
    return status;
  }
  return response;
}

std::vector<std::string> EventTypes(const std::vector<v1::Event>& events) {
  std::vector<std::string> types;
  for (const v1::Event& e : events) {
    types.push_back(e.type());
  }
  return types;
}

std::vector<v1::CertificateStatus> StatusHistory(const v1::Certificate& certificate) {
  std::vector<v1::CertificateStatus> history;
  for (const v1::StatusTime& entry : certificate.status_history()) {
    history.push_back(entry.status());
  }
  return history;
}

v1::ArrowState ArrowState(const v1::GetWorkflowResponse& picture, v1::CertificateStatus from,
                          v1::CertificateStatus to) {
  for (const v1::WorkflowArrow& arrow : picture.arrows()) {
    if (arrow.from_status() == from && arrow.to_status() == to) {
      return arrow.state();
    }
  }
  return v1::ARROW_STATE_UNSPECIFIED;
}

std::string VerifyChain(const std::string& leaf, const std::string& chain,
                        const std::string& root_pem) {
  std::vector<X509*> leaves = ReadCerts(leaf);
  std::vector<X509*> intermediates = ReadCerts(chain);
  std::vector<X509*> roots = ReadCerts(root_pem);
  std::string error;
  if (leaves.empty() || roots.empty()) {
    error = "no certificate to verify";
  } else {
    X509_STORE* store = X509_STORE_new();
    for (X509* root : roots) {
      X509_STORE_add_cert(store, root);
    }
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (X509* cert : intermediates) {
      sk_X509_push(untrusted, cert);
    }
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaves[0], untrusted);
    if (X509_verify_cert(ctx) != 1) {
      error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
  }
  for (auto* list : {&leaves, &intermediates, &roots}) {
    for (X509* cert : *list) {
      X509_free(cert);
    }
  }
  return error;
}

}  // namespace sslpanel::integration
