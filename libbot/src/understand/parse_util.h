// Small helpers shared by the parsers in this folder.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "bot/understand.h"
#include "bot/value.h"

namespace bot::understand {

inline ParseResult Sure(Value value) {
  ParseResult r;
  r.ok = true;
  r.value = std::move(value);
  return r;
}

inline ParseResult NotSure(const char* reason) {
  ParseResult r;
  r.reason = reason;
  return r;
}

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// `text` without leading and trailing ASCII whitespace and no-break spaces (U+00A0, which
// phone keyboards insert), for parsers that keep the user's original spelling.
inline std::string_view TrimSpace(std::string_view text) {
  for (;;) {
    if (!text.empty() && IsAsciiSpace(text.front())) {
      text.remove_prefix(1);
    } else if (text.size() >= 2 && text[0] == '\xC2' && text[1] == '\xA0') {
      text.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && IsAsciiSpace(text.back())) {
      text.remove_suffix(1);
    } else if (text.size() >= 2 && text[text.size() - 2] == '\xC2' && text.back() == '\xA0') {
      text.remove_suffix(2);
    } else {
      break;
    }
  }
  return text;
}

}  // namespace bot::understand
