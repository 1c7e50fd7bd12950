// Botium's own keywords (asserters, logic hooks, user inputs), so that a transcript written for
// Botium never has one of them read as text or silently ignored. The replay supports PAUSE and
// INCLUDE; every other keyword is an error that names it (docs/transcripts.md).
#pragma once

#include <string>
#include <string_view>

namespace bot::replay {

// Where a line is: Botium reads asserters in #begin, #bot and #end, user inputs in #me, and
// logic hooks everywhere.
enum class BotiumSection { kBegin, kMe, kBot, kEnd };

// What Botium would read in `line` of a `section` block: "asserter", "logic hook" or "user
// input", with the keyword in `*keyword`; nullptr when it is no Botium keyword there. Like
// Botium, a leading "?" (optional) and then "!" (negated) are skipped first.
const char* BotiumKeywordKind(std::string_view line, BotiumSection section, std::string* keyword);

// The error text for a keyword the replay does not support: "BUTTONS is a Botium asserter the
// replay does not support ...".
std::string UnsupportedBotiumKeyword(std::string_view keyword, const char* kind);

}  // namespace bot::replay
