// Usage accounting: prices, outcomes, and the in-memory ledger that enforces budgets.
#include <map>
#include <mutex>

#include "bot/providers.h"

namespace bot {
namespace {

constexpr const char* kBudgetPrefix = "budget: ";

long long UtcDay(TimePoint t) { return ToUnixMillis(t) / (24LL * 3600 * 1000); }

Status Refuse(const std::string& why) { return Unavailable(kBudgetPrefix + why); }

}  // namespace

Status CheckBudget(const BudgetCaps& caps, const UsageTotals& day, const std::string& conversation,
                   const UsageTotals& conv) {
  if (caps.tokens_per_day > 0 && day.tokens >= caps.tokens_per_day) {
    return Refuse("the daily cap of " + std::to_string(caps.tokens_per_day) +
                  " tokens is reached (" + std::to_string(day.tokens) + " used)");
  }
  if (caps.micro_usd_per_day > 0 && day.micro_usd >= caps.micro_usd_per_day) {
    return Refuse("the daily cap of " + std::to_string(caps.micro_usd_per_day) +
                  " micro-USD is reached (" + std::to_string(day.micro_usd) + " spent)");
  }
  if (conversation.empty()) return Status::Ok();
  if (caps.tokens_per_conversation > 0 && conv.tokens >= caps.tokens_per_conversation) {
    return Refuse("conversation '" + conversation + "' reached its cap of " +
                  std::to_string(caps.tokens_per_conversation) + " tokens (" +
                  std::to_string(conv.tokens) + " used)");
  }
  if (caps.micro_usd_per_conversation > 0 && conv.micro_usd >= caps.micro_usd_per_conversation) {
    return Refuse("conversation '" + conversation + "' reached its cap of " +
                  std::to_string(caps.micro_usd_per_conversation) + " micro-USD (" +
                  std::to_string(conv.micro_usd) + " spent)");
  }
  return Status::Ok();
}

namespace {

class MemoryUsageLedger final : public UsageLedger {
 public:
  explicit MemoryUsageLedger(BudgetCaps caps) : caps_(caps) {}

  Status Admit(const std::string& conversation, TimePoint now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return CheckBudget(caps_, Lookup(days_, UtcDay(now)), conversation,
                       conversation.empty() ? UsageTotals{} : Lookup(conversations_, conversation));
  }

  void Record(const UsageRecord& record) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(record);
    for (UsageTotals* t : {&days_[UtcDay(record.at)], &conversations_[record.conversation]}) {
      ++t->calls;
      t->tokens += record.tokens_in + record.tokens_out;
      t->micro_usd += record.cost_micro_usd;
    }
  }

  UsageTotals ConversationTotals(const std::string& conversation) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return Lookup(conversations_, conversation);
  }

  UsageTotals DayTotals(TimePoint day) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return Lookup(days_, UtcDay(day));
  }

  std::vector<UsageRecord> Records() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:

  template <typename Map, typename Key>
  static UsageTotals Lookup(const Map& map, const Key& key) {
    auto it = map.find(key);
    return it == map.end() ? UsageTotals{} : it->second;
  }

  const BudgetCaps caps_;
  mutable std::mutex mu_;
  std::vector<UsageRecord> records_;                   // Guarded by mu_
  std::map<std::string, UsageTotals> conversations_;   // Guarded by mu_
  std::map<long long, UsageTotals> days_;              // Guarded by mu_
};

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

const char* CallOutcomeName(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kOk:
      return "ok";
    case CallOutcome::kNotUnderstood:
      return "not_understood";
    case CallOutcome::kFailed:
      return "failed";
    case CallOutcome::kTimeout:
      return "timeout";
    case CallOutcome::kRefused:
      return "refused";
  }
  return "unknown";
}

int64_t CostMicroUsd(const PriceTable& prices, const std::string& model, int64_t tokens_in,
                     int64_t tokens_out, double audio_seconds) {
  auto it = prices.find(model);
  if (it == prices.end()) return 0;
  const ModelPrice& p = it->second;
  int64_t cost = CeilDiv(tokens_in * p.input_per_mtok + tokens_out * p.output_per_mtok, 1000000);
  if (audio_seconds > 0 && p.per_audio_minute > 0) {
    cost += static_cast<int64_t>(audio_seconds * static_cast<double>(p.per_audio_minute) / 60.0 +
                                 0.999999);
  }
  return cost;
}

std::unique_ptr<UsageLedger> NewMemoryUsageLedger(BudgetCaps caps) {
  return std::make_unique<MemoryUsageLedger>(caps);
}

bool IsBudgetRefusal(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.message().rfind(kBudgetPrefix, 0) == 0;
}

}  // namespace bot
