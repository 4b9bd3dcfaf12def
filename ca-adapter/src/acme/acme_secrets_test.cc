// Secrets at rest in the ACME adapter, on a real MariaDB: the account key
// registered with a real Pebble is stored sealed, not as PEM; a restart with
// the key reuses the account, and one without it refuses to start; rotating
// to a second key keeps old rows readable and seals new ones with the new
// key; and the `migrate` command of the real binary seals rows stored in
// plaintext before encryption, once, without logging the key.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_connection.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/acme_adapter.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "ca-adapter/src/acme/jose.h"
#include "ca-adapter/src/storage/migrations.h"
#include "ca-adapter/src/testing/adapter_harness.h"
#include "ca-adapter/src/testing/pebble.h"
#include "ca-adapter/src/testing/test_pki.h"
#include "ca-adapter/src/x509/openssl_random.h"
#include "common/crypto/keyring.h"
#include "common/mysql/migrator.h"
#include "common/testing/subprocess.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace sslpanel::ca::acme {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

crypto::SecretKey Key(char fill) {
  return *crypto::MakeSecretKey(std::string(crypto::kKeyBytes, fill));
}

crypto::Keyring Ring(std::optional<crypto::SecretKey> current,
                     std::vector<crypto::SecretKey> old = {}) {
  return *crypto::Keyring::Create(std::move(current), std::move(old));
}

// The account_key_pem column as stored, "" when there is no row.
std::string StoredKey(mysql::ConnectionPool& pool, const std::string& directory) {
  std::string stored;
  EXPECT_TRUE(pool.Run("read raw key",
                       [&](sql::Connection& conn) {
                         std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
                             "SELECT account_key_pem FROM acme_accounts WHERE directory_url = ?"));
                         select->setString(1, directory);
                         std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
                         if (rows->next()) {
                           stored = rows->getString(1);
                         }
                         return absl::OkStatus();
                       })
                  .ok());
  return stored;
}

std::string NewKeyPem() {
  absl::StatusOr<EcKey> key = EcKey::Generate();
  EXPECT_TRUE(key.ok());
  return key->ToPem();
}

TEST(AcmeSecretsTest, TheRegisteredAccountKeyIsStoredSealedAndOnlyOpensWithTheKey) {
  auto pebble = testing::Pebble::Start(testing::Pebble::Options());
  ASSERT_TRUE(pebble.ok()) << pebble.status();
  SystemClock clock;
  x509::OpenSslRandom random;
  prometheus::Registry metrics;
  AcmeConfig config;
  config.directory_url = (*pebble)->directory_url();
  config.ca_bundle = (*pebble)->tls_ca_file();
  config.challenge_preflight = false;
  config.secrets = Ring(Key('a'));
  AcmeParts parts;
  auto harness = testing::AdapterHarness::Create(
      clock,
      [&](mysql::ConnectionPool& pool,
          const Clock& clock) -> absl::StatusOr<std::shared_ptr<app::CaBackend>> {
        absl::StatusOr<AcmeParts> made = MakeAcmeBackend(config, pool, clock, random, metrics);
        if (!made.ok()) {
          return made.status();
        }
        parts = *made;
        return made->backend;
      });
  ASSERT_TRUE(harness.ok()) << harness.status();

  absl::StatusOr<Account> account = parts.accounts->Get(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(account.ok()) << account.status();
  const std::string stored = StoredKey((*harness)->pool(), config.directory_url);
  EXPECT_THAT(stored, StartsWith(absl::StrCat("v1:", Key('a').id, ":")));
  EXPECT_THAT(stored, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(stored, Not(HasSubstr(account->key.ToPem())));

  // Restarted with the key: the same account, opened from the sealed row.
  ASSERT_TRUE((*harness)->Restart().ok());
  absl::StatusOr<Account> again = parts.accounts->Get(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->url, account->url);
  EXPECT_EQ(again->key.ToPem(), account->key.ToPem());

  // Without it (or with another key) the adapter refuses to start, naming
  // the key the row needs.
  for (crypto::Keyring wrong : {crypto::Keyring(), Ring(Key('b'))}) {
    config.secrets = wrong;
    absl::Status restarted = (*harness)->Restart();
    EXPECT_EQ(restarted.code(), absl::StatusCode::kFailedPrecondition) << restarted;
    EXPECT_THAT(restarted.message(), HasSubstr(Key('a').id));
  }
}

class AcmeSecretsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = sslpanel::testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    auto pool = mysql::ConnectionPool::Create(database_->config());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }
  void Migrate() { ASSERT_TRUE(mysql::ApplyMigrations(*pool_, CaAdapterMigrations()).ok()); }

  std::unique_ptr<sslpanel::testing::TestDatabase> database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
};

TEST_F(AcmeSecretsStoreTest, RotationKeepsOldRowsReadableAndSealsNewOnesWithTheNewKey) {
  Migrate();
  const std::string old_pem = NewKeyPem();
  const std::string new_pem = NewKeyPem();
  ASSERT_TRUE(AcmeStore(*pool_, Ring(Key('a')))
                  .InsertAccountKey("https://old/dir", old_pem, absl::Now())
                  .ok());

  AcmeStore rotated(*pool_, Ring(Key('b'), {Key('a')}));
  auto old_row = rotated.LoadAccount("https://old/dir");
  ASSERT_TRUE(old_row.ok()) << old_row.status();
  EXPECT_EQ((*old_row)->key_pem, old_pem);
  ASSERT_TRUE(rotated.InsertAccountKey("https://new/dir", new_pem, absl::Now()).ok());
  EXPECT_THAT(StoredKey(*pool_, "https://new/dir"), StartsWith(absl::StrCat("v1:", Key('b').id)));
  EXPECT_THAT(StoredKey(*pool_, "https://old/dir"), StartsWith(absl::StrCat("v1:", Key('a').id)));

  // Key a cannot be dropped yet; after the migrate step it can.
  EXPECT_EQ(AcmeStore(*pool_, Ring(Key('b'))).CheckAccountKeysOpen().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<int> resealed = rotated.SealAccountKeys();
  ASSERT_TRUE(resealed.ok()) << resealed.status();
  EXPECT_EQ(*resealed, 1);
  AcmeStore only_b(*pool_, Ring(Key('b')));
  EXPECT_TRUE(only_b.CheckAccountKeysOpen().ok());
  EXPECT_EQ((*only_b.LoadAccount("https://old/dir"))->key_pem, old_pem);
  EXPECT_EQ((*only_b.LoadAccount("https://new/dir"))->key_pem, new_pem);
}

TEST_F(AcmeSecretsStoreTest, APlaintextRowIsNeverUsedOnceSealingIsOnUntilMigrateSealsIt) {
  Migrate();
  const std::string pem = NewKeyPem();
  // As a version without encryption, or someone with database access,
  // stored it.
  ASSERT_TRUE(AcmeStore(*pool_).InsertAccountKey("https://ca/dir", pem, absl::Now()).ok());
  AcmeStore sealing(*pool_, Ring(Key('a')));
  const absl::Status at_start = sealing.CheckAccountKeysOpen();
  EXPECT_EQ(at_start.code(), absl::StatusCode::kUnavailable) << at_start;
  EXPECT_THAT(at_start.message(), HasSubstr("ACME account key of https://ca/dir"));
  EXPECT_THAT(at_start.message(), Not(HasSubstr("PRIVATE KEY")));
  EXPECT_EQ(sealing.LoadAccount("https://ca/dir").status().code(), absl::StatusCode::kUnavailable);

  absl::StatusOr<int> sealed = sealing.SealAccountKeys();  // the migrate step
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, 1);
  EXPECT_TRUE(sealing.CheckAccountKeysOpen().ok());
  EXPECT_EQ((*sealing.LoadAccount("https://ca/dir"))->key_pem, pem);
}

TEST_F(AcmeSecretsStoreTest, ASealedKeyMovedToAnotherDirectoryDoesNotOpen) {
  Migrate();
  AcmeStore store(*pool_, Ring(Key('a')));
  ASSERT_TRUE(store.InsertAccountKey("https://one/dir", NewKeyPem(), absl::Now()).ok());
  ASSERT_TRUE(pool_
                  ->Run("swap",
                        [](sql::Connection& conn) {
                          std::unique_ptr<sql::Statement> stmt(conn.createStatement());
                          stmt->execute(
                              "UPDATE acme_accounts SET directory_url = 'https://two/dir'");
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(store.LoadAccount("https://two/dir").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(AcmeSecretsStoreTest, AKeyAnotherReplicaSealedWithOtherKeysIsUnavailableNotARefusal) {
  Migrate();
  SystemClock clock;
  x509::OpenSslRandom random;
  prometheus::Registry metrics;
  AcmeConfig config;
  config.directory_url = "https://127.0.0.1:9/dir";  // never reached: the key does not open
  config.challenge_preflight = false;
  config.secrets = Ring(Key('a'));
  absl::StatusOr<AcmeParts> parts = MakeAcmeBackend(config, *pool_, clock, random, metrics);
  ASSERT_TRUE(parts.ok()) << parts.status();
  // A replica misconfigured with key b stores the account key first.
  ASSERT_TRUE(AcmeStore(*pool_, Ring(Key('b')))
                  .InsertAccountKey(config.directory_url, NewKeyPem(), absl::Now())
                  .ok());
  absl::StatusOr<Account> account = parts->accounts->Get(absl::Now() + absl::Seconds(5));
  EXPECT_EQ(account.status().code(), absl::StatusCode::kUnavailable) << account.status();
  EXPECT_THAT(account.status().message(), HasSubstr(Key('b').id));
}

class AcmeMigrateBinaryTest : public AcmeSecretsStoreTest {
 protected:
  void SetUp() override {
    AcmeSecretsStoreTest::SetUp();
    dir_ = sslpanel::testing::MakeTempDir("acme-secrets-");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteKey(const std::string& name, char fill) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << absl::Base64Escape(std::string(crypto::kKeyBytes, fill)) << "\n";
    return path;
  }

  // Runs `ca-adapter-acme migrate` with `flags`; returns its exit code and log.
  std::pair<int, std::string> RunMigrate(std::vector<std::string> flags) {
    const mysql::MysqlConfig& db = database_->config();
    std::vector<std::string> argv = {SSLPANEL_CA_ACME_BIN,
                                     "migrate",
                                     absl::StrCat("--db_host=", db.host),
                                     absl::StrCat("--db_port=", db.port),
                                     absl::StrCat("--db_name=", db.database),
                                     absl::StrCat("--db_user=", db.user)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto process =
        sslpanel::testing::Subprocess::Start(argv, absl::StrCat(dir_, "/migrate-", ++runs_, ".log"),
                                             {absl::StrCat("SSLPANEL_DB_PASSWORD=", db.password)});
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) {
      return {-1, ""};
    }
    auto code = (*process)->Wait(absl::Seconds(60));
    EXPECT_TRUE(code.ok()) << code.status();
    return {code.ok() ? *code : -1, (*process)->Log()};
  }

  std::string dir_;
  int runs_ = 0;
};

TEST_F(AcmeMigrateBinaryTest, MigrateSealsPlaintextRowsOnceWithoutLoggingThem) {
  auto [created, created_log] = RunMigrate({});
  ASSERT_EQ(created, 0) << created_log;
  EXPECT_THAT(created_log, HasSubstr("no --secrets_key_file"));
  // A row as a version without encryption stored it.
  const std::string pem = NewKeyPem();
  ASSERT_TRUE(AcmeStore(*pool_).InsertAccountKey("https://ca/dir", pem, absl::Now()).ok());
  ASSERT_EQ(StoredKey(*pool_, "https://ca/dir"), pem);

  const std::string key_file = WriteKey("current", 'k');
  auto [sealed, sealed_log] = RunMigrate({"--secrets_key_file=" + key_file});
  ASSERT_EQ(sealed, 0) << sealed_log;
  EXPECT_THAT(sealed_log, HasSubstr("\"rows_sealed\":1"));
  EXPECT_THAT(sealed_log, Not(HasSubstr("PRIVATE KEY")));
  const std::string stored = StoredKey(*pool_, "https://ca/dir");
  EXPECT_THAT(stored, StartsWith(absl::StrCat("v1:", Key('k').id, ":")));

  // Again: nothing to do, the row is left exactly as it was.
  auto [repeated, repeated_log] = RunMigrate({"--secrets_key_file=" + key_file});
  ASSERT_EQ(repeated, 0) << repeated_log;
  EXPECT_THAT(repeated_log, HasSubstr("\"rows_sealed\":0"));
  EXPECT_EQ(StoredKey(*pool_, "https://ca/dir"), stored);
  EXPECT_EQ((*AcmeStore(*pool_, Ring(Key('k'))).LoadAccount("https://ca/dir"))->key_pem, pem);

  // Rotation through the command: new current key, the old one given as old.
  const std::string next_file = WriteKey("next", 'n');
  auto [rotated, rotated_log] =
      RunMigrate({"--secrets_key_file=" + next_file, "--secrets_old_key_files=" + key_file});
  ASSERT_EQ(rotated, 0) << rotated_log;
  EXPECT_THAT(rotated_log, HasSubstr("\"rows_sealed\":1"));
  EXPECT_THAT(StoredKey(*pool_, "https://ca/dir"), StartsWith(absl::StrCat("v1:", Key('n').id)));
  EXPECT_EQ((*AcmeStore(*pool_, Ring(Key('n'))).LoadAccount("https://ca/dir"))->key_pem, pem);
}

TEST_F(AcmeMigrateBinaryTest, AKeyFileThatHoldsNoKeyStopsMigrateNamingIt) {
  const std::string bad = dir_ + "/bad";
  std::ofstream(bad) << "hunter2\n";
  auto [code, log] = RunMigrate({"--secrets_key_file=" + bad});
  EXPECT_EQ(code, 2) << log;
  EXPECT_THAT(log, HasSubstr(bad));
  EXPECT_THAT(log, Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace sslpanel::ca::acme
