// PLACEHOLDER: replaced by the real 'parse' subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace runner {

void AddParseCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("parse", "(not built yet)")->callback([exit_code] { *exit_code = 2; });
}

}  // namespace runner
