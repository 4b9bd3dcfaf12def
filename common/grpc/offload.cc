#include "common/grpc/offload.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace sslpanel::grpc_util {

absl::Time DeadlineOf(const grpc::ServerContextBase& context) {
  const auto deadline = context.deadline();
  // gRPC reports "no deadline" as a time far in the future.
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 100)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

grpc::Status HandlerThrew(const char* what) {
  log::Error("an RPC handler threw", {{"error", what}});
  return grpc::Status(grpc::StatusCode::UNKNOWN, "Unexpected error in RPC handling");
}

BlockingExecutor::BlockingExecutor(ExecutorOptions options)
    : options_(std::move(options)),
      capacity_(options_.queue_capacity > 0 ? options_.queue_capacity
                                            : 4 * std::max(1, options_.threads)) {
  const int threads = std::max(1, options_.threads);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Work(); });
  }
}

BlockingExecutor::~BlockingExecutor() { Shutdown(); }

void BlockingExecutor::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

absl::Status BlockingExecutor::Submit(std::function<void()> work) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return absl::UnavailableError("the server is stopping; retry on another replica");
  }
  if (static_cast<int>(queue_.size()) >= capacity_) {
    return absl::UnavailableError(absl::StrCat("overloaded: ", capacity_,
                                               " calls already wait for one of ", threads_.size(),
                                               " handler threads; retry with backoff"));
  }
  queue_.push_back(std::move(work));
  return absl::OkStatus();
}

void BlockingExecutor::Work() {
  while (true) {
    std::function<void()> work;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &BlockingExecutor::Ready));
      if (queue_.empty()) {
        return;  // stopping, and nothing left to run
      }
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      work();
    } catch (const std::exception& e) {
      log::Error("work on the handler executor threw", {{"error", e.what()}});
    } catch (...) {
      log::Error("work on the handler executor threw", {{"error", "(not a std::exception)"}});
    }
  }
}

}  // namespace sslpanel::grpc_util
