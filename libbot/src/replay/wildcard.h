// Botium-style text expectations: `*` wildcards, line-trimmed comparison and the matching
// modes (bot::MatchingMode).
#pragma once

#include <string>
#include <string_view>

#include "bot/transcript.h"

namespace bot::replay {

// Does `text` match `pattern`, where `*` matches any run of characters (including none) and
// "\*" a literal star? The whole text must match.
bool WildcardMatch(std::string_view pattern, std::string_view text);

// Does `pattern` match `text` the way `mode` says: the whole text or anywhere in it, with or
// without case? Both are compared as they are; callers normalize lines first.
bool TextMatches(MatchingMode mode, std::string_view pattern, std::string_view text);

// "wildcardExact", "wildcardIgnoreCase", ...: the name ParseMatchingMode reads.
std::string_view MatchingModeName(MatchingMode mode);

// `text` with every code point case-folded (Unicode simple folding: "Á" -> "á", "Ñ" -> "ñ"),
// the way a JavaScript /i regular expression compares characters.
std::string FoldCase(std::string_view text);

// Trims every line, drops leading and trailing empty lines and joins the rest with "\n": the
// form in which replies and expectations are compared.
std::string NormalizeLines(std::string_view text);

// ASCII whitespace trimmed from both ends.
std::string_view Trim(std::string_view text);

}  // namespace bot::replay
