// Splits normalized text (see bot::Normalize) into the tokens the parsers match on: words of
// ASCII letters, numeric literals ("12.500", "4,5", keycap 5️⃣), ASCII punctuation and single
// non-ASCII code points (emoji, "¿"). Tokens view the normalized string, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bot::understand {

// Numbers are fixed point with three decimals so "1.5 mil" and "$1,234.5" stay exact.
inline constexpr int64_t kMilli = 1000;

struct Token {
  enum class Kind { kWord, kNumber, kSymbol, kOther };
  Kind kind = Kind::kSymbol;
  std::string_view text;
  size_t begin = 0;  // byte offsets into the normalized text
  size_t end = 0;
  // kNumber: the value times kMilli; `fraction` when a decimal separator was read;
  // `too_big` when the literal does not fit (the value is then meaningless).
  int64_t milli = 0;
  bool fraction = false;
  bool too_big = false;
  // kOther: the code point.
  char32_t code_point = 0;

  bool IsWord(std::string_view w) const { return kind == Kind::kWord && text == w; }
  bool IsSymbol(char c) const { return kind == Kind::kSymbol && text.size() == 1 && text[0] == c; }
};

std::vector<Token> Tokenize(std::string_view normalized);

// Reads a digit string with '.'/',' separators: a separator followed by exactly three digits
// (or repeated, or the first of two different ones) groups thousands, otherwise it is the
// decimal point. Returns false when the grouping is malformed ("1.23.4").
bool ReadNumericLiteral(std::string_view digits, int64_t* milli, bool* fraction, bool* too_big);

}  // namespace bot::understand
