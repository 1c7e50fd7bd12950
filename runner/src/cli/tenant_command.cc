// botrunner tenant export <tenant> [--out FILE] [--config FILE]
// botrunner tenant erase <tenant> --yes [--actor NAME] [--config FILE]
// A tenant's data as a whole (bot/tenant_data.h, docs/runner.md "Tenants"): its numbers come from
// the config (`numbers[].tenant`), the data from its `database`.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/tenant_data.h"
#include "cli/actor.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/postgres_config.h"

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

// The config's SQLite file and the tenant's numbers; NotFound when it has none.
bot::Result<std::pair<std::string, std::vector<std::string>>> TenantNumbers(
    const TenantArgs& args) {
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) return config.status();
  bot::Result<std::string> db = SqliteFileOf(*config, "botrunner tenant");
  if (!db.ok()) return db.status();
  std::vector<std::string> numbers;
  for (const NumberConfig& number : config->numbers) {
    if (number.tenant == args.tenant) numbers.push_back(number.to);
  }
  if (numbers.empty()) {
    return bot::NotFound("no number of " + args.config + " belongs to tenant '" + args.tenant +
                         "'");
  }
  return std::make_pair(std::move(*db), std::move(numbers));
}

int RunExport(const TenantArgs& args) {
  auto tenant = TenantNumbers(args);
  if (!tenant.ok()) return Fail("export", tenant.status().message());
  std::ofstream file;
  if (!args.out.empty()) {
    file.open(args.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("export", "cannot write " + args.out);
  }
  std::ostream& out = args.out.empty() ? std::cout : file;
  auto counts = bot::ExportTenantData(tenant->first, tenant->second, out);
  if (!counts.ok()) return Fail("export", counts.status().ToString());
  out.flush();
  if (!out) return Fail("export", "the export could not be written");
  // The summary goes to stderr: stdout may be the export itself.
  std::cerr << "tenant " << args.tenant << " (" << tenant->second.size() << " number"
            << (tenant->second.size() == 1 ? "" : "s") << "): " << counts->contacts << " contacts, "
            << counts->sessions << " sessions, " << counts->messages << " messages, "
            << counts->records << " records, " << counts->documents << " documents, "
            << counts->audit_events << " audit events, " << counts->campaigns << " campaigns, "
            << counts->campaign_recipients << " campaign recipients\n";
  return 0;
}

int RunErase(const TenantArgs& args) {
  if (!args.yes) {
    return Fail("erase", "this erases the personal data of every contact of tenant '" +
                             args.tenant + "' for good: add --yes");
  }
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) return Fail("erase", "no actor known: pass --actor");
  auto tenant = TenantNumbers(args);
  if (!tenant.ok()) return Fail("erase", tenant.status().message());
  bot::SystemClock clock;
  auto report = bot::EraseTenantData(tenant->first, tenant->second, actor, clock);
  if (!report.ok()) return Fail("erase", report.status().ToString());
  std::cout << "erased tenant " << args.tenant << ": " << report->contacts << " contacts, "
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
