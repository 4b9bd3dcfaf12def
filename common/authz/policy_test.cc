#include "common/authz/policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::authz {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPolicy[] = R"({
  "identities": [
    {"exact": "spiffe://sslpanel.local/billing", "role": "billing"},
    {"exact": "spiffe://sslpanel.local/ops/root", "role": "billing"},
    {"prefix": "spiffe://sslpanel.local/ops/", "role": "ops"},
    {"prefix": "spiffe://sslpanel.local/", "role": "nobody"}
  ],
  "roles": {
    "billing": ["pkg.Svc/Create", "pkg.Svc/Get"],
    "ops": ["pkg.Svc/*"],
    "nobody": []
  }
})";

Policy Sample() {
  auto policy = Policy::Parse(kPolicy);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *policy;
}

TEST(PolicyTest, ExactRulesWinOverPrefixesAndTheLongestPrefixWins) {
  const Policy policy = Sample();
  EXPECT_EQ(policy.RoleOf("spiffe://sslpanel.local/billing"), "billing");
  EXPECT_EQ(policy.RoleOf("spiffe://sslpanel.local/ops/root"), "billing");
  EXPECT_EQ(policy.RoleOf("spiffe://sslpanel.local/ops/alice"), "ops");
  EXPECT_EQ(policy.RoleOf("spiffe://sslpanel.local/panel"), "nobody");
  EXPECT_EQ(policy.RoleOf("spiffe://other.example/billing"), std::nullopt);
  EXPECT_EQ(policy.RoleOf("spiffe://sslpanel.local/billing/x"), "nobody");  // exact is exact
}

TEST(PolicyTest, RolesGrantMethodsAndWholeServices) {
  const Policy policy = Sample();
  EXPECT_TRUE(policy.Allows("billing", "pkg.Svc/Create"));
  EXPECT_FALSE(policy.Allows("billing", "pkg.Svc/Delete"));
  EXPECT_TRUE(policy.Allows("ops", "pkg.Svc/Delete"));
  EXPECT_FALSE(policy.Allows("ops", "pkg.Other/Delete"));
  EXPECT_FALSE(policy.Allows("nobody", "pkg.Svc/Get"));
  EXPECT_FALSE(policy.Allows("undefined", "pkg.Svc/Get"));
}

TEST(PolicyTest, CoverageAgainstTheBinarysMethods) {
  const Policy policy = Sample();
  EXPECT_THAT(policy.UnknownEntries({"pkg.Svc/Get", "pkg.Svc/Delete"}),
              ElementsAre("pkg.Svc/Create"));
  EXPECT_THAT(policy.UnknownEntries({"pkg.Other/Get"}),
              ElementsAre("pkg.Svc/*", "pkg.Svc/Create", "pkg.Svc/Get"));
  EXPECT_THAT(policy.Unnamed({"pkg.Svc/Get", "pkg.Other/Get"}), ElementsAre("pkg.Other/Get"));
}

TEST(PolicyTest, MalformedPoliciesAreRefusedSayingWhy) {
  const struct {
    const char* json;
    const char* says;
  } kCases[] = {
      {"{", "not valid JSON"},
      {"[]", "\"identities\" and \"roles\""},
      {R"({"identities": [], "roles": {}, "extra": 1})", "unknown field \"extra\""},
      {R"({"identities": {}, "roles": {}})", "must be a list"},
      {R"({"identities": [], "roles": []})", "\"roles\" must be an object"},
      {R"({"identities": [], "roles": {"a": "pkg.Svc/Get"}})", "with a list"},
      {R"({"identities": [], "roles": {"a": ["Get"]}})", "is not \"package.Service/Method\""},
      {R"({"identities": [], "roles": {"a": ["/pkg.Svc/Get"]}})", "is not"},
      {R"({"identities": [], "roles": {"a": ["pkg.Svc/G et"]}})", "is not"},
      {R"({"identities": [{"role": "a"}], "roles": {"a": []}})", "one of \"exact\" or"},
      {R"({"identities": [{"exact": "x", "prefix": "y", "role": "a"}], "roles": {"a": []}})",
       "one of"},
      {R"({"identities": [{"prefix": "spiffe://sslpanel.local/ops", "role": "a"}],
           "roles": {"a": []}})",
       R"(identity rule {"prefix":"spiffe://sslpanel.local/ops","role":"a"}: a prefix must end in '/')"},
      {R"({"identities": [{"exact": "x"}], "roles": {"a": []}})", "needs \"role\""},
      {R"({"identities": [{"exact": "x", "role": "b"}], "roles": {"a": []}})",
       "role \"b\" is not defined"},
      {R"({"identities": [{"exact": "", "role": "a"}], "roles": {"a": []}})", "must be text"},
      {R"({"identities": [{"exact": "x", "role": "a"}, {"exact": "x", "role": "a"}],
           "roles": {"a": []}})",
       "listed twice"},
  };
  for (const auto& c : kCases) {
    auto policy = Policy::Parse(c.json);
    ASSERT_FALSE(policy.ok()) << c.json;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr(c.says)) << c.json;
  }
}

TEST(PolicyTest, AFileIsNamedInItsErrors) {
  auto missing = Policy::LoadFile("--authz_policy_file", "/nonexistent/policy.json");
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("--authz_policy_file names a file that cannot be read: "
                        "/nonexistent/policy.json"));
}

// Every kind of call against the sample policy: the verdict and what the
// caller is told.
TEST(DecideTest, EveryKindOfCaller) {
  const Policy policy = Sample();
  const std::string billing = "spiffe://sslpanel.local/billing";
  const struct {
    const Policy* policy;
    CallFacts call;
    Verdict verdict;
    const char* role;
    const char* message;
  } kCases[] = {
      // Health answers everyone, with or without a policy.
      {&policy, {false, "", "grpc.health.v1.Health/Check"}, Verdict::kAdmit, "", ""},
      {&policy, {true, "", "grpc.health.v1.Health/Watch"}, Verdict::kAdmit, "", ""},
      // No certificate, or one naming nobody: not authenticated.
      {&policy, {false, "", "pkg.Svc/Get"}, Verdict::kUnauthenticated, "", "no client certificate"},
      {nullptr, {false, "", "pkg.Svc/Get"}, Verdict::kUnauthenticated, "", "no client certificate"},
      {&policy,
       {false, "", "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"},
       Verdict::kUnauthenticated,
       "",
       "no client certificate"},
      {&policy, {true, "", "pkg.Svc/Get"}, Verdict::kUnauthenticated, "", "names no identity"},
      // Reflection: every authenticated caller, listed or not.
      {&policy,
       {true, "spiffe://other.example/x",
        "grpc.reflection.v1alpha.ServerReflection/"
        "ServerReflectionInfo"},
       Verdict::kAdmit,
       "",
       ""},
      {&policy,
       {true, billing, "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"},
       Verdict::kAdmit,
       "billing",
       ""},
      // Unlisted identity: named.
      {&policy,
       {true, "spiffe://other.example/x", "pkg.Svc/Get"},
       Verdict::kPermissionDenied,
       "",
       "caller spiffe://other.example/x is not listed in this server's policy"},
      // Listed, allowed / not allowed: identity, role and method named.
      {&policy, {true, billing, "pkg.Svc/Get"}, Verdict::kAdmit, "billing", ""},
      {&policy,
       {true, billing, "pkg.Svc/Delete"},
       Verdict::kPermissionDenied,
       "billing",
       "caller spiffe://sslpanel.local/billing (role billing) may not call pkg.Svc/Delete"},
      {&policy,
       {true, billing, "pkg.Unknown/Get"},
       Verdict::kPermissionDenied,
       "billing",
       "may not call pkg.Unknown/Get"},
      {&policy,
       {true, "spiffe://sslpanel.local/ops/alice", "pkg.Svc/Delete"},
       Verdict::kAdmit,
       "ops",
       ""},
      {&policy,
       {true, "spiffe://sslpanel.local/panel", "pkg.Svc/Get"},
       Verdict::kPermissionDenied,
       "nobody",
       "(role nobody) may not call pkg.Svc/Get"},
      // Mutual TLS without a policy: any certificate with an identity.
      {nullptr, {true, "localhost", "pkg.Svc/Delete"}, Verdict::kAdmit, "", ""},
  };
  for (const auto& c : kCases) {
    const Decision decision = Decide(c.policy, c.call);
    SCOPED_TRACE(c.call.identity + " " + c.call.method);
    EXPECT_EQ(decision.verdict, c.verdict);
    EXPECT_EQ(decision.role, c.role);
    if (c.verdict == Verdict::kAdmit) {
      EXPECT_EQ(decision.message, "");
    } else {
      EXPECT_THAT(decision.message, HasSubstr(c.message));
    }
  }
}

TEST(DecideTest, PathsAndNames) {
  EXPECT_EQ(MethodOfPath("/pkg.Svc/Get"), "pkg.Svc/Get");
  EXPECT_EQ(ServiceOf("pkg.Svc/Get"), "pkg.Svc");
  EXPECT_EQ(ShortName("pkg.Svc/Get"), "Get");
  EXPECT_EQ(ServiceOf("nonsense"), "");
}

}  // namespace
}  // namespace sslpanel::authz
