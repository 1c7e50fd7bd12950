// Numbers in WhatsApp Spanish: digits, number words ("treinta y dos", "dos mil quinientos",
// common misspellings like "dies", "sinco") and mixes ("5 mil", "1.5 mil", "5 mil 500").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "understand/tokens.h"

namespace bot::understand {

struct Number {
  int64_t milli = 0;      // value times kMilli
  bool fraction = false;  // a decimal literal was involved ("4.5", "1,5 mil")
  bool negative = false;  // "-5", "menos 5"
  bool too_big = false;   // beyond what the parsers care about; milli is meaningless
  size_t first = 0;       // token range [first, end)
  size_t end = 0;

  bool IsInteger() const { return milli % kMilli == 0; }
  int64_t units() const { return milli / kMilli; }
};

// Reads one number phrase starting at tokens[i]. Returns false when none starts there.
bool ReadNumber(const std::vector<Token>& tokens, size_t i, Number* out);

// Every number phrase in `tokens`, left to right. The article "un"/"una" is a number only
// before a counted noun ("una estrella", "un mes") or alone; "le doy un 4" holds one number.
std::vector<Number> FindNumbers(const std::vector<Token>& tokens);

// The value of a single number word ("cinco" -> 5, "veintidos" -> 22), or -1.
int64_t NumberWordValue(std::string_view word);

// Whether every number in `numbers` has the same value (true for an empty list).
bool AllSameValue(const std::vector<Number>& numbers);

}  // namespace bot::understand
