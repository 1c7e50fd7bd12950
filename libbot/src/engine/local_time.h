// Calendar dates in a dialog's time zone (IANA ids, ICU's time zone data).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "bot/clock.h"

namespace bot::engine {

// True for an IANA id ICU knows ("America/Mexico_City", "UTC").
bool IsKnownTimeZone(std::string_view zone);

// The local calendar date at `t` in `zone`; UTC for an unknown zone.
std::chrono::year_month_day LocalDate(TimePoint t, std::string_view zone);

// The offset of `zone` from UTC at `ms` (Unix milliseconds; a local wall-clock time when `local`),
// in milliseconds; 0 for UTC or an unknown zone.
int64_t ZoneOffsetMillis(std::string_view zone, int64_t ms, bool local);

// The instant when the clocks of `zone` read `date` at `hour`:00 (UTC for an unknown zone). In
// a DST gap or overlap ICU's choice applies.
TimePoint LocalTimeToUtc(std::chrono::year_month_day date, int hour, std::string_view zone);

// "2026-12-07".
std::string IsoDate(std::chrono::year_month_day date);

}  // namespace bot::engine
