#include "server/provider_meters.h"

#include <fmt/format.h>

#include <iterator>

namespace runner {

ProviderMeter::ProviderMeter(std::string role, bot::UsageLedger* inner,
                             const bot::HttpRetrier* retrier)
    : role_(std::move(role)), inner_(inner), retrier_(retrier) {}

bot::Status ProviderMeter::Admit(const std::string& conversation, bot::TimePoint now) {
  return inner_->Admit(conversation, now);
}

void ProviderMeter::Record(const bot::UsageRecord& record) {
  outcomes_[static_cast<size_t>(record.outcome)].fetch_add(1, std::memory_order_relaxed);
  if (record.outcome != bot::CallOutcome::kRefused) {  // a refused call never left
    const double seconds = static_cast<double>(record.latency_ms) / 1000.0;
    size_t b = 0;
    while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
    buckets_[b].fetch_add(1, std::memory_order_relaxed);
    latency_sum_ms_.fetch_add(static_cast<uint64_t>(record.latency_ms), std::memory_order_relaxed);
  }
  inner_->Record(record);
}

bot::UsageTotals ProviderMeter::ConversationTotals(const std::string& conversation) const {
  return inner_->ConversationTotals(conversation);
}

bot::UsageTotals ProviderMeter::DayTotals(bot::TimePoint day) const {
  return inner_->DayTotals(day);
}

std::vector<bot::UsageRecord> ProviderMeter::Records() const { return inner_->Records(); }

uint64_t ProviderMeter::calls(bot::CallOutcome outcome) const {
  return outcomes_[static_cast<size_t>(outcome)].load(std::memory_order_relaxed);
}

std::string RenderProviderMeters(const std::vector<std::unique_ptr<ProviderMeter>>& meters) {
  std::string out;
  if (meters.empty()) return out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "# HELP botrunner_provider_calls_total Provider calls by outcome.\n"
                 "# TYPE botrunner_provider_calls_total counter\n");
  for (const auto& m : meters) {
    for (size_t o = 0; o < ProviderMeter::kOutcomes; ++o) {
      auto outcome = static_cast<bot::CallOutcome>(o);
      fmt::format_to(it, "botrunner_provider_calls_total{{provider=\"{}\",outcome=\"{}\"}} {}\n",
                     m->role(), bot::CallOutcomeName(outcome), m->calls(outcome));
    }
  }
  fmt::format_to(it,
                 "# HELP botrunner_provider_latency_seconds Provider call latency, retries "
                 "and waits for limits included.\n"
                 "# TYPE botrunner_provider_latency_seconds histogram\n");
  for (const auto& m : meters) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < ProviderMeter::kBuckets.size(); ++b) {
      cumulative += m->bucket(b);
      fmt::format_to(it,
                     "botrunner_provider_latency_seconds_bucket{{provider=\"{}\",le=\"{}\"}} {}\n",
                     m->role(), ProviderMeter::kBuckets[b], cumulative);
    }
    cumulative += m->bucket(ProviderMeter::kBuckets.size());
    fmt::format_to(it,
                   "botrunner_provider_latency_seconds_bucket{{provider=\"{0}\",le=\"+Inf\"}} {1}\n"
                   "botrunner_provider_latency_seconds_sum{{provider=\"{0}\"}} {2:.3f}\n"
                   "botrunner_provider_latency_seconds_count{{provider=\"{0}\"}} {1}\n",
                   m->role(), cumulative, static_cast<double>(m->latency_sum_ms()) / 1000.0);
  }
  struct Gauge {
    const char* name;
    const char* type;
    const char* help;
    int64_t bot::ProviderLoad::*field;
  };
  static constexpr Gauge kGauges[] = {
      {"botrunner_provider_in_flight", "gauge", "Provider requests on the wire now.",
       &bot::ProviderLoad::in_flight},
      {"botrunner_provider_queued", "gauge", "Provider requests waiting for a limit now.",
       &bot::ProviderLoad::queued},
      {"botrunner_provider_concurrency", "gauge",
       "The in-flight cap now (lowered by 429 answers, raised by successes).",
       &bot::ProviderLoad::concurrency},
      {"botrunner_provider_throttled_total", "counter", "429 answers from the provider.",
       &bot::ProviderLoad::throttled},
  };
  std::vector<bot::ProviderLoad> loads;
  for (const auto& m : meters) loads.push_back(m->Load());
  for (const Gauge& g : kGauges) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} {2}\n", g.name, g.help, g.type);
    for (size_t i = 0; i < meters.size(); ++i) {
      fmt::format_to(it, "{}{{provider=\"{}\"}} {}\n", g.name, meters[i]->role(),
                     loads[i].*g.field);
    }
  }
  return out;
}

}  // namespace runner
