// The Sectigo adapter over a fresh test database, in-process, against the
// sectigo-fake in-process on 127.0.0.1:0 (real HTTP), with helpers to
// place orders and read the fake's billing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ca-adapter/sectigo-fake/src/testing/fake_fixture.h"
#include "ca-adapter/src/sectigo/sectigo_adapter.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::ca::sectigo::testing {

class SectigoTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The adapter's configuration before the harness starts it (tests may
  // change it in their own SetUp before calling this one's).
  SectigoConfig config_;
  // Serve the fake over HTTPS with a throw-away certificate, trusted by
  // the adapter through --ca_bundle (or, with tls_wrong_bundle_, not).
  bool tls_ = false;
  bool tls_wrong_bundle_ = false;
  // --min_poll_interval for the test (production refuses less than 30m).
  absl::Duration min_poll_interval_ = absl::ZeroDuration();

  v1::CaAdapterService::Stub& stub() { return harness_->stub(); }
  app::CaBackend& backend() { return *backend_; }
  sectigo_fake::testing::FakeStack& fake() { return *fake_; }

  // A SubmitOrder request for `names` (the first is the common name) with
  // a fresh key pair.
  v1::SubmitOrderRequest SubmitRequest(const std::string& key,
                                       const std::vector<std::string>& names,
                                       v1::ValidationType type = v1::VALIDATION_TYPE_DV,
                                       const std::string& product = "287");
  ::grpc::Status Submit(const v1::SubmitOrderRequest& request, v1::SubmitOrderResponse* response);
  ::grpc::Status Status(const std::string& ca_order_id, v1::GetOrderStatusResponse* response);
  // Completes DCV at the fake and polls until the adapter reports ISSUED.
  v1::CaOrderStatus IssueNow(const std::string& ca_order_id);
  // The fake's count of billed AutoApplySSL orders.
  int Billed();
  void AddFault(const nlohmann::json& fault);
  void ClearFaults();
  app::CallOptions Options(bool resumed = false) const;
  // A verified chain: leaf and chain lead to the fake's live root.
  void ExpectVerifies(const v1::CaOrderStatus& status, const std::string& host);
  double Metric(const std::string& name, const prometheus::Labels& labels);

  SystemClock clock_;
  prometheus::Registry registry_;
  std::unique_ptr<sectigo_fake::testing::FakeStack> fake_;
  std::unique_ptr<ca::testing::AdapterHarness> harness_;
  app::CaBackend* backend_ = nullptr;
  std::string dir_;
};

// The order number part of a ca_order_id ("<n>" or "<n>-<certificateID>").
std::string OrderNumber(const std::string& ca_order_id);

}  // namespace sslpanel::ca::sectigo::testing
