// botrunner's subcommands run in-process, as the shell runs them (`botrunner credit pay ...`):
// the exit code and what they printed. Header-only: only test files that link botrunner_lib
// include it. Not thread-safe: std::cout and std::cerr are redirected while a command runs.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace bot::testing {

struct CliRun {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr (and CLI11's usage errors)
};

// Runs `botrunner <args...>`.
inline CliRun RunBotrunner(const std::vector<std::string>& args) {
  CLI::App app{"botrunner"};
  app.require_subcommand(1);
  CliRun run;
  runner::AddCommands(app, &run.exit_code);
  std::vector<const char*> argv = {"botrunner"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    run.exit_code = app.exit(e, out, err);
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace bot::testing
