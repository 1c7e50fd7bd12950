// The daily cap's scheduled work (bot/message_credits.h): messages held `over_cap` go back to
// the outbox at their tenant's next local day start after they were held.
#include <map>
#include <set>

#include "bot/message_credits.h"
#include "store/migrations.h"
#include "store/sqlite_credits.h"
#include "store/sqlite_statement.h"

namespace bot {

namespace {

// A tenant's over_cap messages are due at the day start after the first of them was held; a
// release that finds the new day's cap full holds the rest again, from then.
Result<std::map<std::string, TimePoint>> DueByTenant(sqlite3* db, const CreditsPolicy& policy) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(db,
                              "SELECT c.channel, min(m.updated_at) FROM messages m "
                              "JOIN contacts c ON c.id = m.contact_id "
                              "WHERE m.status = 'over_cap' GROUP BY c.channel");
      !s.ok()) {
    return s;
  }
  std::map<std::string, TimePoint> due;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    const std::string tenant = policy.TenantOf(stmt.Text(0));
    const TenantCredits* credits = policy.Find(tenant);
    const TimePoint at = NextLocalDayStart(stmt.Time(1), credits ? credits->time_zone : "UTC");
    auto [it, added] = due.emplace(tenant, at);
    if (!added && at < it->second) it->second = at;
  }
  if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "over_cap messages");
  return due;
}

}  // namespace

CapReleaseSource::CapReleaseSource(std::string db_path, CreditsPolicy policy)
    : db_path_(std::move(db_path)), policy_(std::move(policy)) {}
CapReleaseSource::~CapReleaseSource() = default;

Result<std::optional<TimePoint>> CapReleaseSource::NextDue() {
  return sqlite::WithDatabase<std::optional<TimePoint>>(
      db_path_, [&](sqlite3* db) -> Result<std::optional<TimePoint>> {
        auto due = DueByTenant(db, policy_);
        if (!due.ok()) return due.status();
        std::optional<TimePoint> next;
        for (const auto& [tenant, at] : *due) {
          if (!next || at < *next) next = at;
        }
        return next;
      });
}

Result<int64_t> CapReleaseSource::RunDue(TimePoint now) {
  return sqlite::WithDatabase<int64_t>(db_path_, [&](sqlite3* db) -> Result<int64_t> {
    sqlite::CreditCharger credits(policy_);
    if (Status s = credits.Prepare(db); !s.ok()) return s;
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    int64_t released = 0;
    int64_t moved = 0;
    auto due = DueByTenant(db, policy_);
    Status s = due.status();
    if (s.ok()) {
      for (const auto& [tenant, at] : *due) {
        if (at > now) continue;
        s = credits.Release(tenant, sqlite::kOverCap, now, &released, &moved);
        if (!s.ok()) break;
      }
    }
    if (s.ok()) s = sqlite::Exec(db, "COMMIT");
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return released + moved;
  });
}

}  // namespace bot
