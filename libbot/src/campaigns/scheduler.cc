// One thread that sleeps until the next due time of its sources and runs what is due.
#include <algorithm>

#include "bot/campaigns.h"

namespace bot {

Scheduler::Scheduler(const Clock* clock, std::vector<ScheduledSource*> sources,
                     SchedulerOptions options, ErrorFn on_error)
    : clock_(clock),
      sources_(std::move(sources)),
      options_(options),
      on_error_(std::move(on_error)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

Result<int64_t> Scheduler::RunOnce() {
  std::lock_guard run(run_mu_);
  int64_t handled = 0;
  for (ScheduledSource* source : sources_) {
    Result<int64_t> n = source->RunDue(clock_->Now());
    if (!n.ok()) return n.status();
    handled += *n;
  }
  return handled;
}

void Scheduler::Loop() {
  using std::chrono::milliseconds;
  for (;;) {
    milliseconds sleep = options_.max_sleep;
    Result<int64_t> ran = RunOnce();
    if (!ran.ok()) {
      if (on_error_) on_error_(ran.status());
      sleep = options_.error_backoff;
    } else {
      for (ScheduledSource* source : sources_) {
        Result<std::optional<TimePoint>> next = source->NextDue();
        if (!next.ok()) {
          if (on_error_) on_error_(next.status());
          sleep = std::min(sleep, options_.error_backoff);
          continue;
        }
        if (!*next) continue;
        const auto until = std::chrono::duration_cast<milliseconds>(**next - clock_->Now());
        // Due already: run again at once, unless nothing ran (the work is not ours to do yet,
        // e.g. another writer holds it): then a short pause, not a spin.
        sleep = std::min(sleep, std::max(until, milliseconds(*ran > 0 ? 0 : 10)));
      }
    }
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (sleep.count() > 0) cv_.wait_for(lock, sleep, [this] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) return;
  }
}

}  // namespace bot
