// The durations and times of the transcript format (WAIT, NOW): "1h30m", "2026-01-01T12:00:00Z".
#pragma once

#include <chrono>
#include <string_view>

#include "bot/clock.h"

namespace bot::replay {

// "90s", "30m", "25h", "2d", "1h30m", "500ms". False on anything else.
bool ParseDuration(std::string_view text, std::chrono::milliseconds* out);

// "2026-01-01T12:00:00Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset.
bool ParseIsoTime(std::string_view text, TimePoint* out);

}  // namespace bot::replay
