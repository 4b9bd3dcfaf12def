// The /orders page's query string: parsed into a ListOrdersRequest (a bad
// value is INVALID_ARGUMENT naming the parameter), and the list page's view
// model (the filter form as submitted, the rows, the next-page link).
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "console/src/view/page_model.h"
#include "sslpanel/workflow/v1/workflow.pb.h"

namespace sslpanel::console::http {

namespace v1 = ::sslpanel::workflow::v1;

// Parameters: status (OPEN, CLOSED), certificate_status (OPEN ... RENEWED),
// reseller_code (PAI ... EXP), host (host-name pattern), expiring_within_days,
// stuck (1), page_size (1..500), page_token.
absl::StatusOr<v1::ListOrdersRequest> ParseListQuery(
    const std::multimap<std::string, std::string>& params);

view::ListPage ToListPage(const v1::ListOrdersRequest& request,
                          const v1::ListOrdersResponse& response);

}  // namespace sslpanel::console::http
