// A CSV's appointment time: ISO 8601 with an offset, or local wall-clock time in a zone.
#pragma once

#include <optional>
#include <string_view>

#include "bot/clock.h"

namespace bot::campaigns {

// "2026-03-02T10:30:00-05:00", "2026-03-02 10:30Z", or "2026-03-02 10:30" (local in `zone`, an
// IANA id). nullopt when it is none of these.
std::optional<TimePoint> ParseAppointment(std::string_view text, std::string_view zone);

}  // namespace bot::campaigns
