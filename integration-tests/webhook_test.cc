// Issue 15's webhooks, proved from outside: the real workflow binary (with
// the sandbox adapter, on a fresh MariaDB) delivers to a real HTTPS receiver
// (integration-tests/webhook-receiver/receiver.js, a node subprocess) that
// verifies every request with npm standardwebhooks, an implementation we did
// not write. The tests drive the system only through the gRPC API and the
// receiver's admin endpoint, and compare what arrived with ListOrderEvents.
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc/status.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/harness.h"
#include "integration-tests/system.h"
#include "integration-tests/webhook_receiver.h"

namespace sslpanel::integration {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr auto ACTIVE = v1::CERTIFICATE_STATUS_ACTIVE;

template <typename Call>
absl::Status Invoke(Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return grpc_util::FromGrpc(call(&context));
}

std::string Describe(const ReceivedWebhook& r) {
  return absl::StrCat("#", r.seq, " ", r.webhook_id, " attempt ", r.attempt, " order ", r.order_id,
                      " event ", r.event_id, " ", r.event_type, " -> ", r.answered,
                      r.verified ? "" : absl::StrCat(" NOT VERIFIED ", r.errors));
}

// The event ids of `order_id` the receiver accepted (verified, answered
// 2xx), in arrival order, with a delivery repeated back to back (at least
// once) counted once.
std::vector<std::string> AcceptedEvents(const std::vector<ReceivedWebhook>& received,
                                        const std::string& order_id) {
  std::vector<std::string> ids;
  for (const ReceivedWebhook& r : received) {
    if (r.accepted() && r.order_id == order_id && (ids.empty() || ids.back() != r.event_id)) {
      ids.push_back(r.event_id);
    }
  }
  return ids;
}

std::vector<std::string> EventIds(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  for (const v1::Event& e : events) {
    ids.push_back(e.event_id());
  }
  return ids;
}

// Every attempt is signed when it is sent: its webhook-timestamp is the
// time it went out (not its delivery's first attempt's), never going back.
void ExpectFreshTimestamps(const std::vector<ReceivedWebhook>& received) {
  std::map<std::string, int64_t> last_timestamp;
  for (const ReceivedWebhook& r : received) {
    EXPECT_NEAR(static_cast<double>(r.webhook_timestamp), r.at_ms / 1000.0, 5.0)
        << "webhook-timestamp " << r.webhook_timestamp << " at " << r.at_ms << " ms";
    EXPECT_GE(r.webhook_timestamp, last_timestamp[r.webhook_id]) << r.webhook_id;
    last_timestamp[r.webhook_id] = r.webhook_timestamp;
  }
}

// Every request the receiver got verified with the secrets it was given.
void ExpectAllVerified(const std::vector<ReceivedWebhook>& received) {
  for (const ReceivedWebhook& r : received) {
    EXPECT_TRUE(r.verified) << Describe(r);
  }
}

class WebhookTest : public ::testing::Test {
 protected:
  // Starts the receiver, then the system whose workflow trusts the
  // receiver's CA, retries quickly and (with `allow_loopback`) may deliver to
  // 127.0.0.1; `extra_flags` are added to the workflow's.
  void StartSystem(std::vector<std::string> extra_flags = {}, bool allow_loopback = true) {
    dir_ = testing::MakeTempDir("sslpanel-webhooks-");
    auto receiver = WebhookReceiver::Start(dir_);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
    options_.workflow_flags = {"--webhook_ca_file=" + receiver_->ca_file(),
                               "--webhook_retry_min=100ms", "--webhook_retry_max=1s",
                               "--webhook_timeout=2s"};
    if (allow_loopback) {
      options_.workflow_flags.push_back("--webhook_allow_loopback");
    }
    options_.workflow_flags.insert(options_.workflow_flags.end(), extra_flags.begin(),
                                   extra_flags.end());
    auto system = System::Start(options_);
    ASSERT_TRUE(system.ok()) << system.status();
    system_ = *std::move(system);
  }

  v1::WorkflowService::Stub& api() { return system_->workflow(); }
  std::string NextRequestId() { return absl::StrCat("webhook-test-", ++request_seq_); }

  absl::StatusOr<v1::CreateWebhookSubscriptionResponse> Subscribe(
      const std::string& url, const std::vector<std::string>& event_types = {}) {
    v1::CreateWebhookSubscriptionRequest request;
    request.set_request_id(NextRequestId());
    request.set_url(url);
    for (const std::string& type : event_types) {
      request.add_event_types(type);
    }
    request.set_description("webhook_test");
    v1::CreateWebhookSubscriptionResponse response;
    absl::Status status = Invoke([&](grpc::ClientContext* c) {
      return api().CreateWebhookSubscription(c, request, &response);
    });
    if (!status.ok()) {
      return status;
    }
    return response;
  }

  absl::StatusOr<v1::UpdateWebhookSubscriptionResponse> Update(
      v1::UpdateWebhookSubscriptionRequest request) {
    request.set_request_id(NextRequestId());
    v1::UpdateWebhookSubscriptionResponse response;
    absl::Status status = Invoke([&](grpc::ClientContext* c) {
      return api().UpdateWebhookSubscription(c, request, &response);
    });
    if (!status.ok()) {
      return status;
    }
    return response;
  }

  absl::StatusOr<v1::UpdateWebhookSubscriptionResponse> Rotate(const std::string& subscription_id,
                                                               int grace_seconds) {
    v1::UpdateWebhookSubscriptionRequest request;
    request.set_subscription_id(subscription_id);
    request.set_rotate_secret(true);
    request.set_previous_secret_grace_seconds(grace_seconds);
    return Update(request);
  }

  absl::StatusOr<v1::WebhookSubscription> GetSubscription(const std::string& subscription_id) {
    v1::GetWebhookSubscriptionRequest request;
    request.set_subscription_id(subscription_id);
    v1::GetWebhookSubscriptionResponse response;
    absl::Status status = Invoke([&](grpc::ClientContext* c) {
      return api().GetWebhookSubscription(c, request, &response);
    });
    if (!status.ok()) {
      return status;
    }
    return response.subscription();
  }

  // Every page of ListWebhookDeliveries, newest first.
  absl::StatusOr<std::vector<v1::WebhookDelivery>> Deliveries(
      const std::string& subscription_id, const std::string& order_id = "",
      v1::WebhookDeliveryStatus status = v1::WEBHOOK_DELIVERY_STATUS_UNSPECIFIED) {
    std::vector<v1::WebhookDelivery> out;
    v1::ListWebhookDeliveriesRequest request;
    request.set_subscription_id(subscription_id);
    request.set_order_id(order_id);
    request.set_status(status);
    request.set_page_size(50);
    for (int page = 0; page < 100; ++page) {
      v1::ListWebhookDeliveriesResponse response;
      absl::Status listed = Invoke([&](grpc::ClientContext* c) {
        return api().ListWebhookDeliveries(c, request, &response);
      });
      if (!listed.ok()) {
        return listed;
      }
      out.insert(out.end(), response.deliveries().begin(), response.deliveries().end());
      if (response.next_page_token().empty()) {
        return out;
      }
      request.set_page_token(response.next_page_token());
    }
    return absl::InternalError("ListWebhookDeliveries: more than 100 pages");
  }

  absl::StatusOr<v1::WebhookDelivery> Redeliver(const std::string& delivery_id) {
    v1::RedeliverWebhookRequest request;
    request.set_request_id(NextRequestId());
    request.set_delivery_id(delivery_id);
    v1::RedeliverWebhookResponse response;
    absl::Status status = Invoke(
        [&](grpc::ClientContext* c) { return api().RedeliverWebhook(c, request, &response); });
    if (!status.ok()) {
      return status;
    }
    return response.delivery();
  }

  absl::StatusOr<v1::WebhookDelivery> Dismiss(const std::string& delivery_id) {
    v1::DismissWebhookDeliveryRequest request;
    request.set_request_id(NextRequestId());
    request.set_delivery_id(delivery_id);
    v1::DismissWebhookDeliveryResponse response;
    absl::Status status = Invoke([&](grpc::ClientContext* c) {
      return api().DismissWebhookDelivery(c, request, &response);
    });
    if (!status.ok()) {
      return status;
    }
    return response.delivery();
  }

  // The receiver records a request before it answers, so it can show a
  // delivery before the workflow has recorded the answer: waits (bounded)
  // until ListWebhookDeliveries shows `count` deliveries (of `order_id`, or
  // all), every one DELIVERED, and returns them.
  absl::StatusOr<std::vector<v1::WebhookDelivery>> WaitDeliveriesRecorded(
      const std::string& subscription_id, const std::string& order_id, size_t count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::string last;
    while (true) {
      auto deliveries = Deliveries(subscription_id, order_id);
      if (!deliveries.ok()) {
        return deliveries.status();
      }
      const bool done = deliveries->size() == count &&
                        std::all_of(deliveries->begin(), deliveries->end(), [](const auto& d) {
                          return d.status() == v1::WEBHOOK_DELIVERY_STATUS_DELIVERED;
                        });
      if (done) {
        return deliveries;
      }
      if (absl::Now() > deadline) {
        last.clear();
        for (const v1::WebhookDelivery& d : *deliveries) {
          absl::StrAppend(&last, "\n  ", d.ShortDebugString());
        }
        return absl::DeadlineExceededError(
            absl::StrCat("not ", count, " DELIVERED deliveries within 30 s:", last));
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  // Creates a DV order on the sandbox and waits until it is ACTIVE.
  std::string ActiveDvOrder(const std::string& name) {
    auto created = Create(api(), DvOrder(name, absl::StrCat(name, ".example.com")));
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) {
      return "";
    }
    auto active = system_->WaitFor(
        created->order_id(), [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); },
        "ACTIVE");
    EXPECT_TRUE(active.ok()) << active.status();
    return created->order_id();
  }

  // Waits (bounded) until the receiver accepted every event ListOrderEvents
  // shows for each of `order_ids` (all ACTIVE by then); returns what it
  // received, and each order's events.
  std::vector<ReceivedWebhook> WaitAllDelivered(
      const std::vector<std::string>& order_ids,
      std::map<std::string, std::vector<v1::Event>>* events,
      absl::Duration timeout = absl::Seconds(60)) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string missing;
    std::vector<ReceivedWebhook> received;
    while (true) {
      missing.clear();
      auto got = receiver_->Received();
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok()) {
        return {};
      }
      received = *std::move(got);
      std::map<std::string, std::set<std::string>> accepted;
      for (const ReceivedWebhook& r : received) {
        if (r.accepted()) {
          accepted[r.order_id].insert(r.event_id);
        }
      }
      for (const std::string& order_id : order_ids) {
        auto listed = Events(api(), order_id);
        if (!listed.ok()) {
          missing = absl::StrCat("ListOrderEvents ", order_id, ": ", listed.status().ToString());
          break;
        }
        (*events)[order_id] = *listed;
        for (const v1::Event& e : *listed) {
          if (!accepted[order_id].contains(e.event_id())) {
            absl::StrAppend(&missing, " order ", order_id, " event ", e.event_id(), " ", e.type(),
                            ";");
          }
        }
      }
      if (missing.empty() || absl::Now() > deadline) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_EQ(missing, "") << "not delivered within " << timeout;
    return received;
  }

  // Per order: the accepted deliveries went in event order (repeats only
  // back to back), and are exactly the order's events.
  void ExpectInEventOrder(const std::vector<ReceivedWebhook>& received,
                          const std::map<std::string, std::vector<v1::Event>>& events) {
    for (const auto& [order_id, order_events] : events) {
      EXPECT_THAT(AcceptedEvents(received, order_id), ElementsAreArray(EventIds(order_events)))
          << "order " << order_id;
      int64_t last_version = -1;
      for (const ReceivedWebhook& r : received) {
        if (r.accepted() && r.order_id == order_id && r.order_version >= 0) {
          EXPECT_GE(r.order_version, last_version) << Describe(r);
          last_version = r.order_version;
        }
      }
    }
  }

  SystemOptions options_;
  std::string dir_;
  std::unique_ptr<WebhookReceiver> receiver_;
  std::unique_ptr<System> system_;
  int request_seq_ = 0;
};

// The secret is "whsec_" + base64 of 24..64 random bytes.
void ExpectSecretShape(const std::string& secret) {
  ASSERT_TRUE(absl::StartsWith(secret, "whsec_")) << secret;
  std::string key;
  ASSERT_TRUE(absl::Base64Unescape(secret.substr(6), &key)) << secret;
  EXPECT_GE(key.size(), 24u) << secret;
  EXPECT_LE(key.size(), 64u) << secret;
}

// The receiver itself, without the system: what it calls verified is what
// standardwebhooks accepts, so "no request failed verification" can fail.
std::string Sign(const std::string& key, const std::string& id, int64_t timestamp,
                 const std::string& body) {
  const std::string message = absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return "v1," + absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(mac), length));
}

TEST(WebhookReceiverTest, RecordsForgedStaleAndAlteredRequestsAsUnverified) {
  const std::string dir = testing::MakeTempDir("sslpanel-webhook-receiver-");
  auto receiver = WebhookReceiver::Start(dir);
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  const std::string key(32, 'k');
  const std::string other(32, 'o');
  ASSERT_TRUE((*receiver)->SetSecrets({{"s", "whsec_" + absl::Base64Escape(key)}}).ok());
  ASSERT_TRUE((*receiver)->SetBehaviour(R"({"fail_first": 1})").ok());
  const std::string body = R"({"type":"CREATED","data":{"event_id":"7","type":"CREATED"}})";
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  auto post = [&](const std::string& id, int64_t timestamp, const std::string& signature,
                  const std::string& sent_body) {
    CommandResult result = RunCommand(
        {"/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
         (*receiver)->ca_file(), "-H", "content-type: application/json", "-H", "webhook-id: " + id,
         "-H", absl::StrCat("webhook-timestamp: ", timestamp), "-H",
         "webhook-signature: " + signature, "--data-binary", sent_body, (*receiver)->url()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
  };
  EXPECT_EQ(post("msg_a", now, Sign(key, "msg_a", now, body), body), "500");  // fail_first
  EXPECT_EQ(post("msg_a", now, Sign(key, "msg_a", now, body), body), "200");
  EXPECT_EQ(post("msg_b", now, Sign(other, "msg_b", now, body), body), "401");
  EXPECT_EQ(post("msg_c", now - 600, Sign(key, "msg_c", now - 600, body), body), "401");
  EXPECT_EQ(post("msg_d", now, Sign(key, "msg_d", now, body), body + " "), "401");
  EXPECT_EQ(post("msg_e", now,
                 Sign(other, "msg_e", now, body) + " " + Sign(key, "msg_e", now, body), body),
            "500");  // two signatures, one good: verified (and its first attempt fails)
  auto received = (*receiver)->Received();
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->size(), 6u);
  std::vector<bool> verified;
  for (const ReceivedWebhook& r : *received) {
    verified.push_back(r.verified);
  }
  EXPECT_THAT(verified, ElementsAre(true, true, false, false, false, true));
  EXPECT_EQ((*received)[1].attempt, 2);
  EXPECT_TRUE((*received)[1].accepted());
  EXPECT_EQ((*received)[0].event_id, "7");
  EXPECT_EQ((*received)[5].signatures, 2);
  EXPECT_THAT((*received)[3].errors, HasSubstr("too old"));
}

TEST_F(WebhookTest, EveryDeliveryVerifiesAndCarriesTheOrderAsOfItsEvent) {
  ASSERT_NO_FATAL_FAILURE(StartSystem());
  auto subscription = Subscribe(receiver_->url());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  ExpectSecretShape(subscription->secret());
  ASSERT_TRUE(receiver_->SetSecrets({{"secret", subscription->secret()}}).ok());
  // The receiver refuses everything until the order is ACTIVE, so each
  // delivery goes out after the order has moved on: its payload must still
  // show the order as it stood at the event.
  ASSERT_TRUE(receiver_->SetBehaviour(R"({"mode": "fail", "fail_status": 503})").ok());
  const std::string order_id = ActiveDvOrder("asof");
  ASSERT_FALSE(order_id.empty());
  ASSERT_TRUE(receiver_->SetBehaviour("{}").ok());
  std::map<std::string, std::vector<v1::Event>> events;
  const std::vector<ReceivedWebhook> received = WaitAllDelivered({order_id}, &events);
  ExpectAllVerified(received);
  ExpectInEventOrder(received, events);
  // Refused until the order was ACTIVE, so most went out well after their
  // first attempt: each attempt's timestamp is its own.
  ExpectFreshTimestamps(received);
  const std::vector<v1::Event>& history = events[order_id];
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.front().type(), "CREATED");

  // The first event at which the certificate is ACTIVE.
  size_t issued = history.size();
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].to_status() == ACTIVE) {
      issued = i;
      break;
    }
  }
  ASSERT_LT(issued, history.size()) << "no event made the certificate ACTIVE";
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < history.size(); ++i) {
    position[history[i].event_id()] = i;
  }
  for (const ReceivedWebhook& r : received) {
    if (!r.accepted()) {
      continue;
    }
    ASSERT_TRUE(position.contains(r.event_id)) << Describe(r);
    const v1::Event& event = history[position[r.event_id]];
    EXPECT_EQ(r.event_type, event.type()) << Describe(r);
    EXPECT_EQ(r.signatures, 1) << Describe(r);
    EXPECT_FALSE(r.type.empty()) << Describe(r);
    EXPECT_EQ(r.path, "/hook") << Describe(r);
    // As of the event: not ACTIVE before the issuing event, ACTIVE from it.
    const std::string expected_active = v1::CertificateStatus_Name(ACTIVE);
    if (position[r.event_id] < issued) {
      EXPECT_NE(r.certificate_status, expected_active) << Describe(r);
    } else {
      EXPECT_EQ(r.certificate_status, expected_active) << Describe(r);
    }
    if (event.type() == "CREATED") {
      EXPECT_EQ(r.certificate_status, v1::CertificateStatus_Name(v1::CERTIFICATE_STATUS_OPEN))
          << Describe(r);
    }
    EXPECT_GT(r.order_version, 0) << "no order_version: " << Describe(r);
  }
  // Versions as of each event: the issuing event's is later than CREATED's.
  int64_t created_version = -1;
  int64_t issued_version = -1;
  for (const ReceivedWebhook& r : received) {
    if (r.accepted() && r.event_id == history.front().event_id()) {
      created_version = r.order_version;
    }
    if (r.accepted() && r.event_id == history[issued].event_id()) {
      issued_version = r.order_version;
    }
  }
  EXPECT_LT(created_version, issued_version);

  // The deliveries the API lists are what arrived: one per event, its id
  // the webhook-id of every attempt, DELIVERED after the refused attempts.
  auto deliveries = WaitDeliveriesRecorded(subscription->subscription().subscription_id(), order_id,
                                           history.size());
  ASSERT_TRUE(deliveries.ok()) << deliveries.status();
  ASSERT_EQ(deliveries->size(), history.size());
  std::map<std::string, int> attempts_seen;
  for (const ReceivedWebhook& r : received) {
    ++attempts_seen[r.webhook_id];
  }
  for (const v1::WebhookDelivery& d : *deliveries) {
    EXPECT_EQ(d.status(), v1::WEBHOOK_DELIVERY_STATUS_DELIVERED) << d.ShortDebugString();
    EXPECT_EQ(d.order_id(), order_id);
    EXPECT_TRUE(position.contains(d.event_id())) << d.ShortDebugString();
    EXPECT_EQ(d.attempts(), attempts_seen[d.delivery_id()]) << d.ShortDebugString();
    EXPECT_EQ(d.last_http_status(), 200) << d.ShortDebugString();
    EXPECT_TRUE(d.blocked_by_delivery_id().empty()) << d.ShortDebugString();
  }
  for (const ReceivedWebhook& r : received) {
    const bool listed =
        std::any_of(deliveries->begin(), deliveries->end(), [&](const v1::WebhookDelivery& d) {
          return d.delivery_id() == r.webhook_id && d.event_id() == r.event_id;
        });
    EXPECT_TRUE(listed) << "webhook-id not a delivery of its event: " << Describe(r);
  }
}

TEST_F(WebhookTest, SignaturesVerifyAcrossASecretRotation) {
  ASSERT_NO_FATAL_FAILURE(StartSystem());
  auto subscription = Subscribe(receiver_->url());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  const std::string id = subscription->subscription().subscription_id();
  const std::string first = subscription->secret();
  std::map<std::string, std::vector<v1::Event>> events;

  // 1. One secret: one signature, verified by it.
  ASSERT_TRUE(receiver_->SetSecrets({{"first", first}}).ok());
  const std::string a = ActiveDvOrder("rotate-a");
  std::vector<ReceivedWebhook> received = WaitAllDelivered({a}, &events);
  ExpectAllVerified(received);
  for (const ReceivedWebhook& r : received) {
    EXPECT_THAT(r.verified_by, ElementsAre("first")) << Describe(r);
  }

  // 2. Rotated with an hour's grace: every delivery carries two signatures,
  // and each secret verifies it on its own.
  auto rotated = Rotate(id, 3600);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  const std::string second = rotated->secret();
  ExpectSecretShape(second);
  EXPECT_NE(second, first);
  EXPECT_TRUE(rotated->subscription().has_previous_secret_expire_time());
  ASSERT_TRUE(receiver_->SetSecrets({{"first", first}, {"second", second}}).ok());
  const std::string b = ActiveDvOrder("rotate-b");
  received = WaitAllDelivered({b}, &events);
  ExpectAllVerified(received);
  for (const ReceivedWebhook& r : received) {
    if (r.order_id == b) {
      EXPECT_THAT(r.verified_by, ElementsAre("first", "second")) << Describe(r);
      EXPECT_EQ(r.signatures, 2) << Describe(r);
    }
  }

  // 3. The receiver switched to the new secret alone: still verified.
  ASSERT_TRUE(receiver_->SetSecrets({{"second", second}}).ok());
  const std::string c = ActiveDvOrder("rotate-c");
  received = WaitAllDelivered({c}, &events);
  ExpectAllVerified(received);

  // 4. Rotated with a one-second grace: once it has passed, only the newest
  // secret signs.
  rotated = Rotate(id, 1);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  const std::string third = rotated->secret();
  ExpectSecretShape(third);
  ASSERT_TRUE(rotated->subscription().has_previous_secret_expire_time());
  const absl::Time grace_end =
      absl::FromUnixSeconds(rotated->subscription().previous_secret_expire_time().seconds() + 1);
  ASSERT_LT(grace_end, absl::Now() + absl::Seconds(30)) << "the grace is not 1 s";
  absl::SleepFor(std::max(grace_end - absl::Now(), absl::ZeroDuration()));
  ASSERT_TRUE(receiver_->SetSecrets({{"second", second}, {"third", third}}).ok());
  const std::string d = ActiveDvOrder("rotate-d");
  received = WaitAllDelivered({d}, &events);
  ExpectAllVerified(received);
  for (const ReceivedWebhook& r : received) {
    if (r.order_id == d) {
      EXPECT_THAT(r.verified_by, ElementsAre("third")) << Describe(r);
      EXPECT_EQ(r.signatures, 1) << Describe(r);
    }
  }
  ExpectInEventOrder(received, events);
}

// The value of one series on a Prometheus text page, or -1.
double Series(const std::string& page, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::ConsumePrefix(&line, series + " ")) {
      double value = -1;
      return absl::SimpleAtod(line, &value) ? value : -1;
    }
  }
  return -1;
}

TEST_F(WebhookTest, AReceiverFailingTheFirstAttemptsGetsEveryEventInOrder) {
  auto metrics_port = testing::PickFreePort();
  ASSERT_TRUE(metrics_port.ok()) << metrics_port.status();
  ASSERT_NO_FATAL_FAILURE(
      StartSystem({absl::StrCat("--metrics_listen=127.0.0.1:", *metrics_port)}));
  auto subscription = Subscribe(receiver_->url());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  ASSERT_TRUE(receiver_->SetSecrets({{"secret", subscription->secret()}}).ok());
  // Every webhook-id fails twice (500), then gets 204: any 2xx counts.
  constexpr int kFailFirst = 2;
  ASSERT_TRUE(
      receiver_->SetBehaviour(R"({"fail_first": 2, "fail_status": 500, "ok_status": 204})").ok());
  std::vector<std::string> orders;
  for (int i = 0; i < 4; ++i) {
    auto created =
        Create(api(), DvOrder(absl::StrCat("retry-", i), absl::StrCat("retry", i, ".example.com")));
    ASSERT_TRUE(created.ok()) << created.status();
    orders.push_back(created->order_id());
  }
  for (const std::string& order_id : orders) {
    ASSERT_TRUE(
        system_
            ->WaitFor(
                order_id, [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); }, "ACTIVE")
            .ok());
  }
  std::map<std::string, std::vector<v1::Event>> events;
  const std::vector<ReceivedWebhook> received = WaitAllDelivered(orders, &events);
  ExpectAllVerified(received);
  ExpectInEventOrder(received, events);
  // Each delivery: attempts 1 and 2 refused, 3 accepted, same webhook-id.
  std::map<std::string, std::vector<int>> answers;
  for (const ReceivedWebhook& r : received) {
    answers[r.webhook_id].push_back(r.answered);
  }
  for (const auto& [webhook_id, statuses] : answers) {
    EXPECT_THAT(statuses, ElementsAre(500, 500, 204)) << "webhook-id " << webhook_id;
  }
  size_t expected = 0;
  for (const auto& [order_id, order_events] : events) {
    expected += order_events.size();
  }
  auto deliveries =
      WaitDeliveriesRecorded(subscription->subscription().subscription_id(), "", expected);
  ASSERT_TRUE(deliveries.ok()) << deliveries.status();
  EXPECT_EQ(deliveries->size(), expected);
  for (const v1::WebhookDelivery& d : *deliveries) {
    EXPECT_EQ(d.status(), v1::WEBHOOK_DELIVERY_STATUS_DELIVERED) << d.ShortDebugString();
    EXPECT_EQ(d.attempts(), kFailFirst + 1) << d.ShortDebugString();
    EXPECT_EQ(d.last_http_status(), 204) << d.ShortDebugString();
  }
  // Retries are signed afresh.
  ExpectFreshTimestamps(received);
  // The metrics count the same attempts (polled: an attempt is counted
  // after its answer is recorded, which may trail the receiver's record).
  httplib::Client client("127.0.0.1", *metrics_port);
  const double n = static_cast<double>(expected);
  const std::string delivered_series = R"(sslpanel_webhook_attempts_total{outcome="delivered"})";
  httplib::Result page = client.Get("/metrics");
  for (const absl::Time until = absl::Now() + absl::Seconds(30);
       !(page && Series(page->body, delivered_series) == n) && absl::Now() < until;) {
    absl::SleepFor(absl::Milliseconds(200));
    page = client.Get("/metrics");
  }
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(Series(page->body, delivered_series), n);
  EXPECT_EQ(Series(page->body, R"(sslpanel_webhook_attempts_total{outcome="retry"})"),
            kFailFirst * n);
  EXPECT_EQ(Series(page->body, R"(sslpanel_webhook_failures_total{kind="http"})"), kFailFirst * n);
  EXPECT_EQ(Series(page->body, "sslpanel_webhook_deliveries_created_total"), n);
}

TEST_F(WebhookTest, KillNineDuringDeliveriesLosesNone) {
  // A short lease, so deliveries the killed process held are taken over.
  ASSERT_NO_FATAL_FAILURE(StartSystem({"--lease=3s", "--call_timeout=2s"}));
  auto subscription = Subscribe(receiver_->url());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  ASSERT_TRUE(receiver_->SetSecrets({{"secret", subscription->secret()}}).ok());
  // A slow receiver keeps deliveries in flight when the kills come.
  ASSERT_TRUE(receiver_->SetBehaviour(R"({"delay_ms": 100})").ok());
  constexpr int kOrders = 24;
  std::vector<std::string> orders;
  for (int i = 0; i < kOrders; ++i) {
    auto created =
        Create(api(), DvOrder(absl::StrCat("kill-", i), absl::StrCat("kill", i, ".example.com")));
    ASSERT_TRUE(created.ok()) << created.status();
    orders.push_back(created->order_id());
  }
  // Two kill -9s, each once more deliveries have been accepted.
  auto accepted_count = [&] {
    auto got = receiver_->Received();
    return got.ok() ? std::count_if(got->begin(), got->end(),
                                    [](const ReceivedWebhook& r) { return r.accepted(); })
                    : 0;
  };
  for (const int after : {10, 40}) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (accepted_count() < after && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    ASSERT_GE(accepted_count(), after) << "deliveries did not start";
    ASSERT_TRUE(system_->workflow_process().Restart(/*kill_hard=*/true).ok());
  }
  for (const std::string& order_id : orders) {
    ASSERT_TRUE(system_
                    ->WaitFor(
                        order_id, [](const v1::Order& o) { return CertificateIs(o, 0, ACTIVE); },
                        "ACTIVE", absl::Seconds(90))
                    .ok());
  }
  std::map<std::string, std::vector<v1::Event>> events;
  const std::vector<ReceivedWebhook> received =
      WaitAllDelivered(orders, &events, absl::Seconds(120));
  ExpectAllVerified(received);
  // Nothing lost, nothing foreign, per order in order; a repeat (a delivery
  // whose answer died with the process) carries the same webhook-id.
  ExpectInEventOrder(received, events);
  std::map<std::string, std::set<std::string>> webhook_ids_of_event;
  int repeats = 0;
  std::set<std::string> seen;
  for (const ReceivedWebhook& r : received) {
    if (r.accepted()) {
      webhook_ids_of_event[r.event_id].insert(r.webhook_id);
      repeats += seen.insert(r.webhook_id).second ? 0 : 1;
    }
  }
  for (const auto& [event_id, webhook_ids] : webhook_ids_of_event) {
    EXPECT_EQ(webhook_ids.size(), 1u)
        << "event " << event_id
        << " under several webhook-ids: " << absl::StrJoin(webhook_ids, ", ");
  }
  std::cout << "deliveries accepted: " << seen.size() << ", repeats after the kills: " << repeats
            << "\n";
}

TEST_F(WebhookTest, ADeadDeliveryHoldsBackItsOrderUntilRedeliveredOrDismissed) {
  ASSERT_NO_FATAL_FAILURE(StartSystem({"--webhook_dead_after=3s"}));
  auto subscription = Subscribe(receiver_->url());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  const std::string subscription_id = subscription->subscription().subscription_id();
  ASSERT_TRUE(receiver_->SetSecrets({{"secret", subscription->secret()}}).ok());

  // Waits until the order's first delivery is DEAD and every later one is
  // PENDING behind it; returns the dead one's id.
  auto wait_dead = [&](const std::string& order_id, size_t event_count) -> std::string {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    std::string last;
    while (absl::Now() < deadline) {
      auto deliveries = Deliveries(subscription_id, order_id);
      EXPECT_TRUE(deliveries.ok()) << deliveries.status();
      if (!deliveries.ok()) {
        return "";
      }
      last.clear();
      for (const v1::WebhookDelivery& d : *deliveries) {
        absl::StrAppend(&last, "\n  ", d.ShortDebugString());
      }
      if (deliveries->size() == event_count) {
        // Newest first: the oldest is the first event's.
        const v1::WebhookDelivery& first = deliveries->back();
        bool blocked = first.status() == v1::WEBHOOK_DELIVERY_STATUS_DEAD;
        for (size_t i = 0; i + 1 < deliveries->size(); ++i) {
          blocked = blocked && (*deliveries)[i].status() == v1::WEBHOOK_DELIVERY_STATUS_PENDING &&
                    (*deliveries)[i].blocked_by_delivery_id() == first.delivery_id();
        }
        if (blocked) {
          return first.delivery_id();
        }
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << "order " << order_id
                  << ": no dead first delivery holding back the rest:" << last;
    return "";
  };

  // Redelivered: the dead one goes out, then the ones it held back, in order.
  ASSERT_TRUE(receiver_->SetBehaviour(R"({"mode": "fail"})").ok());
  const std::string x = ActiveDvOrder("dead-x");
  auto x_events = Events(api(), x);
  ASSERT_TRUE(x_events.ok()) << x_events.status();
  ASSERT_GE(x_events->size(), 2u);
  const std::string dead = wait_dead(x, x_events->size());
  ASSERT_FALSE(dead.empty());
  auto sub = GetSubscription(subscription_id);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(sub->dead_deliveries(), 1);
  auto dead_listed = Deliveries(subscription_id, "", v1::WEBHOOK_DELIVERY_STATUS_DEAD);
  ASSERT_TRUE(dead_listed.ok()) << dead_listed.status();
  ASSERT_EQ(dead_listed->size(), 1u);
  EXPECT_EQ(dead_listed->front().delivery_id(), dead);
  EXPECT_EQ(dead_listed->front().event_id(), x_events->front().event_id());
  EXPECT_GT(dead_listed->front().attempts(), 1);
  EXPECT_EQ(dead_listed->front().last_http_status(), 500);
  // Only the first event was ever attempted: the rest waited behind it.
  auto so_far = receiver_->Received();
  ASSERT_TRUE(so_far.ok()) << so_far.status();
  for (const ReceivedWebhook& r : *so_far) {
    EXPECT_EQ(r.event_id, x_events->front().event_id()) << Describe(r);
  }
  // A delivery that is not DEAD cannot be dismissed.
  auto pending = Deliveries(subscription_id, x, v1::WEBHOOK_DELIVERY_STATUS_PENDING);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_FALSE(pending->empty());
  EXPECT_EQ(Dismiss(pending->front().delivery_id()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(receiver_->SetBehaviour("{}").ok());
  auto redelivered = Redeliver(dead);
  ASSERT_TRUE(redelivered.ok()) << redelivered.status();
  EXPECT_EQ(redelivered->delivery_id(), dead);
  EXPECT_NE(redelivered->status(), v1::WEBHOOK_DELIVERY_STATUS_DEAD);
  // Its attempts are kept (history); only the backoff and deadline restart.
  EXPECT_EQ(redelivered->attempts(), dead_listed->front().attempts())
      << redelivered->ShortDebugString();
  std::map<std::string, std::vector<v1::Event>> events;
  std::vector<ReceivedWebhook> received = WaitAllDelivered({x}, &events);
  ExpectAllVerified(received);
  ExpectInEventOrder(received, events);
  auto after = WaitDeliveriesRecorded(subscription_id, x, events[x].size());
  ASSERT_TRUE(after.ok()) << after.status();
  for (const v1::WebhookDelivery& d : *after) {
    EXPECT_EQ(d.status(), v1::WEBHOOK_DELIVERY_STATUS_DELIVERED) << d.ShortDebugString();
    EXPECT_TRUE(d.blocked_by_delivery_id().empty()) << d.ShortDebugString();
  }
  EXPECT_EQ(Dismiss(dead).status().code(), absl::StatusCode::kFailedPrecondition)
      << "dismissed a DELIVERED delivery";

  // Dismissed: never sent again; the ones it held back go out, in order.
  ASSERT_TRUE(receiver_->SetBehaviour(R"({"mode": "fail"})").ok());
  const std::string y = ActiveDvOrder("dead-y");
  auto y_events = Events(api(), y);
  ASSERT_TRUE(y_events.ok()) << y_events.status();
  const std::string dead_y = wait_dead(y, y_events->size());
  ASSERT_FALSE(dead_y.empty());
  ASSERT_TRUE(receiver_->SetBehaviour("{}").ok());
  auto dismissed = Dismiss(dead_y);
  ASSERT_TRUE(dismissed.ok()) << dismissed.status();
  EXPECT_EQ(dismissed->status(), v1::WEBHOOK_DELIVERY_STATUS_DISMISSED);
  const std::vector<v1::Event> rest(y_events->begin() + 1, y_events->end());
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (AcceptedEvents(received, y).size() < rest.size() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(200));
    auto got = receiver_->Received();
    ASSERT_TRUE(got.ok()) << got.status();
    received = *std::move(got);
  }
  ExpectAllVerified(received);
  EXPECT_THAT(AcceptedEvents(received, y), ElementsAreArray(EventIds(rest)));
  sub = GetSubscription(subscription_id);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(sub->dead_deliveries(), 0);
}

TEST_F(WebhookTest, SubscriptionsFilterPauseAndDelete) {
  ASSERT_NO_FATAL_FAILURE(StartSystem());
  auto all = Subscribe(receiver_->url());
  ASSERT_TRUE(all.ok()) << all.status();
  auto issued_only = Subscribe(receiver_->url() + "/issued", {"CA_ISSUED"});
  ASSERT_TRUE(issued_only.ok()) << issued_only.status();
  ASSERT_TRUE(
      receiver_->SetSecrets({{"all", all->secret()}, {"issued", issued_only->secret()}}).ok());
  const std::string all_id = all->subscription().subscription_id();
  const std::string issued_id = issued_only->subscription().subscription_id();

  auto got = GetSubscription(issued_id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->url(), receiver_->url() + "/issued");
  EXPECT_THAT(got->event_types(), ElementsAre("CA_ISSUED"));
  EXPECT_FALSE(got->paused());
  v1::ListWebhookSubscriptionsRequest list_request;
  v1::ListWebhookSubscriptionsResponse listed;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ListWebhookSubscriptions(c, list_request, &listed);
              }).ok());
  ASSERT_EQ(listed.subscriptions_size(), 2);
  EXPECT_EQ(listed.subscriptions(0).subscription_id(), all_id);  // oldest first
  EXPECT_EQ(listed.subscriptions(1).subscription_id(), issued_id);

  // The filter: only CA_ISSUED reaches /hook/issued, everything reaches /hook.
  const std::string a = ActiveDvOrder("filter-a");
  std::map<std::string, std::vector<v1::Event>> events;
  std::vector<ReceivedWebhook> received = WaitAllDelivered({a}, &events);
  ExpectAllVerified(received);
  int issued_seen = 0;
  for (const ReceivedWebhook& r : received) {
    if (r.path == "/hook/issued") {
      EXPECT_EQ(r.event_type, "CA_ISSUED") << Describe(r);
      EXPECT_THAT(r.verified_by, ElementsAre("issued")) << Describe(r);
      ++issued_seen;
    } else {
      EXPECT_THAT(r.verified_by, ElementsAre("all")) << Describe(r);
    }
  }
  EXPECT_EQ(issued_seen, 1);

  // Paused: deliveries are kept, not sent; resumed: they go out in order.
  v1::UpdateWebhookSubscriptionRequest pause;
  pause.set_subscription_id(all_id);
  pause.mutable_update_mask()->add_paths("paused");
  pause.set_paused(true);
  auto paused = Update(pause);
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_TRUE(paused->subscription().paused());
  EXPECT_TRUE(paused->secret().empty()) << "a secret without a rotation";
  const size_t before = received.size();
  const std::string b = ActiveDvOrder("paused-b");
  auto b_events = Events(api(), b);
  ASSERT_TRUE(b_events.ok()) << b_events.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  size_t kept = 0;
  while (absl::Now() < deadline) {
    auto deliveries = Deliveries(all_id, b);
    ASSERT_TRUE(deliveries.ok()) << deliveries.status();
    kept = deliveries->size();
    if (kept == b_events->size()) {
      for (const v1::WebhookDelivery& d : *deliveries) {
        EXPECT_EQ(d.status(), v1::WEBHOOK_DELIVERY_STATUS_PENDING) << d.ShortDebugString();
        EXPECT_EQ(d.attempts(), 0) << d.ShortDebugString();
      }
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(kept, b_events->size()) << "a paused subscription's deliveries are kept";
  auto meanwhile = receiver_->Received();
  ASSERT_TRUE(meanwhile.ok());
  for (size_t i = before; i < meanwhile->size(); ++i) {
    EXPECT_NE((*meanwhile)[i].path, "/hook") << "sent while paused: " << Describe((*meanwhile)[i]);
  }
  pause.set_paused(false);
  ASSERT_TRUE(Update(pause).ok());
  received = WaitAllDelivered({b}, &events);
  ExpectAllVerified(received);
  EXPECT_THAT(AcceptedEvents(received, b), ::testing::IsSupersetOf(EventIds(*b_events)));

  // Deleted: gone from the API.
  v1::DeleteWebhookSubscriptionRequest del;
  del.set_request_id(NextRequestId());
  del.set_subscription_id(issued_id);
  v1::DeleteWebhookSubscriptionResponse deleted;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().DeleteWebhookSubscription(c, del, &deleted);
              }).ok());
  EXPECT_EQ(GetSubscription(issued_id).status().code(), absl::StatusCode::kNotFound);
}

// Without --webhook_allow_loopback, and every request refused before anything
// is stored (no traffic leaves 127.0.0.1: the public address below is only
// validated, never called).
TEST_F(WebhookTest, BadInputIsRefusedNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(StartSystem({}, /*allow_loopback=*/false));
  auto expect_invalid = [&](const std::string& url, const std::vector<std::string>& types,
                            const std::string& field) {
    auto created = Subscribe(url, types);
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument)
        << url << " " << absl::StrJoin(types, ",") << ": " << created.status();
    EXPECT_THAT(created.status().message(), HasSubstr(field)) << url;
  };
  expect_invalid("http://127.0.0.1:1/hook", {}, "url");
  expect_invalid("ftp://example.com/hook", {}, "url");
  expect_invalid("not a url", {}, "url");
  expect_invalid("https://93.184.215.14/hook", {"NO_SUCH_EVENT"}, "event_types");
  expect_invalid("https://93.184.215.14/hook", {"NO_SUCH_EVENT"}, "NO_SUCH_EVENT");
  // Loopback, private and link-local targets, also by a name that resolves
  // to one.
  expect_invalid(receiver_->url(), {}, "url");
  expect_invalid("https://localhost:1/hook", {}, "url");
  expect_invalid("https://[::1]:1/hook", {}, "url");
  expect_invalid("https://10.1.2.3/hook", {}, "url");
  expect_invalid("https://192.168.1.1/hook", {}, "url");
  expect_invalid("https://169.254.169.254/latest/meta-data", {}, "url");
  // An internationalised name in UTF-8 (libcurl would look up its punycode
  // form and miss the address pin): refused, whatever it resolves to.
  expect_invalid("https://bücher.example/hook", {}, "ASCII");
  v1::ListWebhookSubscriptionsRequest list_request;
  v1::ListWebhookSubscriptionsResponse listed;
  ASSERT_TRUE(Invoke([&](grpc::ClientContext* c) {
                return api().ListWebhookSubscriptions(c, list_request, &listed);
              }).ok());
  EXPECT_EQ(listed.subscriptions_size(), 0) << listed.ShortDebugString();

  // A subscription or delivery that does not exist: NOT_FOUND naming the
  // field.
  auto expect_not_found = [](const absl::Status& status, absl::string_view field) {
    EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
    EXPECT_THAT(status.message(), HasSubstr(field)) << status;
  };
  expect_not_found(GetSubscription("999999").status(), "subscription_id");
  v1::UpdateWebhookSubscriptionRequest update;
  update.set_subscription_id("999999");
  update.mutable_update_mask()->add_paths("description");
  update.set_description("x");
  expect_not_found(Update(update).status(), "subscription_id");
  v1::DeleteWebhookSubscriptionRequest del;
  del.set_request_id(NextRequestId());
  del.set_subscription_id("999999");
  v1::DeleteWebhookSubscriptionResponse deleted;
  expect_not_found(Invoke([&](grpc::ClientContext* c) {
                     return api().DeleteWebhookSubscription(c, del, &deleted);
                   }),
                   "subscription_id");
  expect_not_found(Redeliver("999999").status(), "delivery_id");
  expect_not_found(Dismiss("999999").status(), "delivery_id");
  // Required fields.
  EXPECT_EQ(GetSubscription("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(GetSubscription("").status().message(), HasSubstr("subscription_id"));
}

}  // namespace
}  // namespace sslpanel::integration
