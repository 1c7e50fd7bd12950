// Botium-style text expectations: `*` wildcards and line-trimmed comparison.
#pragma once

#include <string>
#include <string_view>

namespace bot::replay {

// Does `text` match `pattern`, where `*` matches any run of characters (including none) and
// "\*" a literal star? The whole text must match.
bool WildcardMatch(std::string_view pattern, std::string_view text);

// Trims every line, drops leading and trailing empty lines and joins the rest with "\n": the
// form in which replies and expectations are compared.
std::string NormalizeLines(std::string_view text);

// ASCII whitespace trimmed from both ends.
std::string_view Trim(std::string_view text);

}  // namespace bot::replay
