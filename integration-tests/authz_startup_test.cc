// Servers fail closed at start: a certificate or key that does not parse, a
// key that does not match its certificate, an expired certificate, a client
// CA file without a CA, a malformed policy, or a policy without mutual TLS
// stops every binary (the prevalidation service, the workflow, the sandbox,
// ACME and Sectigo CA adapters) with a non-zero exit and a message naming the file;
// so do the same faults in the workflow's --upstream_tls_* files.
#include "common/testing/subprocess.h"
#include "common/testing/test_certs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration-tests/harness.h"

namespace sslpanel::integration {
namespace {

using ::testing::HasSubstr;

class StartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("sslpanel-authz-startup-");
    auto ca = testing::TestCa::Create("startup test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    testing::CertSpec spec;
    spec.sans = {"DNS:localhost"};
    auto good = ca->Issue(spec);
    auto other = ca->Issue(spec);
    spec.valid_from = -absl::Hours(48);
    spec.valid_until = -absl::Hours(1);
    auto expired = ca->Issue(spec);
    ASSERT_TRUE(good.ok() && other.ok() && expired.ok());
    Write("ca.pem", ca->ca().cert_pem);
    Write("cert.pem", good->cert_pem);
    Write("key.pem", good->key_pem);
    Write("other-key.pem", other->key_pem);
    Write("expired.pem", expired->cert_pem);
    Write("expired-key.pem", expired->key_pem);
    Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    Write("policy.json", R"({"identities": [], "roles": {"ops": ["NoDotService/*"]}})");
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void Write(const std::string& name, const std::string& contents) {
    ASSERT_TRUE(testing::WriteTextFile(Path(name), contents).ok());
  }

  // Runs `binary` as its main would start serving, with `flags`.
  CommandResult Run(const std::string& binary, const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {binary, "--listen=127.0.0.1:0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    if (binary == Binaries::Workflow()) {
      argv.push_back("--products_file=" + Binaries::ProductsFile());
    }
    if (binary == Binaries::CaAcme()) {
      // Never contacted: the files are checked before any ACME request.
      argv.push_back("--directory_url=https://127.0.0.1:9/directory");
    }
    if (binary == Binaries::CaSectigo()) {
      argv.push_back("--base_url=https://127.0.0.1:9/products/");  // never contacted either
    }
    return RunCommand(argv);
  }

  std::string dir_;
};

TEST_F(StartupTest, EveryBadFileStopsEveryServerNamingIt) {
  const std::string tls = "--tls_cert_file=", key = "--tls_key_file=",
                    client_ca = "--tls_client_ca_file=", policy = "--authz_policy_file=";
  const struct {
    std::vector<std::string> flags;
    std::string says;
  } kCases[] = {
      {{tls + Path("garbage.pem"), key + Path("key.pem")},
       "--tls_cert_file " + Path("garbage.pem") + ": holds no PEM certificate that parses"},
      {{tls + Path("cert.pem"), key + Path("garbage.pem")},
       "--tls_key_file " + Path("garbage.pem") + ": holds no PEM private key that parses"},
      {{tls + Path("cert.pem"), key + Path("other-key.pem")},
       "--tls_key_file " + Path("other-key.pem") +
           ": the key does not match the certificate in --tls_cert_file " + Path("cert.pem")},
      {{tls + Path("expired.pem"), key + Path("expired-key.pem")},
       "--tls_cert_file " + Path("expired.pem") + ": the certificate has expired"},
      {{tls + Path("cert.pem"), key + Path("key.pem"), client_ca + Path("cert.pem")},
       "--tls_client_ca_file " + Path("cert.pem") + ": holds no CA certificate"},
      {{tls + Path("cert.pem"), key + Path("key.pem"), client_ca + Path("ca.pem"),
        policy + Path("policy.json")},
       "--authz_policy_file " + Path("policy.json") + ": malformed policy: role"},
      {{tls + Path("cert.pem"), key + Path("key.pem"), policy + Path("policy.json")},
       "--authz_policy_file " + Path("policy.json") + " needs --tls_client_ca_file"},
  };
  for (const std::string& binary :
       {Binaries::Prevalidation(), Binaries::Workflow(), Binaries::CaSandbox(), Binaries::CaAcme(),
        Binaries::CaSectigo()}) {
    for (const auto& c : kCases) {
      const CommandResult result = Run(binary, c.flags);
      EXPECT_NE(result.exit_code, 0) << binary << " " << c.says;
      EXPECT_THAT(result.output, HasSubstr(c.says)) << binary;
    }
  }
}

TEST_F(StartupTest, BadUpstreamTlsFilesStopTheWorkflowNamingThem) {
  const std::string ca = "--upstream_tls_ca_file=", cert = "--upstream_tls_cert_file=",
                    key = "--upstream_tls_key_file=";
  const struct {
    std::vector<std::string> flags;
    std::string says;
  } kCases[] = {
      {{ca + Path("cert.pem")},
       "--upstream_tls_ca_file " + Path("cert.pem") + ": holds no CA certificate"},
      {{ca + Path("garbage.pem")},
       "--upstream_tls_ca_file " + Path("garbage.pem") + ": holds no PEM certificate that parses"},
      {{ca + Path("ca.pem"), cert + Path("garbage.pem"), key + Path("key.pem")},
       "--upstream_tls_cert_file " + Path("garbage.pem") + ": holds no PEM certificate"},
      {{ca + Path("ca.pem"), cert + Path("cert.pem"), key + Path("garbage.pem")},
       "--upstream_tls_key_file " + Path("garbage.pem") + ": holds no PEM private key"},
      {{ca + Path("ca.pem"), cert + Path("cert.pem"), key + Path("other-key.pem")},
       "--upstream_tls_key_file " + Path("other-key.pem") +
           ": the key does not match the certificate in --upstream_tls_cert_file " +
           Path("cert.pem")},
      {{ca + Path("ca.pem"), cert + Path("expired.pem"), key + Path("expired-key.pem")},
       "--upstream_tls_cert_file " + Path("expired.pem") + ": the certificate has expired"},
  };
  for (const auto& c : kCases) {
    const CommandResult result = Run(Binaries::Workflow(), c.flags);
    EXPECT_NE(result.exit_code, 0) << c.says;
    EXPECT_THAT(result.output, HasSubstr(c.says));
  }
}

TEST_F(StartupTest, APolicyForAnotherVersionStartsWithWarnings) {
  // A newer policy on an older binary must not crash-loop a rollout: an
  // entry this binary lacks is a warning, and what no role names is listed.
  Write("newer.json", R"({"identities": [{"prefix": "spiffe://x/", "role": "r"}],
      "roles": {"r": ["sslpanel.prevalidation.v1.PrevalidationService/Gone"]}})");
  auto process = testing::Subprocess::Start(
      {Binaries::Prevalidation(), "--listen=127.0.0.1:0", "--port_file=" + Path("port"),
       "--tls_cert_file=" + Path("cert.pem"), "--tls_key_file=" + Path("key.pem"),
       "--tls_client_ca_file=" + Path("ca.pem"), "--authz_policy_file=" + Path("newer.json")},
      Path("prevalidation.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(testing::WaitForPortFile(Path("port"), **process).ok()) << (*process)->Log();
  const std::string log = (*process)->Log();
  EXPECT_THAT(log, HasSubstr("names methods this binary does not have"));
  EXPECT_THAT(log, HasSubstr("sslpanel.prevalidation.v1.PrevalidationService/Gone"));
  EXPECT_THAT(log, HasSubstr("no role of the authorization policy may call these methods"));
  EXPECT_THAT(log, HasSubstr("\"methods\":\"sslpanel.prevalidation.v1.PrevalidationService/"
                             "Prevalidate\""));
  EXPECT_EQ((*process)->Terminate().value_or(-1), 0);
}

}  // namespace
}  // namespace sslpanel::integration
