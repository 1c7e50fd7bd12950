// botrunner inbound failed | retry <id> | retry --all: inbound messages a turn could not process
// (an unreadable stored row; docs/runner.md, "Recovery").
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "cli/commands.h"
#include "cli/tenant_filter.h"
#include "server/log.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct InboundArgs {
  std::string db = "data/bot.db";
  int64_t id = 0;
  bool all = false;
  std::string tenant;  // failed: only this tenant's
};

int RunFailed(const InboundArgs& args) {
  auto failed = bot::ListFailedInbound(args.db);
  if (!failed.ok()) {
    std::cerr << "botrunner inbound: " << failed.status().ToString() << "\n";
    return 1;
  }
  std::cout << "id\treceived_at\tnumber\tfrom\tmessage_sid\terror\n";
  for (const bot::FailedInbound& m : *failed) {
    if (!InTenant(args.tenant, m.tenant)) continue;
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", m.id, Rfc3339Seconds(m.received_at),
                             m.channel, MaskAddress(m.address), m.provider_id, m.error);
  }
  return 0;
}

int RunRetry(const InboundArgs& args) {
  if ((args.id != 0) == args.all) {
    std::cerr << "botrunner inbound retry: give one message id or --all\n";
    return 2;
  }
  bot::SystemClock clock;
  auto retried = bot::RetryFailedInbound(args.db, args.id, clock.Now());
  if (!retried.ok()) {
    std::cerr << "botrunner inbound retry: " << retried.status().ToString() << "\n";
    return 1;
  }
  if (*retried == 0 && !args.all) {
    std::cerr << "botrunner inbound retry: message " << args.id << " has not failed\n";
    return 1;
  }
  std::cout << *retried
            << " message(s) accepted again; the next start of `botrunner serve` processes them\n";
  return 0;
}

}  // namespace

void AddInboundCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InboundArgs>();
  CLI::App* cmd = app.add_subcommand("inbound", "Inbound messages that could not be processed");
  cmd->require_subcommand(1);
  CLI::App* failed = cmd->add_subcommand("failed", "List them, oldest first");
  failed->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  AddTenantFilter(failed, &args->tenant);
  failed->callback([exit_code, args] { *exit_code = RunFailed(*args); });
  CLI::App* retry = cmd->add_subcommand("retry", "Accept them again (processed at the next start)");
  retry->add_option("id", args->id, "a failed message's id");
  retry->add_flag("--all", args->all, "every failed message");
  retry->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  retry->callback([exit_code, args] { *exit_code = RunRetry(*args); });
}

}  // namespace runner
