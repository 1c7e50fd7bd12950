// AddCredits, ShowCredits and ListHeldOutbound (bot/message_credits.h), each over its own
// connection, for "botrunner credits" and "botrunner outbox held".
#include "bot/message_credits.h"
#include "engine/local_time.h"
#include "store/migrations.h"
#include "store/sqlite_credits.h"
#include "store/sqlite_statement.h"

namespace bot {

using sqlite::WithDatabase;

namespace {

Status CheckTenant(const CreditsPolicy& policy, const std::string& tenant) {
  if (policy.Find(tenant) != nullptr) return Status::Ok();
  return InvalidArgument("tenant '" + tenant + "' does not pay in credits (tenants: " + tenant +
                         ": credits: true in the config)");
}

Result<std::vector<HeldMessage>> ReadHeld(sqlite3* db, const CreditsPolicy& policy) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(
          db,
          "SELECT m.id, c.channel, c.address, m.status, m.content_sid IS NOT NULL, m.created_at "
          "FROM messages m JOIN contacts c ON c.id = m.contact_id "
          "WHERE m.status IN ('no_credits', 'over_cap') ORDER BY m.id");
      !s.ok()) {
    return s;
  }
  return sqlite::CollectRows<HeldMessage>(stmt, "held messages",
                                          [&](const sqlite::Statement& row, HeldMessage* m) {
                                            m->id = row.Int(0);
                                            m->channel = row.Text(1);
                                            m->address = row.Text(2);
                                            m->status = row.Text(3);
                                            m->business_initiated = row.Int(4) != 0;
                                            m->created_at = row.Time(5);
                                            m->tenant = policy.TenantOf(m->channel);
                                            return Status::Ok();
                                          });
}

Result<std::vector<LedgerRow>> ReadLedger(sqlite3* db, const std::string& tenant, int limit) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(db,
                              "SELECT id, delta, balance_after, reason, actor, "
                              "coalesce(message_id, 0), at FROM credit_ledger WHERE tenant = ?1 "
                              "ORDER BY id DESC LIMIT ?2");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, tenant);
  stmt.Bind(2, static_cast<int64_t>(limit));
  return sqlite::CollectRows<LedgerRow>(stmt, "credit ledger",
                                        [](const sqlite::Statement& row, LedgerRow* r) {
                                          r->id = row.Int(0);
                                          r->delta = row.Int(1);
                                          r->balance_after = row.Int(2);
                                          r->reason = row.Text(3);
                                          r->actor = row.Text(4);
                                          r->message_id = row.Int(5);
                                          r->at = row.Time(6);
                                          return Status::Ok();
                                        });
}

}  // namespace

Result<CreditsAdded> AddCredits(const std::string& db_path, const CreditsPolicy& policy,
                                const std::string& tenant, int64_t amount,
                                const std::string& reason, const std::string& actor,
                                TimePoint now) {
  if (Status s = CheckTenant(policy, tenant); !s.ok()) return s;
  if (amount <= 0) return InvalidArgument("credits to add must be more than 0");
  if (reason.empty()) return InvalidArgument("adding credits needs a reason");
  if (actor.empty()) return InvalidArgument("adding credits needs an actor (who adds them)");
  return WithDatabase<CreditsAdded>(db_path, [&](sqlite3* db) -> Result<CreditsAdded> {
    sqlite::CreditCharger credits(policy);
    if (Status s = credits.Prepare(db); !s.ok()) return s;
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    CreditsAdded added;
    Status s = credits.Move(tenant, amount, reason, actor, 0, now).status();
    if (s.ok()) {
      s = credits.Release(tenant, sqlite::kNoCredits, now, &added.released, &added.moved_over_cap);
    }
    if (s.ok()) {
      Result<int64_t> balance = credits.Balance(tenant);
      s = balance.status();
      if (balance.ok()) added.balance = *balance;
    }
    if (s.ok()) s = sqlite::Exec(db, "COMMIT");
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return added;
  });
}

Result<TenantCreditsReport> ShowCredits(const std::string& db_path, const CreditsPolicy& policy,
                                        const std::string& tenant, TimePoint now, int ledger_rows) {
  if (Status s = CheckTenant(policy, tenant); !s.ok()) return s;
  const TenantCredits& settings = *policy.Find(tenant);
  return WithDatabase<TenantCreditsReport>(
      db_path, [&](sqlite3* db) -> Result<TenantCreditsReport> {
        sqlite::CreditCharger credits(policy);
        if (Status s = credits.Prepare(db); !s.ok()) return s;
        // One read transaction: the balance, the count and the ledger agree.
        if (Status s = sqlite::Exec(db, "BEGIN"); !s.ok()) return s;
        TenantCreditsReport report;
        report.tenant = tenant;
        report.daily_cap = settings.daily_cap;
        report.time_zone = settings.time_zone;
        report.day = engine::IsoDate(engine::LocalDate(now, settings.time_zone));
        Result<int64_t> balance = credits.Balance(tenant);
        Result<int64_t> today = credits.CountToday(tenant, settings, now);
        auto held = ReadHeld(db, policy);
        auto ledger = ReadLedger(db, tenant, ledger_rows);
        (void)sqlite::Exec(db, "COMMIT");
        for (const Status& s : {balance.status(), today.status(), held.status(), ledger.status()}) {
          if (!s.ok()) return s;
        }
        report.balance = *balance;
        report.today = *today;
        for (HeldMessage& m : *held) {
          if (m.tenant == tenant) report.held.push_back(std::move(m));
        }
        report.recent = std::move(*ledger);
        return report;
      });
}

Result<std::vector<HeldMessage>> ListHeldOutbound(const std::string& db_path,
                                                  const CreditsPolicy& policy) {
  return WithDatabase<std::vector<HeldMessage>>(db_path,
                                                [&](sqlite3* db) { return ReadHeld(db, policy); });
}

}  // namespace bot
