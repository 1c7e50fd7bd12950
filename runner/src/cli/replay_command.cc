// PLACEHOLDER: replaced by the real 'replay' subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace runner {

void AddReplayCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("replay", "(not built yet)")->callback([exit_code] { *exit_code = 2; });
}

}  // namespace runner
