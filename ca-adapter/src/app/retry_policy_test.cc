#include "ca-adapter/src/app/retry_policy.h"

#include "gtest/gtest.h"

namespace sslpanel::ca::app {
namespace {

TEST(RetryPolicy, BackoffGrowsIsCappedAndJittered) {
  RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.max_backoff = absl::Seconds(1);
  EXPECT_EQ(policy.Backoff(1, 0.99999), absl::Milliseconds(100) * (0.5 + 0.5 * 0.99999));
  EXPECT_EQ(policy.Backoff(1, 0.0), absl::Milliseconds(50));
  EXPECT_EQ(policy.Backoff(3, 0.0), absl::Milliseconds(200));
  EXPECT_EQ(policy.Backoff(10, 0.0), absl::Milliseconds(500));
}

TEST(IsRetryable, OnlyTransientCodes) {
  EXPECT_TRUE(IsRetryable(absl::UnavailableError("")));
  EXPECT_TRUE(IsRetryable(absl::ResourceExhaustedError("")));
  EXPECT_FALSE(IsRetryable(absl::InvalidArgumentError("")));
  EXPECT_FALSE(IsRetryable(absl::FailedPreconditionError("")));
}

}  // namespace
}  // namespace sslpanel::ca::app
