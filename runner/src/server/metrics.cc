// Prometheus text exposition (format 0.0.4) of the runner's counters.
#include "server/metrics.h"

#include <fmt/format.h>

namespace runner {
namespace {

constexpr std::array<const char*, static_cast<size_t>(Route::kCount)> kRouteNames = {
    "inbound", "status", "healthz", "metrics", "leadgen", "link", "other"};
constexpr std::array<const char*, static_cast<size_t>(SendOutcomeKind::kCount)> kOutcomeNames = {
    "sent", "retry", "permanent", "not_sendable", "template"};
constexpr std::array<const char*, static_cast<size_t>(ScheduledSourceKind::kCount)> kSourceNames = {
    "campaigns", "loan_reminders", "cap_release"};

}  // namespace

size_t Metrics::StatusIndex(int http_status) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == http_status) return i;
  }
  return kStatuses.size();
}

void Metrics::CountRequest(Route route, int http_status) {
  requests_[static_cast<size_t>(route)][StatusIndex(http_status)].fetch_add(
      1, std::memory_order_relaxed);
}

uint64_t Metrics::requests(Route route, int http_status) const {
  return requests_[static_cast<size_t>(route)][StatusIndex(http_status)].load(
      std::memory_order_relaxed);
}

void Metrics::CountTurn(std::chrono::nanoseconds latency) {
  turns_.fetch_add(1, std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(latency).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

void Metrics::CountSend(SendOutcomeKind outcome) {
  sends_[static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t Metrics::sends(SendOutcomeKind outcome) const {
  return sends_[static_cast<size_t>(outcome)].load(std::memory_order_relaxed);
}

void Metrics::CountScheduledRun(ScheduledSourceKind source, int64_t handled,
                                std::chrono::system_clock::time_point now) {
  const size_t i = static_cast<size_t>(source);
  scheduled_[i].fetch_add(static_cast<uint64_t>(handled), std::memory_order_relaxed);
  scheduler_last_run_ms_[i].store(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count(),
      std::memory_order_relaxed);
}

uint64_t Metrics::scheduled(ScheduledSourceKind source) const {
  return scheduled_[static_cast<size_t>(source)].load(std::memory_order_relaxed);
}

int64_t Metrics::scheduler_last_run_ms(ScheduledSourceKind source) const {
  return scheduler_last_run_ms_[static_cast<size_t>(source)].load(std::memory_order_relaxed);
}

std::string Metrics::Render(int64_t outbox_depth) const {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "# HELP botrunner_http_requests_total Webhook and admin requests answered.\n"
                     "# TYPE botrunner_http_requests_total counter\n");
  for (size_t r = 0; r < kRoutes; ++r) {
    for (size_t s = 0; s <= kStatuses.size(); ++s) {
      uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string code = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      fmt::format_to(it, "botrunner_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                     kRouteNames[r], code, n);
    }
  }
  fmt::format_to(it,
                 "# HELP botrunner_turns_total Dialog turns run.\n"
                 "# TYPE botrunner_turns_total counter\nbotrunner_turns_total {}\n"
                 "# HELP botrunner_turn_errors_total Turns that failed (store or dialog error).\n"
                 "# TYPE botrunner_turn_errors_total counter\nbotrunner_turn_errors_total {}\n",
                 turns(), turn_errors_.load(std::memory_order_relaxed));
  fmt::format_to(it, "# HELP botrunner_turn_latency_seconds Accept to committed turn.\n"
                     "# TYPE botrunner_turn_latency_seconds histogram\n");
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += latency_buckets_[b].load(std::memory_order_relaxed);
    fmt::format_to(it, "botrunner_turn_latency_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b],
                   cumulative);
  }
  cumulative += latency_buckets_[kBuckets.size()].load(std::memory_order_relaxed);
  fmt::format_to(it,
                 "botrunner_turn_latency_seconds_bucket{{le=\"+Inf\"}} {}\n"
                 "botrunner_turn_latency_seconds_sum {:.6f}\n"
                 "botrunner_turn_latency_seconds_count {}\n",
                 cumulative, latency_sum_ns_.load(std::memory_order_relaxed) / 1e9, cumulative);
  if (outbox_depth >= 0) {
    fmt::format_to(it,
                   "# HELP botrunner_outbox_depth Outgoing messages waiting to be sent.\n"
                   "# TYPE botrunner_outbox_depth gauge\nbotrunner_outbox_depth {}\n",
                   outbox_depth);
  }
  fmt::format_to(it, "# HELP botrunner_sends_total Outbox send attempts by outcome.\n"
                     "# TYPE botrunner_sends_total counter\n");
  for (size_t o = 0; o < kOutcomeNames.size(); ++o) {
    fmt::format_to(it, "botrunner_sends_total{{outcome=\"{}\"}} {}\n", kOutcomeNames[o],
                   sends_[o].load(std::memory_order_relaxed));
  }
  fmt::format_to(it,
                 "# HELP botrunner_duplicates_dropped_total Redelivered webhooks not processed.\n"
                 "# TYPE botrunner_duplicates_dropped_total counter\n"
                 "botrunner_duplicates_dropped_total {}\n"
                 "# HELP botrunner_signature_failures_total Webhooks rejected for their signature.\n"
                 "# TYPE botrunner_signature_failures_total counter\n"
                 "botrunner_signature_failures_total {}\n"
                 "# HELP botrunner_status_callbacks_total Delivery status callbacks applied.\n"
                 "# TYPE botrunner_status_callbacks_total counter\n"
                 "botrunner_status_callbacks_total {}\n",
                 duplicates(), signature_failures(),
                 status_callbacks_.load(std::memory_order_relaxed));
  fmt::format_to(it,
                 "# HELP botrunner_scheduled_total Scheduled items handled (campaign steps, loan "
                 "reminders queued).\n"
                 "# TYPE botrunner_scheduled_total counter\n");
  for (size_t i = 0; i < kSources; ++i) {
    fmt::format_to(it, "botrunner_scheduled_total{{source=\"{}\"}} {}\n", kSourceNames[i],
                   scheduled_[i].load(std::memory_order_relaxed));
  }
  fmt::format_to(it,
                 "# HELP botrunner_scheduler_last_run_seconds When each scheduled source last "
                 "ran, by the server's clock (Unix time; 0 = not yet).\n"
                 "# TYPE botrunner_scheduler_last_run_seconds gauge\n");
  for (size_t i = 0; i < kSources; ++i) {
    fmt::format_to(it, "botrunner_scheduler_last_run_seconds{{source=\"{}\"}} {:.3f}\n",
                   kSourceNames[i],
                   scheduler_last_run_ms_[i].load(std::memory_order_relaxed) / 1e3);
  }
  return out;
}

}  // namespace runner
