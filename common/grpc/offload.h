// Keeps blocking work (the MySQL connector is synchronous) off gRPC's
// callback threads: a fixed set of worker threads, sized like the database
// pool, runs each unary call's handler and finishes the call from there.
// gRPC's own threads only receive and send; a slow query never stalls them.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <deque>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time/deadline.h"

namespace sslpanel::grpc_util {

struct ExecutorOptions {
  // Worker threads; at least 1.
  int threads = 8;
  // Work waiting for a thread; at most this many (Submit refuses more).
  // 0: 4 x threads.
  int queue_capacity = 0;
  // Work that waited longer than this for a thread is answered UNAVAILABLE
  // by Offload (the wait a database connection would have been given:
  // MysqlConfig::acquire_timeout), with `queue_timeout_message`.
  absl::Duration queue_timeout = absl::InfiniteDuration();
  std::string queue_timeout_message = "no handler thread free in time";
};

// A fixed pool of threads running submitted work in arrival order, with a
// bounded queue: work waits there while all threads are busy, and Submit
// refuses work (UNAVAILABLE, retryable) when it is full or stopping.
class BlockingExecutor {
 public:
  explicit BlockingExecutor(ExecutorOptions options);
  explicit BlockingExecutor(int threads) : BlockingExecutor(ExecutorOptions{.threads = threads}) {}
  // Shutdown().
  ~BlockingExecutor();
  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  // Queues `work`; UNAVAILABLE (and `work` is dropped unrun) when the queue
  // is full or the executor is stopping. `work` should not throw: an
  // exception escaping it is logged and swallowed.
  absl::Status Submit(std::function<void()> work);
  // Refuses new work from now on, runs what is queued, then joins the
  // threads. Idempotent; not from one of the executor's own threads.
  void Shutdown();
  int threads() const { return static_cast<int>(threads_.size()); }
  int queue_capacity() const { return capacity_; }
  // Work waiting for a thread now.
  int queued() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(queue_.size());
  }
  const ExecutorOptions& options() const { return options_; }

 private:
  void Work();
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); }

  const ExecutorOptions options_;
  const int capacity_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// The caller's deadline of `context`; InfiniteFuture() when it set none.
absl::Time DeadlineOf(const grpc::ServerContextBase& context);

// The status a call gets when its handler threw (what gRPC's sync server
// answers): UNKNOWN "Unexpected error in RPC handling"; logs `what`.
grpc::Status HandlerThrew(const char* what);

// Runs a queued call on an executor thread: answers it without running
// `handler` when its deadline passed, its client gave up or it waited past
// the executor's queue timeout; otherwise runs `handler` under the caller's
// deadline (ScopedDeadline) and returns its status (UNKNOWN if it throws).
template <typename Handler>
grpc::Status RunQueued(const BlockingExecutor& executor, grpc::ServerContextBase& context,
                       absl::Time enqueued, Handler& handler) {
  const absl::Time deadline = DeadlineOf(context);
  const absl::Time now = absl::Now();
  if (now >= deadline) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the deadline passed before the call started");
  }
  if (context.IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it started");
  }
  if (now - enqueued > executor.options().queue_timeout) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, executor.options().queue_timeout_message);
  }
  ScopedDeadline scoped(deadline);
  try {
    return handler();
  } catch (const std::exception& e) {
    return HandlerThrew(e.what());
  } catch (...) {
    return HandlerThrew("(not a std::exception)");
  }
}

// A unary callback-API handler that runs `handler` (returning grpc::Status,
// as a sync handler does) on `executor` and finishes the call with it. The
// handler runs under the caller's deadline (ScopedDeadline), and a call
// whose deadline passed, whose client gave up or that waited past the
// executor's queue timeout is answered without running the handler. A call
// the executor refuses (queue full, stopping) is answered UNAVAILABLE at once
// on gRPC's thread.
template <typename Handler>
grpc::ServerUnaryReactor* Offload(BlockingExecutor& executor, grpc::CallbackServerContext* context,
                                  Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time enqueued = absl::Now();
  absl::Status queued = executor.Submit(
      [&executor, reactor, context, enqueued, handler = std::move(handler)]() mutable {
        reactor->Finish(RunQueued(executor, *context, enqueued, handler));
      });
  if (!queued.ok()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(queued.message())));
  }
  return reactor;
}

}  // namespace sslpanel::grpc_util
