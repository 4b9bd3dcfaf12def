#include "workflow-service/src/app/capability_cache.h"

#include "absl/strings/str_cat.h"
#include "workflow-service/src/app/ca_answers.h"

namespace sslpanel::workflow::app {

absl::StatusOr<CaCapabilities> CaClient::Capabilities() {
  return absl::UnimplementedError("this CA client has no GetCapabilities");
}

absl::StatusOr<std::vector<std::string>> CaClient::ListApproverEmails(const std::string&) {
  return absl::UnimplementedError("this CA client has no ListApproverEmails");
}

absl::StatusOr<CaAnswer> CaClient::ChangeDcv(const std::string&,
                                             const std::vector<domain::DomainValidation>&,
                                             const std::string&) {
  return absl::UnimplementedError("this CA client has no ChangeDcvMethod");
}

absl::StatusOr<CaAnswer> CaClient::ResendDcvEmail(const std::string&, const std::string&,
                                                  const std::string&) {
  return absl::UnimplementedError("this CA client has no ResendDcvEmail");
}

absl::StatusOr<CaAnswer> CaClient::ResolveSubmission(const std::string&,
                                                     const domain::IntentDetail&) {
  return absl::UnimplementedError("this CA client has no ResolveSubmission");
}

std::optional<CaCapabilities> CapabilityCache::Cached(const std::string& adapter) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(adapter);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.capabilities;
}

absl::StatusOr<CaCapabilities> CapabilityCache::For(const std::string& adapter) {
  const absl::Time now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(adapter);
    if (it != entries_.end() && now - it->second.fetched_at < ttl_) {
      return it->second.capabilities;
    }
  }
  CaClient* client = adapters_.ForAdapter(adapter);
  if (client == nullptr) {
    return NoAdapter(adapter);
  }
  absl::StatusOr<CaCapabilities> fetched = client->Capabilities();
  if (!fetched.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the capabilities of CA adapter \"", adapter,
                     "\" could not be read: ", fetched.status().message()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_[adapter] = Entry{*fetched, now};
  return *fetched;
}

}  // namespace sslpanel::workflow::app
