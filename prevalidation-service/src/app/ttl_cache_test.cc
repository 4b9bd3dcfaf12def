#include "app/ttl_cache.h"

#include <atomic>
#include <memory>
#include <stdexcept>
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

TEST_F(TtlCacheTest, ALoadThatThrowsReleasesItsWaitersAndTheKey) {
  // Leaked on purpose: if a caller stays blocked in the cache, the test must
  // still end instead of destroying what that caller waits on.
  auto* cache = new TtlCache<int>(clock_, absl::Minutes(5));
  absl::Notification loading;
  absl::Notification release;
  std::thread owner([&] {
    try {
      cache
          ->GetOrLoad("kvk",
                      [&]() -> absl::StatusOr<int> {
                        loading.Notify();
                        release.WaitForNotification();
                        throw std::runtime_error("bug in a client");
                      })
          .IgnoreError();
      ADD_FAILURE() << "the exception did not reach the caller whose load threw";
    } catch (const std::runtime_error&) {
    }
  });
  loading.WaitForNotification();
  // A second caller for the same key waits for that load.
  auto waiter_done = std::make_shared<absl::Notification>();
  auto waiter_status = std::make_shared<absl::Status>();
  std::thread([cache, waiter_done, waiter_status] {
    *waiter_status = cache->GetOrLoad("kvk", [] { return absl::StatusOr<int>(1); }).status();
    waiter_done->Notify();
  }).detach();
  absl::SleepFor(absl::Milliseconds(100));  // let the waiter arrive
  release.Notify();
  owner.join();
  ASSERT_TRUE(waiter_done->WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "a caller waiting for a load that threw never returned";
  EXPECT_FALSE(waiter_status->ok());

  // The key is not stuck: the next caller loads again.
  auto next_done = std::make_shared<absl::Notification>();
  auto next_value = std::make_shared<int>(0);
  std::thread([cache, next_done, next_value] {
    *next_value = cache->GetOrLoad("kvk", [] { return absl::StatusOr<int>(7); }).value_or(-1);
    next_done->Notify();
  }).detach();
  ASSERT_TRUE(next_done->WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "the key stayed in flight after its load threw";
  EXPECT_EQ(*next_value, 7);
  delete cache;
}

}  // namespace
}  // namespace sslpanel::prevalidation::app
