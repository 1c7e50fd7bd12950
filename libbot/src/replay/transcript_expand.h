// From a parsed transcript to the conversations that replay it: partial convos spliced in and
// utterance names resolved, as Botium expands a convo before it runs it.
#pragma once

#include <string>
#include <vector>

#include "bot/status.h"
#include "replay/script_library.h"
#include "replay/transcript_parser.h"

namespace bot::replay {

// How many conversations one transcript may expand to.
inline constexpr size_t kMaxRuns = 100;

// One conversation to replay.
struct TranscriptRun {
  // Which variants it sends: "" when the transcript has one run, else Botium's naming,
  // "GREETING-L2" (the utterance, the variant's number), joined with "/" for several.
  std::string label;
  Transcript transcript;
};

// Expands `transcript`, read from `file`:
// - each `#include NAME` block and `INCLUDE NAME` line is replaced by the blocks of the
//   partial convo NAME (after the block that holds the INCLUDE), recursively;
// - a #bot text that is an utterance's name matches a reply when any variant does;
// - a #me text that is an utterance's name is sent once per variant, each in a run of its own:
//   every combination, the first such #me varying slowest (Botium's default expansion,
//   SCRIPTING_UTTEXPANSION_MODE "all").
// Errors name the file and line: an unknown or circular partial convo, an utterance with
// arguments ("NAME arg", which Botium formats), more than kMaxRuns runs, or several runs for a
// transcript with a CASSETTE (a cassette records one conversation).
Result<std::vector<TranscriptRun>> ExpandTranscript(const Transcript& transcript,
                                                    const ScriptLibrary& library,
                                                    const std::string& file);

}  // namespace bot::replay
