// botrunner graph <dialog-id-or-file> [--format mermaid|dot] [--dialogs DIR] [--prompts DIR]:
// prints the dialog's state machine, for docs and for reviewing a dialog before it goes live.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "bot/dialog_loader.h"
#include "cli/commands.h"

namespace runner {

namespace {

struct GraphOptions {
  std::string dialog;
  std::string format = "mermaid";
  std::string dialogs_dir = "dialogs";
  std::string prompts_dir = "prompts";
};

int RunGraph(const GraphOptions& options) {
  // A path to a file wins; otherwise the argument is an id under --dialogs.
  std::string path = options.dialog;
  if (!std::filesystem::is_regular_file(path))
    path = options.dialogs_dir + "/" + options.dialog + ".yaml";
  bot::Result<bot::Dialog> dialog = bot::LoadDialogFile(path, options.prompts_dir);
  if (!dialog.ok()) {
    std::cerr << "botrunner graph: " << dialog.status().message() << "\n";
    return 1;
  }
  bot::Result<std::string> graph = bot::RenderDialogGraph(*dialog, options.format);
  if (!graph.ok()) {
    std::cerr << "botrunner graph: " << graph.status().message() << "\n";
    return 1;
  }
  std::cout << *graph;
  return 0;
}

}  // namespace

void AddGraphCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<GraphOptions>();
  CLI::App* cmd = app.add_subcommand("graph", "Print a dialog's state machine as a diagram");
  cmd->add_option("dialog", options->dialog, "Dialog id (looked up in --dialogs) or a dialog file")
      ->required();
  cmd->add_option("--format", options->format, "mermaid (stateDiagram-v2) or dot (Graphviz)")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  cmd->add_option("--dialogs", options->dialogs_dir, "Folder of dialog files (default: dialogs)");
  cmd->add_option("--prompts", options->prompts_dir, "Folder of prompt files (default: prompts)");
  cmd->callback([options, exit_code] { *exit_code = RunGraph(*options); });
}

}  // namespace runner
