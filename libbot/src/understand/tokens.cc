#include "understand/tokens.h"

#include <unicode/utf8.h>

namespace bot::understand {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

constexpr std::string_view kVariationSelector16 = "\xEF\xB8\x8F";  // U+FE0F
constexpr std::string_view kKeycap = "\xE2\x83\xA3";               // U+20E3
constexpr std::string_view kKeycapTen = "\xF0\x9F\x94\x9F";        // U+1F51F 🔟

// Length of a keycap sequence ("5" [U+FE0F] U+20E3) starting at `i`, or 0.
size_t KeycapLength(std::string_view s, size_t i) {
  if (i >= s.size() || !IsDigit(s[i])) return 0;
  size_t j = i + 1;
  if (s.substr(j, 3) == kVariationSelector16) j += 3;
  if (s.substr(j, 3) != kKeycap) return 0;
  return j + 3 - i;
}

bool AppendDigit(int64_t digit, int64_t* value) {
  if (*value > (INT64_MAX / kMilli - 9) / 10) return false;
  *value = *value * 10 + digit;
  return true;
}

}  // namespace

bool ReadNumericLiteral(std::string_view s, int64_t* milli, bool* fraction, bool* too_big) {
  // Find the separators and decide which one, if any, is the decimal point.
  size_t dots = 0, commas = 0, last_sep = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') ++dots;
    if (s[i] == ',') ++commas;
    if (s[i] == '.' || s[i] == ',') last_sep = i;
  }
  char decimal = 0;
  if (dots > 0 && commas > 0) {
    decimal = s[last_sep];
    if ((decimal == '.' ? dots : commas) != 1) return false;
  } else if (dots + commas == 1 && (s.size() - last_sep - 1 != 3 || s.substr(0, last_sep) == "0")) {
    decimal = s[last_sep];
  }

  int64_t units = 0;
  int64_t frac = 0;
  int frac_digits = 0;
  bool in_fraction = false;
  size_t group_len = 0;
  bool grouped = false;
  *too_big = false;
  for (char c : s) {
    if (IsDigit(c)) {
      if (in_fraction) {
        if (++frac_digits > 3) return false;
        frac = frac * 10 + (c - '0');
      } else {
        if (!AppendDigit(c - '0', &units)) *too_big = true;
        ++group_len;
      }
    } else if (c == decimal) {
      if (grouped && group_len != 3) return false;
      in_fraction = true;
    } else {  // thousands separator
      if (group_len == 0 || (grouped && group_len != 3)) return false;
      grouped = true;
      group_len = 0;
    }
  }
  if (grouped && !in_fraction && group_len != 3) return false;
  while (frac_digits < 3) {
    frac *= 10;
    ++frac_digits;
  }
  *milli = *too_big ? 0 : units * kMilli + frac;
  *fraction = in_fraction;
  return true;
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  tokens.reserve(8);
  size_t i = 0;
  while (i < s.size()) {
    Token t;
    t.begin = i;
    char c = s[i];
    if (c == ' ') {
      ++i;
      continue;
    }
    if (size_t len = KeycapLength(s, i); len > 0) {
      // Consecutive keycaps spell one number: 1️⃣0️⃣ is ten.
      int64_t value = 0;
      while ((len = KeycapLength(s, i)) > 0) {
        if (!AppendDigit(s[i] - '0', &value)) t.too_big = true;
        i += len;
      }
      t.kind = Token::Kind::kNumber;
      t.milli = t.too_big ? 0 : value * kMilli;
    } else if (s.substr(i, 4) == kKeycapTen) {
      i += 4;
      t.kind = Token::Kind::kNumber;
      t.milli = 10 * kMilli;
    } else if (IsDigit(c)) {
      size_t j = i;
      while (j < s.size() &&
             (IsDigit(s[j]) || ((s[j] == '.' || s[j] == ',') && j + 1 < s.size() &&
                                IsDigit(s[j + 1]) && KeycapLength(s, j + 1) == 0))) {
        ++j;
      }
      t.kind = Token::Kind::kNumber;
      if (!ReadNumericLiteral(s.substr(i, j - i), &t.milli, &t.fraction, &t.too_big)) {
        t.kind = Token::Kind::kOther;  // malformed grouping: not a number we trust
      }
      i = j;
    } else if (IsLower(c)) {
      while (i < s.size() && IsLower(s[i])) ++i;
      t.kind = Token::Kind::kWord;
    } else if (static_cast<unsigned char>(c) < 0x80) {
      ++i;
      t.kind = Token::Kind::kSymbol;
    } else {
      UChar32 cp = 0;
      int32_t idx = static_cast<int32_t>(i);
      U8_NEXT(s.data(), idx, static_cast<int32_t>(s.size()), cp);
      i = static_cast<size_t>(idx);
      t.kind = Token::Kind::kOther;
      t.code_point = cp < 0 ? 0xFFFD : static_cast<char32_t>(cp);
    }
    t.end = i;
    t.text = s.substr(t.begin, t.end - t.begin);
    tokens.push_back(t);
  }
  return tokens;
}

}  // namespace bot::understand
