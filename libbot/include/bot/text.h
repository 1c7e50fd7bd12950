// Text utilities for WhatsApp Spanish (ICU underneath). Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

// Lower-case, accents removed ("SÍ Ñandú" -> "si nandu"), whitespace collapsed and trimmed.
// Emoji and other symbols are kept as they are.
std::string Normalize(std::string_view text);

// Splits text into parts of at most `max_chars` characters (Unicode code points, as Twilio
// counts), breaking on word boundaries where possible and never inside a grapheme cluster
// (emoji sequences, combining accents). Parts keep their order; empty input gives no parts.
std::vector<std::string> SplitForWhatsApp(std::string_view text, size_t max_chars = 1600);

// Whether `text` is well-formed UTF-8 (no stray continuation bytes, overlong forms or
// surrogates). Files and configs are checked with it before their text reaches a customer.
bool IsValidUtf8(std::string_view text);

// How many leading bytes of `text` are well-formed UTF-8: text.size() when all are. Loaders use
// it to say where a file stops being UTF-8 ("<file>:<line>: not valid UTF-8").
size_t ValidUtf8Prefix(std::string_view text);

// "<origin>:<line>: not valid UTF-8 (byte <n> of the line)" when `text` is not UTF-8; "" when
// it is.
std::string DescribeInvalidUtf8(std::string_view text, std::string_view origin);

// Number of Unicode code points in UTF-8 text.
size_t CodePointCount(std::string_view text);

}  // namespace bot
