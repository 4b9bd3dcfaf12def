#include "workflow-service/src/app/idempotency_keys.h"

#include <limits>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::workflow::app {
namespace {

using ::testing::HasSubstr;

TEST(IdempotencyKeys, EveryKeyCarriesTheInstallationIdBeforeTheDatabaseIds) {
  using domain::IntentKind;
  const std::string id = "3f9a0c1d2e4b5a69";
  EXPECT_EQ(IdempotencyKey(id, IntentKind::kSubmitToCa, 42, 1, 7),
            "wf-3f9a0c1d2e4b5a69-submit-42-1");
  EXPECT_EQ(IdempotencyKey(id, IntentKind::kPrevalidate, 42, 2, 7),
            "wf-3f9a0c1d2e4b5a69-prevalidate-42-2");
  EXPECT_EQ(IdempotencyKey(id, IntentKind::kCancelAtCa, 42, 1, 7),
            "wf-3f9a0c1d2e4b5a69-cancel-42-v7");
  EXPECT_EQ(IdempotencyKey(id, IntentKind::kRevokeAtCa, 42, 1, 8),
            "wf-3f9a0c1d2e4b5a69-revoke-42-v8");
  EXPECT_EQ(IdempotencyKey(id, IntentKind::kAbandonAtCa, 42, 3, 7),
            "wf-3f9a0c1d2e4b5a69-abandon-42-3");
}

TEST(IdempotencyKeys, TwoDatabasesWithTheSameLowIdsSendDifferentKeys) {
  const std::string a =
      IdempotencyKey("00000000000000a1", domain::IntentKind::kSubmitToCa, 1, 1, 0);
  const std::string b =
      IdempotencyKey("00000000000000b2", domain::IntentKind::kSubmitToCa, 1, 1, 0);
  EXPECT_NE(a, b);
}

TEST(IdempotencyKeys, LongestKeyFitsTheAdaptersLimit) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  for (auto kind : {domain::IntentKind::kPrevalidate, domain::IntentKind::kSubmitToCa,
                    domain::IntentKind::kCancelAtCa, domain::IntentKind::kRevokeAtCa,
                    domain::IntentKind::kAbandonAtCa}) {
    EXPECT_LE(
        IdempotencyKey("ffffffffffffffff", kind, big, std::numeric_limits<int>::max(), big).size(),
        80u);
  }
}

TEST(InstallationId, IsSixteenHexDigitsOfTheRandomBitsZeroPadded) {
  EXPECT_EQ(NewInstallationId([] { return uint64_t{0x2a}; }), "000000000000002a");
  EXPECT_EQ(NewInstallationId([] { return ~uint64_t{0}; }), "ffffffffffffffff");
  uint64_t next = 1;
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    ids.insert(NewInstallationId([&] { return next++ * 0x9e3779b97f4a7c15ULL; }));
  }
  EXPECT_EQ(ids.size(), 100u);
  for (const std::string& id : ids) {
    EXPECT_TRUE(CheckInstallationId(id).ok()) << id;
  }
}

TEST(InstallationId, MalformedIdsAreRefusedNamingTheRule) {
  for (const char* bad : {"", "abc", "3F9A0C1D2E4B5A69", "3f9a0c1d2e4b5a6g", "3f9a0c1d2e4b5a690",
                          "3f9a0c1d-e4b5a69"}) {
    absl::Status status = CheckInstallationId(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("16 lower-case hex digits"));
  }
}

}  // namespace
}  // namespace sslpanel::workflow::app
