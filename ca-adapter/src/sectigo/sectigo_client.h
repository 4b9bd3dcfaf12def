// One call to the Sectigo reseller API: a form-encoded POST to the base URL
// plus the endpoint's path, with the account's credentials added (and never
// logged), within the per-request timeout and the caller's deadline, and
// the reply read in either format.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/sectigo/sectigo_wire.h"
#include "common/http/http.h"
#include "common/time/clock.h"

namespace sslpanel::ca::sectigo {

struct ClientConfig {
  // Ends with '/': "https://secure.trust-provider.com/products/".
  std::string base_url;
  std::string login_name;
  std::string login_password;  // never logged
  absl::Duration request_timeout = absl::Seconds(30);
};

// How a failed call failed, for a caller that must know whether the CA may
// have acted (a creating call).
enum class Delivery {
  kAnswered,  // the CA answered (the reply, or a readable error code)
  kNotSent,   // it cannot have reached the CA (connection refused, deadline spent)
  kUnknown,   // sent, no readable answer: timeout, reset, 5xx, garbled body
};

struct CallOutcome {
  Delivery delivery = Delivery::kAnswered;
  absl::StatusOr<Reply> reply = absl::UnknownError("not called");
};

class SectigoClient {
 public:
  SectigoClient(http::Client& http, const Clock& clock, ClientConfig config);

  // The reply (any errorCode: the caller maps it per endpoint), or
  // UNAVAILABLE / DEADLINE_EXCEEDED with the delivery.
  CallOutcome Call(Endpoint endpoint, const Form& form, absl::Time deadline);

  const std::string& login_name() const { return config_.login_name; }

 private:
  http::Client& http_;
  const Clock& clock_;
  ClientConfig config_;
};

}  // namespace sslpanel::ca::sectigo
