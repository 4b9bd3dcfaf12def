// The specification the authorization matrix test (authz_test.cc) checks the
// real binaries against: the caller identities, who may call each RPC
// (written independently of the policy files in config/authz/), and a
// request per RPC that would act if admitted.
#pragma once

#include <google/protobuf/descriptor.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sslpanel::integration {

inline constexpr char kWorkflow[] = "sslpanel.workflow.v1.WorkflowService";
inline constexpr char kCa[] = "sslpanel.ca.v1.CaAdapterService";
inline constexpr char kPrevalidation[] = "sslpanel.prevalidation.v1.PrevalidationService";

enum Who { kNoCert, kUnlisted, kOtherCa, kBilling, kPanel, kConsole, kOps, kAuditor, kSelf };

struct Identity {
  Who who;
  const char* label;
  std::string uri;  // the certificate's SPIFFE ID; empty: no certificate
};

// Every caller of the matrix, indexed by Who.
const std::vector<Identity>& Identities();

// Who may call each RPC ("package.Service/Method"): the specification of
// README's "Who may call what".
const std::map<std::string, std::set<Who>>& Expected();

// What the mutations aim at: workflow orders (a draft, an ACTIVE one, one
// held by prevalidation) and a sandbox CA order the workflow identity
// submitted itself, with the idempotency key it used.
struct Targets {
  std::string draft, active, held;
  std::string ca_order_id, ca_submit_key;
};

// A serialized request for `method` that would act if admitted: real order
// ids, fresh request ids and idempotency keys (from `serial`), and the body
// the RPC needs.
std::string RequestFor(const google::protobuf::MethodDescriptor& method, const Targets& targets,
                       int serial);

// Whether `method` ("package.Service/Method") changes state when it succeeds.
bool IsMutation(const std::string& method);

}  // namespace sslpanel::integration
