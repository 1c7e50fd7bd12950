// The SQLite Store: one file, WAL, foreign keys on, versioned migrations applied at open.
#pragma once

#include <memory>
#include <string>

#include "bot/status.h"
#include "bot/store.h"

namespace bot {

struct SqliteOptions {
  // "normal" (default; WAL survives a process crash, may lose the last commits on power loss)
  // or "full" (fsync every commit).
  std::string synchronous = "normal";
  int busy_timeout_ms = 5000;
};

// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, SqliteOptions options = {});

}  // namespace bot
