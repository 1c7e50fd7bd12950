// Waiting in a test for what a server does on its own threads.
#pragma once

#include <chrono>
#include <thread>

namespace bot::testing {

// Polls `condition` every 10 ms for up to 10 s; true once it holds.
template <typename F>
bool Eventually(F condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace bot::testing
