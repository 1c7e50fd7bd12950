// The PostgreSQL store's per-request path: accept an inbound message, load its turn, commit it.
#include "bot/value.h"
#include "store/media_json.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;
using pg::Transaction;

namespace {

// AcceptInbound in one statement (one round trip, its own transaction). A new contact is
// inserted with its name and time; a known one gets them (a profile name fills a name not known
// yet and never overwrites one, as in SQLite) only when the message is new, so that a duplicate
// leaves the contact as it was. The unique index decides between two stores accepting the same
// message at once: the second waits for the first to commit, then inserts nothing. Returns
// (contact id, message id or NULL for a duplicate); no row when a contact inserted by another
// store after this statement's snapshot was taken was not seen (run it again).
constexpr char kAcceptInbound[] =
    "WITH inserted AS (INSERT INTO contacts (channel, address, name, last_inbound_at, created_at, "
    "tenant) VALUES ($1, $2, $3, $4::bigint, $4::bigint, $11) ON CONFLICT (channel, address) DO "
    "NOTHING "
    "RETURNING id), "
    "contact AS (SELECT id FROM inserted UNION ALL SELECT id FROM contacts "
    "WHERE channel = $1 AND address = $2 AND NOT EXISTS (SELECT 1 FROM inserted)), "
    "inbound AS (INSERT INTO messages (contact_id, channel, direction, text, media, provider_id, "
    "status, raw, dialog_id, vars, created_at, updated_at) "
    "SELECT id, $1, 'in', $5::text, $6::text, $7::text, 'accepted', $8::text, $9::text, "
    "$10::text, $4::bigint, $4::bigint FROM contact "
    "ON CONFLICT (contact_id, provider_id) WHERE direction = 'in' AND provider_id IS NOT NULL "
    "DO NOTHING RETURNING id, contact_id), "
    // A contact inserted above is not seen here (one snapshot): only known contacts change.
    "touched AS (UPDATE contacts SET "
    "name = CASE WHEN contacts.name = '' THEN $3 ELSE contacts.name END, "
    "last_inbound_at = greatest(coalesce(contacts.last_inbound_at, 0), $4::bigint) "
    "FROM inbound WHERE contacts.id = inbound.contact_id) "
    "SELECT contact.id, inbound.id FROM contact LEFT JOIN inbound ON true";

}  // namespace

Result<Accepted> PostgresStore::AcceptInbound(const InboundMessage& message) {
  const std::string media = message.media.empty() ? std::string() : MediaToJson(message.media);
  const std::string vars = message.vars.empty() ? std::string() : VarsToJson(message.vars);
  Params params;
  params.Add(message.channel)
      .Add(message.from)
      .Add(message.profile_name)
      .Add(message.received_at)
      .Add(message.text)
      .AddOrNull(media)
      .AddOrNull(message.provider_id)
      .Add(message.raw)
      .Add(message.dialog_id)
      .AddOrNull(vars)
      .Add(TenantOfNumber(options_.number_tenants, message.channel));
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto accepted = conn.Run(kAcceptInbound, params, "accept inbound");
  // Once more when it met a contact another store inserted meanwhile: now it sees it.
  if (accepted.ok() && accepted->empty()) {
    accepted = conn.Run(kAcceptInbound, params, "accept inbound");
  }
  if (!accepted.ok()) return accepted.status();
  if (accepted->empty()) return Internal("accept inbound: the contact is missing");
  if (!accepted->IsNull(0, 1)) return Accepted{accepted->Int(0, 1), false};
  auto found = conn.Run(
      "SELECT id FROM messages WHERE contact_id = $1 AND provider_id = $2 AND direction = 'in'",
      Params().Add(accepted->Int(0, 0)).Add(message.provider_id), "find inbound");
  if (!found.ok()) return found.status();
  if (found->empty()) return Internal("find inbound: the conflicting message is missing");
  return Accepted{found->Int(0, 0), true};
}

Result<TurnContext> PostgresStore::LoadTurn(int64_t message_id) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  // One statement, so one snapshot for the message, its contact and the latest session.
  auto rows = conn.Run(
      std::string(
          "SELECT m.text, m.media, m.provider_id, m.raw, m.created_at, m.status, m.dialog_id, "
          "m.vars, c.id, c.channel, c.address, c.name, c.opted_out_at, c.last_inbound_at, "
          "c.unreachable_code, c.unreachable_reason, c.unreachable_at, c.tenant, s.* "
          "FROM messages m JOIN contacts c ON c.id = m.contact_id "
          "LEFT JOIN LATERAL (SELECT ") +
          pg::kSessionColumns +
          " FROM sessions WHERE contact_id = c.id ORDER BY id DESC LIMIT 1) s ON true "
          "WHERE m.id = $1 AND m.direction = 'in'",
      Params().Add(message_id), "load turn");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("inbound message " + std::to_string(message_id));
  TurnContext turn;
  turn.message_id = message_id;
  InboundMessage& m = turn.message;
  m.text = rows->Text(0, 0);
  if (!rows->IsNull(0, 1) && !MediaFromJson(rows->Text(0, 1), &m.media)) {
    return Internal("message " + std::to_string(message_id) + ": bad media JSON");
  }
  m.provider_id = rows->Text(0, 2);
  m.raw = rows->Text(0, 3);
  m.received_at = rows->Time(0, 4);
  turn.processed = rows->Text(0, 5) == "processed";
  m.dialog_id = rows->Text(0, 6);
  if (!rows->IsNull(0, 7) && !VarsFromJson(rows->Text(0, 7), &m.vars)) {
    return Internal("message " + std::to_string(message_id) + ": bad vars JSON");
  }
  turn.contact = pg::ReadContact(*rows, 0, 8);
  m.channel = turn.contact.channel;
  m.from = turn.contact.address;
  constexpr int kSessionColumn = 18;  // s.*, after the message's and the contact's columns
  if (!rows->IsNull(0, kSessionColumn)) {
    auto session = pg::ReadSession(*rows, 0, kSessionColumn);
    if (!session.ok()) return session.status();
    turn.session = std::move(*session);
  }
  return turn;
}

Result<std::optional<Session>> PostgresStore::LatestSession(int64_t contact_id) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  auto rows = (*lease)->Run(std::string("SELECT ") + pg::kSessionColumns +
                                " FROM sessions WHERE contact_id = $1 ORDER BY id DESC LIMIT 1",
                            Params().Add(contact_id), "latest session");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Session>();
  auto session = pg::ReadSession(*rows, 0, 0);
  if (!session.ok()) return session.status();
  return std::optional<Session>(std::move(*session));
}

Result<CommittedTurn> PostgresStore::CommitTurn(const TurnCommit& turn) {
  if (turn.contact.id == 0) return InvalidArgument("CommitTurn: the contact has no id");
  if (turn.reply_status != "pending" && turn.reply_status != "inline") {
    return InvalidArgument("CommitTurn: reply_status must be pending or inline, not '" +
                           turn.reply_status + "'");
  }
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  CommittedTurn committed;
  // Any error returns before Commit, and the Transaction rolls every row back.
  if (Status s = WriteTurnRows(conn, turn, &committed); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return committed;
}

Result<int64_t> PostgresStore::SaveSession(pg::Connection& conn, const Session& session,
                                           int64_t contact_id) {
  Params params;
  params.Add(session.dialog_id)
      .Add(static_cast<int64_t>(session.dialog_version))
      .Add(session.state)
      .Add(SlotsToJson(session.slots))
      .Add(VarsToJson(session.vars))
      .Add(SessionStatusName(session.status))
      .Add(static_cast<int64_t>(session.attempts))
      .Add(session.started_at)
      .Add(session.updated_at)
      .Add(contact_id);
  if (session.id == 0) {
    auto rows = conn.Run(
        "INSERT INTO sessions (dialog_id, dialog_version, state, slots, vars, status, attempts, "
        "started_at, updated_at, contact_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "RETURNING id",
        params, "insert session");
    if (!rows.ok()) return rows.status();
    return rows->Int(0, 0);
  }
  params.Add(session.id);
  auto rows = conn.Run(
      "UPDATE sessions SET dialog_id = $1, dialog_version = $2, state = $3, slots = $4, "
      "vars = $5, status = $6, attempts = $7, started_at = $8, updated_at = $9 "
      "WHERE contact_id = $10 AND id = $11",
      params, "update session");
  if (!rows.ok()) return rows.status();
  if (rows->Changed() == 0) {
    return NotFound("session " + std::to_string(session.id) + " of contact " +
                    std::to_string(contact_id));
  }
  return session.id;
}

Status PostgresStore::WriteTurnRows(pg::Connection& conn, const TurnCommit& turn,
                                    CommittedTurn* committed) {
  const int64_t contact_id = turn.contact.id;
  // Opted out: the given time, else the time already stored, else now.
  auto contact = conn.Run(
      "UPDATE contacts SET name = $2, opted_out_at = CASE WHEN $3::boolean THEN "
      "coalesce($4::bigint, opted_out_at, $5::bigint) ELSE NULL END WHERE id = $1",
      Params()
          .Add(contact_id)
          .Add(turn.contact.name)
          .Add(turn.contact.opted_out)
          .Add(turn.contact.opted_out_at)
          .Add(turn.now),
      "update contact");
  if (!contact.ok()) return contact.status();
  if (contact->Changed() == 0) return NotFound("contact " + std::to_string(contact_id));
  int64_t closed_id = 0;
  if (turn.closed) {
    auto id = SaveSession(conn, *turn.closed, contact_id);
    if (!id.ok()) return id.status();
    closed_id = *id;
  }
  if (turn.session) {
    auto id = SaveSession(conn, *turn.session, contact_id);
    if (!id.ok()) return id.status();
    committed->session_id = *id;
  }
  const int64_t session_id = committed->session_id != 0 ? committed->session_id : closed_id;
  if (turn.inbound_id != 0) {
    // Two stores committing the same message: the row lock makes the second wait, and it then
    // finds the row processed and changes nothing.
    auto mark = conn.Run(
        "UPDATE messages SET status = 'processed', session_id = coalesce($2, session_id), "
        "updated_at = $3, transcript = coalesce($4, transcript) WHERE id = $1 AND "
        "direction = 'in' AND status = 'accepted'",
        Params()
            .Add(turn.inbound_id)
            .AddIdOrNull(session_id)
            .Add(turn.now)
            .AddOrNull(turn.inbound_transcript),
        "mark processed");
    if (!mark.ok()) return mark.status();
    if (mark->Changed() == 0) {
      auto status = conn.Run("SELECT status FROM messages WHERE id = $1 AND direction = 'in'",
                             Params().Add(turn.inbound_id), "inbound status");
      if (!status.ok()) return status.status();
      const std::string id = std::to_string(turn.inbound_id);
      if (status->empty()) return NotFound("inbound message " + id);
      return Status(StatusCode::kAlreadyExists, "inbound message " + id + " already processed");
    }
  }
  if (Status s = WriteCampaignStep(conn, turn, session_id); !s.ok()) return s;
  if (!turn.content_sid.empty() && !turn.replies.empty()) {
    auto id = InsertTemplateOutbound(conn, turn, session_id);
    if (!id.ok()) return id.status();
    committed->outbound_ids.push_back(*id);
  }
  for (const std::string& reply :
       turn.content_sid.empty() ? turn.replies : std::vector<std::string>()) {
    auto id = conn.Run(
        "INSERT INTO messages (contact_id, session_id, channel, direction, text, status, "
        "next_attempt_at, created_at, updated_at) VALUES "
        "($1, $2, (SELECT channel FROM contacts WHERE id = $1), 'out', $3, $4, $5::bigint, "
        "$5::bigint, $5::bigint) RETURNING id",
        Params()
            .Add(contact_id)
            .AddIdOrNull(session_id)
            .Add(reply)
            .Add(turn.reply_status)
            .Add(turn.now),
        "insert outbound");
    if (!id.ok()) return id.status();
    committed->outbound_ids.push_back(id->Int(0, 0));
  }
  for (const Record& record : turn.records) {
    auto inserted = conn.Run(
        "INSERT INTO records (contact_id, session_id, kind, data, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .Add(contact_id)
            .AddIdOrNull(session_id)
            .Add(record.kind)
            .Add(VarsToJson(record.fields))
            .Add(turn.now),
        "insert record");
    if (!inserted.ok()) return inserted.status();
  }
  for (const Event& event : turn.events) {
    auto inserted = conn.Run(
        "INSERT INTO events (contact_id, session_id, type, data, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .Add(contact_id)
            .AddIdOrNull(session_id)
            .Add(event.type)
            .Add(event.data_json)
            .Add(turn.now),
        "insert event");
    if (!inserted.ok()) return inserted.status();
  }
  if (Status s = WriteDocuments(conn, turn, session_id); !s.ok()) return s;
  for (const AuditEvent& event : turn.audit) {
    if (Status s = InsertAudit(conn, contact_id, event, turn.now); !s.ok()) return s;
    // The user opted in again: an unsubscription (21610) no longer holds.
    if (event.kind == "optin") {
      auto cleared = conn.Run(
          "UPDATE contacts SET unreachable_code = NULL, unreachable_reason = NULL, "
          "unreachable_at = NULL WHERE id = $1 AND unreachable_code = '21610'",
          Params().Add(contact_id), "clear unsubscribed");
      if (!cleared.ok()) return cleared.status();
    }
  }
  return Status::Ok();
}

}  // namespace bot
