// ListHandoffs and ReleaseHandoffAs: the conversations waiting for a person, for
// "botrunner handoff list|release".
#include "bot/sqlite_conversations.h"
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {

using sqlite::WithDatabase;

Result<std::vector<Handoff>> ListHandoffs(const std::string& path) {
  return WithDatabase<std::vector<Handoff>>(path, [](sqlite3* db) -> Result<std::vector<Handoff>> {
    sqlite::Statement stmt;
    // The latest session of each contact, when it is in handoff.
    if (Status s = stmt.Prepare(
            db,
            "SELECT c.channel, c.address, c.name, s.dialog_id, s.state, "
            "s.updated_at, c.tenant FROM sessions s JOIN contacts c ON c.id = s.contact_id "
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
                                          h->tenant = row.Text(6);
                                          return Status::Ok();
                                        });
  });
}

Status ReleaseHandoffAs(const std::string& path, const std::string& channel,
                        const std::string& address, const std::string& actor, TimePoint now) {
  if (actor.empty()) return InvalidArgument("releasing a handoff needs an actor");
  Result<int64_t> contact_id = WithDatabase<int64_t>(path, [&](sqlite3* db) -> Result<int64_t> {
    sqlite::Statement find;
    if (Status s = find.Prepare(db, "SELECT id FROM contacts WHERE channel = ?1 AND address = ?2");
        !s.ok()) {
      return s;
    }
    find.Bind(1, channel);
    find.Bind(2, address);
    const int rc = find.Step();
    const int64_t id = rc == SQLITE_ROW ? find.Int(0) : 0;
    find.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite::Error(db, rc, "find contact");
    return id;
  });
  if (!contact_id.ok()) return contact_id.status();
  if (*contact_id != 0) {
    // The same release as the admin API's, as an admin would do it (whoever holds the claim).
    ConversationAction release;
    release.kind = ConversationAction::Kind::kRelease;
    release.contact_id = *contact_id;
    release.actor = actor;
    release.override_claim = true;
    release.now = now;
    Result<ActionResult> result = ApplyConversationAction(path, release);
    if (!result.ok()) return result.status();
    if (result->outcome == ActionResult::Outcome::kDone) return Status::Ok();
  }
  return NotFound("no conversation in handoff for " + address + " on " + channel);
}

}  // namespace bot
