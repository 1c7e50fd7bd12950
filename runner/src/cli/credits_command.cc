// botrunner credits add <tenant> <n> --reason TEXT [--actor NAME] [--config FILE]
// botrunner credits show [<tenant>] [--config FILE] [--ledger N] [--unmasked]
// Message credits and the daily cap per tenant (bot/message_credits.h, docs/campaigns.md). The
// tenants and their numbers come from the config; the store is its `database`.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/clock.h"
#include "bot/message_credits.h"
#include "cli/actor.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/postgres_config.h"
#include "server/log.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct CreditsArgs {
  std::string config = "runner/botrunner.example.yaml";
  std::string tenant;
  int64_t amount = 0;
  std::string reason;
  std::string actor;
  int ledger = 10;
  bool unmasked = false;
};

int Fail(const char* command, const std::string& why) {
  std::cerr << "botrunner credits " << command << ": " << why << "\n";
  return 1;
}

int RunAdd(const CreditsArgs& args) {
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) return Fail("add", config.status().ToString());
  bot::Result<std::string> db = SqliteFileOf(*config, "botrunner credits");
  if (!db.ok()) return Fail("add", db.status().ToString());
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) return Fail("add", "say who adds them with --actor NAME");
  bot::SystemClock clock;
  auto added = bot::AddCredits(*db, config->CreditsPolicy(), args.tenant, args.amount, args.reason,
                               actor, clock.Now());
  if (!added.ok()) return Fail("add", added.status().ToString());
  std::cout << fmt::format(
      "{}: {} credit(s) added; balance {}; {} held message(s) released to the outbox (a running "
      "server's outbox worker sends them at its next poll)",
      args.tenant, args.amount, added->balance, added->released);
  if (added->moved_over_cap > 0) {
    std::cout << fmt::format("; {} wait for the next day (daily cap)", added->moved_over_cap);
  }
  std::cout << "\n";
  return 0;
}

void PrintTenant(const bot::TenantCreditsReport& r, bool unmasked) {
  std::cout << fmt::format("tenant {}: balance {}; today ({}, {}) {} business-initiated", r.tenant,
                           r.balance, r.day, r.time_zone, r.today);
  if (r.daily_cap > 0) std::cout << fmt::format(" of {} (daily cap)", r.daily_cap);
  std::cout << fmt::format("; {} held\n", r.held.size());
  if (!r.held.empty()) {
    std::cout << "held:\nid\tcreated_at\tstatus\tnumber\tto\n";
    for (const bot::HeldMessage& m : r.held) {
      std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", m.id, Rfc3339Seconds(m.created_at), m.status,
                               m.channel, unmasked ? m.address : MaskAddress(m.address));
    }
  }
  if (!r.recent.empty()) {
    std::cout << "ledger (newest first):\nat\tdelta\tbalance\treason\tactor\tmessage\n";
    for (const bot::LedgerRow& row : r.recent) {
      std::cout << fmt::format("{}\t{:+}\t{}\t{}\t{}\t{}\n", Rfc3339Seconds(row.at), row.delta,
                               row.balance_after, row.reason, row.actor,
                               row.message_id == 0 ? "-" : std::to_string(row.message_id));
    }
  }
}

int RunShow(const CreditsArgs& args) {
  bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
  if (!config.ok()) return Fail("show", config.status().ToString());
  bot::Result<std::string> db = SqliteFileOf(*config, "botrunner credits");
  if (!db.ok()) return Fail("show", db.status().ToString());
  const bot::CreditsPolicy policy = config->CreditsPolicy();
  if (policy.empty()) return Fail("show", "no tenant has credits: true in " + args.config);
  if (!args.tenant.empty() && policy.Find(args.tenant) == nullptr) {
    return Fail("show", "tenant '" + args.tenant + "' does not pay in credits");
  }
  bot::SystemClock clock;
  for (const auto& [name, settings] : policy.tenants) {
    if (!args.tenant.empty() && name != args.tenant) continue;
    auto report = bot::ShowCredits(*db, policy, name, clock.Now(), args.ledger);
    if (!report.ok()) return Fail("show", report.status().ToString());
    PrintTenant(*report, args.unmasked);
  }
  return 0;
}

}  // namespace

void AddCreditsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CreditsArgs>();
  CLI::App* cmd = app.add_subcommand("credits", "Message credits and the daily cap per tenant");
  cmd->require_subcommand(1);
  CLI::App* add = cmd->add_subcommand(
      "add", "Add credits to a tenant and release its messages held for credits (audited)");
  add->add_option("tenant", args->tenant, "a tenant with credits: true")->required();
  add->add_option("amount", args->amount, "credits to add (> 0)")->required();
  add->add_option("--reason", args->reason, "why (kept in the ledger)")->required();
  add->add_option("--actor", args->actor, "who adds them (default: the login name)");
  add->add_option("--config", args->config, "botrunner.yaml")->capture_default_str();
  add->callback([exit_code, args] { *exit_code = RunAdd(*args); });
  CLI::App* show = cmd->add_subcommand(
      "show", "Balance, today's count against the cap, held messages and the recent ledger");
  show->add_option("tenant", args->tenant, "one tenant (default: every tenant with credits)");
  show->add_option("--ledger", args->ledger, "ledger rows to show")->capture_default_str();
  show->add_flag("--unmasked", args->unmasked, "show whole phone numbers");
  show->add_option("--config", args->config, "botrunner.yaml")->capture_default_str();
  show->callback([exit_code, args] { *exit_code = RunShow(*args); });
}

}  // namespace runner
