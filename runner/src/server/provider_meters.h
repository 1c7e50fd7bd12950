// What /metrics says of each provider (llm, stt, ocr): its calls by outcome and their latency,
// taken from each call's usage record, and the attempts in flight and queued behind its limits,
// read from its retrier when the page is rendered.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bot/http.h"
#include "bot/providers.h"

namespace runner {

// One provider's meter: a UsageLedger that counts every record, then hands it on to the store's
// ledger (which keeps it and checks budgets). Thread-safe.
class ProviderMeter final : public bot::UsageLedger {
 public:
  // `inner` and `retrier` must outlive the meter.
  ProviderMeter(std::string role, bot::UsageLedger* inner, const bot::HttpRetrier* retrier);

  bot::Status Admit(const std::string& conversation, bot::TimePoint now) override;
  void Record(const bot::UsageRecord& record) override;
  bot::UsageTotals ConversationTotals(const std::string& conversation) const override;
  bot::UsageTotals DayTotals(bot::TimePoint day) const override;
  std::vector<bot::UsageRecord> Records() const override;

  // Latency bucket upper bounds, seconds: provider calls take from milliseconds to a minute.
  static constexpr std::array<double, 12> kBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2,
                                                      3,    5,   10,   20,  30, 60};
  static constexpr size_t kOutcomes = 5;  // bot::CallOutcome

  const std::string& role() const { return role_; }
  bot::ProviderLoad Load() const { return retrier_->Load(); }
  uint64_t calls(bot::CallOutcome outcome) const;
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t latency_sum_ms() const { return latency_sum_ms_.load(std::memory_order_relaxed); }

 private:
  const std::string role_;
  bot::UsageLedger* const inner_;
  const bot::HttpRetrier* const retrier_;
  std::array<std::atomic<uint64_t>, kOutcomes> outcomes_{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets_{};
  std::atomic<uint64_t> latency_sum_ms_{0};
};

// The Prometheus text of every meter: botrunner_provider_calls_total{provider,outcome},
// botrunner_provider_latency_seconds{provider} (histogram), botrunner_provider_in_flight,
// botrunner_provider_queued, botrunner_provider_concurrency (gauges) and
// botrunner_provider_throttled_total (429 answers).
std::string RenderProviderMeters(const std::vector<std::unique_ptr<ProviderMeter>>& meters);

}  // namespace runner
