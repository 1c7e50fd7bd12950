// CURP validation: the format RENAPO publishes and its check digit.
#include <algorithm>
#include <array>
#include <string>

#include "bot/credit.h"

namespace bot {

namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// State codes as RENAPO writes them (DF is still Mexico City in CURPs); NE = born abroad.
constexpr std::array<std::string_view, 33> kStates = {
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT",
    "GR", "HG", "JC", "MC", "MN", "MS", "NT", "NL", "OC", "PL", "QT",
    "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE"};

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsConsonant(char c) {
  return IsUpper(c) && std::string_view("AEIOU").find(c) == std::string_view::npos;
}

// The value of a character in the dictionary "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ". Ñ sits
// between N and O, so O..Z are one more than their distance from A; Ñ itself never appears in
// a CURP (RENAPO writes X), so only ASCII is accepted.
int CharValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'N') return 10 + (c - 'A');
  if (c >= 'O' && c <= 'Z') return 25 + (c - 'O');
  return -1;
}

int Two(std::string_view s, size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }

bool WellFormed(std::string_view c) {
  if (c.size() != 18) return false;
  for (size_t i = 0; i < 4; ++i)
    if (!IsUpper(c[i])) return false;
  for (size_t i = 4; i < 10; ++i)
    if (!IsDigit(c[i])) return false;
  if (c[10] != 'H' && c[10] != 'M' && c[10] != 'X') return false;
  if (!IsUpper(c[11]) || !IsUpper(c[12])) return false;
  for (size_t i = 13; i < 16; ++i)
    if (!IsConsonant(c[i])) return false;
  if (!IsDigit(c[16]) && !IsUpper(c[16])) return false;
  return IsDigit(c[17]);
}

}  // namespace

int CurpCheckDigit(std::string_view curp) {
  if (curp.size() < 17) return -1;
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int value = CharValue(curp[i]);
    if (value < 0) return -1;
    sum += value * static_cast<int>(18 - i);
  }
  return (10 - sum % 10) % 10;
}

CurpCheck ValidateCurp(std::string_view curp, std::optional<year_month_day> birth_date) {
  CurpCheck check;
  if (!WellFormed(curp)) {
    check.reason = "format";
    return check;
  }
  check.sex = curp[10];
  check.state = std::string(curp.substr(11, 2));
  if (std::find(kStates.begin(), kStates.end(), check.state) == kStates.end()) {
    check.reason = "state";
    return check;
  }
  // The homoclave tells the century: a digit before 2000, a letter from 2000.
  int century = IsDigit(curp[16]) ? 1900 : 2000;
  check.birth_date =
      year_month_day{year{century + Two(curp, 4)}, month{static_cast<unsigned>(Two(curp, 6))},
                     day{static_cast<unsigned>(Two(curp, 8))}};
  if (!check.birth_date.ok()) {
    check.reason = "date";
    return check;
  }
  if (CurpCheckDigit(curp) != curp[17] - '0') {
    check.reason = "check_digit";
    return check;
  }
  if (birth_date && *birth_date != check.birth_date) {
    check.reason = "birth_date_mismatch";
    return check;
  }
  check.ok = true;
  return check;
}

}  // namespace bot
