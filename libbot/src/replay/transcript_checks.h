// The checks of #bot and #end blocks: NO_REPLY and what the store holds afterwards (SLOT,
// STATE, STATUS, RECORD(S), DOCUMENT(S), REPORT(S), CONTACT_NAME). docs/transcripts.md.
#pragma once

#include <string_view>

#include "bot/status.h"
#include "replay/transcript_parser.h"

namespace bot::replay {

// Is `word` the directive word of a check?
bool IsCheckWord(std::string_view word);

// The check "<word> <rest>" written at `line`; an error saying what is wrong otherwise.
Result<Check> ParseCheck(std::string_view word, std::string_view rest, int line);

}  // namespace bot::replay
