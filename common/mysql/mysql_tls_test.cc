// TLS to the database, against the MariaDB scripts/test starts with a
// certificate that names only "localhost", signed by $SSLPANEL_TEST_MYSQL_TLS/ca.pem
// (other-ca.pem is a CA that signed nothing of it). Each mode is checked by
// what the server reports for the session (Ssl_cipher).
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <cstdlib>

#include "common/mysql/mysql.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

using ::testing::HasSubstr;

class MysqlTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("SSLPANEL_TEST_MYSQL_TLS");
    ASSERT_NE(dir, nullptr) << "SSLPANEL_TEST_MYSQL_TLS is not set (a directory with ca.pem and "
                               "other-ca.pem); run the tests through scripts/test";
    pki_ = dir;
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  MysqlConfig Config(TlsMode mode, const std::string& host, const std::string& ca_file) {
    MysqlConfig config = db_->config();
    config.host = host;
    config.pool_size = 1;
    config.tls_mode = mode;
    config.tls_ca = ca_file.empty() ? "" : pki_ + "/" + ca_file;
    return config;
  }

  // The session's cipher ("" for plain TCP), or the error connecting.
  absl::StatusOr<std::string> SessionCipher(const MysqlConfig& config) {
    if (absl::Status valid = config.Validate(); !valid.ok()) {
      return valid;
    }
    auto pool = ConnectionPool::Create(config);
    if (!pool.ok()) {
      return pool.status();
    }
    std::string cipher;
    absl::Status status = (*pool)->Run("read the session cipher", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> statement(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rows(
          statement->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
      if (rows->next()) {
        cipher = rows->getString(2);
      }
      return absl::OkStatus();
    });
    if (!status.ok()) {
      return status;
    }
    return cipher;
  }

  std::string pki_;
  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_F(MysqlTlsTest, DisabledIsPlainTcp) {
  absl::StatusOr<std::string> cipher = SessionCipher(Config(TlsMode::kDisabled, "127.0.0.1", ""));
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_EQ(*cipher, "");
}

TEST_F(MysqlTlsTest, RequiredEncryptsWithoutACa) {
  absl::StatusOr<std::string> cipher = SessionCipher(Config(TlsMode::kRequired, "127.0.0.1", ""));
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_NE(*cipher, "");
}

TEST_F(MysqlTlsTest, VerifyCaAcceptsTheServersCaWhateverTheName) {
  absl::StatusOr<std::string> cipher =
      SessionCipher(Config(TlsMode::kVerifyCa, "127.0.0.1", "ca.pem"));
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_NE(*cipher, "");
}

TEST_F(MysqlTlsTest, VerifyCaRefusesAServerSignedByAnotherCa) {
  for (TlsMode mode : {TlsMode::kRequired, TlsMode::kVerifyCa, TlsMode::kVerifyIdentity}) {
    absl::StatusOr<std::string> cipher = SessionCipher(Config(mode, "localhost", "other-ca.pem"));
    EXPECT_EQ(cipher.status().code(), absl::StatusCode::kUnavailable) << TlsModeName(mode);
  }
}

TEST_F(MysqlTlsTest, VerifyIdentityNeedsTheNameInTheCertificate) {
  absl::StatusOr<std::string> named =
      SessionCipher(Config(TlsMode::kVerifyIdentity, "localhost", "ca.pem"));
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_NE(*named, "");
  absl::StatusOr<std::string> unnamed =
      SessionCipher(Config(TlsMode::kVerifyIdentity, "127.0.0.1", "ca.pem"));
  EXPECT_EQ(unnamed.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(MysqlTlsTest, BadTlsConfigurationNamesTheFlag) {
  MysqlConfig config = Config(TlsMode::kVerifyIdentity, "localhost", "");
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_tls_ca_file"));
  config = Config(TlsMode::kVerifyCa, "localhost", "missing.pem");
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_tls_ca_file names a file"));
  config = Config(TlsMode::kDisabled, "localhost", "ca.pem");
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_tls_mode"));
  config = Config(TlsMode::kRequired, "localhost", "");
  config.tls_cert = pki_ + "/ca.pem";
  EXPECT_THAT(config.Validate().message(), HasSubstr("--db_tls_key_file"));
  TlsMode mode;
  EXPECT_TRUE(ParseTlsMode("VERIFY_IDENTITY", &mode));
  EXPECT_EQ(mode, TlsMode::kVerifyIdentity);
  EXPECT_FALSE(ParseTlsMode("preferred", &mode));
}

}  // namespace
}  // namespace sslpanel::mysql
