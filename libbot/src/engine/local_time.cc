#include "engine/local_time.h"

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace bot::engine {
namespace {

// ICU zones are immutable once built; one per id for the life of the process.
const icu::TimeZone* Zone(std::string_view id) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<icu::TimeZone>, std::less<>> zones;
  std::lock_guard<std::mutex> lock(mu);
  auto it = zones.find(id);
  if (it != zones.end()) return it->second.get();
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(
      icu::UnicodeString::fromUTF8(icu::StringPiece(id.data(), static_cast<int32_t>(id.size())))));
  icu::UnicodeString id_found, id_unknown;
  if (zone != nullptr &&
      zone->getID(id_found) == icu::TimeZone::getUnknown().getID(id_unknown)) {
    zone.reset();  // ICU answers an unknown id with "Etc/Unknown" (GMT)
  }
  return zones.emplace(std::string(id), std::move(zone)).first->second.get();
}

}  // namespace

bool IsKnownTimeZone(std::string_view zone) { return zone == "UTC" || Zone(zone) != nullptr; }

std::chrono::year_month_day LocalDate(TimePoint t, std::string_view zone) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  if (zone != "UTC") {
    if (const icu::TimeZone* tz = Zone(zone)) {
      int32_t raw = 0, dst = 0;
      UErrorCode status = U_ZERO_ERROR;
      tz->getOffset(static_cast<UDate>(ms), false, raw, dst, status);
      if (U_SUCCESS(status)) ms += raw + dst;
    }
  }
  return year_month_day{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
}

int64_t ZoneOffsetMillis(std::string_view zone, int64_t ms, bool local) {
  if (zone == "UTC") return 0;
  const icu::TimeZone* tz = Zone(zone);
  if (tz == nullptr) return 0;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  tz->getOffset(static_cast<UDate>(ms), local, raw, dst, status);
  return U_SUCCESS(status) ? int64_t{raw} + dst : 0;
}

TimePoint LocalTimeToUtc(std::chrono::year_month_day date, int hour, std::string_view zone) {
  using namespace std::chrono;
  const int64_t local_ms =
      duration_cast<milliseconds>(sys_days(date).time_since_epoch() + hours(hour)).count();
  const int64_t offset = ZoneOffsetMillis(zone, local_ms, /*local=*/true);
  return TimePoint(duration_cast<TimePoint::duration>(milliseconds(local_ms - offset)));
}

std::string IsoDate(std::chrono::year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

}  // namespace bot::engine
