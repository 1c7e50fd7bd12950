// ListHandoffs and ReleaseHandoffAs: the conversations waiting for a person, for
// "botrunner handoff list|release".
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {

using sqlite::WithDatabase;

Result<std::vector<Handoff>> ListHandoffs(const std::string& path) {
  return WithDatabase<std::vector<Handoff>>(path, [](sqlite3* db) -> Result<std::vector<Handoff>> {
    sqlite::Statement stmt;
    // The latest session of each contact, when it is in handoff.
    if (Status s =
            stmt.Prepare(db,
                         "SELECT c.channel, c.address, c.name, s.dialog_id, s.state, "
                         "s.updated_at FROM sessions s JOIN contacts c ON c.id = s.contact_id "
                         "WHERE s.status = 'handoff' AND s.id = (SELECT max(id) FROM "
                         "sessions WHERE contact_id = s.contact_id) ORDER BY s.updated_at");
        !s.ok()) {
      return s;
    }
    return sqlite::CollectRows<Handoff>(stmt, "handoffs",
                                        [](const sqlite::Statement& row, Handoff* h) {
                                          h->channel = row.Text(0);
                                          h->address = row.Text(1);
                                          h->name = row.Text(2);
                                          h->dialog_id = row.Text(3);
                                          h->state = row.Text(4);
                                          h->since = row.Time(5);
                                          return Status::Ok();
                                        });
  });
}

Status ReleaseHandoffAs(const std::string& path, const std::string& channel,
                        const std::string& address, const std::string& actor, TimePoint now) {
  if (actor.empty()) return InvalidArgument("releasing a handoff needs an actor");
  Result<bool> released = WithDatabase<bool>(path, [&](sqlite3* db) -> Result<bool> {
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    sqlite::Statement release;
    sqlite::Statement audit;
    Status s = release.Prepare(
        db,
        "UPDATE sessions SET status = 'active', updated_at = ?3 WHERE id = (SELECT s.id FROM "
        "sessions s JOIN contacts c ON c.id = s.contact_id WHERE c.channel = ?1 AND "
        "c.address = ?2 ORDER BY s.id DESC LIMIT 1) AND status = 'handoff' "
        "RETURNING contact_id, state");
    if (s.ok()) {
      s = audit.Prepare(db,
                        "INSERT INTO audit_events (contact_id, kind, detail, created_at) "
                        "VALUES (?1, 'handoff_released', ?2, ?3)");
    }
    bool found = false;
    if (s.ok()) {
      release.Bind(1, channel);
      release.Bind(2, address);
      release.Bind(3, now);
      const int rc = release.Step();
      if (rc == SQLITE_ROW) {
        found = true;
        const std::string detail = "actor=" + actor + " state=" + release.Text(1);
        audit.Bind(1, release.Int(0));
        audit.Bind(2, detail);  // bound without a copy: `detail` outlives the step
        audit.Bind(3, now);
        if (audit.Step() != SQLITE_DONE) s = sqlite::Error(db, SQLITE_ERROR, "audit handoff");
        // The admin API's claim goes with the handoff.
        sqlite::Statement unclaim;
        if (s.ok()) s = unclaim.Prepare(db, "DELETE FROM claims WHERE contact_id = ?1");
        if (s.ok()) {
          unclaim.Bind(1, release.Int(0));
          s = unclaim.Run();
        }
      } else if (rc != SQLITE_DONE) {
        s = sqlite::Error(db, rc, "release handoff");
      }
      release.Reset();  // a statement still stepping would keep COMMIT from finishing
    }
    s = s.ok() ? sqlite::Exec(db, "COMMIT") : s;
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return found;
  });
  if (!released.ok()) return released.status();
  if (!*released) return NotFound("no conversation in handoff for " + address + " on " + channel);
  return Status::Ok();
}

}  // namespace bot
