#include "workflow-service/src/domain/test_orders.h"

#include "gtest/gtest.h"

namespace sslpanel::workflow::domain::testing {

absl::Time ActionTime() {
  return absl::FromCivil(absl::CivilSecond(2026, 6, 1, 12, 0, 0), absl::UTCTimeZone());
}
absl::Duration RemainingValidity() { return absl::Hours(24 * 30); }

Context At(absl::Time now, const std::string& actor) {
  Context context;
  context.now = now;
  context.actor = actor;
  return context;
}

namespace {

Order BaseOrder(ValidationType type, const std::string& common_name, const std::string& country) {
  Order order;
  order.external_order_id = "ext-1";
  order.product_id = type == ValidationType::kDv ? "sandbox-dv" : "sandbox-ov";
  order.validation_type = type;
  order.organization.legal_name = "Example B.V.";
  order.organization.country_code = country;
  Certificate initial;
  initial.kind = CertificateKind::kInitial;
  initial.common_name = common_name;
  initial.additional_names = {};
  initial.csr_pem = "CSR-1";
  initial.domain_validations = {{common_name, DcvMethod::kDns, ""}};
  initial.ca_adapter = "sandbox";
  initial.period_months = 12;
  order.certificates.push_back(initial);
  return order;
}

}  // namespace

Order DvOrderData() { return BaseOrder(ValidationType::kDv, "www.example.com", "NL"); }

Order NewDvOrder(bool draft, absl::Time at) {
  auto decision =
      CreateOrder(BaseOrder(ValidationType::kDv, "www.example.com", "NL"), draft, At(at));
  EXPECT_TRUE(decision.ok()) << decision.status();
  return decision->order;
}

Order NewDutchOvOrder(absl::Time at) {
  auto decision =
      CreateOrder(BaseOrder(ValidationType::kOv, "www.example.nl", "NL"), false, At(at));
  EXPECT_TRUE(decision.ok()) << decision.status();
  return decision->order;
}

Order MustApply(const Order& order, int index, const Command& command, absl::Time at,
                std::vector<Event>* events) {
  auto decision = Decide(order, index, command, At(at));
  EXPECT_TRUE(decision.ok()) << CommandName(command) << ": " << decision.status();
  if (!decision.ok()) {
    return order;
  }
  if (events != nullptr) {
    events->insert(events->end(), decision->events.begin(), decision->events.end());
  }
  return decision->order;
}

IssuedCertificate Issued(absl::Time not_before, absl::Time not_after) {
  IssuedCertificate issued;
  issued.not_before = not_before;
  issued.not_after = not_after;
  issued.certificate_pem = "-----BEGIN CERTIFICATE-----\n...";
  issued.chain_pem = "-----BEGIN CERTIFICATE-----\n...";
  issued.serial_number = "0a1b";
  return issued;
}

std::vector<StateCase> AllStates() {
  const absl::Time t0 = ActionTime() - absl::Hours(24 * 400);
  const absl::Time t1 = ActionTime() - absl::Hours(2);
  const absl::Time expiry = ActionTime() + RemainingValidity();
  auto step = [](absl::Time t, int n) { return t + absl::Minutes(n); };

  std::vector<StateCase> states;
  const Order draft = NewDvOrder(/*draft=*/true, t1);
  states.push_back({"OPEN/NONE/NONE", draft});

  const Order running = NewDutchOvOrder(t1);
  states.push_back({"OPEN/REQUEST/PREVALIDATION_RUNNING", running});
  const Order failed = MustApply(
      running, 0, command::RecordPrevalidation{1, PrevalidationOutcome::kFail, "name mismatch"},
      step(t1, 1));
  states.push_back({"OPEN/REQUEST/PREVALIDATION_FAILED", failed});

  const Order awaiting = NewDvOrder(/*draft=*/false, t1);
  states.push_back({"OPEN/REQUEST/AWAITING_CA", awaiting});
  const Order key_conflict = MustApply(
      awaiting, 0, command::CaKeyConflict{1, "key used for another request"}, step(t1, 1));
  states.push_back({"OPEN/REQUEST/CA_KEY_CONFLICT", key_conflict});
  states.push_back(
      {"OPEN/REQUEST/CA_OUTCOME_UNKNOWN",
       MustApply(awaiting, 0,
                 command::CaHold{1, HoldReason::kCaOutcomeUnknown, "the CA's answer was lost"},
                 step(t1, 1))});
  states.push_back(
      {"OPEN/REQUEST/CA_ACCOUNT",
       MustApply(awaiting, 0, command::CaHold{1, HoldReason::kCaAccount, "no credit left"},
                 step(t1, 1))});
  const Order requested =
      MustApply(awaiting, 0, command::CaAccepted{1, "CA-1", "pending"}, step(t1, 1));
  states.push_back({"REQUESTED/NONE/NONE", requested});
  states.push_back(
      {"REQUESTED/CANCEL/NONE", MustApply(requested, 0, command::Cancel{"customer"}, step(t1, 2))});

  const Order active = MustApply(
      requested, 0, command::CaIssued{Issued(step(t1, 2), expiry), "issued"}, step(t1, 3));
  states.push_back({"ACTIVE/NONE/NONE", active});
  const Order active_cancel = MustApply(active, 0, command::Cancel{"customer"}, step(t1, 4));
  states.push_back({"ACTIVE/CANCEL/NONE", active_cancel});

  states.push_back(
      {"REJECTED/NONE/NONE",
       MustApply(awaiting, 0, command::CaRefused{"blocked name", "rejected"}, step(t1, 1))});
  states.push_back({"REVOKED/NONE/NONE",
                    MustApply(active_cancel, 0, command::CaCancelled{"revoked"}, step(t1, 5))});

  // EXPIRED: a certificate that ran out before the action time.
  Order old = NewDvOrder(false, t0);
  old = MustApply(old, 0, command::CaAccepted{1, "CA-2", "pending"}, step(t0, 1));
  old = MustApply(old, 0, command::CaIssued{Issued(step(t0, 2), t1), "issued"}, step(t0, 3));
  states.push_back({"EXPIRED/NONE/NONE", MustApply(old, -1, command::ExpireDue{}, step(t1, 1))});

  // RENEWED: the renewal is on its way to the CA.
  states.push_back({"RENEWED/NONE/NONE", MustApply(active, -1, command::Renew{}, step(t1, 5)), 0});
  return states;
}

}  // namespace sslpanel::workflow::domain::testing
