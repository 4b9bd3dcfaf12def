// A stand-in for SIDN's RDAP service: GET /domain/<name> answers the
// checked-in domain object testdata/rdap/domains/<name>.json (RFC 9083), or
// 404 with an RDAP error body naming the domain; any other path answers an
// RDAP 404 that names no domain, like a real server behind a wrong base path.
// testdata/rdap/behaviours.json names domains that answer with an error or
// late.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http/http.h"
#include "fake/kvk_fake.h"

namespace sslpanel::prevalidation::fake {

class RdapFake {
 public:
  static absl::StatusOr<std::unique_ptr<RdapFake>> Load(const std::string& dir);

  http::Response Handle(const http::ServerRequest& request) const;

  size_t domains() const { return domains_.size(); }

 private:
  RdapFake() = default;
  std::map<std::string, std::string> domains_;  // name -> JSON text
  std::map<std::string, Behaviour> behaviours_;
};

}  // namespace sslpanel::prevalidation::fake
