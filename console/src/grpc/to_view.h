// Turns workflow API messages into the console's view models: enum names
// into words, Timestamps into "2026-12-02 05:43:51 UTC", the GetWorkflow
// graph into the picture layout's input. No calls are made here.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "console/src/view/page_model.h"
#include "console/src/view/picture.h"
#include "sslpanel/workflow/v1/workflow.pb.h"

namespace sslpanel::console::grpc_glue {

namespace v1 = ::sslpanel::workflow::v1;

// The short name of a status ("ACTIVE") as the picture uses it.
std::string StatusName(v1::CertificateStatus status);

view::PictureInput ToPictureInput(const v1::GetWorkflowResponse& workflow);

// The order page. `pictures` holds one entry per certificate of the chain,
// in the same order; `events` the history (oldest first) and whether it was
// cut short.
view::OrderPage ToOrderPage(const v1::Order& order,
                            const std::vector<absl::StatusOr<v1::GetWorkflowResponse>>& pictures,
                            const std::vector<v1::Event>& events, bool events_truncated);

view::OrderRow ToOrderRow(const v1::Order& order);

}  // namespace sslpanel::console::grpc_glue
