// ListFailedInbound and RetryFailedInbound: inbound messages a turn could not process
// (Store::MarkInboundFailed), for "botrunner inbound failed|retry".
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"

namespace bot {

using sqlite::WithDatabase;

Result<std::vector<FailedInbound>> ListFailedInbound(const std::string& path) {
  return WithDatabase<std::vector<FailedInbound>>(
      path, [](sqlite3* db) -> Result<std::vector<FailedInbound>> {
        sqlite::Statement stmt;
        if (Status s = stmt.Prepare(db,
                                    "SELECT m.id, c.channel, c.address, "
                                    "coalesce(m.provider_id, ''), coalesce(m.error, ''), "
                                    "m.created_at, c.tenant FROM messages m "
                                    "JOIN contacts c ON c.id = m.contact_id "
                                    "WHERE m.direction = 'in' AND m.status = 'failed' "
                                    "ORDER BY m.id");
            !s.ok()) {
          return s;
        }
        return sqlite::CollectRows<FailedInbound>(
            stmt, "failed inbound", [](const sqlite::Statement& row, FailedInbound* m) {
              m->id = row.Int(0);
              m->channel = row.Text(1);
              m->address = row.Text(2);
              m->provider_id = row.Text(3);
              m->error = row.Text(4);
              m->received_at = row.Time(5);
              m->tenant = row.Text(6);
              return Status::Ok();
            });
      });
}

Result<int64_t> RetryFailedInbound(const std::string& path, int64_t id, TimePoint now) {
  return WithDatabase<int64_t>(path, [&](sqlite3* db) -> Result<int64_t> {
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    sqlite::Statement audit;
    sqlite::Statement retry;
    Status s = audit.Prepare(db,
                             "INSERT INTO audit_events (contact_id, kind, detail, created_at) "
                             "SELECT contact_id, 'inbound_retry', "
                             "'message ' || coalesce(provider_id, '') || ': queued again', ?2 "
                             "FROM messages WHERE direction = 'in' AND status = 'failed' "
                             "AND (?1 = 0 OR id = ?1)");
    if (s.ok()) {
      s = retry.Prepare(db,
                        "UPDATE messages SET status = 'accepted', error = NULL, updated_at = ?2 "
                        "WHERE direction = 'in' AND status = 'failed' AND (?1 = 0 OR id = ?1)");
    }
    int64_t changed = 0;
    for (sqlite::Statement* stmt : {&audit, &retry}) {
      if (!s.ok()) break;
      stmt->Bind(1, id);
      stmt->Bind(2, now);
      const int rc = stmt->Step();
      if (rc != SQLITE_DONE) s = sqlite::Error(db, rc, "retry failed inbound");
      changed = sqlite3_changes(db);
    }
    s = s.ok() ? sqlite::Exec(db, "COMMIT") : s;
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return changed;
  });
}

}  // namespace bot
