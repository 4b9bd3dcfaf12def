#include "common/grpc/offload.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::grpc_util {
namespace {

using ::testing::HasSubstr;
namespace ca = ::sslpanel::ca::v1;

TEST(BlockingExecutorTest, FullQueueRefusesWithUnavailable) {
  BlockingExecutor executor(ExecutorOptions{.threads = 1, .queue_capacity = 2});
  absl::Notification release;
  absl::Notification running;
  std::atomic<int> ran{0};
  ASSERT_TRUE(executor
                  .Submit([&] {
                    running.Notify();
                    release.WaitForNotification();
                    ++ran;
                  })
                  .ok());
  running.WaitForNotification();  // the thread is busy; the queue is empty
  EXPECT_TRUE(executor.Submit([&] { ++ran; }).ok());
  EXPECT_TRUE(executor.Submit([&] { ++ran; }).ok());
  const absl::Status refused = executor.Submit([&] { ++ran; });
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("overloaded"));
  release.Notify();
  executor.Shutdown();
  EXPECT_EQ(ran, 3);
}

TEST(BlockingExecutorTest, DefaultCapacityIsFourTimesTheThreads) {
  BlockingExecutor executor(3);
  EXPECT_EQ(executor.queue_capacity(), 12);
}

TEST(BlockingExecutorTest, ShutdownDrainsTheQueueAndLaterSubmitsAreRefused) {
  std::atomic<int> ran{0};
  auto executor = std::make_unique<BlockingExecutor>(ExecutorOptions{.threads = 1});
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(executor
                    ->Submit([&] {
                      absl::SleepFor(absl::Milliseconds(5));
                      ++ran;
                    })
                    .ok());
  }
  executor->Shutdown();
  EXPECT_EQ(ran, 4);
  const absl::Status refused = executor->Submit([&] { ++ran; });
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  executor.reset();  // the destructor after Shutdown: nothing to do, no hang
  EXPECT_EQ(ran, 4);
}

TEST(BlockingExecutorTest, DestructorDrainsTheQueue) {
  std::atomic<int> ran{0};
  {
    BlockingExecutor executor(2);
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(executor
                      .Submit([&] {
                        absl::SleepFor(absl::Milliseconds(5));
                        ++ran;
                      })
                      .ok());
    }
  }
  EXPECT_EQ(ran, 6);
}

TEST(BlockingExecutorTest, ThrowingWorkDoesNotStopTheThread) {
  BlockingExecutor executor(1);
  std::atomic<int> ran{0};
  ASSERT_TRUE(executor.Submit([] { throw std::runtime_error("boom"); }).ok());
  ASSERT_TRUE(executor.Submit([&] { ++ran; }).ok());
  executor.Shutdown();
  EXPECT_EQ(ran, 1);
}

// GetCapabilities served through Offload with a handler the test sets.
class OffloadedService final : public ca::CaAdapterService::CallbackService {
 public:
  explicit OffloadedService(ExecutorOptions options) : executor_(std::move(options)) {}

  std::function<grpc::Status()> handler;
  std::atomic<int> runs{0};
  BlockingExecutor& executor() { return executor_; }

  grpc::ServerUnaryReactor* GetCapabilities(grpc::CallbackServerContext* context,
                                            const ca::GetCapabilitiesRequest*,
                                            ca::GetCapabilitiesResponse*) override {
    return Offload(executor_, context, [this] {
      ++runs;
      return handler();
    });
  }

 private:
  BlockingExecutor executor_;
};

class OffloadTest : public ::testing::Test {
 protected:
  void Start(ExecutorOptions options) {
    service_ = std::make_unique<OffloadedService>(std::move(options));
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = ca::CaAdapterService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown();
    }
  }

  grpc::Status Call(absl::Duration timeout = absl::InfiniteDuration(),
                    grpc::ClientContext* context = nullptr) {
    grpc::ClientContext own;
    grpc::ClientContext& ctx = context != nullptr ? *context : own;
    if (timeout != absl::InfiniteDuration()) {
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    }
    ca::GetCapabilitiesRequest request;
    ca::GetCapabilitiesResponse response;
    return stub_->GetCapabilities(&ctx, request, &response);
  }

  // Occupies the single handler thread until `release` is notified.
  std::thread Occupy(absl::Notification& running, absl::Notification& release) {
    service_->handler = [&] {
      if (!running.HasBeenNotified()) {
        running.Notify();
        release.WaitForNotification();
      }
      return grpc::Status::OK;
    };
    std::thread busy([this] { EXPECT_TRUE(Call().ok()); });
    running.WaitForNotification();
    return busy;
  }

  std::unique_ptr<OffloadedService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ca::CaAdapterService::Stub> stub_;
};

TEST_F(OffloadTest, RunsTheHandlerUnderTheCallersDeadline) {
  Start({.threads = 1});
  absl::Time seen = absl::InfinitePast();
  service_->handler = [&] {
    seen = ScopedDeadline::Current();
    return grpc::Status::OK;
  };
  const absl::Time before = absl::Now();
  ASSERT_TRUE(Call(absl::Seconds(30)).ok());
  EXPECT_GE(seen, before + absl::Seconds(29));
  EXPECT_LE(seen, absl::Now() + absl::Seconds(30));
  // The same (only) worker thread has no deadline once the call is done.
  absl::Time after_task = absl::InfinitePast();
  absl::Notification done;
  ASSERT_TRUE(service_->executor()
                  .Submit([&] {
                    after_task = ScopedDeadline::Current();
                    done.Notify();
                  })
                  .ok());
  done.WaitForNotification();
  EXPECT_EQ(after_task, absl::InfiniteFuture());
}

TEST_F(OffloadTest, FullQueueAnswersUnavailableAtOnce) {
  Start({.threads = 1, .queue_capacity = 1});
  absl::Notification running, release;
  std::thread busy = Occupy(running, release);
  std::thread queued([this] { EXPECT_TRUE(Call().ok()); });
  // Wait until the second call sits in the queue.
  for (int i = 0; i < 500 && service_->executor().queued() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(service_->executor().queued(), 1);
  const grpc::Status refused = Call(absl::Seconds(5));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr("overloaded"));
  release.Notify();
  busy.join();
  queued.join();
}

TEST_F(OffloadTest, DeadlinePassedWhileQueuedIsNotRun) {
  Start({.threads = 1});
  absl::Notification running, release;
  std::thread busy = Occupy(running, release);
  const grpc::Status late = Call(absl::Milliseconds(100));
  EXPECT_EQ(late.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  release.Notify();
  busy.join();
  server_->Shutdown();  // every queued call has been answered
  service_->executor().Shutdown();
  EXPECT_EQ(service_->runs, 1);  // only the occupying call
}

TEST_F(OffloadTest, CancelledBeforeStartIsNotRun) {
  Start({.threads = 1});
  absl::Notification running, release;
  std::thread busy = Occupy(running, release);
  grpc::ClientContext context;
  std::thread cancel([&] {
    absl::SleepFor(absl::Milliseconds(100));
    context.TryCancel();
  });
  const grpc::Status cancelled = Call(absl::InfiniteDuration(), &context);
  EXPECT_EQ(cancelled.error_code(), grpc::StatusCode::CANCELLED);
  cancel.join();
  absl::SleepFor(absl::Milliseconds(100));  // the server sees the cancellation
  release.Notify();
  busy.join();
  server_->Shutdown();
  service_->executor().Shutdown();
  EXPECT_EQ(service_->runs, 1);
}

TEST_F(OffloadTest, WaitPastTheQueueTimeoutAnswersUnavailableWithItsMessage) {
  Start({.threads = 1,
         .queue_timeout = absl::Milliseconds(100),
         .queue_timeout_message = "no database connection free within 100ms (pool size 1)"});
  absl::Notification running, release;
  std::thread busy = Occupy(running, release);
  grpc::Status waited;
  std::thread queued([&] { waited = Call(absl::Seconds(30)); });
  absl::SleepFor(absl::Milliseconds(300));
  release.Notify();
  busy.join();
  queued.join();
  EXPECT_EQ(waited.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(waited.error_message(), "no database connection free within 100ms (pool size 1)");
  EXPECT_EQ(service_->runs, 1);
}

TEST_F(OffloadTest, HandlerExceptionAnswersUnknown) {
  Start({.threads = 1});
  service_->handler = []() -> grpc::Status { throw std::runtime_error("boom"); };
  const grpc::Status threw = Call(absl::Seconds(30));
  EXPECT_EQ(threw.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(threw.error_message(), "Unexpected error in RPC handling");
  service_->handler = [] { return grpc::Status::OK; };
  EXPECT_TRUE(Call(absl::Seconds(30)).ok());  // the thread survived
}

TEST_F(OffloadTest, SubmitAfterStopAnswersUnavailable) {
  Start({.threads = 1});
  service_->executor().Shutdown();
  const grpc::Status stopped = Call(absl::Seconds(30));
  EXPECT_EQ(stopped.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(stopped.error_message(), HasSubstr("stopping"));
}

}  // namespace
}  // namespace sslpanel::grpc_util
