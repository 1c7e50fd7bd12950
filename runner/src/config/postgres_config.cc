#include "config/postgres_config.h"

namespace runner {
namespace {

bot::Status NeedsSqlite(const std::string& section) {
  return bot::InvalidArgument(section +
                              ": needs a SQLite database for now (database: is PostgreSQL; "
                              "see docs/runner.md \"botrunner on PostgreSQL\")");
}

}  // namespace

bool IsPostgresUri(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

bot::Status ReadPostgres(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return bot::Status::Ok();
  if (!config->OnPostgres()) return r.Error(node, "'postgres' needs a postgresql:// database");
  if (!node.IsMap()) return r.Error(node, "'postgres' must be a mapping");
  PostgresConfig& postgres = config->postgres;
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(
      node, "postgres", {"schema", "outbox_lease_ms", "orphan_sweep_ms", "connections"}));
  CONFIG_ASSIGN_OR_RETURN(postgres.schema, r.String(node, "schema", postgres.schema));
  long long ms = 0;
  CONFIG_ASSIGN_OR_RETURN(
      ms, r.Integer(node, "outbox_lease_ms", postgres.outbox_lease.count(), 1000, 3600000));
  postgres.outbox_lease = std::chrono::milliseconds(ms);
  CONFIG_ASSIGN_OR_RETURN(
      ms, r.Integer(node, "orphan_sweep_ms", postgres.orphan_sweep.count(), 10, 3600000));
  postgres.orphan_sweep = std::chrono::milliseconds(ms);
  long long connections = 0;
  CONFIG_ASSIGN_OR_RETURN(connections, r.Integer(node, "connections", postgres.connections, 1, 64));
  postgres.connections = static_cast<int>(connections);
  return bot::Status::Ok();
}

bot::Status RefuseSqliteOnlySections(const RunnerConfig& config) {
  if (!config.OnPostgres()) return bot::Status::Ok();
  if (config.providers.any()) return NeedsSqlite("providers (the usage ledger)");
  if (!config.event_sinks.empty()) return NeedsSqlite("event_sinks");
  if (config.meta_leadgen) return NeedsSqlite("meta_leadgen");
  if (config.admin) return NeedsSqlite("admin");
  if (config.loan_reminders) return NeedsSqlite("loan_reminders");
  for (const auto& [name, tenant] : config.tenants) {
    if (tenant.credits) return NeedsSqlite("tenants." + name + ".credits");
  }
  return bot::Status::Ok();
}

bot::Result<std::string> SqliteFileOf(const RunnerConfig& config, std::string_view command) {
  if (!config.OnPostgres()) return config.database;
  return bot::InvalidArgument(std::string(command) +
                              " works on a SQLite database only, and database: is PostgreSQL");
}

}  // namespace runner
