// How SectigoBackend finds what a creating call whose answer was lost did
// at the CA (WebHostReport), and how an operator settles a call that lookup
// cannot decide (ResolveSubmission).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/src/sectigo/sectigo_backend.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {

using domain::OrderStatus;

namespace {

bool AllDigits(absl::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

absl::StatusOr<ReportResult> SectigoBackend::Report(const Form& form, absl::Time deadline,
                                                    std::string* undecided) {
  CallOutcome outcome = Call(Endpoint::kWebHostReport, form, deadline);
  if (!outcome.reply.ok()) {
    return outcome.reply.status();  // could not ask: retry later
  }
  if (outcome.reply->error_code < 0) {
    const Handling handling = Classify(Endpoint::kWebHostReport, outcome.reply->error_code);
    if (handling == Handling::kRateLimited || handling == Handling::kAccount ||
        handling == Handling::kRetry) {
      return Failure(Endpoint::kWebHostReport, *outcome.reply);
    }
    *undecided = absl::StrCat("WebHostReport answered ", outcome.reply->error_code, ": ",
                              outcome.reply->error_message);
    return ReportResult{};
  }
  absl::StatusOr<ReportResult> report = ReadWebHostReport(*outcome.reply);
  if (!report.ok() || !report->matchable) {
    *undecided = "the WebHostReport rows carry neither uniqueValue nor foreignOrderNumber";
    return ReportResult{};
  }
  return report;
}

absl::StatusOr<SectigoBackend::Lookup> SectigoBackend::LookUp(const SectigoOrder& order,
                                                              absl::Time deadline) {
  if (order.kind == OrderKind::kReissue) {
    return LookUpReplacement(order, deadline);
  }
  // A new order: every order placed in the window around the sends, page
  // by page, matched on the uniqueValue or the foreignOrderNumber.
  Lookup lookup;
  const absl::Time from = order.first_sent_at.value_or(clock_.Now()) - config_.lookup_margin;
  const absl::Time to = clock_.Now() + config_.lookup_margin;
  for (int page = 0; page < config_.lookup_max_pages; ++page) {
    const int first = page * config_.lookup_page_size + 1;
    const int last = first + config_.lookup_page_size - 1;
    absl::StatusOr<ReportResult> report =
        Report(ReportForm(from, to, first, last), deadline, &lookup.why);
    if (!report.ok()) {
      return report.status();
    }
    if (!lookup.why.empty()) {
      return lookup;
    }
    for (const ReportRow& row : report->rows) {
      if (absl::EqualsIgnoreCase(row.unique_value, order.unique_value) ||
          (!row.foreign_order_number.empty() &&
           row.foreign_order_number == order.foreign_order_number)) {
        if (!AllDigits(row.order_number)) {
          lookup.why = "the matching WebHostReport row lacks its order number";
          return lookup;
        }
        lookup.outcome = LookupOutcome::kFound;
        lookup.order_number = row.order_number;
        lookup.certificate_id = row.certificate_id;
        return lookup;
      }
    }
    // Whether noOfResults counts the page or the whole window is not
    // confirmed: a full page means there may be more.
    if (static_cast<int>(report->rows.size()) < config_.lookup_page_size) {
      lookup.outcome = LookupOutcome::kNone;
      return lookup;
    }
  }
  lookup.why = absl::StrCat("more than ", config_.lookup_max_pages * config_.lookup_page_size,
                            " orders in the WebHostReport window");
  return lookup;
}

absl::StatusOr<SectigoBackend::Lookup> SectigoBackend::LookUpReplacement(const SectigoOrder& order,
                                                                         absl::Time deadline) {
  // AutoReplaceSSL keeps the order (and its date): ask for that order and
  // look at its newest certificate. Ours if it carries our uniqueValue;
  // none if it is still the certificate we replaced; anything else (a
  // replacement we do not know) cannot be decided.
  Lookup lookup;
  absl::StatusOr<SectigoOrder> original = Load(order.original_ca_order_id);
  if (!original.ok()) {
    return original.status();
  }
  absl::StatusOr<ReportResult> report =
      Report({{"orderNumber", original->order_number}}, deadline, &lookup.why);
  if (!report.ok()) {
    return report.status();
  }
  if (!lookup.why.empty()) {
    return lookup;
  }
  for (const ReportRow& row : report->rows) {
    if (row.order_number != original->order_number) {
      continue;
    }
    if (absl::EqualsIgnoreCase(row.unique_value, order.unique_value) &&
        AllDigits(row.certificate_id)) {
      lookup.outcome = LookupOutcome::kFound;
      lookup.order_number = row.order_number;
      lookup.certificate_id = row.certificate_id;
    } else if (!original->certificate_id.empty() &&
               row.certificate_id == original->certificate_id) {
      lookup.outcome = LookupOutcome::kNone;
    } else {
      lookup.why = absl::StrCat("order ", row.order_number, "'s newest certificate ",
                                row.certificate_id, " is neither the replaced one nor ours");
    }
    return lookup;
  }
  lookup.why = absl::StrCat("WebHostReport does not list order ", original->order_number);
  return lookup;
}

absl::StatusOr<OrderStatus> SectigoBackend::ResolveSubmission(
    const domain::ResolveSubmissionCommand& command, const app::CallOptions& options) {
  absl::StatusOr<std::optional<SectigoOrder>> found =
      store_.FindByKey(command.submit_idempotency_key);
  if (!found.ok()) {
    return found.status();
  }
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("submit_idempotency_key: no Sectigo call was recorded "
                     "with key \"",
                     command.submit_idempotency_key, "\""));
  }
  SectigoOrder order = **std::move(found);
  const bool attach = !command.attach_ca_order_id.empty();
  const std::string resolution = attach ? "attach" : "resubmit";
  if (!order.resolution.empty()) {
    const bool same = order.resolution == resolution &&
                      (!attach || order.ca_order_id == command.attach_ca_order_id);
    if (!same) {
      return absl::FailedPreconditionError(
          absl::StrCat("submission \"", command.submit_idempotency_key,
                       "\" was already settled by ", order.resolved_by, " (", order.resolution,
                       order.ca_order_id.empty() ? "" : absl::StrCat(" ", order.ca_order_id), ")"));
    }
    if (order.send_state == SendState::kCreated) {
      return StatusOf(order);
    }
    if (attach) {
      return StatusOf(order);
    }
    return Create(order, options);  // a resubmit still on its way
  }
  if (order.send_state == SendState::kCreated) {
    if (attach && order.ca_order_id == command.attach_ca_order_id) {
      return StatusOf(order);
    }
    return absl::FailedPreconditionError(
        absl::StrCat("submission \"", command.submit_idempotency_key,
                     "\" has no unknown outcome: it created Sectigo order ", order.ca_order_id));
  }
  std::string number = command.attach_ca_order_id;
  std::string certificate_id;
  if (attach) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(command.attach_ca_order_id, absl::MaxSplits('-', 1));
    number = parts.first;
    certificate_id = parts.second;
    if (!AllDigits(number) || (!certificate_id.empty() && !AllDigits(certificate_id)) ||
        (order.kind == OrderKind::kReissue && certificate_id.empty())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attach_ca_order_id: \"", command.attach_ca_order_id, "\" is not a Sectigo ",
          order.kind == OrderKind::kReissue ? "<orderNumber>-<certificateID> of a replacement"
                                            : "order number"));
    }
  }
  order.resolution = resolution;
  order.resolved_by = command.operator_identity;
  order.resolve_reason = command.reason;
  order.resolved_at = clock_.Now();
  log::Warning("Sectigo submission settled by an operator",
               {{"idempotency_key", order.idempotency_key},
                {"resolution", resolution},
                {"ca_order_id", command.attach_ca_order_id},
                {"operator", command.operator_identity},
                {"reason", command.reason}});
  if (attach) {
    return Bind(order, number, certificate_id);
  }
  order.send_state = SendState::kNotSent;
  return Send(order, options.deadline);
}

}  // namespace sslpanel::ca::sectigo
