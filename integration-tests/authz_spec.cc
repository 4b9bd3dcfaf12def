#include "integration-tests/authz_spec.h"

#include <google/protobuf/dynamic_message.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/testing/csr.h"
#include "integration-tests/client.h"
#include "sslpanel/ca/v1/ca.pb.h"

namespace sslpanel::integration {
namespace {

namespace pb = ::google::protobuf;
namespace cav1 = ::sslpanel::ca::v1;

constexpr char kTrust[] = "spiffe://sslpanel.local/";
constexpr char kHost[] = "authz.example.com";

// The adapter's requests, typed: each names the sandbox order by its
// ca_order_id and carries what the adapter validates before it acts.
std::string CaRequestFor(const std::string& name, const Targets& targets, int serial) {
  const std::string key = absl::StrCat("authz-key-", serial);
  const std::string csr = testing::MakeCsr(kHost, {kHost});
  if (name == "SubmitOrder") {
    cav1::SubmitOrderRequest submit;
    submit.set_idempotency_key(key);
    submit.set_common_name(kHost);
    submit.set_csr(csr);
    submit.set_validation_type(cav1::VALIDATION_TYPE_DV);
    submit.set_period_months(12);
    return submit.SerializeAsString();
  }
  if (name == "CancelOrder") {
    cav1::CancelOrderRequest cancel;
    cancel.set_idempotency_key(key);
    cancel.set_ca_order_id(targets.ca_order_id);
    cancel.set_reason("authorization test");
    return cancel.SerializeAsString();
  }
  if (name == "RevokeCertificate") {
    cav1::RevokeCertificateRequest revoke;
    revoke.set_idempotency_key(key);
    revoke.set_ca_order_id(targets.ca_order_id);
    revoke.set_reason(cav1::REVOCATION_REASON_SUPERSEDED);
    return revoke.SerializeAsString();
  }
  if (name == "ReissueCertificate") {
    cav1::ReissueCertificateRequest reissue;
    reissue.set_idempotency_key(key);
    reissue.set_ca_order_id(targets.ca_order_id);
    reissue.set_csr(csr);
    reissue.set_common_name(kHost);
    return reissue.SerializeAsString();
  }
  if (name == "RenewOrder") {
    cav1::RenewOrderRequest renew;
    renew.set_idempotency_key(key);
    renew.set_ca_order_id(targets.ca_order_id);
    renew.set_csr(csr);
    renew.set_common_name(kHost);
    renew.set_period_months(12);
    return renew.SerializeAsString();
  }
  if (name == "ChangeDcvMethod") {
    cav1::ChangeDcvMethodRequest change;
    change.set_idempotency_key(key);
    change.set_ca_order_id(targets.ca_order_id);
    cav1::DomainValidation* dcv = change.add_domain_validations();
    dcv->set_host_name(kHost);
    dcv->set_method(cav1::DCV_METHOD_DNS);
    return change.SerializeAsString();
  }
  if (name == "ResendDcvEmail") {
    cav1::ResendDcvEmailRequest resend;
    resend.set_idempotency_key(key);
    resend.set_ca_order_id(targets.ca_order_id);
    resend.set_host_name(kHost);
    return resend.SerializeAsString();
  }
  if (name == "ResolveSubmission") {
    cav1::ResolveSubmissionRequest resolve;
    resolve.set_submit_idempotency_key(targets.ca_submit_key);
    resolve.set_attach_ca_order_id(targets.ca_order_id);
    resolve.set_operator_(absl::StrCat(kTrust, "ops/alice"));
    resolve.set_reason("authorization test");
    return resolve.SerializeAsString();
  }
  if (name == "GetOrderStatus") {
    cav1::GetOrderStatusRequest status;
    status.set_ca_order_id(targets.ca_order_id);
    return status.SerializeAsString();
  }
  if (name == "ListApproverEmails") {
    cav1::ListApproverEmailsRequest list;
    list.set_host_name(kHost);
    return list.SerializeAsString();
  }
  return cav1::GetCapabilitiesRequest().SerializeAsString();
}

}  // namespace

const std::vector<Identity>& Identities() {
  static const auto* identities = new std::vector<Identity>{
      {kNoCert, "no certificate", ""},
      {kUnlisted, "our CA, unlisted", absl::StrCat(kTrust, "stranger")},
      {kOtherCa, "another CA", absl::StrCat(kTrust, "billing")},
      {kBilling, "billing", absl::StrCat(kTrust, "billing")},
      {kPanel, "panel", absl::StrCat(kTrust, "panel")},
      {kConsole, "console (panel)", absl::StrCat(kTrust, "console")},
      {kOps, "ops/alice", absl::StrCat(kTrust, "ops/alice")},
      {kAuditor, "auditor", absl::StrCat(kTrust, "auditor")},
      {kSelf, "workflow", absl::StrCat(kTrust, "workflow")},
  };
  return *identities;
}

const std::map<std::string, std::set<Who>>& Expected() {
  static const auto* expected = [] {
    auto* m = new std::map<std::string, std::set<Who>>;
    const std::set<Who> reads = {kBilling, kPanel, kConsole, kOps, kAuditor};
    for (const char* rpc : {"GetOrder", "ListOrders", "GetWorkflow", "ListOrderEvents"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = reads;
    }
    (*m)[absl::StrCat(kWorkflow, "/ListProducts")] = reads;
    (*m)[absl::StrCat(kWorkflow, "/WatchOrderEvents")] = reads;
    for (const char* rpc :
         {"GetWebhookSubscription", "ListWebhookSubscriptions", "ListWebhookDeliveries"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kOps, kAuditor};
    }
    for (const char* rpc :
         {"CreateWebhookSubscription", "UpdateWebhookSubscription", "DeleteWebhookSubscription",
          "RedeliverWebhook", "DismissWebhookDelivery"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kOps};
    }
    (*m)[absl::StrCat(kWorkflow, "/DecodeCsr")] = {kBilling, kPanel, kConsole, kOps};
    for (const char* rpc :
         {"CreateOrder", "UpdateOrder", "SubmitOrder", "CancelCertificate", "ReissueCertificate",
          "RenewOrder", "ChangeDcvMethod", "ResendDcvEmail", "ListApproverEmails"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kBilling, kOps};
    }
    for (const char* rpc : {"OverridePrevalidation", "ResolveCaSubmission"}) {
      (*m)[absl::StrCat(kWorkflow, "/", rpc)] = {kOps};
    }
    for (const char* rpc :
         {"SubmitOrder", "CancelOrder", "RevokeCertificate", "ReissueCertificate", "RenewOrder",
          "ChangeDcvMethod", "ResendDcvEmail", "ResolveSubmission"}) {
      (*m)[absl::StrCat(kCa, "/", rpc)] = {kSelf};
    }
    for (const char* rpc : {"GetCapabilities", "GetOrderStatus", "ListApproverEmails"}) {
      (*m)[absl::StrCat(kCa, "/", rpc)] = {kSelf, kOps};
    }
    (*m)[absl::StrCat(kPrevalidation, "/Prevalidate")] = {kSelf, kOps};
    return m;
  }();
  return *expected;
}

bool IsMutation(const std::string& method) {
  static const auto* reads =
      new std::set<std::string>{absl::StrCat(kWorkflow, "/GetOrder"),
                                absl::StrCat(kWorkflow, "/ListOrders"),
                                absl::StrCat(kWorkflow, "/GetWorkflow"),
                                absl::StrCat(kWorkflow, "/ListOrderEvents"),
                                absl::StrCat(kWorkflow, "/ListProducts"),
                                absl::StrCat(kWorkflow, "/DecodeCsr"),
                                absl::StrCat(kWorkflow, "/ListApproverEmails"),
                                absl::StrCat(kCa, "/GetCapabilities"),
                                absl::StrCat(kWorkflow, "/WatchOrderEvents"),
                                absl::StrCat(kWorkflow, "/GetWebhookSubscription"),
                                absl::StrCat(kWorkflow, "/ListWebhookSubscriptions"),
                                absl::StrCat(kWorkflow, "/ListWebhookDeliveries"),
                                absl::StrCat(kCa, "/GetOrderStatus"),
                                absl::StrCat(kCa, "/ListApproverEmails"),
                                absl::StrCat(kPrevalidation, "/Prevalidate")};
  return reads->count(method) == 0;
}

std::string RequestFor(const pb::MethodDescriptor& method, const Targets& targets, int serial) {
  const std::string name = method.name();
  const std::string service = method.service()->full_name();
  if (service == kCa) {
    return CaRequestFor(name, targets, serial);
  }
  if (service == kWorkflow && name == "CreateOrder") {
    return DvOrder(absl::StrCat("authz-", serial), absl::StrCat("authz", serial, ".example.com"))
        .SerializeAsString();
  }
  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> request(factory.GetPrototype(method.input_type())->New());
  const std::string order = name == "UpdateOrder" || name == "SubmitOrder" ? targets.draft
                            : name == "OverridePrevalidation"              ? targets.held
                                                                           : targets.active;
  const pb::Reflection* reflection = request->GetReflection();
  auto set = [&](const char* field, const std::string& value) {
    if (const pb::FieldDescriptor* f = method.input_type()->FindFieldByName(field);
        f != nullptr && f->type() == pb::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      reflection->SetString(request.get(), f, value);
    }
  };
  set("request_id", absl::StrCat("authz-req-", serial));
  set("idempotency_key", absl::StrCat("authz-key-", serial));
  set("order_id", order);
  set("reason", "authorization test");
  set("actor", "operator:test");
  set("csr", testing::MakeCsr("www.authz.example.com", {"www.authz.example.com"}));
  return request->SerializeAsString();
}

}  // namespace sslpanel::integration
