// Thousands of random action sequences (fixed seed) against the invariants
// every order must keep after every step.
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "workflow-service/src/domain/event_types.h"
#include "workflow-service/src/domain/rules.h"
#include "workflow-service/src/domain/test_orders.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::domain {
namespace {

bool IsTerminal(CertificateStatus s) {
  return s == CertificateStatus::kRejected || s == CertificateStatus::kRevoked ||
         s == CertificateStatus::kExpired;
}

Command RandomCommand(std::mt19937& rng, const Order& order, int index, absl::Time now) {
  const Certificate& c = order.certificates[index];
  // Weighted so walks go deep (reissues, renewals) before something ends them.
  std::discrete_distribution<int> pick({3, 2, 4, 2, 2, 5, 5, 1, 1, 1, 1, 1, 1, 2, 3, 3, 1});
  std::uniform_int_distribution<int> days(1, 400);
  const int submission =
      std::uniform_int_distribution<int>(0, 4)(rng) == 0 ? c.submission - 1 : c.submission;
  switch (pick(rng)) {
    case 0:
      return command::Submit{};
    case 1:
      return command::Edit{std::string("CSR-EDIT"), std::nullopt, std::nullopt};
    case 2:
      return command::RecordPrevalidation{submission, PrevalidationOutcome::kPass, ""};
    case 3:
      return command::RecordPrevalidation{submission, PrevalidationOutcome::kFail, "mismatch"};
    case 4:
      return command::OverridePrevalidation{"operator checked"};
    case 5:
      return command::CaAccepted{submission, "CA-X", "pending"};
    case 6:
      return command::CaIssued{testing::Issued(now, now + absl::Hours(24 * days(rng))), "issued"};
    case 7:
      return command::CaRefused{"refused", "rejected"};
    case 8:
      return command::CaProgress{"processing", {}};
    case 9:
      return command::RecordError{"timeout"};
    case 10:
      return command::Cancel{"customer"};
    case 11:
      return command::CaCancelled{"cancelled"};
    case 12:
      // A refusal of the call sent in either state, also one issuance overtook.
      return command::CaCancelRefused{"too late", std::uniform_int_distribution<int>(0, 1)(rng) == 0
                                                      ? CertificateStatus::kRequested
                                                      : CertificateStatus::kActive};
    case 13:
      return command::ExpireDue{};
    case 14:
      return command::Reissue{"CSR-R", {}, {}};
    case 15:
      return command::Renew{};
    default:
      return std::uniform_int_distribution<int>(0, 1)(rng) == 0
                 ? Command(command::CaKeyConflict{submission, "key used for another request"})
                 : Command(command::CaCancelKeyConflict{"key used for another request", c.status});
  }
}

void CheckInvariants(const Order& before, const Decision& decision, absl::Time now,
                     std::map<int, absl::Time>& last_event_time) {
  const Order& after = decision.order;
  ASSERT_GE(after.certificates.size(), before.certificates.size()) << "chain never shrinks";
  int in_flight = 0;
  for (size_t i = 0; i < after.certificates.size(); ++i) {
    const Certificate& c = after.certificates[i];
    if (i < before.certificates.size()) {
      const Certificate& old = before.certificates[i];
      if (IsTerminal(old.status)) {
        EXPECT_EQ(c.status, old.status) << "terminal status changed";
        EXPECT_EQ(c.pending, old.pending);
      }
      if (c.status != old.status || c.pending != old.pending) {
        bool recorded = false;
        for (const Event& e : decision.events) {
          recorded = recorded || (e.certificate == static_cast<int>(i) && e.to_status == c.status &&
                                  e.to_pending == c.pending);
        }
        EXPECT_TRUE(recorded) << "status change without an event on certificate " << i;
      }
      // A customer's cancel is never dropped: the Cancel arrow clears only
      // by a final status or by the CA's explicit refusal, in the history.
      if (old.pending == PendingOperation::kCancel && c.pending != PendingOperation::kCancel &&
          !IsTerminal(c.status)) {
        bool refused = false;
        for (const Event& e : decision.events) {
          refused = refused || (e.certificate == static_cast<int>(i) && e.type == "CANCEL_REFUSED");
        }
        EXPECT_TRUE(refused) << "Cancel arrow cleared without a final status on certificate " << i;
      }
    }
    if (IsInFlight(c)) {
      ++in_flight;
    }
    if (c.status == CertificateStatus::kOpen) {
      EXPECT_NE(c.pending, PendingOperation::kCancel);
    }
    if (c.pending == PendingOperation::kRequest) {
      EXPECT_EQ(c.status, CertificateStatus::kOpen);
      EXPECT_NE(c.hold, HoldReason::kNone);
    }
    if (c.status == CertificateStatus::kActive || c.status == CertificateStatus::kRenewed) {
      EXPECT_TRUE(c.not_after.has_value()) << "an issued certificate knows its dates";
    }
    const ResellerCode code = ResellerCodeOf(c, now);
    EXPECT_LE(static_cast<int>(code), static_cast<int>(ResellerCode::kExp));
  }
  EXPECT_LE(in_flight, 1) << "at most one certificate on its way at a time";
  EXPECT_EQ(after.status == OrderStatus::kClosed,
            ComputeOrderStatus(after) == OrderStatus::kClosed);
  bool all_final = true;
  for (int i = 0; i < static_cast<int>(after.certificates.size()); ++i) {
    all_final = all_final && IsFinal(after, i);
  }
  EXPECT_EQ(after.status == OrderStatus::kClosed, all_final) << "CLOSED exactly when all final";
  if (after.status == OrderStatus::kClosed) {
    EXPECT_TRUE(AllowedActions(after, ProductRules{}, now).empty());
  }
  for (const Event& e : decision.events) {
    EXPECT_TRUE(IsKnownEventType(e.type)) << e.type << " is missing from domain/event_types.cc";
    auto [it, inserted] = last_event_time.try_emplace(e.certificate, e.at);
    if (!inserted) {
      EXPECT_GE(e.at, it->second) << "event time went backwards on certificate " << e.certificate;
      it->second = e.at;
    }
    EXPECT_LE(e.at, now) << "no event in the future";
  }
}

TEST(Invariants, HoldForThousandsOfRandomSequences) {
  std::mt19937 rng(20261125);
  constexpr int kSequences = 3000;
  constexpr int kSteps = 40;
  constexpr int kAttemptsPerStep = 16;
  int applied = 0;
  int closed = 0;
  int refused = 0;
  for (int sequence = 0; sequence < kSequences && !HasFailure(); ++sequence) {
    absl::Time now = testing::ActionTime();
    Order order = std::uniform_int_distribution<int>(0, 1)(rng) == 0
                      ? testing::NewDvOrder(std::uniform_int_distribution<int>(0, 1)(rng), now)
                      : testing::NewDutchOvOrder(now);
    std::map<int, absl::Time> last_event_time;
    for (int step = 0; step < kSteps && !HasFailure() && order.status == OrderStatus::kOpen;
         ++step) {
      // Mostly hours apart, sometimes long enough for certificates to expire.
      now += std::uniform_int_distribution<int>(0, 9)(rng) == 0
                 ? absl::Hours(std::uniform_int_distribution<int>(0, 24 * 400)(rng))
                 : absl::Hours(std::uniform_int_distribution<int>(0, 72)(rng));
      // Try random commands until one applies (most are refused in any state).
      for (int attempt = 0; attempt < kAttemptsPerStep; ++attempt) {
        const int index = std::uniform_int_distribution<int>(
            0, static_cast<int>(order.certificates.size()) - 1)(rng);
        const Command command = RandomCommand(rng, order, index, now);
        auto decision = Decide(order, index, command, testing::At(now));
        if (!decision.ok()) {
          ++refused;
          const absl::StatusCode code = decision.status().code();
          ASSERT_TRUE(code == absl::StatusCode::kFailedPrecondition ||
                      code == absl::StatusCode::kInvalidArgument)
              << decision.status();
          continue;
        }
        ++applied;
        SCOPED_TRACE(
            absl::StrCat("sequence ", sequence, " step ", step, ": ", CommandName(command)));
        CheckInvariants(order, *decision, now, last_event_time);
        order = std::move(decision->order);
        break;
      }
    }
    closed += order.status == OrderStatus::kClosed ? 1 : 0;
  }
  std::cout << "[ invariants ] " << kSequences << " sequences of up to " << kSteps
            << " steps: " << applied << " commands applied, " << refused << " refused, " << closed
            << " orders closed\n";
  EXPECT_GT(applied, kSequences * 5) << "the random walk must actually move orders";
  EXPECT_GT(closed, kSequences / 2) << "most walks should reach a final state";
}

}  // namespace
}  // namespace sslpanel::workflow::domain
