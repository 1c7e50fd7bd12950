// The ICU half of bot::Normalize, exposed so tests can check the fast path against it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bot::understand {

// Normalize done entirely by ICU: lower-case, NFD, drop nonspacing marks (keeping variation
// selectors), NFC, collapse Unicode whitespace. Slower; bot::Normalize uses it only for text
// its table-driven path does not cover.
std::string NormalizeWithIcu(std::string_view text);

// The words of bot::Normalize(text), ASCII letters and digits only ("¿Tienen 2 cocheras?" ->
// tienen, 2, cocheras): punctuation and emoji separate words.
std::vector<std::string> AsciiWords(std::string_view text);

}  // namespace bot::understand
