#include "workflow-service/src/app/webhook_signing.h"

#include <cstring>

#include "gtest/gtest.h"

namespace sslpanel::workflow::app {
namespace {

// Vectors cross-checked with the npm package standardwebhooks 1.3.0 (an
// implementation we did not write), e.g.
//   node -e 'const {Webhook}=require("standardwebhooks");
//     console.log(new Webhook(SECRET).sign(ID, new Date(TS*1000), BODY))'
// The first is also the example in the Standard Webhooks specification.
TEST(WebhookSigning, MatchesStandardWebhooksVectors) {
  struct Row {
    const char* secret;
    const char* id;
    int64_t timestamp;
    const char* body;
    const char* signature;
  };
  const Row rows[] = {
      {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
       "{\"test\": 2432232314}", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
      {"whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "17", 1800000000,
       "{\"type\":\"CA_ISSUED\"}", "v1,E1SszBFgZlS/7QDr0dALUl3+7BAM//4RaZgyA0Frft4="},
  };
  for (const Row& r : rows) {
    auto signature = SignWebhook(r.secret, r.id, r.timestamp, r.body);
    ASSERT_TRUE(signature.ok()) << signature.status();
    EXPECT_EQ(*signature, r.signature) << r.id;
  }
}

TEST(WebhookSigning, EverySecretSignsDuringARotation) {
  const std::string current = "whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
  const std::string previous = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto headers = WebhookHeaders("17", 1800000000, "{\"type\":\"CA_ISSUED\"}", {current, previous});
  ASSERT_TRUE(headers.ok()) << headers.status();
  ASSERT_EQ(headers->size(), 3u);
  EXPECT_EQ((*headers)[0], std::make_pair(std::string("webhook-id"), std::string("17")));
  EXPECT_EQ((*headers)[1],
            std::make_pair(std::string("webhook-timestamp"), std::string("1800000000")));
  EXPECT_EQ((*headers)[2].first, "webhook-signature");
  EXPECT_EQ((*headers)[2].second,
            "v1,E1SszBFgZlS/7QDr0dALUl3+7BAM//4RaZgyA0Frft4= " +
                *SignWebhook(previous, "17", 1800000000, "{\"type\":\"CA_ISSUED\"}"));
}

TEST(WebhookSigning, RefusesMalformedSecretsAndNoSecret) {
  for (const char* bad : {"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!"}) {
    EXPECT_EQ(SignWebhook(bad, "1", 1, "{}").status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(WebhookHeaders("1", 1, "{}", {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WebhookSigning, NewSecretsAreWhsecAndThirtyTwoRandomBytes) {
  unsigned char fill = 0;
  auto counting = [&](unsigned char* out, size_t size) {
    std::memset(out, ++fill, size);
    return absl::OkStatus();
  };
  auto first = NewWebhookSecret(counting);
  auto second = NewWebhookSecret(counting);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, "whsec_AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");
  EXPECT_NE(*first, *second);
  auto real = NewWebhookSecret(crypto::OpenSslRandomBytes);
  ASSERT_TRUE(real.ok());
  EXPECT_TRUE(SignWebhook(*real, "1", 1, "{}").ok());
  EXPECT_EQ(
      NewWebhookSecret([](unsigned char*, size_t) { return absl::UnavailableError("no entropy"); })
          .status()
          .code(),
      absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sslpanel::workflow::app
