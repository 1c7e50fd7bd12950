// A PostgreSQL `database:` (docs/runner.md "botrunner on PostgreSQL"): telling it from a SQLite
// file, reading the `postgres:` section, and the sections that still need SQLite.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "bot/status.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace runner {

// True for a libpq URI: "postgresql://..." or "postgres://...".
bool IsPostgresUri(std::string_view database);

// postgres: {schema, outbox_lease_ms, orphan_sweep_ms, connections}. Only with a PostgreSQL
// `database:`.
bot::Status ReadPostgres(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config);

// On PostgreSQL: an error naming the first configured section that works on a SQLite database
// only ("event_sinks: needs a SQLite database for now ..."); Ok on SQLite.
bot::Status RefuseSqliteOnlySections(const RunnerConfig& config);

// The config's SQLite file for the command `command` (a CLI tool that opens it directly); an
// error when `database:` is PostgreSQL, so that no file named "postgresql:..." is created.
bot::Result<std::string> SqliteFileOf(const RunnerConfig& config, std::string_view command);

}  // namespace runner
