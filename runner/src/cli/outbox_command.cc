// botrunner outbox failed | retry <id> | retry --all [--force]: outbound messages that failed
// for good (docs/runner.md, "Permanent send failures"); botrunner outbox held: those waiting for
// credits or the daily cap (docs/campaigns.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/clock.h"
#include "bot/message_credits.h"
#include "bot/sqlite_store.h"
#include "cli/actor.h"
#include "cli/commands.h"
#include "cli/tenant_filter.h"
#include "config/config.h"
#include "config/postgres_config.h"
#include "server/log.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct OutboxArgs {
  std::string db = "data/bot.db";
  int64_t id = 0;
  bool all = false;
  bool force = false;
  bool unmasked = false;
  std::string actor;
  std::string config;  // held: the tenants (instead of --db)
  std::string tenant;  // failed, held: only this tenant's
};

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

int RunFailed(const OutboxArgs& args) {
  auto failed = bot::ListFailedOutbound(args.db);
  if (!failed.ok()) {
    std::cerr << "botrunner outbox: " << failed.status().ToString() << "\n";
    return 1;
  }
  std::cout << "id\tcreated_at\tnumber\tto\tstatus\tcode\tcontact\terror\n";
  for (const bot::FailedOutbound& m : *failed) {
    if (!InTenant(args.tenant, m.tenant)) continue;
    std::cout << fmt::format(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", m.id, Rfc3339Seconds(m.created_at), m.channel,
        args.unmasked ? m.address : MaskAddress(m.address), m.status, OrDash(m.error_code),
        m.unreachable_code.empty() ? "reachable" : "unreachable:" + m.unreachable_code,
        OrDash(m.error));
  }
  return 0;
}

int RunHeld(const OutboxArgs& args) {
  std::string db = args.db;
  bot::CreditsPolicy policy;
  if (!args.config.empty()) {
    bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
    if (!config.ok()) {
      std::cerr << "botrunner outbox held: " << config.status().ToString() << "\n";
      return 1;
    }
    bot::Result<std::string> file = SqliteFileOf(*config, "botrunner outbox held");
    if (!file.ok()) {
      std::cerr << "botrunner outbox held: " << file.status().ToString() << "\n";
      return 1;
    }
    db = *file;
    policy = config->CreditsPolicy();
  }
  auto held = bot::ListHeldOutbound(db, policy);
  if (!held.ok()) {
    std::cerr << "botrunner outbox held: " << held.status().ToString() << "\n";
    return 1;
  }
  std::cout << "id\tcreated_at\ttenant\tnumber\tto\tstatus\tkind\n";
  for (const bot::HeldMessage& m : *held) {
    if (!InTenant(args.tenant, m.tenant)) continue;
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", m.id, Rfc3339Seconds(m.created_at),
                             OrDash(m.tenant), m.channel,
                             args.unmasked ? m.address : MaskAddress(m.address), m.status,
                             m.business_initiated ? "template" : "reply");
  }
  return 0;
}

int RunRetry(const OutboxArgs& args) {
  if ((args.id != 0) == args.all) {
    std::cerr << "botrunner outbox retry: give one message id or --all\n";
    return 2;
  }
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) {
    std::cerr << "botrunner outbox retry: say who retries with --actor NAME\n";
    return 2;
  }
  bot::SystemClock clock;
  auto retried = bot::RetryFailedOutbound(args.db, args.id, args.force, actor, clock.Now());
  if (!retried.ok()) {
    std::cerr << "botrunner outbox retry: " << retried.status().ToString() << "\n";
    return 1;
  }
  std::cout << retried->queued
            << " message(s) queued again; a running server's outbox sends them\n";
  if (retried->refused > 0) {
    std::cerr << "botrunner outbox retry: " << retried->refused << " refused: " << retried->refusal
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddOutboxCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<OutboxArgs>();
  CLI::App* cmd =
      app.add_subcommand("outbox", "Outbound messages that failed for good, or are held");
  cmd->require_subcommand(1);
  CLI::App* failed = cmd->add_subcommand("failed", "List them, oldest first");
  failed->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  failed->add_flag("--unmasked", args->unmasked, "show whole phone numbers");
  AddTenantFilter(failed, &args->tenant);
  failed->callback([exit_code, args] { *exit_code = RunFailed(*args); });
  CLI::App* held = cmd->add_subcommand(
      "held", "List those held for message credits or the daily cap, oldest first");
  held->add_option("--config", args->config, "botrunner.yaml (for its database and tenants)");
  held->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  held->add_flag("--unmasked", args->unmasked, "show whole phone numbers");
  AddTenantFilter(held, &args->tenant);
  held->callback([exit_code, args] { *exit_code = RunHeld(*args); });
  CLI::App* retry = cmd->add_subcommand("retry", "Put them back in the outbox (audited)");
  retry->add_option("id", args->id, "a failed message's id");
  retry->add_flag("--all", args->all, "every failed message");
  retry->add_flag("--force", args->force, "also to a contact marked unreachable (clears the mark)");
  retry->add_option("--actor", args->actor, "who retries (default: the login name)");
  retry->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  retry->callback([exit_code, args] { *exit_code = RunRetry(*args); });
}

}  // namespace runner
