#include "ca-adapter/src/sectigo/sectigo_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::ca::sectigo {

SectigoClient::SectigoClient(http::Client& http, const Clock& clock, ClientConfig config)
    : http_(http), clock_(clock), config_(std::move(config)) {}

CallOutcome SectigoClient::Call(Endpoint endpoint, const Form& form, absl::Time deadline) {
  CallOutcome outcome;
  const absl::Duration left = deadline - clock_.Now();
  if (left <= absl::Milliseconds(50)) {
    outcome.delivery = Delivery::kNotSent;
    outcome.reply = absl::DeadlineExceededError(
        absl::StrCat("no time left to call Sectigo ", EndpointName(endpoint)));
    return outcome;
  }
  Form full = {{"loginName", config_.login_name}, {"loginPassword", config_.login_password}};
  full.insert(full.end(), form.begin(), form.end());
  http::Request request;
  request.method = "POST";
  request.url = absl::StrCat(config_.base_url, EndpointPath(endpoint));
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = EncodeForm(full);
  request.timeout = std::min(config_.request_timeout, left);
  absl::StatusOr<http::Response> response = http_.Do(request);
  if (!response.ok()) {
    outcome.delivery =
        http::RequestNotSent(response.status()) ? Delivery::kNotSent : Delivery::kUnknown;
    outcome.reply = absl::UnavailableError(absl::StrCat(
        "Sectigo ", EndpointName(endpoint), " not answered: ", response.status().message()));
    log::Warning("Sectigo call failed", {{"endpoint", std::string(EndpointName(endpoint))},
                                         {"error", outcome.reply.status()}});
    return outcome;
  }
  absl::StatusOr<Reply> reply = ParseReply(response->body);
  if (response->status >= 500 || !reply.ok()) {
    // A 5xx or an unreadable body: the CA may or may not have acted.
    outcome.delivery = Delivery::kUnknown;
    outcome.reply = absl::UnavailableError(absl::StrCat(
        "Sectigo ", EndpointName(endpoint), " answered HTTP ", response->status,
        reply.ok() ? ""
                   : absl::StrCat(" with an unreadable body (", reply.status().message(), ")")));
    log::Warning("Sectigo answer unusable", {{"endpoint", std::string(EndpointName(endpoint))},
                                             {"http_status", response->status},
                                             {"error", outcome.reply.status()}});
    return outcome;
  }
  log::Debug("Sectigo call", {{"endpoint", std::string(EndpointName(endpoint))},
                              {"error_code", reply->error_code}});
  outcome.reply = *std::move(reply);
  return outcome;
}

}  // namespace sslpanel::ca::sectigo
