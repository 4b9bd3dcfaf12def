// Orders and commands the workflow's tests share (test code only: it makes
// CSRs with OpenSSL).
#pragma once

#include <string>

#include "common/testing/csr.h"
#include "common/time/clock.h"
#include "workflow-service/src/app/workflow_app.h"

namespace sslpanel::workflow::app::testing {

// A 12-month order of `product` for `cn` with a DNS-validated CSR, and a
// Dutch organisation when the product is "ov".
inline NewOrderInput TestOrderInput(const std::string& external_id, const std::string& product,
                                    const std::string& cn) {
  NewOrderInput input;
  input.external_order_id = external_id;
  input.product_id = product;
  input.period_months = 12;
  input.common_name = cn;
  input.csr = sslpanel::testing::MakeCsr(cn);
  input.dcv_method = domain::DcvMethod::kDns;
  if (product == "ov") {
    input.organization = {"Test BV Donald", "68750110", "Hizzaarderlaan", "3", "", "8823 SJ",
                          "Lollum",         "NL",       "+31581234567"};
  }
  return input;
}

// Decides `command` for certificate `index` of the order and saves it, as
// the processing loop records a CA outcome.
inline absl::StatusOr<OrderRecord> ApplyCommand(WorkflowApp& app, const Clock& clock,
                                                int64_t order_id, int index,
                                                const domain::Command& command) {
  return app.Mutate(order_id, Caller{"system:test"},
                    [&](const OrderRecord& r) -> absl::StatusOr<SaveRequest> {
                      auto decision = domain::Decide(
                          r.order, index, command, domain::Context{clock.Now(), "system:test", {}});
                      if (!decision.ok()) {
                        return decision.status();
                      }
                      SaveRequest save;
                      save.decision = *decision;
                      return save;
                    });
}

}  // namespace sslpanel::workflow::app::testing
