// The migrate step that seals webhook secrets stored in plaintext and
// re-seals those under an old key (SealWebhookSecrets).
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_connection.h>
#include <openssl/crypto.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "workflow-service/src/storage/mysql_webhook_store.h"
#include "workflow-service/src/storage/order_rows.h"

namespace sslpanel::workflow::storage {

absl::StatusOr<int> SealWebhookSecrets(mysql::ConnectionPool& pool,
                                       const crypto::Keyring& secrets) {
  if (!secrets.seals()) {
    return 0;
  }
  struct Column {
    const char* table;
    const char* key;
    const char* column;
  };
  int written = 0;
  for (const Column& c : {Column{"webhook_subscriptions", "id", "secret"},
                          Column{"webhook_subscriptions", "id", "previous_secret"},
                          Column{"webhook_requests", "request_id", "secret"}}) {
    std::vector<std::pair<std::string, std::string>> rows;  // key, stored
    absl::Status read = pool.Run("read webhook secrets", [&](sql::Connection& conn) {
      rows.clear();
      mysql::Statement select = pool.Prepare(
          conn, absl::StrCat("SELECT ", c.key, ", ", c.column, " FROM ", c.table, " WHERE ",
                             c.column, " IS NOT NULL AND ", c.column, " <> ''"));
      Rows found(select->executeQuery());
      while (found->next()) {
        rows.emplace_back(Str(found, c.key), Str(found, c.column));
      }
      return absl::OkStatus();
    });
    if (!read.ok()) {
      return read;
    }
    for (auto& [key, stored] : rows) {
      if (!secrets.NeedsReseal(stored)) {
        continue;
      }
      absl::StatusOr<std::string> plaintext = secrets.OpenForSealing(stored, kWebhookSecretContext);
      absl::StatusOr<std::string> resealed =
          plaintext.ok() ? secrets.Seal(*plaintext, kWebhookSecretContext) : plaintext.status();
      if (plaintext.ok()) {
        OPENSSL_cleanse(plaintext->data(), plaintext->size());
      }
      if (!resealed.ok()) {
        return absl::Status(resealed.status().code(),
                            absl::StrCat(c.table, ".", c.column, " of ", c.key, " ", key, ": ",
                                         resealed.status().message()));
      }
      absl::Status write = pool.Run("seal webhook secret", [&](sql::Connection& conn) {
        mysql::Statement update =
            pool.Prepare(conn, absl::StrCat("UPDATE ", c.table, " SET ", c.column, " = ? WHERE ",
                                            c.key, " = ? AND ", c.column, " = ?"));
        update->setString(1, *resealed);
        update->setString(2, key);
        update->setString(3, stored);
        written += update->executeUpdate();
        return absl::OkStatus();
      });
      if (!write.ok()) {
        return write;
      }
    }
  }
  return written;
}

}  // namespace sslpanel::workflow::storage
