// botrunner: the standalone runner. Everything lives in botrunner_lib; this only dispatches.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"botrunner — libbot's WhatsApp bot runner"};
  app.require_subcommand(1);
  int exit_code = 0;
  runner::AddServeCommand(app, &exit_code);
  runner::AddSignCommand(app, &exit_code);
  runner::AddChatCommand(app, &exit_code);
  runner::AddParseCommand(app, &exit_code);
  runner::AddReplayCommand(app, &exit_code);
  runner::AddGraphCommand(app, &exit_code);
  runner::AddCreditCommand(app, &exit_code);
  runner::AddEraseCommand(app, &exit_code);
  runner::AddKbCommand(app, &exit_code);
  runner::AddDeliveriesCommand(app, &exit_code);
  runner::AddInboundCommand(app, &exit_code);
  runner::AddHandoffCommand(app, &exit_code);
  runner::AddCampaignCommand(app, &exit_code);
  runner::AddOutboxCommand(app, &exit_code);
  runner::AddCreditsCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
