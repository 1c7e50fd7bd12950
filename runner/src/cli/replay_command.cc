// `botrunner replay <files or folders>...`: replays .convo.txt transcripts against the engine
// and a temporary SQLite store; prints PASS/FAIL per transcript, the first mismatch of each
// failure, and a summary. Exit code 1 when any failed or none was found.
// `--record [--answers FILE]` records the transcripts' cassettes instead: the real providers'
// requests are answered from canned answers and written down (docs/transcripts.md).
// `--matching-mode MODE` sets how #bot text matches replies (Botium's SCRIPTING_MATCHING_MODE).
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "bot/transcript.h"
#include "cli/commands.h"

namespace runner {
namespace {

struct ReplayArgs {
  std::vector<std::string> paths;
  bot::ReplayOptions options;
  std::string matching_mode = "wildcardExact";
};

int RunReplay(ReplayArgs args) {
  if (!args.options.answers.empty() && (!args.options.record || args.paths.size() != 1)) {
    std::cerr << "botrunner replay: --answers needs --record and exactly one transcript\n";
    return 2;
  }
  bot::Result<bot::MatchingMode> mode = bot::ParseMatchingMode(args.matching_mode);
  if (!mode.ok()) {
    std::cerr << "botrunner replay: --matching-mode: " << mode.status().message() << "\n";
    return 2;
  }
  args.options.matching_mode = *mode;
  std::vector<bot::ReplayResult> results = bot::ReplayPaths(args.paths, args.options);
  int passed = 0;
  int failed = 0;
  for (const bot::ReplayResult& r : results) {
    std::cout << (r.passed ? "PASS " : "FAIL ") << r.file;
    if (!r.name.empty()) std::cout << " (" << r.name << ")";
    if (r.runs > 1) std::cout << " [" << r.runs << " runs]";
    std::cout << "\n";
    if (r.passed) {
      ++passed;
    } else {
      ++failed;
      std::string failure = "  " + r.failure;
      for (size_t at = failure.find('\n'); at != std::string::npos;
           at = failure.find('\n', at + 3)) {
        failure.insert(at + 1, "  ");
      }
      std::cout << failure << "\n";
    }
  }
  if (results.empty()) std::cout << "no transcripts (*.convo.txt) found\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed > 0 || results.empty() ? 1 : 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Replay .convo.txt transcripts against the engine and a temporary SQLite store");
  cmd->add_option("paths", args->paths, "Transcript files or folders (searched for *.convo.txt)")
      ->required();
  cmd->add_option("--dialogs", args->options.dialogs_dir, "Folder of dialog YAML files")
      ->capture_default_str();
  cmd->add_option("--prompts", args->options.prompts_dir, "Folder of prompt locales")
      ->capture_default_str();
  cmd->add_flag("--record", args->options.record,
                "Record each transcript's CASSETTE from canned answers instead of replaying it");
  cmd->add_option("--answers", args->options.answers,
                  "With --record and one transcript: the answers file (default: beside the "
                  "cassette, x.cassette.jsonl -> x.answers.jsonl)");
  cmd->add_option("--matching-mode", args->matching_mode,
                  "How #bot text matches a reply when a transcript's #begin names no "
                  "MATCHING_MODE: wildcardExact, wildcardExactIgnoreCase, wildcard or "
                  "wildcardIgnoreCase (Botium's default)")
      ->capture_default_str();
  cmd->callback([args, exit_code] { *exit_code = RunReplay(*args); });
}

}  // namespace runner
