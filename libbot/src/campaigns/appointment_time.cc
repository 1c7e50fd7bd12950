#include "campaigns/appointment_time.h"

#include <charconv>
#include <chrono>

#include "engine/local_time.h"

namespace bot::campaigns {
namespace {

// Reads `width` digits at `*pos`.
bool Digits(std::string_view text, size_t* pos, size_t width, int* out) {
  if (*pos + width > text.size()) return false;
  const char* begin = text.data() + *pos;
  for (size_t i = 0; i < width; ++i) {
    if (begin[i] < '0' || begin[i] > '9') return false;
  }
  std::from_chars(begin, begin + width, *out);
  *pos += width;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseAppointment(std::string_view text, std::string_view zone) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, &pos, 4, &y) || !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &mo) ||
      !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &d)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!Digits(text, &pos, 2, &h) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mi)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == ':' && !(++pos, Digits(text, &pos, 2, &s))) {
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const int64_t wall = duration_cast<milliseconds>(sys_days(date).time_since_epoch() + hours(h) +
                                                   minutes(mi) + seconds(s))
                           .count();
  if (pos == text.size()) {  // local time in the zone
    return FromUnixMillis(wall - engine::ZoneOffsetMillis(zone, wall, true));
  }
  if (text[pos] == 'Z' && pos + 1 == text.size()) return FromUnixMillis(wall);
  const char sign = text[pos];
  if (sign != '+' && sign != '-') return std::nullopt;
  ++pos;
  int oh = 0, om = 0;
  if (!Digits(text, &pos, 2, &oh)) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') ++pos;
  if (!Digits(text, &pos, 2, &om) || pos != text.size() || oh > 14 || om > 59) {
    return std::nullopt;
  }
  const int64_t offset = (oh * 60 + om) * 60'000LL * (sign == '-' ? -1 : 1);
  return FromUnixMillis(wall - offset);
}

}  // namespace bot::campaigns
