// botrunner: the standalone runner. Everything lives in botrunner_lib; this only dispatches.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"botrunner — libbot's WhatsApp bot runner"};
  app.require_subcommand(1);
  int exit_code = 0;
  runner::AddCommands(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
