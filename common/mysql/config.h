// How to reach the database: server, credentials, pool sizes, timeouts and
// transport security, validated before the first connection.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sslpanel::mysql {

// Transport security to the database, named like MySQL's --ssl-mode.
enum class TlsMode {
  kDisabled,        // plain TCP (a private server on loopback or a pod network)
  kRequired,        // encrypted; the server's certificate is not checked
  kVerifyCa,        // encrypted; the server's chain must lead to tls_ca
  kVerifyIdentity,  // as kVerifyCa, and the certificate must name `host`
};

// "disabled", "required", "verify_ca", "verify_identity" (case-insensitive).
bool ParseTlsMode(absl::string_view text, TlsMode* mode);
absl::string_view TlsModeName(TlsMode mode);

struct MysqlConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string database;
  std::string user;
  std::string password;  // never logged
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(5);
  // Read/write timeout of every statement on the socket.
  absl::Duration query_timeout = absl::Seconds(30);
  // How long Acquire() waits for a free connection.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Server-side prepared statements kept open per connection by
  // ConnectionPool::Prepare (least recently used dropped first); 0 prepares
  // every time.
  int statement_cache_size = 64;
  TlsMode tls_mode = TlsMode::kDisabled;
  std::string tls_ca;    // PEM file of the CA(s) the server's chain must lead to
  std::string tls_cert;  // client certificate and key (PEM), for servers that
  std::string tls_key;   // require them (both or neither)

  // Names the first bad field ("--db_port must be 1..65535").
  absl::Status Validate() const;
  // host:port/database, for logs.
  std::string Describe() const;
};

}  // namespace sslpanel::mysql
