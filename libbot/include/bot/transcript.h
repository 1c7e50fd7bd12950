// Transcript replay: Botium-compatible .convo.txt conversations run against the real engine
// and a real SQLite store. The format is documented in docs/transcripts.md.
#pragma once

#include <string>
#include <vector>

#include "bot/status.h"

namespace bot {

struct ReplayOptions {
  std::string dialogs_dir = "dialogs";
  std::string prompts_dir = "prompts";
  std::string work_dir;  // where temporary SQLite files go; "" = the system temp dir
  // Record the cassettes instead of replaying them: each transcript's provider requests are
  // answered from `answers` ("" = the file beside its cassette, x.cassette.jsonl ->
  // x.answers.jsonl) and the exchanges overwrite its cassette (docs/transcripts.md).
  bool record = false;
  std::string answers;
};

struct ReplayResult {
  std::string file;
  std::string name;  // first line of the transcript
  bool passed = false;
  std::string failure;  // at the first mismatch: where, expected and actual
};

// Replays one transcript file.
ReplayResult ReplayTranscript(const std::string& path, const ReplayOptions& options);

// Replays files and every *.convo.txt under folders, sorted by path.
std::vector<ReplayResult> ReplayPaths(const std::vector<std::string>& paths,
                                      const ReplayOptions& options);

}  // namespace bot
