// botrunner handoff list | release <address> --number N --actor A: the conversations waiting
// for a person ("asesor"), and giving one back to the bot where it stopped.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "cli/commands.h"
#include "cli/tenant_filter.h"
#include "config/config.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct HandoffArgs {
  std::string db = "data/bot.db";
  std::string address;
  std::string number;
  std::string actor;
  std::string tenant;  // list: only this tenant's
};

int RunList(const HandoffArgs& args) {
  auto handoffs = bot::ListHandoffs(args.db);
  if (!handoffs.ok()) {
    std::cerr << "botrunner handoff: " << handoffs.status().ToString() << "\n";
    return 1;
  }
  std::cout << "since\tnumber\tcontact\tname\tdialog\tstate\n";
  for (const bot::Handoff& h : *handoffs) {
    if (!InTenant(args.tenant, h.tenant)) continue;
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", Rfc3339Seconds(h.since), h.channel,
                             h.address, h.name, h.dialog_id, h.state);
  }
  return 0;
}

int RunRelease(const HandoffArgs& args) {
  bot::SystemClock clock;
  bot::Status released =
      bot::ReleaseHandoffAs(args.db, WhatsAppAddress(args.number), WhatsAppAddress(args.address),
                            args.actor, clock.Now());
  if (!released.ok()) {
    std::cerr << "botrunner handoff release: " << released.ToString() << "\n";
    return 1;
  }
  std::cout << "released " << WhatsAppAddress(args.address)
            << ": the bot answers their next message where it stopped\n";
  return 0;
}

}  // namespace

void AddHandoffCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<HandoffArgs>();
  CLI::App* cmd = app.add_subcommand("handoff", "Conversations waiting for a person");
  cmd->require_subcommand(1);
  CLI::App* list =
      cmd->add_subcommand("list", "Every conversation in handoff, longest waiting first");
  list->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  AddTenantFilter(list, &args->tenant);
  list->callback([exit_code, args] { *exit_code = RunList(*args); });
  CLI::App* release =
      cmd->add_subcommand("release", "Give a conversation back to the bot (audited)");
  release->add_option("address", args->address, "the contact, e.g. +593987654321")->required();
  release->add_option("--number", args->number, "the bot number it wrote to")->required();
  release->add_option("--actor", args->actor, "who releases it (kept in the audit log)")
      ->required();
  release->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  release->callback([exit_code, args] { *exit_code = RunRelease(*args); });
}

}  // namespace runner
