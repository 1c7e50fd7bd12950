// The SQLite usage ledger: every provider call is a row; budgets hold across restarts.
#include <gtest/gtest.h>

#include <filesystem>

#include "bot/sqlite_store.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

class SqliteUsageLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("usage_" + std::to_string(::getpid()) + ".db")).string();
    Remove();
  }
  void TearDown() override { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  std::unique_ptr<UsageLedger> Open(BudgetCaps caps = {}) {
    auto ledger = OpenSqliteUsageLedger(path_, caps);
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(*ledger) : nullptr;
  }
  static UsageRecord Call(const std::string& conversation, int64_t tokens, int64_t cost,
                          TimePoint at) {
    UsageRecord r;
    r.provider = "openai";
    r.model = "gpt-4o-mini";
    r.purpose = "slot:rating";
    r.conversation = conversation;
    r.at = at;
    r.latency_ms = 412;
    r.tokens_in = tokens - 7;
    r.tokens_out = 7;
    r.cost_micro_usd = cost;
    return r;
  }

  std::string path_;
  TimePoint day1_ = FromUnixMillis(1767268800000);  // 2026-01-01T12:00Z
};

TEST_F(SqliteUsageLedgerTest, StoresEveryCallWithItsTokensCostAndOutcome) {
  auto ledger = Open();
  UsageRecord failed = Call("whatsapp:+593990000001", 0, 0, day1_);
  failed.outcome = CallOutcome::kTimeout;
  failed.detail = "deadline passed";
  ledger->Record(Call("whatsapp:+593990000001", 125, 23, day1_));
  ledger->Record(failed);
  std::vector<UsageRecord> records = ledger->Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].model, "gpt-4o-mini");
  EXPECT_EQ(records[0].tokens_in, 118);
  EXPECT_EQ(records[0].cost_micro_usd, 23);
  EXPECT_EQ(records[0].latency_ms, 412);
  EXPECT_EQ(records[0].at, day1_);
  EXPECT_EQ(records[1].outcome, CallOutcome::kTimeout);
  EXPECT_EQ(records[1].detail, "deadline passed");
  UsageTotals conv = ledger->ConversationTotals("whatsapp:+593990000001");
  EXPECT_EQ(conv.calls, 2);
  EXPECT_EQ(conv.tokens, 125);
  EXPECT_EQ(conv.micro_usd, 23);
}

TEST_F(SqliteUsageLedgerTest, DayTotalsCountOnlyThatUtcDay) {
  auto ledger = Open();
  ledger->Record(Call("a", 100, 10, day1_));
  ledger->Record(Call("b", 50, 5, day1_ + std::chrono::hours(11)));  // 23:00Z, same day
  ledger->Record(Call("a", 30, 3, day1_ + std::chrono::hours(13)));  // next day
  EXPECT_EQ(ledger->DayTotals(day1_).tokens, 150);
  EXPECT_EQ(ledger->DayTotals(day1_ + std::chrono::hours(13)).tokens, 30);
}

TEST_F(SqliteUsageLedgerTest, BudgetsHoldAcrossARestart) {
  BudgetCaps caps;
  caps.tokens_per_conversation = 200;
  caps.micro_usd_per_day = 1000;
  {
    auto ledger = Open(caps);
    ledger->Record(Call("a", 150, 400, day1_));
    EXPECT_TRUE(ledger->Admit("a", day1_).ok());
    ledger->Record(Call("a", 60, 400, day1_));
  }
  auto reopened = Open(caps);
  Status refused = reopened->Admit("a", day1_);
  EXPECT_TRUE(IsBudgetRefusal(refused)) << refused.ToString();
  EXPECT_NE(refused.message().find("210"), std::string::npos) << refused.message();
  EXPECT_TRUE(reopened->Admit("b", day1_).ok());  // another conversation, daily cap not reached
  reopened->Record(Call("b", 10, 300, day1_));
  EXPECT_TRUE(IsBudgetRefusal(reopened->Admit("b", day1_)));  // 1100 micro-USD today
  EXPECT_TRUE(reopened->Admit("b", day1_ + std::chrono::hours(24)).ok());  // a new day
}

}  // namespace
}  // namespace bot
