// The server's conversation store: the SQLite file of `database:` (with the runner's SQLite
// settings), or the PostgreSQL database of a postgresql:// `database:`.
#pragma once

#include <memory>

#include "bot/sqlite_store.h"
#include "bot/status.h"
#include "bot/store.h"
#include "config/config.h"

namespace runner {

// SQLite: creates the file's folder and opens it with `sqlite`. PostgreSQL: connects (libpq,
// the URI's options), migrates `postgres.schema` and opens it; the SQLite options do not apply.
bot::Result<std::unique_ptr<bot::Store>> OpenRunnerStore(const RunnerConfig& config,
                                                         const bot::SqliteOptions& sqlite);

}  // namespace runner
