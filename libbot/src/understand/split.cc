// SplitForWhatsApp and CodePointCount. Twilio limits a WhatsApp body to 1600 code points;
// a cut must land between grapheme clusters (ICU's character BreakIterator) so no emoji
// sequence or accent is torn apart, preferably at whitespace, else at a word boundary.
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>
#include <vector>

#include "bot/text.h"
#include "understand/parse_util.h"

namespace bot {
namespace {

// Break iterators are costly to build; one per thread is reused (each is used by one call
// at a time, and setText resets it).
icu::BreakIterator* CachedIterator(bool words) {
  thread_local std::unique_ptr<icu::BreakIterator> graphemes, word_breaks;
  std::unique_ptr<icu::BreakIterator>& slot = words ? word_breaks : graphemes;
  if (!slot) {
    UErrorCode status = U_ZERO_ERROR;
    slot.reset(words ? icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status)
                     : icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) slot.reset();
  }
  return slot.get();
}

bool IsBlank(std::string_view text) {
  std::string normalized = Normalize(text);  // collapses and trims every kind of whitespace
  return normalized.empty();
}

}  // namespace

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> SplitForWhatsApp(std::string_view text, size_t max_chars) {
  if (max_chars == 0) max_chars = 1;
  if (IsBlank(text)) return {};
  if (CodePointCount(text) <= max_chars) return {std::string(text)};

  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::BreakIterator* chars = CachedIterator(false);
  icu::BreakIterator* words = CachedIterator(true);

  // Grapheme boundaries b[0..n] and code points before each one.
  std::vector<int32_t> b;
  if (chars != nullptr) {
    chars->setText(u);
    for (int32_t p = chars->first(); p != icu::BreakIterator::DONE; p = chars->next()) b.push_back(p);
  } else {  // no ICU data: code points are the best boundary we have
    for (int32_t p = 0; p < u.length(); p = u.moveIndex32(p, 1)) b.push_back(p);
    b.push_back(u.length());
  }
  if (words != nullptr) words->setText(u);
  size_t n = b.size() - 1;  // graphemes
  std::vector<size_t> cps(b.size(), 0);
  for (size_t k = 0; k < n; ++k) cps[k + 1] = cps[k] + u.countChar32(b[k], b[k + 1] - b[k]);
  auto is_space = [&](size_t k) { return k < n && u_isUWhiteSpace(u.char32At(b[k])); };

  std::vector<std::string> parts;
  size_t k = 0;
  for (;;) {
    while (k < n && is_space(k)) ++k;
    if (k == n) break;
    size_t end = k;
    while (end < n && cps[end + 1] - cps[k] <= max_chars) ++end;
    if (end == k) end = k + 1;  // one grapheme longer than the limit: never cut inside it
    size_t cut = end;
    if (end < n) {
      // Prefer whitespace, then a word boundary; else the hard cut at `end`.
      size_t found = 0;
      for (size_t j = end; j > k && found == 0; --j) {
        if (is_space(j) || is_space(j - 1)) found = j;
      }
      for (size_t j = end; j > k && found == 0 && words != nullptr; --j) {
        if (words->isBoundary(b[j])) found = j;
      }
      if (found != 0) cut = found;
    }
    size_t last = cut;
    while (last > k && is_space(last - 1)) --last;
    std::string part;
    u.tempSubStringBetween(b[k], b[last]).toUTF8String(part);
    parts.push_back(std::move(part));
    k = cut;
  }
  return parts;
}

}  // namespace bot
