// The creating calls of SectigoBackend (submit, reissue, renew) and their
// recovery: at most one CA order per idempotency key although the reseller
// API has no idempotency of its own (sectigo_backend.h).
#include <algorithm>
#include <functional>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/src/app/idempotent_executor.h"
#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "ca-adapter/src/sectigo/sectigo_backend.h"
#include "ca-adapter/src/sectigo/sectigo_dcv.h"
#include "ca-adapter/src/sectigo/sectigo_forms.h"
#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {

using domain::OrderState;
using domain::OrderStatus;

namespace {

std::vector<std::string> Names(const std::string& common_name,
                               const std::vector<std::string>& additional) {
  std::vector<std::string> names = {common_name};
  for (const std::string& name : additional) {
    if (std::find_if(names.begin(), names.end(), [&](const std::string& n) {
          return absl::EqualsIgnoreCase(n, name);
        }) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

std::string FieldOf(const Form& form, absl::string_view name) {
  for (const auto& [key, value] : form) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

// The AutoApplySSL input of a new order (submitted or renewed): its
// product, names, CSR and DCV, and the keys that make it findable again.
ApplyInput ApplyInputFor(const SectigoOrder& order, int period_months,
                         domain::DcvMethod default_method) {
  ApplyInput input;
  input.product_code = order.product_code;
  input.period_months = period_months;
  input.csr_pem = order.csr_pem;
  input.names = order.names;
  input.domain_validations = order.domain_validations;
  input.default_method = default_method;
  input.unique_value = order.unique_value;
  input.foreign_order_number = order.foreign_order_number;
  return input;
}

}  // namespace

absl::StatusOr<OrderStatus> SectigoBackend::Submit(const domain::SubmitCommand& command,
                                                   const app::CallOptions& options) {
  if (absl::Status status = CheckDcvChoices(command.domain_validations); !status.ok()) {
    return status;
  }
  if (command.product_code.empty()) {
    return absl::InvalidArgumentError(
        "product_code: required by the Sectigo adapter (the reseller API's product number, "
        "e.g. 287 for PositiveSSL DV, from the catalogue's ca_product_code)");
  }
  SectigoOrder order;
  order.idempotency_key = command.idempotency_key;
  order.kind = OrderKind::kInitial;
  order.unique_value = UniqueValueFor(command.idempotency_key);
  order.foreign_order_number = ForeignOrderNumberFor(command.idempotency_key);
  order.common_name = command.common_name;
  order.names = Names(command.common_name, command.additional_names);
  order.csr_pem = command.csr_pem;
  order.domain_validations = command.domain_validations;
  order.product_code = command.product_code;
  ApplyInput input = ApplyInputFor(order, command.period_months, config_.default_dcv_method);
  if (command.validation_type == domain::ValidationType::kOv ||
      command.validation_type == domain::ValidationType::kEv) {
    if (command.organization.has_value()) {
      if (absl::Status status = CheckOrganization(*command.organization); !status.ok()) {
        return status;
      }
    }
    input.organization = command.organization;
  }
  input.test = config_.test_orders;
  order.request = ApplyForm(input);
  return Create(std::move(order), options);
}

absl::StatusOr<SectigoOrder> SectigoBackend::IssuedOriginal(absl::string_view ca_order_id,
                                                            absl::Time deadline,
                                                            absl::string_view action) {
  absl::StatusOr<SectigoOrder> original = Load(ca_order_id);
  if (!original.ok()) {
    return original.status();
  }
  if (original->state == OrderState::kPending && !original->cancel_requested_at.has_value()) {
    absl::StatusOr<OrderStatus> current = Collect(*original, deadline);  // issued since?
    if (!current.ok()) {
      return current.status();
    }
  }
  if (original->state != OrderState::kIssued || original->revoke_requested_at.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("order \"", ca_order_id, "\" is ", domain::OrderStateName(original->state),
                     "; only an issued certificate can be ", action));
  }
  return original;
}

template <typename Command>
absl::StatusOr<OrderStatus> SectigoBackend::Replace(
    const Command& command, OrderKind kind, absl::string_view action, absl::string_view not_sent,
    const app::CallOptions& options,
    const std::function<Form(const SectigoOrder& original, const SectigoOrder& order)>& form) {
  if (absl::Status status = CheckDcvChoices(command.domain_validations); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::optional<SectigoOrder>> recorded = store_.FindByKey(command.idempotency_key);
  if (!recorded.ok()) {
    return recorded.status();
  }
  if (recorded->has_value()) {
    return Create(**std::move(recorded), options);  // resumed: the original no longer matters
  }
  if (options.find_only) {
    return absl::NotFoundError(not_sent);
  }
  absl::StatusOr<SectigoOrder> original =
      IssuedOriginal(command.ca_order_id, options.deadline, action);
  if (!original.ok()) {
    return original.status();
  }
  SectigoOrder order;
  order.idempotency_key = command.idempotency_key;
  order.kind = kind;
  order.original_ca_order_id = original->ca_order_id;
  order.unique_value = UniqueValueFor(command.idempotency_key);
  order.foreign_order_number = ForeignOrderNumberFor(command.idempotency_key);
  order.names = command.common_name.empty() ? original->names
                                            : Names(command.common_name, command.additional_names);
  order.common_name = order.names.front();
  order.csr_pem = command.csr_pem;
  order.domain_validations = command.domain_validations;
  order.product_code = original->product_code;
  order.request = form(*original, order);
  return Create(std::move(order), options);
}

absl::StatusOr<OrderStatus> SectigoBackend::Reissue(const domain::ReissueCommand& command,
                                                    const app::CallOptions& options) {
  return Replace(command, OrderKind::kReissue, "reissued", "no replacement was sent with this key",
                 options, [&](const SectigoOrder& original, const SectigoOrder& order) {
                   ReplaceInput input;
                   input.order_number = original.order_number;
                   input.csr_pem = order.csr_pem;
                   input.names = order.names;
                   input.domain_validations = order.domain_validations;
                   input.default_method = config_.default_dcv_method;
                   input.unique_value = order.unique_value;
                   return ReplaceForm(input);
                 });
}

absl::StatusOr<OrderStatus> SectigoBackend::Renew(const domain::RenewCommand& command,
                                                  const app::CallOptions& options) {
  return Replace(command, OrderKind::kRenewal, "renewed", "no renewal was sent with this key",
                 options, [&](const SectigoOrder& original, const SectigoOrder& order) {
                   Form request = ApplyForm(
                       ApplyInputFor(order, command.period_months, config_.default_dcv_method));
                   for (const auto& [name, value] : OrganizationFields(original.request)) {
                     SetField(request, name, value);  // the same organisation (and test flag)
                   }
                   return request;
                 });
}

absl::StatusOr<OrderStatus> SectigoBackend::Create(SectigoOrder proposed,
                                                   const app::CallOptions& options) {
  absl::StatusOr<std::optional<SectigoOrder>> found = store_.FindByKey(proposed.idempotency_key);
  if (!found.ok()) {
    return found.status();
  }
  SectigoOrder order;
  if (!found->has_value()) {
    if (options.find_only) {
      return absl::NotFoundError("no Sectigo order was sent with this key");
    }
    // Recorded before anything is sent: from here on a lost answer is
    // looked up, never sent blindly again.
    absl::Status inserted = store_.Insert(proposed, clock_.Now());
    if (inserted.code() == absl::StatusCode::kAlreadyExists) {
      return absl::AbortedError("another call recorded this Sectigo order first; retry");
    }
    if (!inserted.ok()) {
      return inserted;
    }
    proposed.version = 1;
    order = std::move(proposed);
  } else {
    order = **std::move(found);
  }
  switch (order.send_state) {
    case SendState::kCreated:
      return StatusOf(order);
    case SendState::kSending: {
      if (absl::Status owned = SendInFlight(order); !owned.ok()) {
        return owned;  // neither looked up nor sent while another send may be under way
      }
      absl::StatusOr<Lookup> lookup = LookUp(order, options.deadline);
      if (!lookup.ok()) {
        lookups_.Add({{"outcome", "failed"}}).Increment();
        return lookup.status();
      }
      switch (lookup->outcome) {
        case LookupOutcome::kFound:
          lookups_.Add({{"outcome", "found"}}).Increment();
          log::Info(
              "Sectigo order of an interrupted call found",
              {{"idempotency_key", order.idempotency_key}, {"order_number", lookup->order_number}});
          return Bind(order, lookup->order_number, lookup->certificate_id);
        case LookupOutcome::kUndecided:
          lookups_.Add({{"outcome", "undecided"}}).Increment();
          log::Error("outcome of a Sectigo order unknown; holding it for an operator",
                     {{"idempotency_key", order.idempotency_key},
                      {"unique_value", order.unique_value},
                      {"why", lookup->why}});
          return domain::OutcomeUnknown(absl::StrCat(
              "sent to Sectigo ", order.sends, " time(s) with uniqueValue ", order.unique_value,
              " and foreignOrderNumber ", order.foreign_order_number,
              ", answer lost, and the order cannot be looked up: ", lookup->why,
              "; find it by hand and attach it, or resubmit (ResolveSubmission)"));
        case LookupOutcome::kNone:
          lookups_.Add({{"outcome", "none"}}).Increment();
          log::Info("no Sectigo order for an interrupted call; sending it again",
                    {{"idempotency_key", order.idempotency_key}});
          break;
      }
      break;
    }
    case SendState::kNotSent:
    case SendState::kRefused:
      break;
  }
  if (options.find_only) {
    return absl::NotFoundError("no Sectigo order was created with this key");
  }
  return Send(order, options.deadline);
}

absl::Status SectigoBackend::SendInFlight(const SectigoOrder& order) {
  if (order.send_state != SendState::kSending || !order.sending_until.has_value()) {
    return absl::OkStatus();
  }
  const absl::Duration left = *order.sending_until - clock_.Now();
  if (left <= absl::ZeroDuration()) {
    return absl::OkStatus();
  }
  lookups_.Add({{"outcome", "in_flight"}}).Increment();  // deferred, not looked up
  return domain::WithRetryAfter(
      absl::UnavailableError(absl::StrCat(
          "Sectigo order with uniqueValue ", order.unique_value, " was sent at ",
          absl::FormatTime(order.last_sent_at.value_or(absl::InfinitePast())),
          " and may still be in flight or being created; not looked up or sent again before ",
          absl::FormatTime(*order.sending_until))),
      left);
}

absl::StatusOr<OrderStatus> SectigoBackend::Send(SectigoOrder& order, absl::Time deadline) {
  const Endpoint endpoint =
      order.kind == OrderKind::kReissue ? Endpoint::kAutoReplaceSsl : Endpoint::kAutoApplySsl;
  if (order.send_state == SendState::kNotSent && order.sends == 0) {
    if (absl::Status offered = CheckApprovers(order.domain_validations, deadline); !offered.ok()) {
      return offered;  // nothing sent
    }
  }
  const absl::Time now = clock_.Now();
  if (deadline - now < config_.send_timeout) {
    // A creating call cut short by our own deadline would leave its
    // outcome unknown: never start one without a full request timeout.
    return domain::WithRetryAfter(
        absl::UnavailableError(absl::StrCat(
            "less than the request timeout (", absl::FormatDuration(config_.send_timeout),
            ") left to send ", EndpointName(endpoint), "; not sent")),
        absl::Seconds(1));
  }
  order.send_state = SendState::kSending;
  ++order.sends;
  if (!order.first_sent_at.has_value()) {
    order.first_sent_at = now;
  }
  order.last_sent_at = now;
  order.sending_until = now + config_.send_timeout + config_.send_settle;
  if (absl::Status saved = Save(order); !saved.ok()) {
    return saved;  // another call changed the row first: nothing sent
  }
  CallOutcome outcome = Call(endpoint, order.request, deadline);
  if (!outcome.reply.ok()) {
    if (outcome.delivery == Delivery::kNotSent) {
      order.send_state = SendState::kNotSent;
      order.sending_until.reset();
    } else {
      // The answer is lost but Sectigo may still be creating the order:
      // nobody looks it up before it settled.
      order.sending_until = clock_.Now() + config_.send_settle;
    }
    (void)Save(order);  // if this fails, the longer window stored before the send holds
    return outcome.reply.status();
  }
  const Reply& reply = *outcome.reply;
  if (reply.error_code >= 0) {
    if (endpoint == Endpoint::kAutoReplaceSsl) {
      absl::StatusOr<ReplaceResult> replaced = ReadReplace(reply);
      if (!replaced.ok()) {
        return absl::UnavailableError(
            absl::StrCat("Sectigo AutoReplaceSSL: ", replaced.status().message()));
      }
      return Bind(order, FieldOf(order.request, "orderNumber"), replaced->certificate_id);
    }
    absl::StatusOr<ApplyResult> applied = ReadApply(reply);
    if (!applied.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Sectigo AutoApplySSL: ", applied.status().message()));
    }
    return Bind(order, applied->order_number, applied->certificate_id);
  }
  if (endpoint == Endpoint::kAutoApplySsl &&
      IsForeignOrderNumberTaken(reply.error_code, reply.error_message)) {
    // An earlier send created it: find it rather than order again.
    absl::StatusOr<Lookup> lookup = LookUp(order, deadline);
    if (!lookup.ok()) {
      return lookup.status();
    }
    if (lookup->outcome == LookupOutcome::kFound) {
      return Bind(order, lookup->order_number, lookup->certificate_id);
    }
    return domain::OutcomeUnknown(
        absl::StrCat("Sectigo says foreignOrderNumber ", order.foreign_order_number,
                     " is taken, but its order cannot be looked up: ", reply.error_message));
  }
  absl::Status failure = Failure(endpoint, reply);
  if (RefusalCreatedNothing(endpoint, reply.error_code)) {
    order.send_state =
        app::IsDefinitive(failure.code()) ? SendState::kRefused : SendState::kNotSent;
    if (absl::Status saved = Save(order); !saved.ok()) {
      log::Warning("cannot record a Sectigo refusal", {{"error", saved}});
    }
  }
  return failure;
}

absl::StatusOr<OrderStatus> SectigoBackend::Bind(SectigoOrder& order,
                                                 const std::string& order_number,
                                                 const std::string& certificate_id) {
  order.order_number = order_number;
  order.certificate_id = certificate_id;
  order.ca_order_id = order.kind == OrderKind::kReissue && !certificate_id.empty()
                          ? absl::StrCat(order_number, "-", certificate_id)
                          : order_number;
  order.send_state = SendState::kCreated;
  order.state = OrderState::kPending;
  order.raw_status = "submitted";
  if (absl::Status saved = Save(order); !saved.ok()) {
    if (saved.code() == absl::StatusCode::kAlreadyExists) {
      return absl::FailedPreconditionError(absl::StrCat("Sectigo order ", order.ca_order_id,
                                                        " already belongs to another submission"));
    }
    return saved;  // still "sending": the retry looks it up again
  }
  log::Info("Sectigo order created", {{"idempotency_key", order.idempotency_key},
                                      {"ca_order_id", order.ca_order_id},
                                      {"sends", order.sends}});
  return StatusOf(order);
}

}  // namespace sslpanel::ca::sectigo
