// PLACEHOLDER: replaced by the real 'graph' subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace runner {

void AddGraphCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("graph", "(not built yet)")->callback([exit_code] { *exit_code = 2; });
}

}  // namespace runner
