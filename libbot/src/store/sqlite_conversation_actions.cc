// ApplyConversationAction: claim, write, release, close, opt out. Each reads the conversation,
// checks that the action applies, changes it and audits it in one BEGIN IMMEDIATE transaction.
#include "bot/sqlite_conversations.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using Kind = ConversationAction::Kind;
using Outcome = ActionResult::Outcome;
using sqlite::Statement;

// The conversation as the checks need it.
struct Current {
  bool opted_out = false;
  std::optional<TimePoint> last_inbound_at;
  int64_t session_id = 0;  // 0: no session
  std::string status;
  std::string dialog_id;
  std::string state;
  std::string claimed_by;  // a claim of this session while in handoff; any other holds nothing
};

Result<std::optional<Current>> ReadCurrent(sqlite3* db, int64_t contact_id) {
  Statement stmt;
  if (Status s = stmt.Prepare(
          db,
          "SELECT c.opted_out_at IS NOT NULL, c.last_inbound_at, coalesce(s.id, 0), "
          "coalesce(s.status, ''), coalesce(s.dialog_id, ''), coalesce(s.state, ''), "
          "CASE WHEN s.status = 'handoff' AND cl.session_id = s.id THEN cl.agent ELSE '' END "
          "FROM contacts c LEFT JOIN sessions s ON s.id = "
          "(SELECT max(id) FROM sessions WHERE contact_id = c.id) LEFT JOIN claims cl ON "
          "cl.contact_id = c.id WHERE c.id = ?1");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, contact_id);
  const int rc = stmt.Step();
  if (rc == SQLITE_DONE) return std::optional<Current>();
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "read conversation");
  Current c;
  c.opted_out = stmt.Int(0) != 0;
  c.last_inbound_at = stmt.OptionalTime(1);
  c.session_id = stmt.Int(2);
  c.status = stmt.Text(3);
  c.dialog_id = stmt.Text(4);
  c.state = stmt.Text(5);
  c.claimed_by = stmt.Text(6);
  stmt.Reset();
  return std::optional<Current>(std::move(c));
}

// Runs `sql` with its parameters bound by `bind`.
template <typename Bind>
Status Run(sqlite3* db, std::string_view sql, Bind bind) {
  Statement stmt;
  if (Status s = stmt.Prepare(db, sql); !s.ok()) return s;
  bind(stmt);
  Status s = stmt.Run();
  stmt.Reset();
  return s;
}

ActionResult Refuse(Outcome outcome, std::string message) {
  ActionResult r;
  r.outcome = outcome;
  r.message = std::move(message);
  return r;
}

// Whether `action` applies to `c`; the refusal when it does not.
std::optional<ActionResult> Check(const ConversationAction& action, const Current& c) {
  if (!c.claimed_by.empty() && c.claimed_by != action.actor && !action.override_claim) {
    ActionResult r =
        Refuse(Outcome::kClaimedByOther, "the conversation is claimed by " + c.claimed_by);
    r.claimed_by = c.claimed_by;
    return r;
  }
  const bool live = c.status == "active" || c.status == "handoff";
  switch (action.kind) {
    case Kind::kClaim:
      if (c.opted_out) return Refuse(Outcome::kNotAllowed, "the contact opted out");
      if (!live) {
        return Refuse(Outcome::kNotAllowed, "the conversation is " +
                                                (c.status.empty() ? "not started" : c.status) +
                                                ": there is nothing to take over");
      }
      break;
    case Kind::kMessage:
      if (c.opted_out) return Refuse(Outcome::kNotAllowed, "the contact opted out");
      if (c.status != "handoff") {
        return Refuse(Outcome::kNotAllowed,
                      "the bot has this conversation: claim it first (POST .../claim)");
      }
      if (action.content_sid.empty() && action.window_start &&
          (!c.last_inbound_at || *c.last_inbound_at < *action.window_start)) {
        return Refuse(Outcome::kOutsideWindow,
                      "the user's last message is older than 24 hours: outside WhatsApp's "
                      "customer service window only an approved template may be sent");
      }
      break;
    case Kind::kRelease:
      if (c.status != "handoff") {
        return Refuse(Outcome::kNotAllowed, "the conversation is not in handoff");
      }
      if (!action.state.empty() &&
          (!action.state_exists || !action.state_exists(c.dialog_id, action.state))) {
        return Refuse(Outcome::kUnknownState,
                      "dialog " + c.dialog_id + " has no state '" + action.state + "'");
      }
      break;
    case Kind::kClose:
      if (!live) return Refuse(Outcome::kNotAllowed, "the conversation is not open");
      break;
    case Kind::kOptOut:
      if (c.opted_out) return Refuse(Outcome::kNotAllowed, "the contact already opted out");
      break;
  }
  return std::nullopt;
}

Status Audit(sqlite3* db, int64_t contact_id, std::string_view kind, const std::string& detail,
             TimePoint now) {
  return Run(db,
             "INSERT INTO audit_events (contact_id, kind, detail, created_at) "
             "VALUES (?1, ?2, ?3, ?4)",
             [&](Statement& s) {
               s.Bind(1, contact_id);
               s.Bind(2, kind);
               s.Bind(3, detail);
               s.Bind(4, now);
             });
}

Status SetSession(sqlite3* db, const Current& c, std::string_view status, std::string_view state,
                  TimePoint now) {
  return Run(db,
             "UPDATE sessions SET status = ?2, state = ?3, attempts = CASE WHEN state = ?3 THEN "
             "attempts ELSE 0 END, updated_at = ?4 WHERE id = ?1",
             [&](Statement& s) {
               s.Bind(1, c.session_id);
               s.Bind(2, status);
               s.Bind(3, state);
               s.Bind(4, now);
             });
}

Status SetClaim(sqlite3* db, int64_t contact_id, const Current& c, const std::string& agent,
                TimePoint now) {
  return Run(db,
             "INSERT INTO claims (contact_id, session_id, agent, claimed_at) VALUES (?1, ?2, ?3, "
             "?4) ON CONFLICT (contact_id) DO UPDATE SET session_id = ?2, agent = ?3, "
             "claimed_at = ?4",
             [&](Statement& s) {
               s.Bind(1, contact_id);
               s.Bind(2, c.session_id);
               s.Bind(3, agent);
               s.Bind(4, now);
             });
}

Status DropClaim(sqlite3* db, int64_t contact_id) {
  return Run(db, "DELETE FROM claims WHERE contact_id = ?1",
             [&](Statement& s) { s.Bind(1, contact_id); });
}

// The change itself, once Check passed.
Status Apply(sqlite3* db, const ConversationAction& a, const Current& c, ActionResult* result) {
  const std::string actor = "actor=" + a.actor;
  Status s;
  switch (a.kind) {
    case Kind::kClaim:
      s = SetClaim(db, a.contact_id, c, a.actor, a.now);
      if (s.ok() && c.status == "active") s = SetSession(db, c, "handoff", c.state, a.now);
      if (s.ok()) {
        s = Audit(db, a.contact_id, "agent_claimed",
                  actor + (c.status == "active" ? " took over from the bot in state " + c.state
                                                : std::string()),
                  a.now);
      }
      return s;
    case Kind::kMessage: {
      Statement insert;
      s = insert.Prepare(db,
                         "INSERT INTO messages (contact_id, session_id, channel, direction, text, "
                         "status, next_attempt_at, created_at, updated_at, author, agent, "
                         "content_sid, content_variables) VALUES "
                         "(?1, ?2, (SELECT channel FROM contacts WHERE id = ?1), 'out', ?3, "
                         "'pending', ?4, ?4, ?4, 'agent', ?5, ?6, ?7)");
      if (!s.ok()) return s;
      insert.Bind(1, a.contact_id);
      insert.Bind(2, c.session_id);
      insert.Bind(3, a.text);
      insert.Bind(4, a.now);
      insert.Bind(5, a.actor);
      if (!a.content_sid.empty()) {
        insert.Bind(6, a.content_sid);
        insert.BindOrNull(7, a.content_variables);
      }
      s = insert.Run();
      insert.Reset();
      if (!s.ok()) return s;
      result->message_id = sqlite3_last_insert_rowid(db);
      // Whoever writes holds the conversation, so two agents do not answer one user.
      if (c.claimed_by.empty()) s = SetClaim(db, a.contact_id, c, a.actor, a.now);
      if (s.ok()) {
        s = Audit(db, a.contact_id, "agent_message",
                  actor + " message=" + std::to_string(result->message_id) +
                      (a.content_sid.empty() ? "" : " template=" + a.content_sid),
                  a.now);
      }
      return s;
    }
    case Kind::kRelease: {
      const std::string& state = a.state.empty() ? c.state : a.state;
      s = SetSession(db, c, "active", state, a.now);
      if (s.ok()) s = DropClaim(db, a.contact_id);
      if (s.ok()) s = Audit(db, a.contact_id, "handoff_released", actor + " state=" + state, a.now);
      return s;
    }
    case Kind::kClose:
      s = SetSession(db, c, "done", c.state, a.now);
      if (s.ok()) s = DropClaim(db, a.contact_id);
      if (s.ok()) s = Audit(db, a.contact_id, "agent_closed", actor + " state=" + c.state, a.now);
      return s;
    case Kind::kOptOut:
      s = Run(db, "UPDATE contacts SET opted_out_at = ?2 WHERE id = ?1", [&](Statement& st) {
        st.Bind(1, a.contact_id);
        st.Bind(2, a.now);
      });
      if (s.ok() && (c.status == "active" || c.status == "handoff")) {
        s = SetSession(db, c, "opted_out", c.state, a.now);
      }
      if (s.ok()) s = DropClaim(db, a.contact_id);
      if (s.ok()) s = Audit(db, a.contact_id, "agent_opted_out", actor, a.now);
      return s;
  }
  return Internal("unknown conversation action");
}

}  // namespace

Result<ActionResult> ApplyConversationAction(const std::string& path,
                                             const ConversationAction& action) {
  if (action.actor.empty()) return InvalidArgument("a conversation action needs an actor");
  return sqlite::WithDatabase<ActionResult>(path, [&](sqlite3* db) -> Result<ActionResult> {
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    ActionResult result;
    Result<std::optional<Current>> current = ReadCurrent(db, action.contact_id);
    Status s = current.status();
    if (s.ok() && !current->has_value()) {
      result = Refuse(Outcome::kNotFound, "no conversation " + std::to_string(action.contact_id));
    } else if (s.ok()) {
      if (std::optional<ActionResult> refused = Check(action, **current)) {
        result = std::move(*refused);
      } else {
        s = Apply(db, action, **current, &result);
      }
    }
    // A refusal changed nothing; committing it costs the same as rolling it back.
    s = s.ok() ? sqlite::Exec(db, "COMMIT") : s;
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return result;
  });
}

}  // namespace bot
