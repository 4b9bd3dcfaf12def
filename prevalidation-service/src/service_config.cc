#include "service_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::prevalidation {
namespace {

absl::Status CheckUrl(absl::string_view flag, const std::string& url) {
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": must be an http:// or https:// URL, got \"", url, "\""));
  }
  if (url.size() <= std::string("https://").size() || absl::StrContains(url, "?")) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": must name a host and no query, got \"", url, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ServiceConfig::Validate() const {
  if (absl::Status s = CheckUrl("--kvk_base_url", kvk_base_url); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckUrl("--rdap_base_url", rdap_base_url); !s.ok()) {
    return s;
  }
  if (source_timeout <= absl::ZeroDuration() || source_timeout > absl::Minutes(2)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--source_timeout: must be above 0 and at most 2m, got ",
                     absl::FormatDuration(source_timeout)));
  }
  if (cache_ttl < absl::ZeroDuration() || cache_ttl > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cache_ttl: must be 0 (off) to 24h, got ", absl::FormatDuration(cache_ttl)));
  }
  return absl::OkStatus();
}

bool IsLoopbackUrl(const std::string& url) {
  for (absl::string_view host : {"://127.", "://localhost", "://[::1]"}) {
    if (absl::StrContains(url, host)) {
      return true;
    }
  }
  return false;
}

}  // namespace sslpanel::prevalidation
