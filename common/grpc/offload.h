// Keeps blocking work (the MySQL connector is synchronous) off gRPC's
// callback threads: a fixed set of worker threads, sized like the database
// pool, runs each unary call's handler and finishes the call from there.
// gRPC's own threads only receive and send; a slow query never stalls them.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time/deadline.h"

namespace sslpanel::grpc_util {

// A fixed pool of threads running submitted work in arrival order. The
// threads are the bound: work waits in the queue while all are busy (gRPC's
// flow control and max concurrent streams bound how much arrives).
class BlockingExecutor {
 public:
  // `threads` at least 1.
  explicit BlockingExecutor(int threads);
  // Runs what is queued, then joins the threads.
  ~BlockingExecutor();
  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  void Submit(std::function<void()> work);
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); }

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// The caller's deadline of `context`; InfiniteFuture() when it set none.
absl::Time DeadlineOf(const grpc::ServerContextBase& context);

// A unary callback-API handler that runs `handler` (returning grpc::Status,
// as a sync handler does) on `executor` and finishes the call with it. The
// handler runs under the caller's deadline (ScopedDeadline), and a call
// whose deadline passed or whose client gave up while it waited in the
// queue is answered without running the handler.
template <typename Handler>
grpc::ServerUnaryReactor* Offload(BlockingExecutor& executor, grpc::CallbackServerContext* context,
                                  Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  executor.Submit([reactor, context, handler = std::move(handler)]() mutable {
    const absl::Time deadline = DeadlineOf(*context);
    if (absl::Now() >= deadline) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the deadline passed before the call started"));
      return;
    }
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it started"));
      return;
    }
    ScopedDeadline scoped(deadline);
    reactor->Finish(handler());
  });
  return reactor;
}

}  // namespace sslpanel::grpc_util
