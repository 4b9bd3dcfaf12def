#include "common/mysql/config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config/secret.h"

namespace sslpanel::mysql {

bool ParseTlsMode(absl::string_view text, TlsMode* mode) {
  for (TlsMode candidate :
       {TlsMode::kDisabled, TlsMode::kRequired, TlsMode::kVerifyCa, TlsMode::kVerifyIdentity}) {
    if (absl::EqualsIgnoreCase(text, TlsModeName(candidate))) {
      *mode = candidate;
      return true;
    }
  }
  return false;
}

absl::string_view TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kDisabled:
      return "disabled";
    case TlsMode::kRequired:
      return "required";
    case TlsMode::kVerifyCa:
      return "verify_ca";
    case TlsMode::kVerifyIdentity:
      return "verify_identity";
  }
  return "disabled";
}

absl::Status MysqlConfig::Validate() const {
  if (host.empty()) {
    return absl::InvalidArgumentError("--db_host must not be empty");
  }
  if (port < 1 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--db_port must be 1..65535, got ", port));
  }
  if (database.empty()) {
    return absl::InvalidArgumentError("--db_name must not be empty");
  }
  if (user.empty()) {
    return absl::InvalidArgumentError("--db_user must not be empty");
  }
  if (pool_size < 1 || pool_size > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db_pool_size must be 1..256, got ", pool_size));
  }
  if (connect_timeout <= absl::ZeroDuration() || query_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("database timeouts must be positive");
  }
  if (statement_cache_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db_statement_cache_size must not be negative, got ", statement_cache_size));
  }
  if (tls_cert.empty() != tls_key.empty()) {
    return absl::InvalidArgumentError("--db_tls_cert_file and --db_tls_key_file go together");
  }
  if (tls_mode == TlsMode::kDisabled && !(tls_ca.empty() && tls_cert.empty())) {
    return absl::InvalidArgumentError(
        "--db_tls_ca_file and --db_tls_cert_file need --db_tls_mode other than disabled");
  }
  if ((tls_mode == TlsMode::kVerifyCa || tls_mode == TlsMode::kVerifyIdentity) && tls_ca.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--db_tls_mode=", TlsModeName(tls_mode), " needs --db_tls_ca_file (the server's CA, PEM)"));
  }
  return config::CheckReadable({{"--db_tls_ca_file", tls_ca},
                                {"--db_tls_cert_file", tls_cert},
                                {"--db_tls_key_file", tls_key}});
}

std::string MysqlConfig::Describe() const {
  std::string text = absl::StrCat(user, "@", host, ":", port, "/", database);
  if (tls_mode != TlsMode::kDisabled) {
    absl::StrAppend(&text, " tls=", TlsModeName(tls_mode));
  }
  return text;
}

}  // namespace sslpanel::mysql
