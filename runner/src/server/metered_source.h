// A scheduled source whose runs are counted in the server's metrics
// (botrunner_scheduled_total, botrunner_scheduler_last_run_seconds): what the scheduler did, and
// when it last did it, is visible from /metrics.
#pragma once

#include <cstdint>
#include <optional>

#include "bot/campaigns.h"
#include "server/metrics.h"

namespace runner {

// Forwards to `source`, then records each successful run. Neither pointer is owned. As
// thread-safe as `source` (Metrics is).
class MeteredSource final : public bot::ScheduledSource {
 public:
  MeteredSource(bot::ScheduledSource* source, ScheduledSourceKind kind, Metrics* metrics)
      : source_(source), kind_(kind), metrics_(metrics) {}

  bot::Result<std::optional<bot::TimePoint>> NextDue() override { return source_->NextDue(); }
  bot::Result<int64_t> RunDue(bot::TimePoint now) override {
    bot::Result<int64_t> handled = source_->RunDue(now);
    if (handled.ok()) metrics_->CountScheduledRun(kind_, *handled, now);
    return handled;
  }

 private:
  bot::ScheduledSource* const source_;
  const ScheduledSourceKind kind_;
  Metrics* const metrics_;
};

}  // namespace runner
