// When a business-initiated message may arrive: the recipient's allowed hours in their own zone.
#include <unicode/strenum.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <charconv>
#include <memory>

#include "bot/campaigns.h"
#include "engine/local_time.h"

namespace bot {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 1440 * kMinuteMs;

bool ParseClock(std::string_view text, int* minute) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':') return false;
  if (std::from_chars(text.data(), text.data() + 2, h).ptr != text.data() + 2) return false;
  if (std::from_chars(text.data() + 3, text.data() + 5, m).ptr != text.data() + 5) return false;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return false;
  *minute = h * 60 + m;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool ParseAllowedHours(std::string_view text, AllowedHours* out) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return false;
  AllowedHours hours;
  if (!ParseClock(text.substr(0, dash), &hours.start_minute)) return false;
  if (!ParseClock(text.substr(dash + 1), &hours.end_minute)) return false;
  if (hours.start_minute >= hours.end_minute) return false;
  *out = hours;
  return true;
}

bool IsKnownTimeZone(std::string_view zone) { return engine::IsKnownTimeZone(zone); }

std::string RegionTimeZone(std::string_view region) {
  // Countries with several zones: the capital's (or the most populous) zone. The CSV's
  // time_zone column says otherwise for a recipient elsewhere.
  static constexpr std::pair<std::string_view, std::string_view> kPrimary[] = {
      {"MX", "America/Mexico_City"},
      {"US", "America/New_York"},
      {"CA", "America/Toronto"},
      {"BR", "America/Sao_Paulo"},
      {"AR", "America/Argentina/Buenos_Aires"},
      {"CL", "America/Santiago"},
      {"EC", "America/Guayaquil"},
      {"ES", "Europe/Madrid"},
      {"AU", "Australia/Sydney"},
      {"RU", "Europe/Moscow"},
      {"PT", "Europe/Lisbon"},
      {"CO", "America/Bogota"},
      {"PE", "America/Lima"}};
  for (const auto& [r, zone] : kPrimary) {
    if (r == region) return std::string(zone);
  }
  if (region.size() != 2) return "";
  const std::string code(region);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::StringEnumeration> zones(icu::TimeZone::createTimeZoneIDEnumeration(
      UCAL_ZONE_TYPE_CANONICAL_LOCATION, code.c_str(), nullptr, status));
  if (U_FAILURE(status) || zones == nullptr) return "";
  const icu::UnicodeString* id = zones->snext(status);
  if (U_FAILURE(status) || id == nullptr) return "";
  std::string out;
  id->toUTF8String(out);
  return out;
}

TimePoint IntoAllowedHours(TimePoint due, std::string_view zone, AllowedHours hours) {
  const int64_t utc = ToUnixMillis(due);
  const int64_t local = utc + engine::ZoneOffsetMillis(zone, utc, false);
  const int64_t day = FloorDiv(local, kDayMs) * kDayMs;
  const int64_t minute = (local - day) / kMinuteMs;
  if (minute >= hours.start_minute && minute < hours.end_minute) return due;
  const int64_t target =
      (minute < hours.start_minute ? day : day + kDayMs) + hours.start_minute * kMinuteMs;
  return FromUnixMillis(target - engine::ZoneOffsetMillis(zone, target, true));
}

}  // namespace bot
