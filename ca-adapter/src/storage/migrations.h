// The ca-adapter schema (ca-adapter/migrations/*.sql), embedded at build time
// by sslpanel_embed_migrations(). Every adapter binary applies the same
// migrations to its own database; tables of other adapters stay empty.
#pragma once

#include <vector>

#include "common/mysql/migrator.h"

const std::vector<sslpanel::mysql::Migration>& CaAdapterMigrations();
