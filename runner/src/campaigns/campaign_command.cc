// botrunner campaign import <file.csv> --number N [--dialog D] [--tenant T] [--skip-invalid]
// [--send-after 2h]; botrunner campaign status <id> [--format text|csv|json]; botrunner campaign
// report <id> [--format json|csv]. docs/campaigns.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "bot/campaigns.h"
#include "bot/dialog_loader.h"
#include "campaigns/campaign_import.h"
#include "campaigns/campaign_report_text.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/postgres_config.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct CampaignArgs {
  std::string config = "runner/botrunner.example.yaml";
  std::string file;
  std::string number;
  std::string dialog;
  std::string tenant;
  std::string send_after;
  bool skip_invalid = false;
  int64_t id = 0;
  std::string db;
  std::string format = "text";
};

int RunImport(const CampaignArgs& args) {
  const auto fail = [](const std::string& why) {
    std::cerr << "botrunner campaign import: " << why << "\n";
    return 1;
  };
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) return fail(config.status().ToString());
  auto dialogs = bot::LoadDialogDir(config->dialogs_dir, config->prompts_dir);
  if (!dialogs.ok()) return fail(dialogs.status().ToString());
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return fail("cannot read " + args.file);
  std::stringstream csv;
  csv << in.rdbuf();
  CampaignRequest request;
  request.number = args.number;
  request.dialog = args.dialog;
  request.tenant = args.tenant;
  request.source = args.file;
  request.skip_invalid = args.skip_invalid;
  if (!args.send_after.empty()) {
    request.send_after = ParseDurationText(args.send_after);
    if (!request.send_after) return fail("--send-after '" + args.send_after + "' is not like 2h");
  }
  bot::SystemClock clock;
  auto report = ImportForNumber(*config, **dialogs, request, csv.str(), clock.Now());
  if (!report.ok()) return fail(report.status().ToString());
  for (const bot::RefusedRow& r : report->refused) {
    std::cerr << args.file << ":" << r.line << ": " << r.reason << "\n";
  }
  if (report->campaign_id == 0) {
    std::cerr << "botrunner campaign import: " << report->refused.size()
              << " row(s) refused; nothing was imported"
              << (args.skip_invalid ? "" : " (--skip-invalid imports the valid rows)") << "\n";
    return 1;
  }
  std::cout << fmt::format("campaign {}: {} recipient(s) scheduled, {} refused; first due {}\n",
                           report->campaign_id, report->scheduled, report->refused.size(),
                           report->first_due ? Rfc3339Seconds(*report->first_due) : "-");
  return 0;
}

// The store's file: --db, else the config's database. "" after printing why not.
std::string DatabaseOf(const CampaignArgs& args, std::string_view command) {
  if (!args.db.empty()) return args.db;
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) {
    std::cerr << "botrunner campaign " << command << ": " << config.status().ToString() << "\n";
    return "";
  }
  bot::Result<std::string> db = SqliteFileOf(*config, "botrunner campaign");
  if (!db.ok()) {
    std::cerr << "botrunner campaign " << command << ": " << db.status().ToString() << "\n";
    return "";
  }
  return *db;
}

int RunReport(const CampaignArgs& args) {
  const std::string db = DatabaseOf(args, "report");
  if (db.empty()) return 1;
  auto report = bot::CampaignReportFor(db, args.id);
  if (!report.ok()) {
    std::cerr << "botrunner campaign report: " << report.status().ToString() << "\n";
    return 1;
  }
  std::cout << (args.format == "csv" ? CampaignReportCsv(*report)
                                     : CampaignReportJson(*report) + "\n");
  return 0;
}

int RunStatus(const CampaignArgs& args) {
  const std::string db = DatabaseOf(args, "status");
  if (db.empty()) return 1;
  auto counts = bot::CampaignStatus(db, args.id);
  if (!counts.ok()) {
    std::cerr << "botrunner campaign status: " << counts.status().ToString() << "\n";
    return 1;
  }
  if (args.format == "json") {
    std::string out = "{\"id\":" + std::to_string(counts->id) + ",\"tenant\":";
    AppendJsonString(&out, counts->tenant);
    out += ",\"number\":";
    AppendJsonString(&out, counts->number);
    out += ",\"dialog\":";
    AppendJsonString(&out, counts->dialog_id);
    out += ",\"source\":";
    AppendJsonString(&out, counts->source);
    out += ",\"total\":" + std::to_string(counts->total) + ",\"by_status\":{";
    for (size_t i = 0; i < counts->by_status.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(&out, counts->by_status[i].first);
      out += ':' + std::to_string(counts->by_status[i].second);
    }
    std::cout << out << "}}\n";
  } else if (args.format == "csv") {
    std::cout << "status,count\n";
    for (const auto& [status, n] : counts->by_status) std::cout << status << ',' << n << "\n";
  } else {
    std::cout << fmt::format("campaign {} ({}, tenant {}, {} on {}): {} recipient(s)\n", counts->id,
                             counts->source, counts->tenant, counts->dialog_id, counts->number,
                             counts->total);
    for (const auto& [status, n] : counts->by_status) {
      std::cout << fmt::format("  {:<12} {}\n", status, n);
    }
  }
  return 0;
}

}  // namespace

void AddCampaignCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CampaignArgs>();
  CLI::App* cmd = app.add_subcommand("campaign", "Conversations the bot starts from a CSV");
  cmd->require_subcommand(1);
  CLI::App* import = cmd->add_subcommand("import", "Validate a CSV and schedule its recipients");
  import->add_option("file", args->file, "the CSV (docs/campaigns.md)")->required();
  import->add_option("--number", args->number, "the bot's number that writes")->required();
  import->add_option("--dialog", args->dialog, "the dialog (default: the number's)");
  import->add_option("--tenant", args->tenant, "the tenant (default: the number's)");
  import->add_option("--send-after", args->send_after,
                     "first message this long after the appointment (default: the dialog's)");
  import->add_flag("--skip-invalid", args->skip_invalid, "import the valid rows, report the rest");
  import->add_option("--config", args->config, "botrunner.yaml")->capture_default_str();
  import->callback([exit_code, args] { *exit_code = RunImport(*args);
});
CLI::App* status = cmd->add_subcommand("status", "A campaign's recipients by status");
status->add_option("id", args->id, "the campaign's id")->required();
status->add_option("--format", args->format, "text, csv or json")
    ->check(CLI::IsMember({"text", "csv", "json"}))
    ->capture_default_str();
status->add_option("--config", args->config, "botrunner.yaml (for its database)")
    ->capture_default_str();
status->add_option("--db", args->db, "the store's SQLite file (instead of --config)");
status->callback([exit_code, args] { *exit_code = RunStatus(*args); });
CLI::App* report = cmd->add_subcommand(
    "report", "A campaign's delivery, replies, ratings, feedback and link clicks");
report->add_option("id", args->id, "the campaign's id")->required();
report->add_option("--format", args->format, "json or csv (default json)")
    ->check(CLI::IsMember({"json", "csv"}));
report->add_option("--config", args->config, "botrunner.yaml (for its database)")
    ->capture_default_str();
report->add_option("--db", args->db, "the store's SQLite file (instead of --config)");
report->callback([exit_code, args] { *exit_code = RunReport(*args); });
}  // namespace runner

}  // namespace runner
