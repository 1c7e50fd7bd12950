// The botrunner binary's subcommands, in one place for main.cc and the tests that run them.
#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace runner {

void AddCommands(CLI::App& app, int* exit_code) {
  AddServeCommand(app, exit_code);
  AddSignCommand(app, exit_code);
  AddChatCommand(app, exit_code);
  AddParseCommand(app, exit_code);
  AddReplayCommand(app, exit_code);
  AddGraphCommand(app, exit_code);
  AddCreditCommand(app, exit_code);
  AddEraseCommand(app, exit_code);
  AddKbCommand(app, exit_code);
  AddDeliveriesCommand(app, exit_code);
  AddInboundCommand(app, exit_code);
  AddHandoffCommand(app, exit_code);
  AddCampaignCommand(app, exit_code);
  AddOutboxCommand(app, exit_code);
  AddCreditsCommand(app, exit_code);
  AddTenantCommand(app, exit_code);
}

}  // namespace runner
