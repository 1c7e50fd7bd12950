// The store's schema as an ordered list of migrations. Migration N (1-based) moves the database
// from PRAGMA user_version N-1 to N; each runs in its own transaction with the version bump, so
// a crash leaves the database at a whole version. Append new migrations; never edit old ones.
#pragma once

#include <sqlite3.h>

#include <string>

#include "bot/sqlite_store.h"
#include "bot/status.h"

namespace bot::sqlite {

// The version a fully migrated database has.
int LatestSchemaVersion();

// Applies every migration the database at `db` has not seen yet. Idempotent.
Status Migrate(sqlite3* db);

// WAL, foreign keys, the synchronous level and the busy timeout, for every connection.
Status ApplyPragmas(sqlite3* db, const SqliteOptions& options);

// Opens (creating if needed) the database at `path` for use by one thread at a time (the
// caller's mutex: NOMUTEX), applies the pragmas and migrates it. `*db` is set even when this
// fails, and the caller closes it (sqlite3_close_v2) either way.
Status OpenMigrated(const std::string& path, const SqliteOptions& options, sqlite3** db);

// Runs `body(sqlite3*)` on a migrated connection of its own to `path` and closes it: for the
// tools (exports, the CLI) that read or change the database beside a running server.
template <typename T, typename Body>
Result<T> WithDatabase(const std::string& path, Body body) {
  sqlite3* db = nullptr;
  Status opened = OpenMigrated(path, SqliteOptions{}, &db);
  Result<T> out = opened.ok() ? body(db) : Result<T>(opened);
  sqlite3_close_v2(db);
  return out;
}

}  // namespace bot::sqlite
