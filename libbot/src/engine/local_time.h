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

// The instant when the clocks of `zone` read `date` at `hour`:00 (UTC for an unknown zone). In
// a DST gap or overlap ICU's choice applies.
TimePoint LocalTimeToUtc(std::chrono::year_month_day date, int hour, std::string_view zone);

// "2026-12-07".
std::string IsoDate(std::chrono::year_month_day date);

}  // namespace bot::engine
