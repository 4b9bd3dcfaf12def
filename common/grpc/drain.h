// Graceful stop in the application, ahead of gRPC's own Server::Shutdown,
// whose codes we do not choose: once it has begun, gRPC 1.51 kills calls that
// still arrive (before the client read its GOAWAY) or wait for a thread with
// CANCELLED, which a client cannot tell from its own cancellation, and at its
// deadline it drops the connections under the calls still running. A Drain
// counts the calls of the hosted services and, once started, refuses new ones
// with UNAVAILABLE; when the grace is over it ends those still running with
// UNAVAILABLE. A client so sees an answer or a code it may retry.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct grpc_call;

namespace grpc {
class Status;
}  // namespace grpc

namespace grpc::experimental {
class ServerInterceptorFactoryInterface;
}  // namespace grpc::experimental

namespace sslpanel::grpc_util {

class Drain {
 public:
  // What a refused or cut call gets, and what a handler that ends its call
  // because of the drain should return.
  static grpc::Status Unavailable();

  // The hook for long calls (server streams, once they exist). The server
  // refuses new calls and cuts the running ones at the end of the grace on
  // its own, but a stream that watches the drain can end at once, cleanly,
  // and tell the client to go elsewhere: between messages, check started()
  // (or wait on WaitForStart instead of sleeping) and return Unavailable().
  bool started() const;
  // Blocks until the drain starts or `timeout` passes; true if it started.
  bool WaitForStart(absl::Duration timeout) const;
  // Runs `callback` when the drain starts (at once if it has): streams on
  // the callback API end their calls from it. It must not block.
  void OnStart(std::function<void()> callback);

  // Starts the drain: from now on Admit refuses.
  void Start();
  // Waits until no admitted call is left or `grace` passes; returns how many
  // are still running.
  int AwaitIdle(absl::Duration grace);
  // Ends every admitted call still running with UNAVAILABLE; returns how
  // many. Their handlers run on (gRPC cannot stop a thread), but the client
  // has its answer.
  int CutRemaining();
  int in_flight() const;

  // For the interceptor. Admit takes a reference on `call` until Leave, so
  // CutRemaining never touches a call gRPC already destroyed.
  bool Admit(grpc_call* call);
  bool WasCut(grpc_call* call) const;
  void Leave(grpc_call* call);

 private:
  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> on_start_ ABSL_GUARDED_BY(mu_);
  // Admitted calls still running; the value says whether it was cut.
  std::unordered_map<grpc_call*, bool> calls_ ABSL_GUARDED_BY(mu_);
};

// Admits every call of the services named in `gated` (fully qualified, e.g.
// "sslpanel.workflow.v1.WorkflowService") through `drain`; other services
// (health, reflection) pass untouched, so probes still read NOT_SERVING
// during the drain. Register it before other interceptors so that they see
// the UNAVAILABLE a refused or cut call really got.
//
// A refused call's client gets UNAVAILABLE at once, but its handler still
// runs: a gRPC 1.51 server interceptor cannot stop it (grpc/grpc#24017).
// That is safe where mutating calls carry a request id or idempotency key,
// as ours do; the handler sees ServerContext::IsCancelled() if it cares.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewDrainInterceptorFactory(
    std::shared_ptr<Drain> drain, std::vector<std::string> gated);

}  // namespace sslpanel::grpc_util
