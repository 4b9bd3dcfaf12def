// The creating calls of SandboxBackend (submit, reissue, renew): at most one
// order per idempotency key, also across replicas.
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/domain/names.h"
#include "ca-adapter/src/sandbox/sandbox_backend.h"
#include "ca-adapter/src/x509/csr.h"
#include "common/log/log.h"

namespace sslpanel::ca::sandbox {

using domain::OrderState;
using domain::OrderStatus;

namespace {

const char* OutcomeName(ScriptedOutcome outcome) {
  switch (outcome) {
    case ScriptedOutcome::kIssue:
      return "issue";
    case ScriptedOutcome::kRefuse:
      return "refuse";
    case ScriptedOutcome::kPendingForever:
      return "pending";
    case ScriptedOutcome::kIssueOnCancel:
      return "issue on cancel";
  }
  return "?";
}

// What a call that creates an order answers before creating one: the order
// an earlier attempt with its idempotency key created (`existing`), NOT_FOUND
// when it only looks for that, or why its CSR cannot be read. Nothing means
// go on and create.
std::optional<absl::StatusOr<OrderStatus>> AnswerBeforeCreating(
    const absl::StatusOr<std::optional<SandboxOrder>>& existing, const app::CallOptions& options,
    const std::string& csr_pem) {
  if (!existing.ok()) {
    return existing.status();
  }
  if (existing->has_value()) {
    return ToStatus(**existing);
  }
  if (options.find_only) {
    return absl::NotFoundError("no order was created with this idempotency key");
  }
  if (absl::StatusOr<x509::CsrInfo> csr = x509::ParseCsr(csr_pem); !csr.ok()) {
    return csr.status();
  }
  return std::nullopt;
}

// The names a reissue or renewal asks for: the original's unless it names
// a common name of its own.
template <typename Command>
std::vector<std::string> ReplacementNames(const Command& command, const SandboxOrder& original) {
  return command.common_name.empty()
             ? original.names
             : domain::OrderNames(command.common_name, command.additional_names);
}

}  // namespace

absl::StatusOr<std::optional<SandboxOrder>> SandboxBackend::Existing(absl::string_view key) {
  absl::StatusOr<std::optional<SandboxOrder>> existing = store_.FindByIdempotencyKey(key);
  if (!existing.ok() || !existing->has_value()) {
    return existing;
  }
  absl::StatusOr<SandboxOrder> current = LoadCurrent((*existing)->ca_order_id);
  if (!current.ok()) {
    return current.status();
  }
  return std::optional<SandboxOrder>(*std::move(current));
}

absl::StatusOr<OrderStatus> SandboxBackend::Create(const NewOrder& request) {
  const absl::Time now = clock_.Now();
  const Script script = ScriptFor(request.names, behaviour_);
  SandboxOrder order;
  order.ca_order_id = absl::StrCat("sbx-", app::RandomHex(random_, 12));
  order.idempotency_key = request.idempotency_key;
  order.kind = request.kind;
  order.original_ca_order_id = request.original_ca_order_id;
  order.names = request.names;
  order.csr_pem = request.csr_pem;
  order.validation_type = request.validation_type;
  order.period_months = request.period_months;
  order.organization = request.organization;
  order.dcv_instructions =
      DcvInstructionsFor(request.names, request.domain_validations, app::RandomHex(random_, 16));
  order.outcome = script.outcome;
  order.refusal_reason = script.refusal_reason;
  order.validity_override = script.validity_override;
  order.fixed_not_after = request.fixed_not_after;
  order.submitted_at = now;
  order.decide_at = now + behaviour_.issue_delay;
  order.state = OrderState::kPending;
  order.raw_status = RawStatus(order);
  order.version = 1;
  if (absl::Status inserted = store_.Insert(order, now); !inserted.ok()) {
    if (inserted.code() == absl::StatusCode::kAlreadyExists) {
      // Another replica created the order for this key a moment ago.
      absl::StatusOr<std::optional<SandboxOrder>> winner = Existing(request.idempotency_key);
      if (winner.ok() && winner->has_value()) {
        return ToStatus(**winner);
      }
      return absl::AbortedError("concurrent order creation; retry");
    }
    return inserted;
  }
  log::Info("sandbox CA order created", {{"ca_order_id", order.ca_order_id},
                                         {"idempotency_key", order.idempotency_key},
                                         {"names", absl::StrJoin(order.names, ",")},
                                         {"outcome", OutcomeName(script.outcome)}});
  return ToStatus(order);
}

absl::StatusOr<OrderStatus> SandboxBackend::Submit(const domain::SubmitCommand& command,
                                                   const app::CallOptions& options) {
  if (std::optional<absl::StatusOr<OrderStatus>> answer =
          AnswerBeforeCreating(Existing(command.idempotency_key), options, command.csr_pem);
      answer.has_value()) {
    return *std::move(answer);
  }
  if (std::optional<absl::StatusOr<OrderStatus>> lost =
          LostAnswer(command.idempotency_key,
                     domain::OrderNames(command.common_name, command.additional_names));
      lost.has_value()) {
    return *std::move(lost);
  }
  NewOrder request;
  request.idempotency_key = command.idempotency_key;
  request.kind = OrderKind::kInitial;
  request.csr_pem = command.csr_pem;
  request.names = domain::OrderNames(command.common_name, command.additional_names);
  request.validation_type = command.validation_type;
  request.period_months = command.period_months;
  request.organization = command.organization;
  request.domain_validations = command.domain_validations;
  return Create(request);
}

template <typename Command>
absl::StatusOr<OrderStatus> SandboxBackend::Replace(
    const Command& command, OrderKind kind, absl::string_view action,
    const app::CallOptions& options,
    const std::function<absl::Status(const SandboxOrder& original, NewOrder& request)>& finish) {
  if (std::optional<absl::StatusOr<OrderStatus>> answer =
          AnswerBeforeCreating(Existing(command.idempotency_key), options, command.csr_pem);
      answer.has_value()) {
    return *std::move(answer);
  }
  absl::StatusOr<SandboxOrder> original = IssuedOriginal(command.ca_order_id, action);
  if (!original.ok()) {
    return original.status();
  }
  NewOrder request;
  request.idempotency_key = command.idempotency_key;
  request.kind = kind;
  request.original_ca_order_id = original->ca_order_id;
  request.csr_pem = command.csr_pem;
  request.names = ReplacementNames(command, *original);
  request.validation_type = original->validation_type;
  request.organization = original->organization;
  request.domain_validations = command.domain_validations;
  if (absl::Status finished = finish(*original, request); !finished.ok()) {
    return finished;
  }
  return Create(request);
}

absl::StatusOr<OrderStatus> SandboxBackend::Reissue(const domain::ReissueCommand& command,
                                                    const app::CallOptions& options) {
  return Replace(command, OrderKind::kReissue, "reissued", options,
                 [&](const SandboxOrder& original, NewOrder& request) -> absl::Status {
                   if (clock_.Now() >= original.certificate->not_after) {
                     return absl::FailedPreconditionError(absl::StrCat(
                         "the certificate of order \"", original.ca_order_id, "\" expired at ",
                         absl::FormatTime(original.certificate->not_after), "; renew it instead"));
                   }
                   request.period_months = original.period_months;
                   request.fixed_not_after = original.certificate->not_after;
                   return absl::OkStatus();
                 });
}

absl::StatusOr<OrderStatus> SandboxBackend::Renew(const domain::RenewCommand& command,
                                                  const app::CallOptions& options) {
  return Replace(command, OrderKind::kRenewal, "renewed", options,
                 [&](const SandboxOrder&, NewOrder& request) {
                   request.period_months = command.period_months;
                   return absl::OkStatus();
                 });
}

}  // namespace sslpanel::ca::sandbox
