#include "chaos/src/lifecycles.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/csr.h"
#include "integration-tests/client.h"

namespace sslpanel::chaos {
namespace {

// The mix over every 20 lifecycles: cancels and chain changes are most of
// it, because that is where a CA answer can overtake a customer's request.
Script ScriptOf(int index) {
  const int slot = index % 20;
  if (slot < 4) {
    return Script::kPlain;
  }
  if (slot < 7) {
    return Script::kOv;
  }
  if (slot < 11) {
    return Script::kCancelEarly;
  }
  if (slot < 14) {
    return Script::kCancelActive;
  }
  if (slot < 17) {
    return Script::kReissue;
  }
  return Script::kRenew;
}

bool ActiveNow(const v1::Order& order, int index) {
  return order.certificates_size() > index &&
         order.certificates(index).status() == v1::CERTIFICATE_STATUS_ACTIVE &&
         order.certificates(index).pending_operation() == v1::PENDING_OPERATION_NONE;
}

}  // namespace

const char* ScriptName(Script script) {
  switch (script) {
    case Script::kPlain:
      return "create";
    case Script::kOv:
      return "ov-create";
    case Script::kCancelEarly:
      return "cancel-early";
    case Script::kCancelActive:
      return "cancel-active";
    case Script::kReissue:
      return "reissue";
    case Script::kRenew:
      return "renew";
  }
  return "?";
}

Load::Load(LoadOptions options, Client* client)
    : options_(std::move(options)), client_(client), lifecycles_(options_.lifecycles) {}

Load::~Load() {
  stop_ = true;
  for (std::thread& worker : workers_) {
    if (worker.joinable()) {
      worker.join();
    }
  }
}

void Load::Start() {
  for (int i = 0; i < options_.concurrency; ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

std::vector<Lifecycle> Load::Join() {
  for (std::thread& worker : workers_) {
    if (worker.joinable()) {
      worker.join();
    }
  }
  const int started = std::min(next_.load(), options_.lifecycles);
  return std::vector<Lifecycle>(lifecycles_.begin(), lifecycles_.begin() + started);
}

void Load::Work() {
  while (!stop_ && !Interrupted()) {
    const int index = next_++;
    if (index >= options_.lifecycles) {
      break;
    }
    Lifecycle& lc = lifecycles_[index];
    lc.index = index;
    lc.script = ScriptOf(index);
    Run(lc);
    ++finished_;
  }
  ++workers_done_;
}

bool Load::Acknowledged(const std::string& method, const Client::Call& call, Lifecycle& lc) {
  absl::StatusOr<v1::Order> answer = client_->Retry(method, call, options_.call_budget);
  if (!answer.ok()) {
    lc.stopped = absl::StrCat(method, ": ", answer.status().ToString());
    return false;
  }
  if (lc.order_id.empty()) {
    lc.order_id = answer->order_id();
  }
  ++operations_;
  return true;
}

bool Load::WaitCertificate(Lifecycle& lc, int index) {
  const absl::Time deadline = absl::Now() + options_.state_timeout;
  const std::string order_id = lc.order_id;
  while (absl::Now() < deadline && !Interrupted()) {
    absl::StatusOr<v1::Order> order = client_->Retry(
        "GetOrder",
        [&](v1::WorkflowService::Stub& stub) { return integration::Get(stub, order_id); },
        absl::Seconds(10));
    if (order.ok() && ActiveNow(*order, index)) {
      return true;
    }
    // A dropped cancel, or any other certificate that can no longer become
    // ACTIVE: the checks judge it; waiting longer shows nothing new.
    if (order.ok() && order->certificates_size() > index &&
        order->status() == v1::ORDER_STATUS_CLOSED) {
      lc.stopped = absl::StrCat("certificate ", index, " ended ",
                                v1::CertificateStatus_Name(order->certificates(index).status()));
      return false;
    }
    absl::SleepFor(absl::Milliseconds(150));
  }
  lc.stopped = absl::StrCat("certificate ", index, " not ACTIVE within ",
                            absl::FormatDuration(options_.state_timeout));
  return false;
}

void Load::Run(Lifecycle& lc) {
  const std::string id = absl::StrCat(options_.run, "-", lc.index);
  lc.common_name = absl::StrCat("lc", lc.index, ".", options_.run, ".example.com");
  v1::CreateOrderRequest create = lc.script == Script::kOv
                                      ? integration::DutchOvOrder(id, "Test BV Donald")
                                      : integration::DvOrder(id, lc.common_name);
  if (lc.script == Script::kOv) {
    lc.common_name = create.common_name();
  }
  lc.external_id = create.external_order_id();
  lc.create_request = create.request_id();
  if (!Acknowledged(
          "CreateOrder",
          [&](v1::WorkflowService::Stub& stub) { return integration::Create(stub, create); }, lc)) {
    return;
  }
  const std::string order_id = lc.order_id;
  auto cancel = [&] {
    const std::string request_id = "cancel-" + id;
    if (Acknowledged(
            "CancelCertificate",
            [&](v1::WorkflowService::Stub& stub) {
              return integration::Cancel(stub, order_id, request_id);
            },
            lc)) {
      lc.cancel_request = request_id;
    }
  };
  switch (lc.script) {
    case Script::kPlain:
    case Script::kOv:
      (void)WaitCertificate(lc, 0);
      return;
    case Script::kCancelEarly: {
      // Anywhere from at once to just after issuance: the race of issue 16.
      std::mt19937_64 random(static_cast<uint64_t>(lc.index) * 7919);
      std::uniform_real_distribution<double> fraction(0, 1);
      absl::SleepFor((options_.issue_delay + absl::Milliseconds(300)) * fraction(random));
      cancel();
      return;
    }
    case Script::kCancelActive:
      if (WaitCertificate(lc, 0)) {
        cancel();
      }
      return;
    case Script::kReissue:
      if (WaitCertificate(lc, 0)) {
        const std::string request_id = "reissue-" + id;
        const std::string csr = testing::MakeCsr(lc.common_name, {lc.common_name});
        if (Acknowledged(
                "ReissueCertificate",
                [&](v1::WorkflowService::Stub& stub) {
                  return integration::Reissue(stub, order_id, request_id, csr);
                },
                lc)) {
          lc.reissue_request = request_id;
          (void)WaitCertificate(lc, 1);
        }
      }
      return;
    case Script::kRenew:
      if (WaitCertificate(lc, 0)) {
        const std::string request_id = "renew-" + id;
        if (Acknowledged(
                "RenewOrder",
                [&](v1::WorkflowService::Stub& stub) {
                  return integration::Renew(stub, order_id, request_id);
                },
                lc)) {
          lc.renew_request = request_id;
          (void)WaitCertificate(lc, 1);
        }
      }
      return;
  }
}

}  // namespace sslpanel::chaos
