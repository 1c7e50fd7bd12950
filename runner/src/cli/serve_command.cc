// PLACEHOLDER: replaced by the real 'serve' subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace runner {

void AddServeCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("serve", "(not built yet)")->callback([exit_code] { *exit_code = 2; });
}

}  // namespace runner
