// The SQLite Store: one file, WAL, foreign keys on, versioned migrations applied at open.
#pragma once

#include <memory>
#include <string>

#include "bot/providers.h"
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

// A UsageLedger kept in the same database (table usage_records), with its own connection:
// every provider call is stored, and budgets are checked against the stored totals, so they
// hold across restarts. Migrates the file like OpenSqliteStore. Thread-safe.
Result<std::unique_ptr<UsageLedger>> OpenSqliteUsageLedger(const std::string& path,
                                                           BudgetCaps caps,
                                                           SqliteOptions options = {});

}  // namespace bot
