// The botrunner subcommands. Each Add*Command registers one subcommand on the app and its
// callback; the callback sets *exit_code. Defined one per file in this folder.
#pragma once

namespace CLI {
class App;
}

namespace runner {

void AddChatCommand(CLI::App& app, int* exit_code);    // chat_command.cc
void AddParseCommand(CLI::App& app, int* exit_code);   // parse_command.cc
void AddReplayCommand(CLI::App& app, int* exit_code);  // replay_command.cc
void AddGraphCommand(CLI::App& app, int* exit_code);   // graph_command.cc
void AddServeCommand(CLI::App& app, int* exit_code);   // serve_command.cc
void AddSignCommand(CLI::App& app, int* exit_code);    // sign_command.cc
void AddCreditCommand(CLI::App& app, int* exit_code);  // credit_command.cc
void AddEraseCommand(CLI::App& app, int* exit_code);   // erase_command.cc
void AddKbCommand(CLI::App& app, int* exit_code);      // kb_command.cc
void AddDeliveriesCommand(CLI::App& app, int* exit_code);  // deliveries_command.cc (+ leads)
void AddInboundCommand(CLI::App& app, int* exit_code);     // inbound_command.cc
void AddHandoffCommand(CLI::App& app, int* exit_code);     // handoff_command.cc
void AddCampaignCommand(CLI::App& app, int* exit_code);    // campaigns/campaign_command.cc
void AddOutboxCommand(CLI::App& app, int* exit_code);      // outbox_command.cc
void AddCreditsCommand(CLI::App& app, int* exit_code);     // credits_command.cc
void AddTenantCommand(CLI::App& app, int* exit_code);      // tenant_command.cc

// Every subcommand above, as the botrunner binary has them (commands.cc).
void AddCommands(CLI::App& app, int* exit_code);

}  // namespace runner
