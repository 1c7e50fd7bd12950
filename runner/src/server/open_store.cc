#include "server/open_store.h"

#include <filesystem>

#include "bot/postgres_store.h"

namespace runner {

bot::Result<std::unique_ptr<bot::Store>> OpenRunnerStore(const RunnerConfig& config,
                                                         const bot::SqliteOptions& sqlite) {
  if (config.OnPostgres()) {
    bot::PostgresOptions postgres;
    postgres.schema = config.postgres.schema;
    return bot::OpenPostgresStore(config.database, postgres);
  }
  std::error_code ec;
  const std::filesystem::path db(config.database);
  if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path(), ec);
  return bot::OpenSqliteStore(config.database, sqlite);
}

}  // namespace runner
