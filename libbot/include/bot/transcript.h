// Transcript replay: .convo.txt conversations (a subset of Botium's format, and extensions) run
// against the real engine and a real SQLite store. The format is documented in
// docs/transcripts.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/status.h"
#include "bot/store.h"

namespace bot {

// How the text of a #bot block matches a reply, named as Botium's SCRIPTING_MATCHING_MODE
// capability names it. In every mode `*` matches any run of characters and replies are
// compared line by line, trimmed.
enum class MatchingMode {
  kWildcardExact,            // the whole reply, case-sensitive (the replay's default)
  kWildcardExactIgnoreCase,  // the whole reply, ignoring case
  kWildcard,                 // anywhere in the reply, case-sensitive
  kWildcardIgnoreCase,       // anywhere in the reply, ignoring case (Botium's default)
};

// "wildcardExact" -> kWildcardExact, ...; an error naming the supported modes otherwise.
Result<MatchingMode> ParseMatchingMode(std::string_view name);

struct ReplayOptions {
  std::string dialogs_dir = "dialogs";
  std::string prompts_dir = "prompts";
  std::string work_dir;  // where temporary SQLite files go; "" = the system temp dir
  // Record the cassettes instead of replaying them: each transcript's provider requests are
  // answered from `answers` ("" = the file beside its cassette, x.cassette.jsonl ->
  // x.answers.jsonl) and the exchanges overwrite its cassette (docs/transcripts.md).
  bool record = false;
  std::string answers;
  // The matching mode of transcripts whose #begin names none (MATCHING_MODE).
  MatchingMode matching_mode = MatchingMode::kWildcardExact;
  // Opens the empty conversation store of one run (e.g. a fresh PostgreSQL schema); unset = the
  // run's temporary SQLite file. Provider usage and the offers catalogue stay in that file.
  std::function<Result<std::unique_ptr<Store>>()> open_store;
};

struct ReplayResult {
  std::string file;
  std::string name;  // first line of the transcript
  bool passed = false;
  std::string failure;  // at the first mismatch: where, expected and actual
  // How many conversations ran: one per combination of the variants of the utterances the
  // #me blocks send (docs/transcripts.md). A failure stops at the first failing one.
  int runs = 0;
};

// Replays one transcript file, with the utterance lists and partial convos of its folder: each
// of its runs in a fresh store, stopping at the first that fails.
ReplayResult ReplayTranscript(const std::string& path, const ReplayOptions& options);

// Replays files and every *.convo.txt under folders, sorted by path.
std::vector<ReplayResult> ReplayPaths(const std::vector<std::string>& paths,
                                      const ReplayOptions& options);

}  // namespace bot
