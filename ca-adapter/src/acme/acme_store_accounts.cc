// AcmeStore's account rows (acme_accounts): the account key, sealed with the
// keyring, its URL, and the migrate step that seals rows stored before
// encryption or under a rotated key. The orders are in acme_store.cc.
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>
#include <openssl/crypto.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "ca-adapter/src/acme/acme_store.h"
#include "common/log/log.h"

namespace sslpanel::ca::acme {
namespace {

std::string Text(sql::ResultSet& rows, const char* column) {
  return rows.isNull(column) ? std::string() : std::string(rows.getString(column));
}

// What the account key's envelope is bound to: a sealed key copied to
// another directory's row does not open there.
std::string AccountKeyContext(absl::string_view directory_url) {
  return absl::StrCat("acme_accounts.account_key_pem:", directory_url);
}

}  // namespace

absl::StatusOr<std::optional<StoredAccount>> AcmeStore::LoadAccount(
    absl::string_view directory_url) {
  std::optional<StoredAccount> account;
  absl::Status status = pool_.Run("read ACME account", [&](sql::Connection& conn) {
    mysql::Statement select = pool_.Prepare(
        conn, "SELECT account_key_pem, account_url FROM acme_accounts WHERE directory_url = ?");
    select->setString(1, std::string(directory_url));
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    if (rows->next()) {
      account = StoredAccount{Text(*rows, "account_key_pem"), Text(*rows, "account_url")};
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!account.has_value()) {
    return account;
  }
  absl::StatusOr<std::string> key_pem =
      secrets_.Open(account->key_pem, AccountKeyContext(directory_url));
  if (!key_pem.ok()) {
    return absl::Status(key_pem.status().code(), absl::StrCat("ACME account key of ", directory_url,
                                                              ": ", key_pem.status().message()));
  }
  account->key_pem = *std::move(key_pem);
  return account;
}

absl::Status AcmeStore::InsertAccountKey(absl::string_view directory_url,
                                         const std::string& key_pem, absl::Time now) {
  absl::StatusOr<std::string> stored = secrets_.Seal(key_pem, AccountKeyContext(directory_url));
  if (!stored.ok()) {
    return stored.status();
  }
  return pool_.Run("store ACME account key", [&](sql::Connection& conn) {
    mysql::Statement insert = pool_.Prepare(
        conn,
        "INSERT INTO acme_accounts (directory_url, account_key_pem, account_url, created_at,"
        " updated_at) VALUES (?, ?, NULL, ?, ?)");
    insert->setString(1, std::string(directory_url));
    insert->setString(2, *stored);
    insert->setString(3, mysql::ToSqlTime(now));
    insert->setString(4, mysql::ToSqlTime(now));
    insert->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status AcmeStore::SetAccountUrl(absl::string_view directory_url,
                                      const std::string& account_url, absl::Time now) {
  return pool_.Run("store ACME account URL", [&](sql::Connection& conn) {
    mysql::Statement update = pool_.Prepare(
        conn, "UPDATE acme_accounts SET account_url = ?, updated_at = ? WHERE directory_url = ?");
    update->setString(1, account_url);
    update->setString(2, mysql::ToSqlTime(now));
    update->setString(3, std::string(directory_url));
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status AcmeStore::ClearAccountUrl(absl::string_view directory_url,
                                        const std::string& stale_url, absl::Time now) {
  return pool_.Run("clear ACME account URL", [&](sql::Connection& conn) {
    mysql::Statement update =
        pool_.Prepare(conn,
                      "UPDATE acme_accounts SET account_url = NULL, updated_at = ?"
                      " WHERE directory_url = ? AND account_url = ?");
    update->setString(1, mysql::ToSqlTime(now));
    update->setString(2, std::string(directory_url));
    update->setString(3, stale_url);
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AcmeStore::RawAccountKey>> AcmeStore::ReadAccountKeys() {
  std::vector<RawAccountKey> keys;
  absl::Status status = pool_.Run("read ACME account keys", [&](sql::Connection& conn) {
    keys.clear();
    mysql::Statement select = pool_.Prepare(
        conn, "SELECT directory_url, account_key_pem FROM acme_accounts ORDER BY directory_url");
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    while (rows->next()) {
      keys.push_back({Text(*rows, "directory_url"), Text(*rows, "account_key_pem")});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return keys;
}

absl::StatusOr<int> AcmeStore::SealAccountKeys() {
  absl::StatusOr<std::vector<RawAccountKey>> keys = ReadAccountKeys();
  if (!keys.ok()) {
    return keys.status();
  }
  int sealed = 0;
  for (const RawAccountKey& row : *keys) {
    if (!secrets_.NeedsReseal(row.stored)) {
      continue;
    }
    const std::string context = AccountKeyContext(row.directory_url);
    absl::StatusOr<std::string> plaintext = secrets_.OpenForSealing(row.stored, context);
    absl::StatusOr<std::string> resealed =
        plaintext.ok() ? secrets_.Seal(*plaintext, context) : plaintext.status();
    if (plaintext.ok()) {
      OPENSSL_cleanse(plaintext->data(), plaintext->size());
    }
    if (!resealed.ok()) {
      return absl::Status(resealed.status().code(),
                          absl::StrCat("ACME account key of ", row.directory_url, ": ",
                                       resealed.status().message()));
    }
    // Only if the row still holds what was read: a replica that sealed it
    // meanwhile wins, and nothing is sealed twice.
    absl::Status status = pool_.Run("seal ACME account key", [&](sql::Connection& conn) {
      mysql::Statement update = pool_.Prepare(conn,
                                              "UPDATE acme_accounts SET account_key_pem = ?"
                                              " WHERE directory_url = ? AND account_key_pem = ?");
      update->setString(1, *resealed);
      update->setString(2, row.directory_url);
      update->setString(3, row.stored);
      sealed += update->executeUpdate();
      return absl::OkStatus();
    });
    if (!status.ok()) {
      return status;
    }
  }
  return sealed;
}

absl::Status AcmeStore::CheckAccountKeysOpen() {
  absl::StatusOr<std::vector<RawAccountKey>> keys = ReadAccountKeys();
  if (!keys.ok()) {
    return keys.status();
  }
  for (const RawAccountKey& row : *keys) {
    absl::StatusOr<std::string> plaintext =
        secrets_.Open(row.stored, AccountKeyContext(row.directory_url));
    if (!plaintext.ok()) {
      return absl::Status(plaintext.status().code(),
                          absl::StrCat("ACME account key of ", row.directory_url, ": ",
                                       plaintext.status().message()));
    }
    OPENSSL_cleanse(plaintext->data(), plaintext->size());  // only checked, not kept
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::ca::acme
