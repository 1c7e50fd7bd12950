// ListConversations, GetConversation, ConversationAddress and MediaChannels: what the operators'
// desk reads.
#include "bot/sqlite_conversations.h"

#include <limits>

#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using sqlite::Statement;
using sqlite::WithDatabase;

// One row per contact with its latest session, its claim, its newest activity and last text.
// A scan over the contacts (each with an index lookup of its messages): an operators' desk
// holds thousands of conversations, not millions; the text search reads every message.
constexpr char kConversationsSql[] = R"sql(
WITH conv AS (
  SELECT c.id, c.channel, c.address, c.name, c.last_inbound_at,
         CASE WHEN c.opted_out_at IS NOT NULL THEN 'opted_out'
              ELSE coalesce(s.status, '') END AS status,
         coalesce(s.dialog_id, '') AS dialog_id, coalesce(s.state, '') AS state,
         max(c.created_at, coalesce(s.updated_at, 0),
             coalesce((SELECT max(m.created_at) FROM messages m WHERE m.contact_id = c.id), 0))
           AS activity,
         -- A claim counts while its session is in handoff: one left behind by an expiry or a
         -- new session holds nothing.
         CASE WHEN c.opted_out_at IS NULL AND s.status = 'handoff' AND cl.session_id = s.id
              THEN cl.agent ELSE '' END AS claimed_by,
         coalesce((SELECT CASE WHEN m.text <> '' THEN m.text ELSE coalesce(m.transcript, '') END
                   FROM messages m WHERE m.contact_id = c.id ORDER BY m.id DESC LIMIT 1), '')
           AS last_text
  FROM contacts c
  LEFT JOIN sessions s ON s.id = (SELECT max(id) FROM sessions WHERE contact_id = c.id)
  LEFT JOIN claims cl ON cl.contact_id = c.id
)
SELECT id, channel, address, name, status, dialog_id, state, activity, last_inbound_at,
       claimed_by, last_text
FROM conv
WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR dialog_id = ?2) AND (?3 = '' OR channel = ?3)
  AND (?4 = '' OR address LIKE ?4 ESCAPE '\' OR name LIKE ?4 ESCAPE '\'
       OR EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = conv.id
                  AND (m.text LIKE ?4 ESCAPE '\' OR m.transcript LIKE ?4 ESCAPE '\')))
  AND (activity < ?5 OR (activity = ?5 AND id < ?6))
  AND (?8 IS NULL OR instr(?8, char(10) || channel || char(10)) > 0)
)sql";

// `%text%` for LIKE, with LIKE's own characters escaped.
std::string LikePattern(const std::string& text) {
  if (text.empty()) return "";
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

ConversationSummary ReadSummary(const Statement& row) {
  ConversationSummary s;
  s.contact_id = row.Int(0);
  s.channel = row.Text(1);
  s.address = row.Text(2);
  s.name = row.Text(3);
  s.status = row.Text(4);
  s.dialog_id = row.Text(5);
  s.state = row.Text(6);
  s.activity = row.Time(7);
  s.last_inbound_at = row.OptionalTime(8);
  s.claimed_by = row.Text(9);
  s.last_text = row.Text(10);
  return s;
}

// Every row of `sql` (whose one parameter is the contact id), each read by `read`, into `out`.
template <typename T, typename Read>
Status ContactRows(sqlite3* db, std::string_view sql, int64_t contact_id, std::string_view what,
                   Read read, std::vector<T>* out) {
  Statement stmt;
  if (Status s = stmt.Prepare(db, sql); !s.ok()) return s;
  stmt.Bind(1, contact_id);
  Result<std::vector<T>> rows = sqlite::CollectRows<T>(stmt, what, read);
  if (!rows.ok()) return rows.status();
  *out = std::move(*rows);
  return Status::Ok();
}

}  // namespace

Result<std::vector<ConversationSummary>> ListConversations(const std::string& path,
                                                           const ConversationFilter& filter) {
  if (filter.limit < 1 || filter.limit > 200) return InvalidArgument("limit must be 1 to 200");
  return WithDatabase<std::vector<ConversationSummary>>(
      path, [&](sqlite3* db) -> Result<std::vector<ConversationSummary>> {
        Statement stmt;
        const std::string sql =
            std::string(kConversationsSql) + " ORDER BY activity DESC, id DESC LIMIT ?7";
        if (Status s = stmt.Prepare(db, sql); !s.ok()) return s;
        const std::string like = LikePattern(filter.query);
        stmt.Bind(1, filter.status);
        stmt.Bind(2, filter.dialog);
        stmt.Bind(3, filter.number);
        stmt.Bind(4, like);
        if (filter.after) {
          stmt.Bind(5, filter.after->first);
          stmt.Bind(6, filter.after->second);
        } else {
          stmt.Bind(5, std::numeric_limits<int64_t>::max());
          stmt.Bind(6, int64_t{0});
        }
        stmt.Bind(7, static_cast<int64_t>(filter.limit));
        // "\n<number>\n<number>\n": a bot address holds no line break.
        std::string numbers;
        if (filter.numbers) {
          numbers = "\n";
          for (const std::string& number : *filter.numbers) numbers += number + "\n";
          stmt.Bind(8, numbers);
        }
        return sqlite::CollectRows<ConversationSummary>(
            stmt, "list conversations", [](const Statement& row, ConversationSummary* out) {
              *out = ReadSummary(row);
              return Status::Ok();
            });
      });
}

Result<ConversationDetail> GetConversation(const std::string& path, int64_t contact_id) {
  return WithDatabase<ConversationDetail>(path, [&](sqlite3* db) -> Result<ConversationDetail> {
    // One snapshot for every read below.
    if (Status s = sqlite::Exec(db, "BEGIN"); !s.ok()) return s;
    Result<ConversationDetail> out = [&]() -> Result<ConversationDetail> {
      ConversationDetail d;
      Statement stmt;
      const std::string one = std::string(kConversationsSql) + " AND id = ?7";
      if (Status s = stmt.Prepare(db, one); !s.ok()) return s;
      stmt.Bind(1, "");
      stmt.Bind(2, "");
      stmt.Bind(3, "");
      stmt.Bind(4, "");
      stmt.Bind(5, std::numeric_limits<int64_t>::max());
      stmt.Bind(6, int64_t{0});
      stmt.Bind(7, contact_id);
      int rc = stmt.Step();
      if (rc == SQLITE_DONE) return NotFound("no conversation " + std::to_string(contact_id));
      if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "read conversation");
      d.summary = ReadSummary(stmt);
      stmt.Reset();

      Statement session;
      if (Status s = session.Prepare(db,
                                     "SELECT id, status, slots, vars, started_at, updated_at FROM "
                                     "sessions WHERE contact_id = ?1 ORDER BY id DESC LIMIT 1");
          !s.ok()) {
        return s;
      }
      session.Bind(1, contact_id);
      rc = session.Step();
      if (rc == SQLITE_ROW) {
        d.has_session = true;
        d.session_id = session.Int(0);
        d.session_status = session.Text(1);
        d.slots_json = session.Text(2);
        d.vars_json = session.Text(3);
        d.started_at = session.Time(4);
        d.updated_at = session.Time(5);
      } else if (rc != SQLITE_DONE) {
        return sqlite::Error(db, rc, "read session");
      }
      session.Reset();

      Status read = ContactRows<ConversationMessage>(
          db,
          "SELECT id, direction, author, coalesce(agent, ''), text, coalesce(transcript, ''), "
          "status, coalesce(error_code, ''), coalesce(media, ''), created_at FROM messages "
          "WHERE contact_id = ?1 ORDER BY id",
          contact_id, "read messages",
          [](const Statement& row, ConversationMessage* m) {
            m->id = row.Int(0);
            m->direction = row.Text(1);
            m->author = m->direction == "in" ? "user" : row.Text(2);
            m->agent = row.Text(3);
            m->text = row.Text(4);
            m->transcript = row.Text(5);
            m->status = row.Text(6);
            m->error_code = row.Text(7);
            m->media_json = row.Text(8);
            m->created_at = row.Time(9);
            return Status::Ok();
          },
          &d.messages);
      if (read.ok()) {
        read = ContactRows<ConversationDetail::RecordRow>(
            db, "SELECT kind, data, created_at FROM records WHERE contact_id = ?1 ORDER BY id",
            contact_id, "read records",
            [](const Statement& row, ConversationDetail::RecordRow* r) {
              r->kind = row.Text(0);
              r->data_json = row.Text(1);
              r->created_at = row.Time(2);
              return Status::Ok();
            },
            &d.records);
      }
      if (read.ok()) {
        read = ContactRows<ConversationDetail::AuditRow>(
            db,
            "SELECT kind, detail, created_at FROM audit_events WHERE contact_id = ?1 ORDER BY id",
            contact_id, "read audit",
            [](const Statement& row, ConversationDetail::AuditRow* a) {
              a->kind = row.Text(0);
              a->detail = row.Text(1);
              a->created_at = row.Time(2);
              return Status::Ok();
            },
            &d.audit);
      }
      if (!read.ok()) return read;

      Statement usage;
      if (Status s = usage.Prepare(db,
                                   "SELECT count(*), coalesce(sum(tokens_in), 0), "
                                   "coalesce(sum(tokens_out), 0), coalesce(sum(cost_micro_usd), 0) "
                                   "FROM usage_records WHERE conversation = ?1");
          !s.ok()) {
        return s;
      }
      usage.Bind(1, d.summary.address);
      if (usage.Step() == SQLITE_ROW) {
        d.usage = {usage.Int(0), usage.Int(1), usage.Int(2), usage.Int(3)};
      }
      usage.Reset();

      Statement claim;
      if (Status s = claim.Prepare(db, "SELECT claimed_at FROM claims WHERE contact_id = ?1");
          !s.ok()) {
        return s;
      }
      claim.Bind(1, contact_id);
      if (claim.Step() == SQLITE_ROW && !d.summary.claimed_by.empty()) {
        d.claimed_at = claim.Time(0);
      }
      claim.Reset();
      return d;
    }();
    (void)sqlite::Exec(db, "COMMIT");
    return out;
  });
}

Result<std::pair<std::string, std::string>> ConversationAddress(const std::string& path,
                                                                int64_t contact_id) {
  using Address = std::pair<std::string, std::string>;
  return WithDatabase<Address>(path, [&](sqlite3* db) -> Result<Address> {
    Statement stmt;
    if (Status s = stmt.Prepare(db, "SELECT channel, address FROM contacts WHERE id = ?1");
        !s.ok()) {
      return s;
    }
    stmt.Bind(1, contact_id);
    const int rc = stmt.Step();
    if (rc == SQLITE_DONE) return NotFound("no conversation " + std::to_string(contact_id));
    if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "read contact");
    Address out{stmt.Text(0), stmt.Text(1)};
    stmt.Reset();
    return out;
  });
}

Result<std::vector<std::string>> MediaChannels(const std::string& path, const std::string& file) {
  return WithDatabase<std::vector<std::string>>(
      path, [&](sqlite3* db) -> Result<std::vector<std::string>> {
        Statement stmt;
        // A scan of the messages with media (asked only for a token limited to some tenants): the
        // file is a stored path's last component.
        if (Status s = stmt.Prepare(db,
                                    "SELECT DISTINCT channel FROM messages WHERE media IS NOT NULL "
                                    "AND (instr(media, '/' || ?1 || '\"') > 0 OR "
                                    "instr(media, '\"path\":\"' || ?1 || '\"') > 0)");
            !s.ok()) {
          return s;
        }
        stmt.Bind(1, file);
        return sqlite::CollectRows<std::string>(stmt, "media channels",
                                                [](const Statement& row, std::string* out) {
                                                  *out = row.Text(0);
                                                  return Status::Ok();
                                                });
      });
}

}  // namespace bot
