#include "ca-adapter/src/sandbox/sandbox_ca.h"

#include <filesystem>
#include <fstream>

#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sandbox {
namespace {

using ::testing::HasSubstr;

class SandboxCaTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromTimeT(absl::ToTimeT(absl::Now()))};
  x509::OpenSslRandom random_;
  std::string dir_ = sslpanel::testing::MakeTempDir("sandbox-ca-test-");
  ~SandboxCaTest() override { std::filesystem::remove_all(dir_); }

  LeafSpec Spec(const std::vector<std::string>& names) {
    LeafSpec spec;
    auto csr = testing::MakeCsr(names, testing::KeyType::kRsa2048);
    EXPECT_TRUE(csr.ok());
    spec.csr_pem = csr->csr_pem;
    spec.names = names;
    spec.not_before = clock_.Now();
    spec.not_after = clock_.Now() + absl::Hours(24 * 90);
    return spec;
  }
};

TEST_F(SandboxCaTest, CreatesOnceThenLoadsTheSameCa) {
  auto created = SandboxCa::LoadOrCreate(dir_, clock_, random_);
  ASSERT_TRUE(created.ok()) << created.status();
  auto loaded = SandboxCa::LoadOrCreate(dir_, clock_, random_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*created)->root_pem(), (*loaded)->root_pem());
  EXPECT_EQ((*created)->chain_pem(), (*loaded)->chain_pem());
  // Certificates from either instance chain to the one root.
  auto issued = (*loaded)->Sign(Spec({"www.example.org"}));
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(testing::VerifyCertificate((*created)->root_pem(), issued->chain_pem,
                                       issued->certificate_pem, "www.example.org"),
            absl::OkStatus());
}

TEST_F(SandboxCaTest, SignsWithUniqueSerialsAndTheRequestedValidity) {
  auto ca = SandboxCa::LoadOrCreate(dir_, clock_, random_);
  ASSERT_TRUE(ca.ok());
  const LeafSpec spec = Spec({"a.example.org", "*.b.example.org"});
  auto first = (*ca)->Sign(spec);
  auto second = (*ca)->Sign(spec);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->serial_number, second->serial_number);
  EXPECT_EQ(first->not_before, absl::FromTimeT(absl::ToTimeT(spec.not_before)));
  EXPECT_EQ(first->not_after, absl::FromTimeT(absl::ToTimeT(spec.not_after)));
  auto info = x509::InspectCertificate(first->certificate_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_THAT(info->dns_names, ::testing::ElementsAre("a.example.org", "*.b.example.org"));
  EXPECT_EQ(testing::VerifyCertificate((*ca)->root_pem(), first->chain_pem, first->certificate_pem,
                                       "x.b.example.org"),
            absl::OkStatus());
}

TEST_F(SandboxCaTest, RefusesAPartialDirectory) {
  ASSERT_TRUE(SandboxCa::LoadOrCreate(dir_, clock_, random_).ok());
  ASSERT_EQ(std::remove((dir_ + "/" + kIssuingKeyFile).c_str()), 0);
  auto partial = SandboxCa::LoadOrCreate(dir_, clock_, random_);
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(partial.status().message(), HasSubstr("issuing.key"));
}

TEST_F(SandboxCaTest, RejectsAGarbledCsr) {
  auto ca = SandboxCa::LoadOrCreate(dir_, clock_, random_);
  ASSERT_TRUE(ca.ok());
  LeafSpec spec = Spec({"x.example.org"});
  spec.csr_pem = "garbage";
  EXPECT_EQ((*ca)->Sign(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sslpanel::ca::sandbox
