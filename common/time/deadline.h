// The deadline of the call a thread is working for, carried without passing
// it through every port: the server sets it around a handler (from the
// caller's gRPC deadline, grpc_util::Offload) and the database pool reads it
// before every connection it lends and every statement it prepares, so a
// call past its deadline stops at its next database step and answers
// DEADLINE_EXCEEDED. Work with no caller (the processing loops) has none.
#pragma once

#include "absl/time/time.h"

namespace sslpanel {

class ScopedDeadline {
 public:
  explicit ScopedDeadline(absl::Time deadline) : previous_(current_) { current_ = deadline; }
  ~ScopedDeadline() { current_ = previous_; }
  ScopedDeadline(const ScopedDeadline&) = delete;
  ScopedDeadline& operator=(const ScopedDeadline&) = delete;

  // This thread's deadline; InfiniteFuture() when none is set.
  static absl::Time Current() { return current_; }

 private:
  static inline thread_local absl::Time current_ = absl::InfiniteFuture();
  absl::Time previous_;
};

}  // namespace sslpanel
