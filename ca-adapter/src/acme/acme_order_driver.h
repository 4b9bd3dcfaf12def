// Moves one ACME order on as far as a call may take it: answers due
// challenges while it is pending (with a pre-flight, only those whose DNS
// record or file the adapter can already see itself), finalizes it with the CSR once ready,
// waits (bounded, honouring Retry-After) while the CA is issuing, downloads
// the chain once valid, and records why it failed once invalid. Every step
// is stored, so another replica or a later poll carries on from there.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/acme/acme_client.h"
#include "ca-adapter/src/acme/acme_order.h"
#include "ca-adapter/src/acme/acme_preflight.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "ca-adapter/src/domain/order.h"
#include "common/time/clock.h"

namespace sslpanel::ca::acme {

struct DriverConfig {
  // From submission until the CA is asked to validate.
  absl::Duration challenge_delay = absl::ZeroDuration();
  // Longest one call waits for an order the CA is issuing.
  absl::Duration max_poll_wait = absl::Seconds(5);
  // DCV method for names the order does not choose for.
  domain::DcvMethod default_method = domain::DcvMethod::kDns;
};

// How far one call may take an order.
enum class Drive {
  // Submit and cancel: answer due challenges, nothing more (with a
  // pre-flight, not even that: looking is for the polls).
  kAnswerChallenges,
  // Polls: look (pre-flight) and answer, finalize, wait for issuance,
  // download.
  kToCompletion,
};

class OrderDriver {
 public:
  // `preflight` null: due challenges are answered without looking first.
  OrderDriver(DriverConfig config, AcmeClient& client, AcmeStore& store, const Clock& clock,
              ChallengePreflight* preflight)
      : config_(config), client_(client), store_(store), clock_(clock), preflight_(preflight) {}

  // Looks at the order at the CA and moves it on; `record` is updated (and
  // stored) with what happened. PENDING answers carry the DCV instructions.
  absl::StatusOr<domain::OrderStatus> Advance(AcmeOrderRecord& record, const Account& account,
                                              absl::Time deadline, Drive drive);

 private:
  absl::StatusOr<std::vector<Authorization>> Authorizations(const Account& account,
                                                            const Order& order,
                                                            absl::Time deadline);
  struct Due {
    Authorization* authorization;
    const Challenge* challenge;
  };

  // Tells the CA to validate once challenge_delay has passed and (with a
  // pre-flight) the customer's record or file is visible; never for a
  // cancelled order.
  absl::Status AnswerChallenges(AcmeOrderRecord& record, const Account& account,
                                std::vector<Authorization>& authorizations, absl::Time deadline,
                                Drive drive);
  // Which of `due` the pre-flight sees published. Checks run a few at a
  // time and only while the call's deadline leaves room; the rest count as
  // not seen (the next poll looks again).
  std::vector<bool> Published(const std::vector<Due>& due, const Account& account,
                              absl::Time deadline);

  // Records that the CA will never issue the order and why.
  absl::StatusOr<domain::OrderStatus> Fail(AcmeOrderRecord& record, const std::string& acme_status,
                                           const std::string& reason);

  DriverConfig config_;
  AcmeClient& client_;
  AcmeStore& store_;
  const Clock& clock_;
  ChallengePreflight* preflight_;
};

}  // namespace sslpanel::ca::acme
