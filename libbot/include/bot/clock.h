// Time, behind an interface so tests and transcript replay control it.
#pragma once

#include <chrono>

namespace bot {

using TimePoint = std::chrono::system_clock::time_point;

// Source of the current time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// Milliseconds since the Unix epoch, the unit the store uses.
inline long long ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixMillis(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

}  // namespace bot
