#include "server/open_store.h"

#include <filesystem>

#include "bot/postgres_store.h"

namespace runner {

bot::Result<std::unique_ptr<bot::Store>> OpenRunnerStore(const RunnerConfig& config,
                                                         const bot::SqliteOptions& sqlite) {
  if (config.OnPostgres()) {
    bot::PostgresOptions postgres;
    postgres.schema = config.postgres.schema;
    // Other processes may share the database: outbox rows are claimed, one per contact at a
    // time, so that a contact's messages leave once and in order whichever process sends them.
    postgres.outbox_lease = config.postgres.outbox_lease;
    postgres.outbox_oldest_per_contact = true;
    postgres.connections = config.postgres.connections;
    postgres.number_tenants = config.TenantsOfNumbers();
    return bot::OpenPostgresStore(config.database, postgres);
  }
  std::error_code ec;
  const std::filesystem::path db(config.database);
  if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path(), ec);
  return bot::OpenSqliteStore(config.database, sqlite);
}

}  // namespace runner
