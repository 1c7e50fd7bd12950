// Runs a parsed transcript, block by block, against a Bot and checks every expectation.
#pragma once

#include <string>

#include "bot/bot.h"
#include "bot/testing/fake_clock.h"
#include "replay/transcript_parser.h"

namespace bot::replay {

// Replays `transcript` (read from `file`, which resolves MEDIA paths and names failures)
// against `bot`, whose clock is `clock`. The store behind `bot` should be empty, and the
// transcript's partial convos spliced in (ExpandTranscript). #bot text matches replies as the
// transcript's MATCHING_MODE says, else as `mode` does. Returns "" when every expectation
// holds, else the first mismatch: "<file>:<line>: <what>", expected and actual, and the
// replies of that turn.
std::string RunTranscript(const Transcript& transcript, const std::string& file, Bot& bot,
                          testing::FakeClock& clock,
                          MatchingMode mode = MatchingMode::kWildcardExact);

}  // namespace bot::replay
