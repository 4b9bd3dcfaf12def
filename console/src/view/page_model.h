// What the console's pages show, as plain strings ready for the templates:
// filled from the workflow API by console/src/grpc/to_view.* and rendered by
// render.*. No gRPC or protobuf here, so rendering is tested on its own.
#pragma once

#include <string>
#include <vector>

#include "console/src/view/picture.h"

namespace sslpanel::console::view {

struct KeyValue {
  std::string key;
  std::string value;
};

struct CheckRow {
  std::string code;
  std::string outcome;        // "Fail"
  std::string outcome_class;  // "outcome fail"
  std::string message;
  std::string evidence;  // what the registry says against what the order says
  std::string remedy;
  std::string source;
};

struct PrevalidationView {
  bool present = false;
  std::string certificate_id;
  std::string overall;        // "Fail"
  std::string overall_class;  // "outcome fail"
  std::string checked_at;
  std::string not_applicable_reason;
  std::string overridden_by;
  std::string override_reason;
  std::string override_time;
  std::vector<CheckRow> checks;
};

struct DcvRow {
  std::string host_name;
  std::string method;
  std::string detail;  // the record, URL and content, or the approver address
  std::string status;
};

struct CertificateView {
  std::string heading;  // "Certificate 2 of 3: reissue"
  std::string certificate_id;
  std::string status;   // "Requested"
  std::string pending;  // "Cancel" or empty
  std::string reseller_code;
  std::vector<KeyValue> facts;  // dates, CA reference, raw CA status, ...
  std::vector<DcvRow> dcv;
  std::vector<std::string> actions;
  SvgPicture picture;
  std::string picture_error;  // set when GetWorkflow failed for this certificate
};

struct EventRow {
  std::string time;
  std::string certificate_id;
  std::string type;
  std::string status_change;   // "Requested -> Rejected" or empty
  std::string pending_change;  // "None -> Cancel" or empty
  std::string actor;
  std::string reason;
};

struct OrderPage {
  std::string order_id;
  std::string external_order_id;
  std::string external_href;  // /orders/by-external/<percent-encoded id>
  std::string common_name;
  bool closed = false;
  std::vector<KeyValue> facts;
  std::vector<KeyValue> organization;
  std::vector<std::string> actions;
  std::vector<CertificateView> certificates;
  PrevalidationView prevalidation;
  std::vector<EventRow> events;
  std::string events_note;  // e.g. "showing the first 500 events"
};

struct OrderRow {
  std::string order_id;
  std::string href;
  std::string external_order_id;
  std::string common_name;
  std::string status;
  std::string reseller_code;
  std::string certificate_status;
  std::string chain_length;
  std::string updated;
  std::string stuck;  // "since ..." or empty
};

struct Option {
  std::string value;
  std::string label;
  bool selected = false;
};

struct ListPage {
  std::vector<Option> order_statuses;
  std::vector<Option> certificate_statuses;
  std::vector<Option> reseller_codes;
  std::string common_name_pattern;
  std::string expiring_within_days;
  std::string page_size;
  bool stuck = false;
  std::vector<OrderRow> rows;
  std::string next_href;  // empty on the last page
};

struct ErrorPage {
  int http_status = 500;
  std::string title;    // "Order not found"
  std::string message;  // what the API said
  std::string hint;     // what to do about it
};

}  // namespace sslpanel::console::view
