// Questions about an order that every layer asks and only this file answers:
// which certificates are final, the reseller codes, the order's status, the
// actions allowed now, and whether prevalidation applies.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::domain {

// Product facts the rules depend on (from the catalogue).
struct ProductRules {
  // Renewal is offered this long before expiry; zero means not renewable.
  absl::Duration renewal_window = absl::Hours(24 * 90);
};

// Whether certificate `index` can change no more. REJECTED, REVOKED and
// EXPIRED always are; RENEWED is once its renewal has left OPEN/REQUESTED
// (a rejected renewal gives the predecessor back its ACTIVE status).
bool IsFinal(const Order& order, int index);

// OPEN with a submission on its way to the CA: awaiting its answer, or held
// by an unknown outcome or an account problem (the same key is retried).
bool SubmissionAtCa(const Certificate& certificate);

// OPEN or REQUESTED: on its way to the CA or waiting for it.
bool IsInFlight(const Certificate& certificate);

// Position of the in-flight certificate, or -1.
int InFlightCertificate(const Order& order);

// Whether the CA's view of certificate `index` must be checked from time to
// time: REQUESTED (waiting for issuance), a pending cancellation, or an
// ACTIVE certificate a newer ACTIVE reissue replaced (CAs revoke those after
// a while, and the workflow must learn it).
bool NeedsCaWatch(const Order& order, int index);

// CLOSED exactly when every certificate is final.
OrderStatus ComputeOrderStatus(const Order& order);

ResellerCode ResellerCodeOf(const Certificate& certificate, absl::Time now);

// The certificate the order is "about" now: the newest one not REJECTED, or
// the newest if all are. Its status and code stand for the order.
int CurrentCertificate(const Order& order);
ResellerCode ResellerCodeOf(const Order& order, absl::Time now);

// The newest ACTIVE certificate, or -1.
int NewestActive(const Order& order);

// Actions allowed on certificate `index` now, and on the order (the union;
// none once CLOSED).
std::vector<Action> AllowedActions(const Order& order, int index, const ProductRules& product,
                                   absl::Time now);
std::vector<Action> AllowedActions(const Order& order, const ProductRules& product, absl::Time now);

// Prevalidation runs for OV/EV products whose common name is under .nl and
// whose organisation is Dutch.
bool PrevalidationApplies(ValidationType type, absl::string_view common_name,
                          absl::string_view country_code);

// The certificate a cancel without an explicit certificate targets: the
// newest one that can be cancelled, or -1.
int DefaultCancelTarget(const Order& order);

}  // namespace sslpanel::workflow::domain
