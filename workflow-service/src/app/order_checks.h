// Checks WorkflowApp's create and renew paths share (workflow_app.cc,
// order_commands.cc); internal to app/.
#pragma once

#include "absl/status/status.h"
#include "workflow-service/src/app/products.h"

namespace sslpanel::workflow::app {

// OK if `product` is sold for `period_months`; INVALID_ARGUMENT naming the periods it is.
absl::Status CheckPeriod(const Product& product, int period_months);

}  // namespace sslpanel::workflow::app
