#include "workflow-service/src/app/webhooks.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/text/utf8.h"
#include "workflow-service/src/app/webhook_signing.h"
#include "workflow-service/src/domain/event_types.h"

namespace sslpanel::workflow::app {
namespace {

constexpr size_t kMaxRequestId = 128;
constexpr size_t kMaxDescription = 255;
constexpr size_t kMaxUrl = 2048;

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.empty() || request_id.size() > kMaxRequestId) {
    return absl::InvalidArgumentError("request_id: required, 1..128 characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateDescription(const std::string& description) {
  // Protobuf strings are UTF-8: count characters, not continuation bytes.
  size_t characters = 0;
  for (unsigned char c : description) {
    characters += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  if (characters > kMaxDescription) {
    return absl::InvalidArgumentError("description: at most 255 characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateUrl(WebhookTargetChecker& targets, const std::string& url) {
  if (url.empty()) {
    return absl::InvalidArgumentError("url: required (an https URL)");
  }
  if (url.size() > kMaxUrl) {
    return absl::InvalidArgumentError("url: at most 2048 characters");
  }
  return targets.Check("url", url);
}

}  // namespace

absl::Status ValidateEventTypes(const std::string& field, const std::vector<std::string>& types) {
  if (absl::Status s = domain::CheckEventTypes(field, types); !s.ok()) {
    return s;
  }
  std::set<std::string> seen;
  for (const std::string& type : types) {
    if (!seen.insert(type).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": \"", type, "\" is listed twice"));
    }
  }
  return absl::OkStatus();
}

WebhookRequest WebhookApp::RequestOf(const Caller& caller) const {
  WebhookRequest request;
  request.request_id = caller.request_id;
  request.method = caller.method;
  request.fingerprint = caller.fingerprint;
  return request;
}

absl::StatusOr<std::optional<WebhookRequest>> WebhookApp::Replay(const Caller& caller) {
  auto seen = store_.FindRequest(caller.request_id);
  if (!seen.ok() || !seen->has_value()) {
    return seen;
  }
  const WebhookRequest& first = **seen;
  if (first.method != caller.method || first.fingerprint != caller.fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id \"", caller.request_id, "\" was already used for a different ",
                     first.method, " request; use a new request_id for a new request"));
  }
  return seen;
}

template <typename T, typename Write, typename FromReplay>
absl::StatusOr<T> WebhookApp::Idempotent(const Caller& caller, Write write, FromReplay replay) {
  if (absl::Status s = ValidateRequestId(caller.request_id); !s.ok()) {
    return s;
  }
  auto seen = Replay(caller);
  if (!seen.ok()) {
    return seen.status();
  }
  if (seen->has_value()) {
    return replay(**seen);
  }
  absl::StatusOr<T> written = write();
  if (written.status().code() == absl::StatusCode::kAlreadyExists) {
    // The same request id won a race with this call (a client retrying
    // quickly): its result is the answer.
    auto winner = Replay(caller);
    if (!winner.ok()) {
      return winner.status();
    }
    if (winner->has_value()) {
      return replay(**winner);
    }
  }
  return written;
}

absl::StatusOr<SubscriptionAnswer> WebhookApp::Create(const NewSubscription& input,
                                                      const Caller& caller) {
  auto replay = [&](const WebhookRequest& seen) -> absl::StatusOr<SubscriptionAnswer> {
    auto subscription = store_.GetSubscription(seen.subscription_id);
    if (!subscription.ok()) {
      return subscription.status();
    }
    return SubscriptionAnswer{*std::move(subscription), seen.secret};
  };
  auto write = [&]() -> absl::StatusOr<SubscriptionAnswer> {
    if (absl::Status s = ValidateUrl(targets_, input.url); !s.ok()) {
      return s;
    }
    if (absl::Status s = ValidateEventTypes("event_types", input.event_types); !s.ok()) {
      return s;
    }
    if (absl::Status s = ValidateDescription(input.description); !s.ok()) {
      return s;
    }
    auto secret = NewWebhookSecret(random_);
    if (!secret.ok()) {
      return secret.status();
    }
    // This process's last commits read first (it may wait), outside the
    // store's transaction: inside it, holding the dispatch cursor, only the
    // watermark as it is now is read (it does not wait).
    if (auto caught_up = feed_.WatermarkAfterOwnCommits(); !caught_up.ok()) {
      return caught_up.status();
    }
    WebhookRequest request = RequestOf(caller);
    request.secret = *secret;
    auto created = store_.CreateSubscription(
        input, *secret, [&] { return feed_.Watermark(); }, request, clock_.Now());
    if (!created.ok()) {
      return created.status();
    }
    return SubscriptionAnswer{*std::move(created), *secret};
  };
  return Idempotent<SubscriptionAnswer>(caller, write, replay);
}

absl::StatusOr<WebhookSubscription> WebhookApp::Get(int64_t id) {
  return store_.GetSubscription(id);
}

absl::StatusOr<std::vector<WebhookSubscription>> WebhookApp::List(int64_t after_id, int limit) {
  return store_.ListSubscriptions(after_id, limit);
}

absl::StatusOr<SubscriptionAnswer> WebhookApp::Update(int64_t id, SubscriptionChange change,
                                                      bool rotate, const Caller& caller) {
  auto replay = [&](const WebhookRequest& seen) -> absl::StatusOr<SubscriptionAnswer> {
    auto subscription = store_.GetSubscription(seen.subscription_id);
    if (!subscription.ok()) {
      return subscription.status();
    }
    return SubscriptionAnswer{*std::move(subscription), seen.secret};
  };
  auto write = [&]() -> absl::StatusOr<SubscriptionAnswer> {
    if (change.url.has_value()) {
      if (absl::Status s = ValidateUrl(targets_, *change.url); !s.ok()) {
        return s;
      }
    }
    if (change.event_types.has_value()) {
      if (absl::Status s = ValidateEventTypes("event_types", *change.event_types); !s.ok()) {
        return s;
      }
    }
    if (change.description.has_value()) {
      if (absl::Status s = ValidateDescription(*change.description); !s.ok()) {
        return s;
      }
    }
    change.new_secret.reset();
    WebhookRequest request = RequestOf(caller);
    request.subscription_id = id;
    if (rotate) {
      auto secret = NewWebhookSecret(random_);
      if (!secret.ok()) {
        return secret.status();
      }
      change.new_secret = *secret;
      request.secret = *secret;
    }
    auto updated = store_.UpdateSubscription(id, change, request, clock_.Now());
    if (!updated.ok()) {
      return updated.status();
    }
    return SubscriptionAnswer{*std::move(updated), request.secret};
  };
  return Idempotent<SubscriptionAnswer>(caller, write, replay);
}

absl::Status WebhookApp::Delete(int64_t id, const Caller& caller) {
  auto replay = [](const WebhookRequest&) -> absl::StatusOr<bool> { return true; };
  auto write = [&]() -> absl::StatusOr<bool> {
    WebhookRequest request = RequestOf(caller);
    request.subscription_id = id;
    if (absl::Status s = store_.DeleteSubscription(id, request, clock_.Now()); !s.ok()) {
      return s;
    }
    return true;
  };
  return Idempotent<bool>(caller, write, replay).status();
}

absl::StatusOr<std::vector<WebhookDelivery>> WebhookApp::ListDeliveries(
    const DeliveryQuery& query) {
  return store_.ListDeliveries(query);
}

absl::StatusOr<WebhookDelivery> WebhookApp::Redeliver(int64_t delivery_id, const Caller& caller) {
  auto replay = [&](const WebhookRequest& seen) { return store_.GetDelivery(seen.delivery_id); };
  auto write = [&]() -> absl::StatusOr<WebhookDelivery> {
    WebhookRequest request = RequestOf(caller);
    request.delivery_id = delivery_id;
    return store_.Redeliver(delivery_id, request, clock_.Now());
  };
  return Idempotent<WebhookDelivery>(caller, write, replay);
}

absl::StatusOr<WebhookDelivery> WebhookApp::Dismiss(int64_t delivery_id, const Caller& caller) {
  auto replay = [&](const WebhookRequest& seen) { return store_.GetDelivery(seen.delivery_id); };
  auto write = [&]() -> absl::StatusOr<WebhookDelivery> {
    WebhookRequest request = RequestOf(caller);
    request.delivery_id = delivery_id;
    return store_.Dismiss(delivery_id, request, clock_.Now());
  };
  return Idempotent<WebhookDelivery>(caller, write, replay);
}

}  // namespace sslpanel::workflow::app
