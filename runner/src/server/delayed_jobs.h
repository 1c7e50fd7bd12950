// Jobs run a little later, on a thread of their own: a shared-database turn that waits for its
// conversation's hold (shared_turns.cc) without holding a worker, and without the io_context,
// which stops before the work queue drains. Jobs must be short (they post the real work).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace runner {

class DelayedJobs {
 public:
  DelayedJobs() : thread_([this] { Loop(); }) {}
  ~DelayedJobs() { Stop(); }
  DelayedJobs(const DelayedJobs&) = delete;
  DelayedJobs& operator=(const DelayedJobs&) = delete;

  // Runs `job` once `delay` has passed; not at all after Stop().
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      jobs_.emplace(std::chrono::steady_clock::now() + delay, std::move(job));
    }
    cv_.notify_all();
  }

  // Drops the jobs not due yet and waits for one running. Idempotent.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (jobs_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = jobs_.begin();
      if (first->first > std::chrono::steady_clock::now()) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      std::function<void()> job = std::move(first->second);
      jobs_.erase(first);
      lock.unlock();
      job();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> jobs_;  // by mu_
  bool stopping_ = false;  // Guarded by mu_
  std::thread thread_;     // last: starts once the rest is ready
};

}  // namespace runner
