// The chaos driver's view of the workflow API, as a real caller has it: every
// mutating call carries a request id and is retried with that id (capped
// backoff, the next replica in turn) until a definite answer; every status
// code seen is counted, and the first success after each restart is timed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sslpanel/workflow/v1/workflow.grpc.pb.h"

namespace sslpanel::chaos {

namespace v1 = ::sslpanel::workflow::v1;

// Set by SIGINT/SIGTERM: every loop of the driver ends early, and what it
// started is stopped by the usual destructors.
bool Interrupted();
void Interrupt();

// Times from a restart to the first successful call that started after it.
class RecoveryClock {
 public:
  // A restart began at `at`; returns its number.
  int Begin(absl::Time at);
  // A call that started at `started` succeeded at `finished`.
  void Succeeded(absl::Time started, absl::Time finished);
  // Recovery times of the restarts that saw a success; the others are
  // counted in `never`.
  std::vector<absl::Duration> Durations(int* never) const;

 private:
  mutable std::mutex mu_;
  std::vector<absl::Time> begun_;
  std::vector<absl::Time> first_ok_;
};

// Codes a caller may retry: the server is going away or was not reached.
bool Retryable(absl::StatusCode code);

class Client {
 public:
  Client(const std::vector<std::string>& targets, RecoveryClock* recovery);

  using Call = std::function<absl::StatusOr<v1::Order>(v1::WorkflowService::Stub&)>;
  // Runs `call` until it gets a definite answer (OK or an error that is not
  // worth retrying) or `budget` ends (the last error, retryable). Non-OK
  // codes of each attempt are counted under `method`.
  absl::StatusOr<v1::Order> Retry(const std::string& method, const Call& call,
                                  absl::Duration budget);

  // Every error code seen, by code and method: {"UNAVAILABLE CreateOrder": 12}.
  std::map<std::string, int64_t> Codes() const;
  int64_t Attempts() const;

 private:
  static std::shared_ptr<v1::WorkflowService::Stub> Connect(const std::string& target);

  std::vector<std::string> targets_;
  std::vector<std::shared_ptr<v1::WorkflowService::Stub>> stubs_;
  std::vector<absl::Time> reconnected_;
  RecoveryClock* recovery_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> codes_;
  int64_t attempts_ = 0;
  int64_t next_ = 0;
};

}  // namespace sslpanel::chaos
