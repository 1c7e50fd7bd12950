// A clock that moves only when told. Thread-safe.
#pragma once

#include <atomic>

#include "bot/clock.h"

namespace bot::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixMillis(1767268800000))  // 2026-01-01T12:00:00Z
      : ms_(ToUnixMillis(start)) {}
  TimePoint Now() const override { return FromUnixMillis(ms_.load()); }
  void Set(TimePoint t) { ms_.store(ToUnixMillis(t)); }
  template <typename Duration>
  void Advance(Duration d) {
    ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  }

 private:
  std::atomic<long long> ms_;
};

}  // namespace bot::testing
