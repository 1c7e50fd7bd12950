#include "replay/time_text.h"

#include <cctype>

#include "replay/wildcard.h"

namespace bot::replay {
namespace {

// Reads `digits` decimal digits from `s` at `*pos`.
bool ReadNumber(std::string_view s, size_t* pos, int digits, int* out) {
  if (*pos + digits > s.size()) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += digits;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

bool ParseDuration(std::string_view text, std::chrono::milliseconds* out) {
  using namespace std::chrono;
  text = Trim(text);
  if (text.empty()) return false;
  milliseconds total{0};
  size_t i = 0;
  while (i < text.size()) {
    long long n = 0;
    size_t digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      if (n > 1'000'000'000) return false;
      n = n * 10 + (text[i] - '0');
    }
    if (digits == 0) return false;
    std::string_view unit = text.substr(i);
    if (unit.substr(0, 2) == "ms") {
      total += milliseconds(n);
      i += 2;
    } else if (!unit.empty() &&
               (unit[0] == 's' || unit[0] == 'm' || unit[0] == 'h' || unit[0] == 'd')) {
      switch (unit[0]) {
        case 's':
          total += seconds(n);
          break;
        case 'm':
          total += minutes(n);
          break;
        case 'h':
          total += hours(n);
          break;
        default:
          total += hours(24 * n);
          break;
      }
      ++i;
    } else {
      return false;
    }
  }
  *out = total;
  return true;
}

bool ParseIsoTime(std::string_view s, TimePoint* out) {
  using namespace std::chrono;
  s = Trim(s);
  size_t pos = 0;
  int y, mo, d, h, mi, sec = 0;
  if (!ReadNumber(s, &pos, 4, &y) || !Expect(s, &pos, '-') || !ReadNumber(s, &pos, 2, &mo) ||
      !Expect(s, &pos, '-') || !ReadNumber(s, &pos, 2, &d)) {
    return false;
  }
  if (!Expect(s, &pos, 'T') && !Expect(s, &pos, ' ')) return false;
  if (!ReadNumber(s, &pos, 2, &h) || !Expect(s, &pos, ':') || !ReadNumber(s, &pos, 2, &mi)) {
    return false;
  }
  if (Expect(s, &pos, ':') && !ReadNumber(s, &pos, 2, &sec)) return false;
  milliseconds fraction{0};
  if (Expect(s, &pos, '.')) {
    int scale = 100, digits = 0;
    for (; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++digits) {
      fraction += milliseconds((s[pos] - '0') * scale);
      scale /= 10;
    }
    if (digits == 0) return false;
  }
  minutes offset{0};
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadNumber(s, &pos, 2, &oh)) return false;
    Expect(s, &pos, ':');
    if (!ReadNumber(s, &pos, 2, &om)) return false;
    offset = minutes(sign * (oh * 60 + om));
  } else {
    Expect(s, &pos, 'Z');  // no offset at all also means UTC
  }
  if (pos != s.size()) return false;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 60) return false;
  *out = TimePoint(duration_cast<system_clock::duration>(sys_days(date).time_since_epoch() +
                                                         hours(h) + minutes(mi) + seconds(sec) +
                                                         fraction - offset));
  return true;
}

}  // namespace bot::replay
