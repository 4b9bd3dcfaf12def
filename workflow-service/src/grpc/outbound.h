// Clients of the other services, behind the app's ports: one per CA adapter
// and one for the prevalidation service. Each wraps a generated stub (a fake
// server's stub in tests) and sets the deadline of every call in one place.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"
#include "sslpanel/prevalidation/v1/prevalidation.grpc.pb.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::grpc_api {

class GrpcCaClient final : public app::CaClient {
 public:
  GrpcCaClient(std::unique_ptr<ca::v1::CaAdapterService::StubInterface> stub,
               absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}

  absl::StatusOr<app::CaAnswer> Submit(const domain::Order& order, const domain::Certificate& cert,
                                       const std::string& product_code,
                                       const std::string& key) override;
  absl::StatusOr<app::CaAnswer> Reissue(const domain::Certificate& previous,
                                        const domain::Certificate& cert,
                                        const std::string& key) override;
  absl::StatusOr<app::CaAnswer> Renew(const domain::Certificate& previous,
                                      const domain::Certificate& cert,
                                      const std::string& key) override;
  absl::StatusOr<app::CaAnswer> Cancel(const std::string& ca_reference,
                                       const std::string& submit_key, const std::string& reason,
                                       const std::string& key) override;
  absl::StatusOr<app::CaAnswer> Revoke(const std::string& ca_reference,
                                       const std::string& key) override;
  absl::StatusOr<app::CaAnswer> Status(const std::string& ca_reference) override;
  absl::StatusOr<app::CaCapabilities> Capabilities() override;
  absl::StatusOr<std::vector<std::string>> ListApproverEmails(
      const std::string& host_name) override;
  absl::StatusOr<app::CaAnswer> ChangeDcv(const std::string& ca_reference,
                                          const std::vector<domain::DomainValidation>& changes,
                                          const std::string& key) override;
  absl::StatusOr<app::CaAnswer> ResendDcvEmail(const std::string& ca_reference,
                                               const std::string& host_name,
                                               const std::string& key) override;
  absl::StatusOr<app::CaAnswer> ResolveSubmission(const std::string& submit_key,
                                                  const domain::IntentDetail& detail) override;

 private:
  std::unique_ptr<ca::v1::CaAdapterService::StubInterface> stub_;
  absl::Duration deadline_;
};

// Adapters by name, from configuration ("sandbox=127.0.0.1:50053,...").
class StaticCaRouter final : public app::CaRouter {
 public:
  void Add(const std::string& name, std::unique_ptr<app::CaClient> client) {
    clients_[name] = std::move(client);
  }
  app::CaClient* ForAdapter(const std::string& name) override {
    auto it = clients_.find(name);
    return it == clients_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<app::CaClient>> clients_;
};

class GrpcPrevalidationClient final : public app::PrevalidationClient {
 public:
  GrpcPrevalidationClient(
      std::unique_ptr<prevalidation::v1::PrevalidationService::StubInterface> stub,
      absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}

  absl::StatusOr<app::PrevalidationAnswer> Prevalidate(const domain::Order& order,
                                                       const domain::Certificate& cert) override;

 private:
  std::unique_ptr<prevalidation::v1::PrevalidationService::StubInterface> stub_;
  absl::Duration deadline_;
};

// Parses "name=host:port,name=host:port"; INVALID_ARGUMENT names the flag.
absl::StatusOr<std::map<std::string, std::string>> ParseAdapterList(const std::string& text);

}  // namespace sslpanel::workflow::grpc_api
