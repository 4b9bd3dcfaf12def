// A DV order through the ACME adapter and a live Pebble to ACTIVE: the
// workflow, a real RFC 8555 client and a real ACME CA, nothing faked; the
// adapter's account key is stored encrypted (--secrets_key_file), not as PEM.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/client.h"
#include "integration-tests/system.h"

namespace sslpanel::integration {
namespace {

TEST(AcmeLifecycle, DvOrderThroughPebbleBecomesActive) {
  SystemOptions options;
  options.with_acme = true;
  auto system = System::Start(options);
  ASSERT_TRUE(system.ok()) << system.status();
  auto created =
      Create((*system)->workflow(), DvOrder("acme-1", "www.acme1.example.com", "acme-dv"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->certificates(0).ca_adapter(), "acme");
  auto active = (*system)->WaitFor(
      created->order_id(),
      [](const v1::Order& o) { return CertificateIs(o, 0, v1::CERTIFICATE_STATUS_ACTIVE); },
      "ACTIVE", absl::Seconds(60));
  ASSERT_TRUE(active.ok()) << active.status();
  const v1::Certificate& cert = active->certificates(0);
  EXPECT_THAT(cert.ca_reference(), ::testing::HasSubstr("/my-order/"));
  EXPECT_THAT(cert.certificate_pem(), ::testing::HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ(active->reseller_code(), v1::RESELLER_CODE_ACT);
  auto sealed = (*system)->AcmeAccountKeys("v1:%");
  auto plaintext = (*system)->AcmeAccountKeys("%PRIVATE KEY%");
  ASSERT_TRUE(sealed.ok() && plaintext.ok());
  EXPECT_EQ(*sealed, 1);
  EXPECT_EQ(*plaintext, 0);
}

}  // namespace
}  // namespace sslpanel::integration
