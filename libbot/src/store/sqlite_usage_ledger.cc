// The UsageLedger in SQLite: provider calls are rows of usage_records; budgets are checked
// against sums over them, so caps hold across restarts and across processes sharing the file.
#include <mutex>

#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

constexpr int64_t kDayMillis = 24LL * 3600 * 1000;

class SqliteUsageLedger final : public UsageLedger {
 public:
  SqliteUsageLedger(sqlite3* db, BudgetCaps caps) : db_(db), caps_(caps) {}
  // close_v2 waits for the member statements, finalised right after this body.
  ~SqliteUsageLedger() override { sqlite3_close_v2(db_); }

  Status Prepare() {
    if (Status s = insert_.Prepare(db_,
            "INSERT INTO usage_records (provider, model, purpose, conversation, at, latency_ms, "
            "tokens_in, tokens_out, cost_micro_usd, outcome, detail) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        !s.ok()) {
      return s;
    }
    if (Status s = conversation_totals_.Prepare(db_, std::string(kTotals) + "WHERE conversation = ?1");
        !s.ok()) {
      return s;
    }
    if (Status s = period_totals_.Prepare(db_, std::string(kTotals) + "WHERE at >= ?1 AND at < ?2");
        !s.ok()) {
      return s;
    }
    return all_.Prepare(db_,
                        "SELECT provider, model, purpose, conversation, at, latency_ms, tokens_in, "
                        "tokens_out, cost_micro_usd, outcome, detail FROM usage_records ORDER BY id");
  }

  Status Admit(const std::string& conversation, TimePoint now) override {
    UsageTotals conv = conversation.empty() ? UsageTotals{} : ConversationTotals(conversation);
    return CheckBudget(caps_, DayTotals(now), conversation, conv);
  }

  void Record(const UsageRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Scope stmt(insert_);
    stmt->Bind(1, r.provider);
    stmt->Bind(2, r.model);
    stmt->Bind(3, r.purpose);
    stmt->Bind(4, r.conversation);
    stmt->Bind(5, r.at);
    stmt->Bind(6, r.latency_ms);
    stmt->Bind(7, r.tokens_in);
    stmt->Bind(8, r.tokens_out);
    stmt->Bind(9, r.cost_micro_usd);
    stmt->Bind(10, CallOutcomeName(r.outcome));
    stmt->Bind(11, r.detail);
    // Accounting must never break a conversation: a failed insert is dropped, not thrown.
    (void)stmt->Run();
  }

  UsageTotals ConversationTotals(const std::string& conversation) const override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Scope stmt(conversation_totals_);
    stmt->Bind(1, conversation);
    return Read(*stmt);
  }

  UsageTotals DayTotals(TimePoint day) const override {
    const int64_t start = ToUnixMillis(day) / kDayMillis * kDayMillis;
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Scope stmt(period_totals_);
    stmt->Bind(1, start);
    stmt->Bind(2, start + kDayMillis);
    return Read(*stmt);
  }

  std::vector<UsageRecord> Records() const override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Scope stmt(all_);
    std::vector<UsageRecord> out;
    while (stmt->Step() == SQLITE_ROW) {
      UsageRecord& r = out.emplace_back();
      r.provider = stmt->Text(0);
      r.model = stmt->Text(1);
      r.purpose = stmt->Text(2);
      r.conversation = stmt->Text(3);
      r.at = stmt->Time(4);
      r.latency_ms = stmt->Int(5);
      r.tokens_in = stmt->Int(6);
      r.tokens_out = stmt->Int(7);
      r.cost_micro_usd = stmt->Int(8);
      const std::string outcome = stmt->Text(9);
      for (CallOutcome o : {CallOutcome::kOk, CallOutcome::kNotUnderstood, CallOutcome::kFailed,
                            CallOutcome::kTimeout, CallOutcome::kRefused}) {
        if (outcome == CallOutcomeName(o)) r.outcome = o;
      }
      r.detail = stmt->Text(10);
    }
    return out;
  }

 private:
  static constexpr const char* kTotals =
      "SELECT count(*), coalesce(sum(tokens_in + tokens_out), 0), "
      "coalesce(sum(cost_micro_usd), 0) FROM usage_records ";

  static UsageTotals Read(sqlite::Statement& stmt) {
    UsageTotals t;
    if (stmt.Step() == SQLITE_ROW) {
      t.calls = stmt.Int(0);
      t.tokens = stmt.Int(1);
      t.micro_usd = stmt.Int(2);
    }
    return t;
  }

  sqlite3* db_;
  BudgetCaps caps_;
  mutable std::mutex mu_;
  // Guarded by mu_: the statements share the connection.
  sqlite::Statement insert_;
  mutable sqlite::Statement conversation_totals_;
  mutable sqlite::Statement period_totals_;
  mutable sqlite::Statement all_;
};

}  // namespace

Result<std::unique_ptr<UsageLedger>> OpenSqliteUsageLedger(const std::string& path,
                                                           BudgetCaps caps,
                                                           SqliteOptions options) {
  sqlite3* db = nullptr;
  const Status opened = sqlite::OpenMigrated(path, options, &db);
  auto ledger = std::make_unique<SqliteUsageLedger>(db, caps);  // owns db, even on failure
  if (!opened.ok()) return opened;
  if (Status s = ledger->Prepare(); !s.ok()) return s;
  return std::unique_ptr<UsageLedger>(std::move(ledger));
}

}  // namespace bot
