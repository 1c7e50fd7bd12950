// A token bucket: `rate` tokens per second, holding at most `burst`. Not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>

namespace runner {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // Takes one token if there is one at `now`.
  bool TryTake(Clock::time_point now) {
    Refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // When the next token will be there (now, if one is).
  Clock::time_point NextToken(Clock::time_point now) {
    Refill(now);
    if (tokens_ >= 1) return now;
    auto wait = std::chrono::duration<double>((1 - tokens_) / rate_);
    return now + std::chrono::duration_cast<Clock::duration>(wait);
  }

 private:
  void Refill(Clock::time_point now) {
    if (last_ != Clock::time_point{}) {
      tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    }
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace runner
