// A rolling update as billing sees it: the real workflow binary stopped with
// SIGTERM again and again under load, clients retrying UNAVAILABLE as they
// are told to. No other code may reach them (CANCELLED above all: a client
// cannot tell it from its own cancellation), and each process must exit
// within --shutdown_grace (plus a second to stop its processing loops).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

constexpr int kStops = 5;
constexpr int kClients = 3;
constexpr int kOrdersPerClient = 200;  // more than the run gets through
constexpr int kCallsBetweenStops = 20;
const absl::Duration kGrace = absl::Seconds(2);
// Stopping the processing loops and leaving main() after the drain.
const absl::Duration kExitMargin = absl::Seconds(1);

// Every status code a client saw, by name.
class Codes {
 public:
  void Add(grpc::StatusCode code, const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[code];
    if (code != grpc::StatusCode::OK) {
      ++messages_[absl::StrCat(code, ": ", message)];
    }
    if (code != grpc::StatusCode::OK && code != grpc::StatusCode::UNAVAILABLE) {
      unexpected_.push_back(absl::StrCat(code, ": ", message));
    }
  }
  int count(grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[code];
  }
  std::vector<std::string> unexpected() {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }
  std::string Summary() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& [code, count] : counts_) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", "code ", code, ": ", count);
    }
    for (const auto& [message, count] : messages_) {
      absl::StrAppend(&out, "\n  ", count, " x ", message);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<grpc::StatusCode, int> counts_;
  std::map<std::string, int> messages_;
  std::vector<std::string> unexpected_;
};

// Billing: creates orders and reads them back; on UNAVAILABLE it retries the
// same request (same request_id) after a short pause, as the API tells it to.
void Client(const std::string& target, int id, const std::atomic<bool>& stop, Codes& codes) {
  grpc::ChannelArguments arguments;
  // Reconnect quickly once the restarted replica listens again (the
  // default backoff reaches seconds after a few refused connects).
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
  // "ipv4:" skips DNS: re-resolving after refused connects is rate-limited
  // (30 s by default) and kept the channel failing long after the restart.
  auto stub = v1::WorkflowService::NewStub(
      grpc::CreateCustomChannel("ipv4:" + target, grpc::InsecureChannelCredentials(), arguments));
  auto call = [&](auto invoke) {
    for (int attempt = 0; attempt < 500 && !stop.load(); ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      const grpc::Status status = invoke(&context);
      codes.Add(status.error_code(), status.error_message());
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        return status.ok();
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  };
  for (int i = 0; i < kOrdersPerClient && !stop.load(); ++i) {
    const std::string name = absl::StrCat("stop-", id, "-", i);
    const v1::CreateOrderRequest create = DvOrder(name, name + ".example.com");
    v1::CreateOrderResponse created;
    if (!call([&](grpc::ClientContext* context) {
          return stub->CreateOrder(context, create, &created);
        })) {
      continue;
    }
    v1::GetOrderRequest get;
    get.set_order_id(created.order().order_id());
    v1::GetOrderResponse got;
    call([&](grpc::ClientContext* context) { return stub->GetOrder(context, get, &got); });
  }
}

// The clients, stopped and joined however the test ends.
class Load {
 public:
  Load(const std::string& target, Codes& codes) {
    for (int id = 0; id < kClients; ++id) {
      clients_.emplace_back([this, target, id, &codes] { Client(target, id, stop_, codes); });
    }
  }
  ~Load() {
    stop_ = true;
    for (std::thread& client : clients_) {
      client.join();
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> clients_;
};

// The "draining" lines of the workflow's log (appended to across restarts):
// how many, and the in_flight count of the last.
struct Drains {
  int count = 0;
  int last_in_flight = 0;
};
Drains DrainsLogged(const std::string& log) {
  static const std::regex kDraining("\"draining\".*\"in_flight\":([0-9]+)");
  Drains drains;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kDraining);
       it != std::sregex_iterator(); ++it) {
    ++drains.count;
    drains.last_in_flight = std::stoi((*it)[1]);
  }
  return drains;
}

TEST(GracefulStop, SigtermUnderLoadReachesClientsOnlyAsOkOrUnavailable) {
  SystemOptions options;
  options.workflow_flags = {absl::StrCat("--shutdown_grace=", absl::FormatDuration(kGrace))};
  auto system = System::Start(options);
  ASSERT_TRUE(system.ok()) << system.status();
  RunningService& workflow = (*system)->workflow_process();

  Codes codes;
  auto load = std::make_unique<Load>(workflow.target(), codes);
  int in_flight_at_drains = 0;
  absl::Duration slowest_exit;
  for (int round = 0; round < kStops; ++round) {
    // Let the clients get going on the (re)started replica.
    const int ok_before = codes.count(grpc::StatusCode::OK);
    // Reconnecting takes a client's channel up to a few seconds.
    const absl::Time settle_until = absl::Now() + absl::Seconds(10);
    while (codes.count(grpc::StatusCode::OK) < ok_before + kCallsBetweenStops &&
           absl::Now() < settle_until) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    ASSERT_GE(codes.count(grpc::StatusCode::OK), ok_before + kCallsBetweenStops)
        << "the clients got no answers from the replica within 10 s: " << codes.Summary();
    const absl::Time sent = absl::Now();
    auto exit_code = workflow.process().Terminate(kGrace + kExitMargin);
    const absl::Duration took = absl::Now() - sent;
    slowest_exit = std::max(slowest_exit, took);
    ASSERT_TRUE(exit_code.ok()) << "SIGTERM " << round + 1 << ": " << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << workflow.process().Log();
    const Drains drains = DrainsLogged(workflow.process().Log());
    EXPECT_EQ(drains.count, round + 1) << workflow.process().Log();
    const int in_flight = drains.last_in_flight;
    in_flight_at_drains += in_flight;
    const absl::Time restart = absl::Now();
    ASSERT_TRUE(workflow.Restart(/*kill_hard=*/false).ok());
    std::cout << "SIGTERM " << round + 1 << ": " << in_flight << " calls in flight, exit after "
              << absl::FormatDuration(took) << ", serving again after "
              << absl::FormatDuration(absl::Now() - restart) << "\n";
  }
  load.reset();

  std::cout << "SIGTERMs: " << kStops
            << ", calls in flight when a drain started: " << in_flight_at_drains
            << ", slowest exit: " << absl::FormatDuration(slowest_exit)
            << ", codes seen: " << codes.Summary() << "\n";
  EXPECT_TRUE(codes.unexpected().empty())
      << "codes other than OK/UNAVAILABLE: " << ::testing::PrintToString(codes.unexpected());
  // The load really went through the stops.
  EXPECT_GT(in_flight_at_drains, 0);
  EXPECT_GT(codes.count(grpc::StatusCode::UNAVAILABLE), 0);
}

}  // namespace
}  // namespace sslpanel::integration
