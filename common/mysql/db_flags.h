// The database flags every binary with a database shares (--db_host,
// --db_port, --db_name, --db_user, --db_password_file, --db_pool_size,
// --db_tls_*), defined once. Only main() reads them. The password comes from
// --db_password_file or the SSLPANEL_DB_PASSWORD environment variable.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/mysql/mysql.h"

namespace sslpanel::mysql {

// `default_database` is used when --db_name is unset.
absl::StatusOr<MysqlConfig> MysqlConfigFromFlags(const std::string& default_database);

}  // namespace sslpanel::mysql
