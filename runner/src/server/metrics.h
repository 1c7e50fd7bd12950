// The runner's counters, exported in the Prometheus text format at GET /metrics.
// Lock-free: every counter is a relaxed atomic, so recording costs no more than an increment.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace runner {

enum class Route { kInbound, kStatus, kHealth, kMetrics, kLeadgen, kLink, kOther, kCount };

// The scheduler's sources (botrunner_scheduled_total{source}).
enum class ScheduledSourceKind { kCampaigns, kLoanReminders, kCapRelease, kCount };

// What happened to one outbox message.
enum class SendOutcomeKind { kSent, kRetry, kPermanent, kNotSendable, kTemplate, kCount };

class Metrics {
 public:
  void CountRequest(Route route, int http_status);
  void CountTurn(std::chrono::nanoseconds latency);
  void CountTurnError() { turn_errors_.fetch_add(1, std::memory_order_relaxed); }
  void CountDuplicate() { duplicates_.fetch_add(1, std::memory_order_relaxed); }
  void CountSignatureFailure() { signature_failures_.fetch_add(1, std::memory_order_relaxed); }
  void CountSend(SendOutcomeKind outcome);
  void CountStatusCallback() { status_callbacks_.fetch_add(1, std::memory_order_relaxed); }
  // A scheduler run of `source` at `now` (the server's clock) that handled `handled` items.
  void CountScheduledRun(ScheduledSourceKind source, int64_t handled,
                         std::chrono::system_clock::time_point now);

  uint64_t requests(Route route, int http_status) const;
  uint64_t turns() const { return turns_.load(std::memory_order_relaxed); }
  uint64_t duplicates() const { return duplicates_.load(std::memory_order_relaxed); }
  uint64_t signature_failures() const { return signature_failures_.load(std::memory_order_relaxed); }
  uint64_t sends(SendOutcomeKind outcome) const;
  uint64_t scheduled(ScheduledSourceKind source) const;
  // The `now` of the source's last completed run, in Unix milliseconds; 0 before the first.
  int64_t scheduler_last_run_ms(ScheduledSourceKind source) const;

  // The exposition text; `outbox_depth` < 0 leaves the gauge out (store unreachable).
  std::string Render(int64_t outbox_depth) const;

 private:
  // The statuses the server answers with; anything else is counted as "other".
  static constexpr std::array<int, 10> kStatuses = {200, 204, 302, 400, 403,
                                                    404, 405, 413, 500, 503};
  static constexpr size_t kRoutes = static_cast<size_t>(Route::kCount);
  // Turn latency bucket upper bounds, seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  static size_t StatusIndex(int http_status);

  std::array<std::array<std::atomic<uint64_t>, kStatuses.size() + 1>, kRoutes> requests_{};
  std::atomic<uint64_t> turns_{0};
  std::atomic<uint64_t> turn_errors_{0};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_ns_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> signature_failures_{0};
  std::atomic<uint64_t> status_callbacks_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(SendOutcomeKind::kCount)> sends_{};
  static constexpr size_t kSources = static_cast<size_t>(ScheduledSourceKind::kCount);
  std::array<std::atomic<uint64_t>, kSources> scheduled_{};
  std::array<std::atomic<int64_t>, kSources> scheduler_last_run_ms_{};
};

}  // namespace runner
