// Normalize: the form every matcher in this folder works on. It runs on every inbound turn, so
// pure-ASCII input (most short WhatsApp answers: "5", "si", "BAJA") never touches ICU, and
// neither does the usual Spanish-with-emoji text (Latin-1 letters, ¿¡, emoji, ⭐): those code
// points have no case or decomposition beyond the table below. Anything else takes ICU.
#include "understand/normalize.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "bot/text.h"
#include "understand/parse_util.h"

namespace bot {
namespace {

// Accents and other combining diacritics are nonspacing marks once decomposed. Variation
// selectors are nonspacing marks too, but they belong to emoji ("❤️", keycaps) and stay.
bool DropsAfterDecomposition(UChar32 c) {
  if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)) return false;
  return u_charType(c) == U_NON_SPACING_MARK;
}

// Appends `c` as UTF-8, collapsing runs of whitespace into one space (never leading).
void AppendCollapsed(UChar32 c, bool is_space, std::string* out) {
  if (is_space) {
    if (!out->empty() && out->back() != ' ') out->push_back(' ');
    return;
  }
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
    return;
  }
  char buf[U8_MAX_LENGTH];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, U8_MAX_LENGTH, c, error);
  if (!error) out->append(buf, static_cast<size_t>(len));
}

// U+00C0..U+00FF lower-cased without accents; '*' marks those with no decomposition
// (Æ Ð Ø Þ lower-case by +0x20; × ß ÷ æ ð ø þ stay as they are).
constexpr std::string_view kLatin1Base =
    "aaaaaa*ceeeeiiii*nooooo**uuuuy**aaaaaa*ceeeeiiii*nooooo**uuuuy*y";

// Code points that Normalize leaves as they are: no case, no canonical decomposition, not
// whitespace. Checked against the ICU path for every one of them in text_test.
bool PassesThrough(UChar32 c) {
  return (c >= 0xA1 && c <= 0xBF) || c == 0x200D || (c >= 0x2010 && c <= 0x2027) ||
         c == 0x20AC || c == 0x20E3 || (c >= 0x2600 && c <= 0x27BF) ||
         (c >= 0x2B00 && c <= 0x2BFF) || c == 0xFE0E || c == 0xFE0F ||
         (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0xE0020 && c <= 0xE007F);
}

// Appends the normalized form of `text` to `out`, or returns false at the first code point
// that needs ICU.
bool NormalizeCommon(std::string_view text, std::string* out) {
  out->reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c = s[i];
    if (c < 0x80) {
      ++i;
      AppendCollapsed(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c, understand::IsAsciiSpace(c), out);
      continue;
    }
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;  // invalid UTF-8: ICU substitutes U+FFFD
    if (c == 0xA0) {
      AppendCollapsed(c, true, out);
    } else if (c >= 0xC0 && c <= 0xFF) {
      char base = kLatin1Base[c - 0xC0];
      if (base != '*') {
        out->push_back(base);
      } else {
        bool upper = c == 0xC6 || c == 0xD0 || c == 0xD8 || c == 0xDE;
        AppendCollapsed(upper ? c + 0x20 : c, false, out);
      }
    } else if (c >= 0x300 && c <= 0x36F) {
      continue;  // a combining accent typed apart: what NFD would leave and we drop
    } else if (PassesThrough(c)) {
      AppendCollapsed(c, false, out);
    } else {
      return false;
    }
  }
  if (!out->empty() && out->back() == ' ') out->pop_back();
  return true;
}

}  // namespace

// Lower-case first (so "İ" decomposes like "i̇"), then NFD, drop the marks, NFC so that
// scripts without accents to strip come back composed.
namespace understand {

std::string NormalizeWithIcu(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(text);  // ICU data missing

  icu::UnicodeString source =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  source.toLower(icu::Locale::getRoot());
  icu::UnicodeString decomposed = nfd->normalize(source, status);
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (!DropsAfterDecomposition(c)) stripped.append(c);
  }
  icu::UnicodeString composed = nfc->normalize(stripped, status);
  if (U_FAILURE(status)) return std::string(text);

  std::string out;
  out.reserve(text.size());
  for (int32_t i = 0; i < composed.length();) {
    UChar32 c = composed.char32At(i);
    i += U16_LENGTH(c);
    AppendCollapsed(c, u_isUWhiteSpace(c), &out);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> AsciiWords(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : Normalize(text)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += c;
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

}  // namespace understand

std::string Normalize(std::string_view text) {
  std::string out;
  if (NormalizeCommon(text, &out)) return out;
  return understand::NormalizeWithIcu(text);
}

bool IsValidUtf8(std::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

size_t ValidUtf8Prefix(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<size_t>(start);
  }
  return text.size();
}

std::string DescribeInvalidUtf8(std::string_view text, std::string_view origin) {
  const size_t valid = ValidUtf8Prefix(text);
  if (valid == text.size()) return "";
  const std::string_view before = text.substr(0, valid);
  const size_t line = static_cast<size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const size_t line_start =
      before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return std::string(origin) + ":" + std::to_string(line) + ": not valid UTF-8 (byte " +
         std::to_string(valid - line_start + 1) + " of the line)";
}

}  // namespace bot
