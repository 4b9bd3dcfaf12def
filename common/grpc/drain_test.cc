// The graceful stop as a client sees it: a real server on 127.0.0.1:0, calls
// held in their handler across ServerHost::Shutdown.
#include "common/grpc/drain.h"

#include <grpcpp/grpcpp.h>

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

namespace sslpanel::grpc_util {
namespace {

namespace cav1 = ::sslpanel::ca::v1;
using grpc::health::v1::HealthCheckResponse;

constexpr char kService[] = "sslpanel.ca.v1.CaAdapterService";

// GetCapabilities runs `work` and answers with its status; counts entries so
// a test knows a call is in its handler.
class TestService final : public cav1::CaAdapterService::Service {
 public:
  explicit TestService(std::function<grpc::Status()> work) : work_(std::move(work)) {}

  grpc::Status GetCapabilities(grpc::ServerContext*, const cav1::GetCapabilitiesRequest*,
                               cav1::GetCapabilitiesResponse* response) override {
    {
      absl::MutexLock lock(&mu_);
      ++entered_;
    }
    response->set_adapter("test");
    return work_();
  }

  bool WaitEntered(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count] { return entered_ >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(10));
  }

 private:
  std::function<grpc::Status()> work_;
  absl::Mutex mu_;
  int entered_ ABSL_GUARDED_BY(mu_) = 0;
};

// A call made on its own thread, so the test can stop the server meanwhile.
class AsyncCall {
 public:
  explicit AsyncCall(cav1::CaAdapterService::Stub& stub)
      : thread_([this, &stub] {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
          status_ = stub.GetCapabilities(&context, cav1::GetCapabilitiesRequest(), &response_);
          done_.Notify();
        }) {}
  ~AsyncCall() { thread_.join(); }

  bool WaitDone(absl::Duration timeout) { return done_.WaitForNotificationWithTimeout(timeout); }
  const grpc::Status& status() const { return status_; }
  const cav1::GetCapabilitiesResponse& response() const { return response_; }

 private:
  grpc::Status status_;
  cav1::GetCapabilitiesResponse response_;
  absl::Notification done_;
  std::thread thread_;
};

int Health(int port, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  return status.ok() ? response.status() : -status.error_code();
}

// Lets held handlers go when a test ends early, before the threads that
// wait on them are joined (declare it after them).
class ReleaseOnExit {
 public:
  explicit ReleaseOnExit(absl::Notification& release) : release_(release) {}
  ~ReleaseOnExit() {
    if (!release_.HasBeenNotified()) {
      release_.Notify();
    }
  }

 private:
  absl::Notification& release_;
};

struct Running {
  std::shared_ptr<Drain> drain = std::make_shared<Drain>();
  std::unique_ptr<ServerHost> host;
  std::unique_ptr<cav1::CaAdapterService::Stub> stub;
};

Running Start(TestService& service, absl::Duration grace) {
  ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.health_listen = "127.0.0.1:0";
  config.shutdown_grace = grace;
  Running running;
  auto host = ServerHost::Start(config, {{&service, kService}}, nullptr, running.drain);
  EXPECT_TRUE(host.ok()) << host.status();
  if (host.ok()) {
    running.host = *std::move(host);
    running.stub = cav1::CaAdapterService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(running.host->port()), grpc::InsecureChannelCredentials()));
  }
  return running;
}

TEST(Drain, CallsInFlightFinishWhileNewOnesAreRefusedAndHealthReadsNotServing) {
  absl::Notification release;
  TestService service([&] {
    release.WaitForNotification();
    return grpc::Status::OK;
  });
  Running server = Start(service, absl::Seconds(20));
  ASSERT_NE(server.host, nullptr);
  AsyncCall in_flight(*server.stub);
  std::unique_ptr<AsyncCall> refused;
  std::jthread stopper;
  ReleaseOnExit guard(release);
  ASSERT_TRUE(service.WaitEntered(1));

  const absl::Time stop_asked = absl::Now();
  stopper = std::jthread([&] { server.host->Shutdown(); });
  ASSERT_TRUE(server.drain->WaitForStart(absl::Seconds(5)));
  // At the start of the drain, not once it is over: the call is still held.
  EXPECT_EQ(Health(server.host->port(), ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.host->port(), kService), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.host->health_port(), kService), HealthCheckResponse::NOT_SERVING);

  refused = std::make_unique<AsyncCall>(*server.stub);
  ASSERT_TRUE(refused->WaitDone(absl::Seconds(5))) << "a new call must not wait for the drain";
  EXPECT_EQ(refused->status().error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused->status().error_message();
  EXPECT_FALSE(in_flight.WaitDone(absl::ZeroDuration()));

  release.Notify();
  ASSERT_TRUE(in_flight.WaitDone(absl::Seconds(10)));
  EXPECT_TRUE(in_flight.status().ok()) << in_flight.status().error_message();
  EXPECT_EQ(in_flight.response().adapter(), "test");
  stopper.join();
  EXPECT_LT(absl::Now() - stop_asked, absl::Seconds(10)) << "stops once the calls are done";
}

TEST(Drain, ACallThatOutlivesTheGraceIsEndedUnavailableNotCancelled) {
  absl::Notification release;
  TestService service([&] {
    release.WaitForNotification();
    return grpc::Status::OK;
  });
  Running server = Start(service, absl::Milliseconds(300));
  ASSERT_NE(server.host, nullptr);
  AsyncCall outlives(*server.stub);
  std::jthread stopper;
  ReleaseOnExit guard(release);
  ASSERT_TRUE(service.WaitEntered(1));
  stopper = std::jthread([&] { server.host->Shutdown(); });
  // The client has its answer at the end of the grace, while the handler is
  // still held (gRPC cannot stop it).
  ASSERT_TRUE(outlives.WaitDone(absl::Seconds(10)));
  EXPECT_EQ(outlives.status().error_code(), grpc::StatusCode::UNAVAILABLE)
      << outlives.status().error_code() << " " << outlives.status().error_message();
}

TEST(Drain, AHandlerWatchingTheDrainEndsItsCallAtOnce) {
  // What a server-streaming handler does between messages.
  std::shared_ptr<Drain> drain;
  TestService service([&] {
    return drain->WaitForStart(absl::Seconds(30)) ? Drain::Unavailable() : grpc::Status::OK;
  });
  Running server = Start(service, absl::Seconds(20));
  ASSERT_NE(server.host, nullptr);
  drain = server.drain;
  AsyncCall watching(*server.stub);
  ASSERT_TRUE(service.WaitEntered(1));
  EXPECT_FALSE(drain->started());
  const absl::Time stop_asked = absl::Now();
  server.host->Shutdown();
  EXPECT_LT(absl::Now() - stop_asked, absl::Seconds(10)) << "did not wait for the grace";
  ASSERT_TRUE(watching.WaitDone(absl::Seconds(5)));
  EXPECT_EQ(watching.status().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace sslpanel::grpc_util
