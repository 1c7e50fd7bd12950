// The PostgreSQL store's schema as an ordered list of migrations, the same logical schema as
// the SQLite store's (store/migrations.cc) version for version up to 10; PostgreSQL's 11 is
// SQLite's 13 (SQLite's 11 and 12, credits and tracked links, are not on PostgreSQL yet). Table
// schema_migrations holds one row per applied version; each migration runs in its own transaction
// with its row, under an advisory lock, so stores opening one database at once apply each migration
// once. Append new migrations; never edit old ones.
#pragma once

#include <string>

#include "bot/status.h"
#include "store/postgres/pg_connection.h"

namespace bot::pg {

// The version a fully migrated schema has.
int LatestSchemaVersion();

// Creates `schema` when it is not "" (and missing), puts it first on the connection's
// search_path, then applies every migration not applied yet. Idempotent.
Status Migrate(Connection& conn, const std::string& schema);

}  // namespace bot::pg
