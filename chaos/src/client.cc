#include "chaos/src/client.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <random>

#include "absl/status/status.h"
#include "absl/time/clock.h"

namespace sslpanel::chaos {

namespace {
std::atomic<bool> interrupted{false};
}  // namespace

bool Interrupted() { return interrupted.load(); }
void Interrupt() { interrupted = true; }

int RecoveryClock::Begin(absl::Time at) {
  std::lock_guard<std::mutex> lock(mu_);
  begun_.push_back(at);
  first_ok_.push_back(absl::InfiniteFuture());
  return static_cast<int>(begun_.size()) - 1;
}

void RecoveryClock::Succeeded(absl::Time started, absl::Time finished) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only the latest restarts can still be waiting: walk back until one that
  // already has its first success.
  for (size_t i = begun_.size(); i-- > 0;) {
    if (first_ok_[i] != absl::InfiniteFuture()) {
      break;
    }
    if (started >= begun_[i]) {
      first_ok_[i] = finished;
    }
  }
}

std::vector<absl::Duration> RecoveryClock::Durations(int* never) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<absl::Duration> out;
  *never = 0;
  for (size_t i = 0; i < begun_.size(); ++i) {
    if (first_ok_[i] == absl::InfiniteFuture()) {
      ++*never;
    } else {
      out.push_back(first_ok_[i] - begun_[i]);
    }
  }
  return out;
}

bool Retryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded;
}

namespace {

// Worth another try with the same request id: the retryable codes, and
// codes a server should not send but that a request id makes safe to retry
// (they are counted, and R6 fails on them).
bool WorthRetrying(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnimplemented:
      return false;
    default:
      return true;
  }
}

}  // namespace

Client::Client(const std::vector<std::string>& targets, RecoveryClock* recovery)
    : targets_(targets), recovery_(recovery) {
  for (const std::string& target : targets_) {
    stubs_.push_back(Connect(target));
    reconnected_.push_back(absl::InfinitePast());
  }
}

std::shared_ptr<v1::WorkflowService::Stub> Client::Connect(const std::string& target) {
  // A channel of its own (no shared subchannel) with a short reconnect
  // backoff; the ipv4: scheme skips the DNS resolver's re-resolution
  // cooldown (targets are loopback addresses).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::WorkflowService::NewStub(
      grpc::CreateCustomChannel("ipv4:" + target, grpc::InsecureChannelCredentials(), args));
}

absl::StatusOr<v1::Order> Client::Retry(const std::string& method, const Call& call,
                                        absl::Duration budget) {
  thread_local std::mt19937_64 random(std::random_device{}());
  const absl::Time give_up = absl::Now() + budget;
  absl::Duration backoff = absl::Milliseconds(50);
  for (int attempt = 0; attempt < 10000 && !Interrupted(); ++attempt) {
    size_t replica = 0;
    std::shared_ptr<v1::WorkflowService::Stub> stub;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++attempts_;
      replica = static_cast<size_t>(next_++) % stubs_.size();
      stub = stubs_[replica];
    }
    const absl::Time started = absl::Now();
    absl::StatusOr<v1::Order> answer = call(*stub);
    const absl::Time finished = absl::Now();
    if (answer.ok()) {
      recovery_->Succeeded(started, finished);
      return answer;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++codes_[absl::StatusCodeToString(answer.status().code()) + " " + method];
      // gRPC 1.51 keeps failing calls with the cached connect error for
      // seconds after the server is back, whatever the backoff arguments
      // say (seen: 3-4 s after a restart that took 0.2 s). A caller that
      // wants to know when the service is back opens a new channel, at most
      // every 100 ms per replica.
      if (answer.status().code() == absl::StatusCode::kUnavailable &&
          finished - reconnected_[replica] > absl::Milliseconds(100)) {
        stubs_[replica] = Connect(targets_[replica]);
        reconnected_[replica] = finished;
      }
    }
    if (!WorthRetrying(answer.status().code()) || finished + backoff > give_up) {
      return answer;
    }
    // Capped exponential backoff with jitter, as DESIGN asks of every caller.
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    absl::SleepFor(backoff * jitter(random));
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
  return absl::CancelledError("gave up: interrupted or 10000 attempts");
}

std::map<std::string, int64_t> Client::Codes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return codes_;
}

int64_t Client::Attempts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return attempts_;
}

}  // namespace sslpanel::chaos
