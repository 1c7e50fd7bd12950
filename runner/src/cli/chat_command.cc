// PLACEHOLDER: replaced by the real 'chat' subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace runner {

void AddChatCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("chat", "(not built yet)")->callback([exit_code] { *exit_code = 2; });
}

}  // namespace runner
