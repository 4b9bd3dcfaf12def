// Who may call what: the authorization policy a server reads from
// --authz_policy_file, and the one decision every call of a mutual-TLS server
// goes through (Decide). Pure: no gRPC, so the decision is table-tested.
//
// Hand-written because gRPC 1.51's own authorization policy
// (grpc::experimental::AuthorizationPolicyProvider) matches principals to
// paths but has no roles (a person joining ops would be a policy edit per
// RPC), no metrics hook for refusals, and no way to tell the handler which
// role was applied. The file format is a fixed contract (k8s ConfigMaps are
// generated from the default files in config/authz/):
//
//   {"identities": [{"exact": "spiffe://sslpanel.local/billing", "role": "billing"},
//                   {"prefix": "spiffe://sslpanel.local/ops/", "role": "ops"}],
//    "roles": {"billing": ["sslpanel.workflow.v1.WorkflowService/CreateOrder", ...],
//              "ops": ["sslpanel.workflow.v1.WorkflowService/*"]}}
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sslpanel::authz {

class Policy {
 public:
  // INVALID_ARGUMENT naming what is wrong (JSON syntax, a missing or
  // mistyped field, an identity with both or neither of exact/prefix, two
  // rules for one identity, a role used but not defined, a method not
  // written "package.Service/Method" or "package.Service/*").
  static absl::StatusOr<Policy> Parse(absl::string_view json);
  // Parse of the file's contents; errors name `flag` and the file.
  static absl::StatusOr<Policy> LoadFile(const std::string& flag, const std::string& path);

  // The role of `identity`: an exact rule first, else the longest matching
  // prefix; nullopt when no rule lists it.
  std::optional<std::string> RoleOf(absl::string_view identity) const;
  // Whether `role` may call `method` ("package.Service/Method").
  bool Allows(absl::string_view role, absl::string_view method) const;

  // Entries naming a method (or a service, for "Service/*") that is not
  // among `methods`: a newer policy on an older binary.
  std::vector<std::string> UnknownEntries(const std::vector<std::string>& methods) const;
  // Methods of `methods` that no role may call.
  std::vector<std::string> Unnamed(const std::vector<std::string>& methods) const;

  int identity_count() const { return static_cast<int>(identities_.size()); }
  const std::map<std::string, std::set<std::string>>& roles() const { return roles_; }

 private:
  struct IdentityRule {
    std::string match;
    bool prefix = false;
    std::string role;
  };
  std::vector<IdentityRule> identities_;
  std::map<std::string, std::set<std::string>> roles_;  // role -> entries
};

enum class Verdict { kAdmit, kUnauthenticated, kPermissionDenied };

struct CallFacts {
  bool has_certificate = false;  // the peer presented a certificate of our CA
  std::string identity;          // from it (IdentityFromCertificate); may be empty
  std::string method;            // "package.Service/Method", from the :path
};

struct Decision {
  Verdict verdict = Verdict::kPermissionDenied;
  std::string role;     // the caller's role, when the policy lists it
  std::string message;  // for a refusal: what the caller is told
};

// Health answers everyone; reflection every caller with a certificate and
// an identity; everything else what `policy` grants the identity's role.
// Without a policy (mutual TLS without --authz_policy_file) every caller
// with a certificate and an identity is admitted.
Decision Decide(const Policy* policy, const CallFacts& call);

// "/package.Service/Method" -> "package.Service/Method"; the service part is
// everything before the last '/'.
std::string MethodOfPath(absl::string_view path);
std::string ServiceOf(absl::string_view method);
std::string ShortName(absl::string_view method);

}  // namespace sslpanel::authz
