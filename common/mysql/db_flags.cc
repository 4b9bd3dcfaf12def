#include "common/mysql/db_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/secret.h"

ABSL_FLAG(std::string, db_host, "127.0.0.1", "MySQL/MariaDB host");
ABSL_FLAG(int, db_port, 3306, "MySQL/MariaDB port");
ABSL_FLAG(std::string, db_name, "", "database (schema) name; each service has its own");
ABSL_FLAG(std::string, db_user, "sslpanel", "database user");
ABSL_FLAG(std::string, db_password_file, "",
          "file holding the database password (else env SSLPANEL_DB_PASSWORD)");
ABSL_FLAG(int, db_pool_size, 8, "database connections per process");
ABSL_FLAG(int, db_statement_cache_size, 64,
          "prepared statements kept open per database connection (0: prepare every time)");
ABSL_FLAG(absl::Duration, db_query_timeout, absl::Seconds(30), "socket timeout per statement");
ABSL_FLAG(std::string, db_tls_mode, "disabled",
          "TLS to the database: disabled, required (encrypted, certificate not checked unless "
          "--db_tls_ca_file is given), verify_ca (chain checked against --db_tls_ca_file), "
          "verify_identity "
          "(and the certificate must name --db_host)");
ABSL_FLAG(std::string, db_tls_ca_file, "",
          "PEM file of the CA the database server's chain must reach");
ABSL_FLAG(std::string, db_tls_cert_file, "",
          "PEM client certificate, for a server that requires one (with --db_tls_key_file)");
ABSL_FLAG(std::string, db_tls_key_file, "", "PEM key of --db_tls_cert_file");

namespace sslpanel::mysql {

absl::StatusOr<MysqlConfig> MysqlConfigFromFlags(const std::string& default_database) {
  MysqlConfig config;
  config.host = absl::GetFlag(FLAGS_db_host);
  config.port = absl::GetFlag(FLAGS_db_port);
  config.database = absl::GetFlag(FLAGS_db_name);
  if (config.database.empty()) {
    config.database = default_database;
  }
  config.user = absl::GetFlag(FLAGS_db_user);
  config.pool_size = absl::GetFlag(FLAGS_db_pool_size);
  config.statement_cache_size = absl::GetFlag(FLAGS_db_statement_cache_size);
  config.query_timeout = absl::GetFlag(FLAGS_db_query_timeout);
  if (!ParseTlsMode(absl::GetFlag(FLAGS_db_tls_mode), &config.tls_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--db_tls_mode must be disabled, required, verify_ca or verify_identity, got \"",
        absl::GetFlag(FLAGS_db_tls_mode), "\""));
  }
  config.tls_ca = absl::GetFlag(FLAGS_db_tls_ca_file);
  config.tls_cert = absl::GetFlag(FLAGS_db_tls_cert_file);
  config.tls_key = absl::GetFlag(FLAGS_db_tls_key_file);
  auto password = config::ReadSecret("--db_password_file", absl::GetFlag(FLAGS_db_password_file),
                                     "SSLPANEL_DB_PASSWORD");
  if (!password.ok()) {
    return password.status();
  }
  config.password = *std::move(password);
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return valid;
  }
  return config;
}

}  // namespace sslpanel::mysql
