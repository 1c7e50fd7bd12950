// Normalize: the form every matcher in this folder works on. It runs on every inbound turn, so
// pure-ASCII input (most short WhatsApp answers: "5", "si", "BAJA") never touches ICU.
#include <unicode/normalizer2.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

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

std::string NormalizeAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (understand::IsAsciiSpace(ch)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else if (ch >= 'A' && ch <= 'Z') {
      out.push_back(static_cast<char>(ch - 'A' + 'a'));
    } else {
      out.push_back(ch);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Lower-case first (so "İ" decomposes like "i̇"), then NFD, drop the marks, NFC so that
// scripts without accents to strip come back composed.
std::string NormalizeUnicode(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return NormalizeAscii(text);  // ICU data missing: best effort.

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
  if (U_FAILURE(status)) return NormalizeAscii(text);

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

}  // namespace

std::string Normalize(std::string_view text) {
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return NormalizeUnicode(text);
  }
  return NormalizeAscii(text);
}

}  // namespace bot
