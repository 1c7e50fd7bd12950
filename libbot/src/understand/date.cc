// ParseDate: day-first calendar dates (Latin America), month names, and "hoy"/"mañana"/
// "pasado mañana" relative to the caller's `today`. A date without a year is in today's year.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/numbers.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {
namespace {

using std::chrono::year_month_day;
using understand::Token;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int MonthNumber(std::string_view w) {
  static constexpr std::string_view kMonths[][3] = {
      {"enero", "ene", ""},           {"febrero", "feb", ""},   {"marzo", "mar", ""},
      {"abril", "abr", ""},           {"mayo", "may", ""},      {"junio", "jun", ""},
      {"julio", "jul", ""},           {"agosto", "ago", ""},    {"septiembre", "sep", "setiembre"},
      {"octubre", "oct", ""},         {"noviembre", "nov", ""}, {"diciembre", "dic", ""},
  };
  for (int m = 0; m < 12; ++m) {
    for (std::string_view name : kMonths[m]) {
      if (!name.empty() && w == name) return m + 1;
    }
  }
  if (w == "sept") return 9;
  return 0;
}

year_month_day MakeDate(int y, int m, int d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                        std::chrono::day{static_cast<unsigned>(d)}};
}

int YearFromDigits(std::string_view digits) {
  int y = std::stoi(std::string(digits));
  return digits.size() == 2 ? 2000 + y : y;
}

// "15/12/2026", "15-12-26", "15.12", "2026-12-15": runs of digits joined by one separator.
void FindNumericDates(std::string_view s, int today_year, std::vector<year_month_day>* out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!IsDigit(s[i]) || (i > 0 && IsDigit(s[i - 1]))) {
      ++i;
      continue;
    }
    std::vector<std::string_view> parts;
    char sep = 0;
    size_t j = i;
    for (;;) {
      size_t k = j;
      while (k < s.size() && IsDigit(s[k])) ++k;
      parts.push_back(s.substr(j, k - j));
      j = k;
      if (j + 1 < s.size() && (s[j] == '/' || s[j] == '-' || s[j] == '.') &&
          (sep == 0 || s[j] == sep) && IsDigit(s[j + 1])) {
        sep = s[j];
        ++j;
        continue;
      }
      break;
    }
    i = j;
    if (parts.size() < 2 || parts.size() > 3) continue;
    // "12.500" is money and "4.5" a rating, not dates: a dotted pair needs a year.
    if (sep == '.' && parts.size() == 2) continue;
    if (parts[0].size() == 4 && parts.size() == 3 && parts[1].size() <= 2 && parts[2].size() <= 2) {
      out->push_back(MakeDate(YearFromDigits(parts[0]), std::stoi(std::string(parts[1])),
                              std::stoi(std::string(parts[2]))));
    } else if (parts[0].size() <= 2 && parts[1].size() <= 2 &&
               (parts.size() == 2 || parts[2].size() == 2 || parts[2].size() == 4)) {
      int y = parts.size() == 3 ? YearFromDigits(parts[2]) : today_year;
      out->push_back(MakeDate(y, std::stoi(std::string(parts[1])), std::stoi(std::string(parts[0]))));
    }
  }
}

// "15 de diciembre", "quince de dic", "15 diciembre 2026", "15 de diciembre del 2026".
void FindNamedDates(const std::vector<Token>& tokens, int today_year,
                    std::vector<year_month_day>* out) {
  std::vector<understand::Number> numbers = understand::FindNumbers(tokens);
  for (size_t m = 0; m < tokens.size(); ++m) {
    if (tokens[m].kind != Token::Kind::kWord) continue;
    int month = MonthNumber(tokens[m].text);
    if (month == 0) continue;
    size_t day_end = m > 0 && tokens[m - 1].IsWord("de") ? m - 1 : m;
    const understand::Number* day = nullptr;
    const understand::Number* year = nullptr;
    for (const understand::Number& n : numbers) {
      if (n.end == day_end) day = &n;
      size_t year_start = m + 1;
      if (year_start < tokens.size() && (tokens[year_start].IsWord("de") || tokens[year_start].IsWord("del")))
        ++year_start;
      if (n.first == year_start && tokens[n.first].kind == Token::Kind::kNumber) year = &n;
    }
    if (day == nullptr || !day->IsInteger() || day->fraction || day->too_big) continue;
    int y = today_year;
    if (year != nullptr && year->IsInteger() && !year->too_big && year->units() >= 1000 &&
        year->units() <= 9999) {
      y = static_cast<int>(year->units());
    }
    int64_t d = day->units();
    out->push_back(MakeDate(y, month, d >= 1 && d <= 31 ? static_cast<int>(d) : 0));
  }
}

// "hoy", "mañana", "pasado mañana"; "en la mañana" is the morning, not tomorrow.
void FindRelativeDates(const std::vector<Token>& tokens, year_month_day today,
                       std::vector<year_month_day>* out) {
  auto plus = [&](int days) {
    return year_month_day{std::chrono::sys_days{today} + std::chrono::days{days}};
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].IsWord("hoy")) out->push_back(today);
    if (!tokens[i].IsWord("manana")) continue;
    if (i > 0 && tokens[i - 1].IsWord("pasado")) {
      out->push_back(plus(2));
    } else if (i == 0 || !(tokens[i - 1].IsWord("la") || tokens[i - 1].IsWord("esta"))) {
      out->push_back(plus(1));
    }
  }
}

}  // namespace

ParseResult ParseDate(std::string_view text, std::chrono::year_month_day today) {
  std::string normalized = Normalize(text);
  if (normalized.empty()) return understand::NotSure("empty");
  std::vector<Token> tokens = understand::Tokenize(normalized);
  int today_year = static_cast<int>(today.year());

  std::vector<year_month_day> dates;
  FindNumericDates(normalized, today_year, &dates);
  FindNamedDates(tokens, today_year, &dates);
  FindRelativeDates(tokens, today, &dates);

  if (dates.empty()) return understand::NotSure("not_a_date");
  for (const year_month_day& d : dates) {
    if (d != dates.front()) return understand::NotSure("ambiguous");
  }
  const year_month_day& d = dates.front();
  if (!d.ok()) return understand::NotSure("invalid_date");
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return understand::Sure(Value::Text(buf));
}

}  // namespace bot
