#include "app/ttl_cache.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace sslpanel::prevalidation::app {
namespace {

class TtlCacheTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  int loads_ = 0;
  absl::StatusOr<int> Load(int value) {
    ++loads_;
    return value;
  }
};

TEST_F(TtlCacheTest, ServesFromCacheUntilTheTtlPasses) {
  TtlCache<int> cache(clock_, absl::Minutes(5));
  EXPECT_EQ(*cache.GetOrLoad("a", [&] { return Load(1); }), 1);
  clock_.Advance(absl::Minutes(4));
  EXPECT_EQ(*cache.GetOrLoad("a", [&] { return Load(2); }), 1);
  EXPECT_EQ(loads_, 1);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(*cache.GetOrLoad("a", [&] { return Load(3); }), 3);
  EXPECT_EQ(loads_, 2);
}

TEST_F(TtlCacheTest, KeysAreSeparate) {
  TtlCache<int> cache(clock_, absl::Minutes(5));
  EXPECT_EQ(*cache.GetOrLoad("a", [&] { return Load(1); }), 1);
  EXPECT_EQ(*cache.GetOrLoad("b", [&] { return Load(2); }), 2);
  EXPECT_EQ(loads_, 2);
}

TEST_F(TtlCacheTest, NeverCachesErrors) {
  TtlCache<int> cache(clock_, absl::Minutes(5));
  absl::StatusOr<int> down = cache.GetOrLoad("a", [] { return absl::UnavailableError("down"); });
  EXPECT_TRUE(absl::IsUnavailable(down.status()));
  EXPECT_EQ(*cache.GetOrLoad("a", [&] { return Load(7); }), 7);
}

TEST_F(TtlCacheTest, ZeroTtlDisablesCaching) {
  TtlCache<int> cache(clock_, absl::ZeroDuration());
  cache.GetOrLoad("a", [&] { return Load(1); }).IgnoreError();
  cache.GetOrLoad("a", [&] { return Load(1); }).IgnoreError();
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(TtlCacheTest, StaysWithinItsSize) {
  TtlCache<int> cache(clock_, absl::Minutes(5), 3);
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(absl::Seconds(1));
    cache.GetOrLoad(std::to_string(i), [&] { return Load(i); }).IgnoreError();
  }
  EXPECT_LE(cache.size(), 3u);
  // The newest entry survived.
  EXPECT_EQ(*cache.GetOrLoad("9", [&] { return Load(-1); }), 9);
}

TEST_F(TtlCacheTest, ConcurrentMissesShareOneLoad) {
  TtlCache<int> cache(clock_, absl::Minutes(5));
  std::atomic<int> loads{0};
  absl::Notification release;
  auto slow_load = [&]() -> absl::StatusOr<int> {
    ++loads;
    release.WaitForNotification();
    return 42;
  };
  std::vector<std::thread> callers;
  std::atomic<int> answers{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      if (*cache.GetOrLoad("kvk", slow_load) == 42) {
        ++answers;
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(100));  // let every caller arrive
  release.Notify();
  for (std::thread& caller : callers) {
    caller.join();
  }
  EXPECT_EQ(answers.load(), 8);
  EXPECT_EQ(loads.load(), 1);
}

}  // namespace
}  // namespace sslpanel::prevalidation::app
