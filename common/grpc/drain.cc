#include "common/grpc/drain.h"

#include <grpc/grpc.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <algorithm>
#include <utility>

namespace sslpanel::grpc_util {
namespace {

constexpr char kDrainingMessage[] = "server is shutting down; retry the call";

class DrainInterceptor final : public grpc::experimental::Interceptor {
 public:
  DrainInterceptor(grpc::experimental::ServerRpcInfo* info, std::shared_ptr<Drain> drain)
      : info_(info), drain_(std::move(drain)) {}

  // The context (and with it this interceptor) goes only once the status is
  // sent, so the call counts as in flight until its answer is on its way.
  ~DrainInterceptor() override {
    if (admitted_) {
      drain_->Leave(call_);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    // The first hook of every server call, before its handler runs; the
    // grpc_call is set on the context only after interceptors are created.
    if (call_ == nullptr &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      call_ = info_->server_context()->c_call();
      admitted_ = drain_->Admit(call_);
      if (!admitted_) {
        grpc_call_cancel_with_status(call_, GRPC_STATUS_UNAVAILABLE, kDrainingMessage, nullptr);
      }
    }
    // The handler's own status never reached the client; say what did.
    if (call_ != nullptr && (!admitted_ || drain_->WasCut(call_)) &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(Drain::Unavailable());
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  std::shared_ptr<Drain> drain_;
  grpc_call* call_ = nullptr;
  bool admitted_ = false;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  Factory(std::shared_ptr<Drain> drain, std::vector<std::string> gated)
      : drain_(std::move(drain)), gated_(std::move(gated)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // "/sslpanel.workflow.v1.WorkflowService/GetOrder"
    const std::string path = info->method() != nullptr ? info->method() : "";
    const size_t slash = path.rfind('/');
    const std::string service =
        slash == std::string::npos || slash == 0 ? std::string() : path.substr(1, slash - 1);
    if (std::find(gated_.begin(), gated_.end(), service) == gated_.end()) {
      return nullptr;
    }
    return new DrainInterceptor(info, drain_);
  }

 private:
  const std::shared_ptr<Drain> drain_;
  const std::vector<std::string> gated_;
};

}  // namespace

grpc::Status Drain::Unavailable() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, kDrainingMessage);
}

bool Drain::started() const {
  absl::MutexLock lock(&mu_);
  return started_;
}

bool Drain::WaitForStart(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&started_), timeout);
}

void Drain::Start() {
  std::vector<std::function<void()>> callbacks;
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
    callbacks.swap(on_start_);
  }
  for (const auto& callback : callbacks) {
    callback();
  }
}

void Drain::OnStart(std::function<void()> callback) {
  {
    absl::MutexLock lock(&mu_);
    if (!started_) {
      on_start_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

int Drain::AwaitIdle(absl::Duration grace) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(
      absl::Condition(
          +[](std::unordered_map<grpc_call*, bool>* calls) { return calls->empty(); }, &calls_),
      grace);
  return static_cast<int>(calls_.size());
}

int Drain::CutRemaining() {
  std::vector<grpc_call*> cut;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [call, was_cut] : calls_) {
      if (!was_cut) {
        was_cut = true;
        grpc_call_ref(call);  // Leave may drop the interceptor's reference meanwhile
        cut.push_back(call);
      }
    }
  }
  // Outside the lock: cancelling may run gRPC callbacks that end in Leave.
  // With an explicit status the server sends it as the call's trailers
  // (chttp2 close_from_api), so the client reads UNAVAILABLE, not CANCELLED.
  for (grpc_call* call : cut) {
    grpc_call_cancel_with_status(call, GRPC_STATUS_UNAVAILABLE, kDrainingMessage, nullptr);
    grpc_call_unref(call);
  }
  return static_cast<int>(cut.size());
}

int Drain::in_flight() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(calls_.size());
}

bool Drain::Admit(grpc_call* call) {
  absl::MutexLock lock(&mu_);
  if (started_) {
    return false;
  }
  grpc_call_ref(call);
  calls_.emplace(call, false);
  return true;
}

bool Drain::WasCut(grpc_call* call) const {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(call);
  return it != calls_.end() && it->second;
}

void Drain::Leave(grpc_call* call) {
  {
    absl::MutexLock lock(&mu_);
    calls_.erase(call);
  }
  grpc_call_unref(call);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewDrainInterceptorFactory(
    std::shared_ptr<Drain> drain, std::vector<std::string> gated) {
  return std::make_unique<Factory>(std::move(drain), std::move(gated));
}

}  // namespace sslpanel::grpc_util
