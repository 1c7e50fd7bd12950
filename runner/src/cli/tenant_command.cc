// botrunner tenant export <tenant> [--out FILE] [--config FILE]
// botrunner tenant erase <tenant> --yes [--actor NAME] [--config FILE]
// A tenant's data as a whole (bot/tenant_data.h, docs/runner.md "Tenants"): every contact carries
// its tenant (the tenant of its number, `numbers[].tenant`, when it began), read from the
// config's `database`, SQLite or PostgreSQL.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/postgres_store.h"
#include "bot/sqlite_store.h"
#include "bot/tenant_data.h"
#include "cli/actor.h"
#include "cli/commands.h"
#include "config/config.h"

namespace runner {
namespace {

struct TenantArgs {
  std::string config = "runner/botrunner.example.yaml";
  std::string tenant;
  std::string out;  // "" = stdout
  std::string actor;
  bool yes = false;
};

int Fail(const char* command, const std::string& why) {
  std::cerr << "botrunner tenant " << command << ": " << why << "\n";
  return 1;
}

// The loaded config, with its database's contacts given their tenants: opening the store with
// the numbers' tenants assigns those stored before tenants were recorded, and refuses a number
// whose contacts belong to another tenant (docs/store.md "Tenants"). PostgreSQL's export and
// erasure do it themselves.
bot::Result<RunnerConfig> LoadTenants(const TenantArgs& args) {
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) return config.status();
  if (config->OnPostgres()) return config;
  auto store =
      bot::OpenSqliteStore(config->database, {.number_tenants = config->TenantsOfNumbers()});
  if (!store.ok()) return store.status();
  return config;
}

// The schema and numbers' tenants of a PostgreSQL config, for the export and the erasure.
bot::PostgresOptions PostgresOptionsOf(const RunnerConfig& config) {
  bot::PostgresOptions postgres;
  postgres.schema = config.postgres.schema;
  postgres.number_tenants = config.TenantsOfNumbers();
  return postgres;
}

// "tenant t (2 numbers in the config)": a tenant that left may have no number any more.
std::string Named(const TenantArgs& args, const RunnerConfig& config) {
  size_t numbers = 0;
  for (const NumberConfig& number : config.numbers) numbers += number.tenant == args.tenant;
  return "tenant " + args.tenant + " (" + std::to_string(numbers) + " number" +
         (numbers == 1 ? "" : "s") + " in the config)";
}

int RunExport(const TenantArgs& args) {
  auto config = LoadTenants(args);
  if (!config.ok()) return Fail("export", config.status().ToString());
  std::ofstream file;
  if (!args.out.empty()) {
    file.open(args.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("export", "cannot write " + args.out);
  }
  std::ostream& out = args.out.empty() ? std::cout : file;
  bot::Result<bot::TenantExportCounts> counts = bot::InvalidArgument("");
  if (config->OnPostgres()) {
    counts = bot::ExportPostgresTenantData(config->database, PostgresOptionsOf(*config),
                                           args.tenant, out);
  } else {
    counts = bot::ExportTenantData(config->database, args.tenant, out);
  }
  if (!counts.ok()) return Fail("export", counts.status().ToString());
  out.flush();
  if (!out) return Fail("export", "the export could not be written");
  // The summary goes to stderr: stdout may be the export itself.
  std::cerr << Named(args, *config) << ": " << counts->contacts << " contacts, " << counts->sessions
            << " sessions, " << counts->messages << " messages, " << counts->records << " records, "
            << counts->documents << " documents, " << counts->audit_events << " audit events, "
            << counts->campaigns << " campaigns, " << counts->campaign_recipients
            << " campaign recipients\n";
  return 0;
}

int RunErase(const TenantArgs& args) {
  if (!args.yes) {
    return Fail("erase", "this erases the personal data of every contact of tenant '" +
                             args.tenant + "' for good: add --yes");
  }
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) return Fail("erase", "no actor known: pass --actor");
  auto config = LoadTenants(args);
  if (!config.ok()) return Fail("erase", config.status().ToString());
  bot::SystemClock clock;
  bot::Result<bot::ErasureReport> report = bot::InvalidArgument("");
  if (config->OnPostgres()) {
    report = bot::ErasePostgresTenantData(config->database, PostgresOptionsOf(*config), args.tenant,
                                          actor, clock);
  } else {
    report = bot::EraseTenantData(config->database, args.tenant, actor, clock);
  }
  if (!report.ok()) return Fail("erase", report.status().ToString());
  std::cout << "erased " << Named(args, *config) << ": " << report->contacts << " contacts, "
            << report->messages << " messages, " << report->files_deleted << " files deleted, "
            << report->documents << " documents, " << report->reports << " sealed reports, "
            << report->sessions << " sessions, " << report->records << " records, "
            << report->usage_records << " usage records\n";
  return 0;
}

}  // namespace

void AddTenantCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TenantArgs>();
  CLI::App* cmd = app.add_subcommand("tenant", "A tenant's data as a whole: export, erase");
  cmd->require_subcommand(1);
  CLI::App* exp = cmd->add_subcommand(
      "export", "Every row of the tenant's contacts and campaigns, as JSON Lines");
  exp->add_option("tenant", args->tenant, "the tenant (numbers[].tenant)")->required();
  exp->add_option("--out", args->out, "write to this file (default: stdout)");
  exp->add_option("--config", args->config, "botrunner.yaml")->capture_default_str();
  exp->callback([exit_code, args] { *exit_code = RunExport(*args); });
  CLI::App* erase = cmd->add_subcommand(
      "erase", "Erase the personal data of every contact of the tenant (audited)");
  erase->add_option("tenant", args->tenant, "the tenant (numbers[].tenant)")->required();
  erase->add_flag("--yes", args->yes, "yes, erase them all");
  erase->add_option("--actor", args->actor, "who asked for it (default: the login name)");
  erase->add_option("--config", args->config, "botrunner.yaml")->capture_default_str();
  erase->callback([exit_code, args] { *exit_code = RunErase(*args); });
}

}  // namespace runner
