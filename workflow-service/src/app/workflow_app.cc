#include "workflow-service/src/app/workflow_app.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow-service/src/app/order_checks.h"
#include "workflow-service/src/app/validation.h"
#include "workflow-service/src/domain/rules.h"

namespace sslpanel::workflow::app {
namespace {

constexpr int kMaxAttempts = 5;

bool IsDuplicate(const absl::Status& status, absl::string_view kind) {
  if (status.code() != absl::StatusCode::kAlreadyExists) {
    return false;
  }
  auto payload = status.GetPayload(kDuplicatePayload);
  return payload.has_value() && std::string(*payload) == kind;
}

}  // namespace

absl::Status CheckPeriod(const Product& product, int period_months) {
  if (std::find(product.period_months.begin(), product.period_months.end(), period_months) ==
      product.period_months.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("period_months: product ", product.id, " is sold for ",
                     absl::StrJoin(product.period_months, ", "), " months, not ", period_months));
  }
  return absl::OkStatus();
}

WorkflowApp::WorkflowApp(OrderRepository& orders, const ProductCatalog& products,
                         const CsrParser& csr_parser, const Clock& clock, SlaOptions sla)
    : orders_(orders), products_(products), csr_parser_(csr_parser), clock_(clock), sla_(sla) {}

std::optional<absl::Time> SlaDeadline(const domain::Order& order, absl::Time now,
                                      const SlaOptions& sla) {
  std::optional<absl::Duration> wait;
  for (const domain::Certificate& c : order.certificates) {
    std::optional<absl::Duration> here;
    if (c.hold == domain::HoldReason::kCaKeyConflict ||
        c.hold == domain::HoldReason::kCaOutcomeUnknown) {
      here = absl::ZeroDuration();  // held for a person: flagged stuck at once
    } else if (c.pending == domain::PendingOperation::kCancel ||
               c.hold == domain::HoldReason::kPrevalidationRunning || domain::SubmissionAtCa(c)) {
      here = sla.working;
    } else if (c.status == domain::CertificateStatus::kRequested) {
      here = sla.requested;
    }
    if (here.has_value() && (!wait.has_value() || *here < *wait)) {
      wait = here;
    }
  }
  if (!wait.has_value()) {
    return std::nullopt;
  }
  return now + *wait;
}

domain::ProductRules WorkflowApp::RulesFor(const domain::Order& order) const {
  const Product* product = products_.Find(order.product_id);
  return product != nullptr ? product->Rules() : domain::ProductRules{};
}

domain::Context WorkflowApp::ContextFor(const domain::Order& order, const Caller& caller) const {
  domain::Context context;
  context.now = clock_.Now();
  context.actor = caller.actor.empty() ? "api" : caller.actor;
  context.caller = caller.identity;
  context.product = RulesFor(order);
  return context;
}

absl::StatusOr<std::optional<OrderRecord>> WorkflowApp::Replay(const Caller& caller) {
  if (caller.request_id.empty()) {
    return std::optional<OrderRecord>();
  }
  auto seen = orders_.FindRequest(caller.request_id);
  if (!seen.ok()) {
    return seen.status();
  }
  if (!seen->has_value()) {
    return std::optional<OrderRecord>();
  }
  const RequestRecord& first = **seen;
  if (first.method != caller.method || first.fingerprint != caller.fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id \"", caller.request_id, "\" was already used for a different ",
                     first.method, " request; use a new request_id for a new request"));
  }
  auto stored = orders_.Get(first.order_id);
  if (!stored.ok()) {
    return stored.status();
  }
  return std::optional<OrderRecord>(*std::move(stored));
}

absl::StatusOr<OrderRecord> WorkflowApp::Mutate(int64_t order_id, const Caller& caller,
                                                const Prepare& prepare, const OrderRecord* loaded) {
  if (absl::Status s = ValidateActor(caller.actor); !s.ok()) {
    return s;
  }
  auto replay = Replay(caller);
  if (!replay.ok()) {
    return replay.status();
  }
  if (replay->has_value()) {
    return **std::move(replay);
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (attempt > 0) {
      // We lost a race: the winner may be this very request, sent again by
      // a client that timed out. Its result is then the answer.
      auto winner = Replay(caller);
      if (!winner.ok()) {
        return winner.status();
      }
      if (winner->has_value()) {
        return **std::move(winner);
      }
    }
    absl::StatusOr<OrderRecord> record =
        attempt == 0 && loaded != nullptr && loaded->order.id == order_id
            ? absl::StatusOr<OrderRecord>(*loaded)
            : orders_.Get(order_id);
    if (!record.ok()) {
      return record.status();
    }
    auto save = prepare(*record);
    if (!save.ok()) {
      if (!caller.request_id.empty() &&
          save.status().code() == absl::StatusCode::kFailedPrecondition) {
        // The order read may already carry this very request, committed by
        // a copy of it that raced ahead (a client resending after a
        // timeout): then its result is the answer, not a refusal.
        auto winner = Replay(caller);
        if (!winner.ok()) {
          return winner.status();  // e.g. the id was used for another request
        }
        if (winner->has_value()) {
          return **std::move(winner);
        }
      }
      return save.status();
    }
    if (!caller.request_id.empty()) {
      save->request = RequestRecord{caller.request_id, caller.method, caller.fingerprint, order_id};
    }
    save->sla_deadline = SlaDeadline(save->decision.order, clock_.Now(), sla_);
    auto saved = orders_.Save(*record, *save);
    if (saved.ok() && !save->decision.intents.empty() && on_intents_) {
      on_intents_();
    }
    if (saved.ok() || saved.status().code() != absl::StatusCode::kAborted) {
      if (IsDuplicate(saved.status(), kDuplicateRequestId)) {
        // The same request raced itself; the winner's result is the answer.
        auto again = Replay(caller);
        if (again.ok() && again->has_value()) {
          return **std::move(again);
        }
      }
      return saved;
    }
  }
  return absl::AbortedError(absl::StrCat("order ", order_id, " changed concurrently ", kMaxAttempts,
                                         " times; retry the call"));
}

absl::StatusOr<SaveRequest> WorkflowApp::DecideOn(const OrderRecord& record, int index,
                                                  const domain::Command& command,
                                                  const Caller& caller) const {
  auto decision = domain::Decide(record.order, index, command, ContextFor(record.order, caller));
  if (!decision.ok()) {
    return decision.status();
  }
  SaveRequest save;
  save.decision = *std::move(decision);
  return save;
}

absl::StatusOr<int> WorkflowApp::ResolveCertificate(const OrderRecord& record,
                                                    std::optional<int64_t> certificate_id) const {
  if (!certificate_id.has_value()) {
    return -1;
  }
  const int index = record.IndexOf(*certificate_id);
  if (index < 0) {
    return absl::NotFoundError(absl::StrCat("certificate_id: order ", record.order.id,
                                            " has no certificate ", *certificate_id));
  }
  return index;
}

absl::StatusOr<OrderRecord> WorkflowApp::CreateOrder(const NewOrderInput& input,
                                                     const Caller& caller) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateActor(caller.actor); !s.ok()) {
    return s;
  }
  // No request_ids lookup before a new order: the request_ids row Save
  // writes is the check (a repeated request_id fails that INSERT, or the
  // orders one on the same external id, and the first request answers,
  // below), so a new order costs one round trip less. A request the checks
  // refuse is looked up first: a repeat of one that succeeded answers as it
  // did then, whatever changed since.
  auto save = PrepareNewOrder(input, caller);
  if (!save.ok()) {
    auto replay = Replay(caller);
    if (!replay.ok()) {
      return replay.status();
    }
    if (replay->has_value()) {
      return **std::move(replay);
    }
    return save.status();
  }
  const bool has_intents = !save->decision.intents.empty();
  auto saved = orders_.Save(OrderRecord{}, *save);
  if (saved.ok() && has_intents && on_intents_) {
    on_intents_();
  }
  if (IsDuplicate(saved.status(), kDuplicateRequestId)) {
    auto again = Replay(caller);
    if (again.ok() && again->has_value()) {
      return **std::move(again);
    }
    return again.ok() ? saved.status() : again.status();
  }
  if (IsDuplicate(saved.status(), kDuplicateExternalOrderId)) {
    // The same request sent twice (at once, or again later) collides on the
    // external id: the one that committed first answers both.
    // A Replay failure answers as itself: UNAVAILABLE/ABORTED is retryable,
    // ALREADY_EXISTS says the request_id was used for another request. Never
    // "external_order_id already exists" for what may be the client's own
    // order (a retry that got that would buy twice).
    auto again = Replay(caller);
    if (!again.ok()) {
      return again.status();
    }
    if (again->has_value()) {
      return **std::move(again);
    }
    auto existing = orders_.GetByExternalId(input.external_order_id);
    return absl::AlreadyExistsError(absl::StrCat(
        "external_order_id: \"", input.external_order_id, "\" already exists",
        existing.ok() ? absl::StrCat(" as order ", existing->order.id) : std::string()));
  }
  return saved;
}

absl::StatusOr<SaveRequest> WorkflowApp::PrepareNewOrder(const NewOrderInput& input,
                                                         const Caller& caller) const {
  if (absl::Status s = ValidateExternalOrderId(input.external_order_id); !s.ok()) {
    return s;
  }
  const Product* product = products_.Find(input.product_id);
  if (product == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("product_id: unknown product \"",
                                                   input.product_id,
                                                   "\"; ListProducts shows the catalogue"));
  }
  if (absl::Status s = CheckPeriod(*product, input.period_months); !s.ok()) {
    return s;
  }
  auto names = ValidateNames(input.common_name, input.additional_names, *product);
  if (!names.ok()) {
    return names.status();
  }
  auto organization = ValidateOrganization(input.organization,
                                           product->validation_type != domain::ValidationType::kDv);
  if (!organization.ok()) {
    return organization.status();
  }
  auto dcv = ExpandDcv(*names, input.dcv_method, input.approver_email, input.domain_validations);
  if (!dcv.ok()) {
    return dcv.status();
  }
  if (!input.draft || !input.csr.empty()) {
    if (absl::Status s = ValidateCsrForNames(csr_parser_, input.csr, *names); !s.ok()) {
      return s;
    }
  }

  domain::Order order;
  order.external_order_id = input.external_order_id;
  order.product_id = product->id;
  order.validation_type = product->validation_type;
  order.organization = *organization;
  domain::Certificate initial;
  initial.kind = domain::CertificateKind::kInitial;
  initial.csr_pem = input.csr;
  initial.common_name = names->common_name;
  initial.additional_names = names->additional_names;
  initial.domain_validations = *dcv;
  initial.period_months = input.period_months;
  initial.ca_adapter = product->ca_adapter;
  order.certificates.push_back(std::move(initial));

  const domain::Context context = ContextFor(order, caller);
  auto decision = domain::CreateOrder(std::move(order), input.draft, context);
  if (!decision.ok()) {
    return decision.status();
  }
  SaveRequest save;
  save.decision = *std::move(decision);
  save.request = RequestRecord{caller.request_id, caller.method, caller.fingerprint, 0};
  save.sla_deadline = SlaDeadline(save.decision.order, context.now, sla_);
  return save;
}

absl::StatusOr<OrderRecord> WorkflowApp::Record(int64_t order_id, int64_t certificate_id,
                                                const std::vector<domain::Command>& commands,
                                                const std::string& actor,
                                                const OutcomeExtras& extras) {
  Caller caller{actor};
  caller.identity = !extras.caller.empty()               ? extras.caller
                    : absl::StartsWith(actor, "system:") ? actor
                                                         : "system:workflow";
  return Mutate(
      order_id, caller,
      [&](const OrderRecord& record) -> absl::StatusOr<SaveRequest> {
        int index = -1;
        if (certificate_id != 0) {
          index = record.IndexOf(certificate_id);
          if (index < 0) {
            return absl::NotFoundError(
                absl::StrCat("order ", order_id, " has no certificate ", certificate_id));
          }
        }
        const domain::Context context = ContextFor(record.order, caller);
        SaveRequest save;
        save.decision.order = record.order;
        for (const domain::Command& command : commands) {
          auto decision = domain::Decide(save.decision.order, index, command, context);
          if (!decision.ok()) {
            return decision.status();
          }
          save.decision.order = std::move(decision->order);
          save.decision.events.insert(save.decision.events.end(), decision->events.begin(),
                                      decision->events.end());
          save.decision.intents.insert(save.decision.intents.end(), decision->intents.begin(),
                                       decision->intents.end());
        }
        save.completes_outbox_id = extras.completes_outbox_id;
        save.first_check_at = extras.first_check_at;
        if (extras.prevalidation.has_value()) {
          save.prevalidation = extras.prevalidation;
          save.prevalidation_of = index;
        }
        return save;
      },
      extras.loaded);
}

}  // namespace sslpanel::workflow::app
