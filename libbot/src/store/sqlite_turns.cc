// The SQLite store's per-request path: accept an inbound message, load its turn, commit it.
#include "store/media_json.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store_impl.h"
#include "store/sqlite_writes.h"

namespace bot {

using sqlite::Scope;
using sqlite::Transaction;

Result<Accepted> SqliteStore::AcceptInbound(const InboundMessage& message) {
  // Serialise outside the lock: the JSON does not depend on the database.
  const std::string media = message.media.empty() ? std::string() : MediaToJson(message.media);
  const std::string vars = message.vars.empty() ? std::string() : VarsToJson(message.vars);
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // A known contact: is this a MessageSid already stored (a retried delivery)?
  const auto find_contact = [&]() -> Result<int64_t> {
    Scope find(contact_id_);
    find->Bind(1, message.channel);
    find->Bind(2, message.from);
    const int rc = find->Step();
    if (rc == SQLITE_ROW) return find->Int(0);
    if (rc == SQLITE_DONE) return int64_t{0};
    return StepError(rc, "contact id");
  };
  Result<int64_t> contact_id = find_contact();
  if (!contact_id.ok()) return contact_id.status();
  if (*contact_id != 0 && !message.provider_id.empty()) {
    Scope find(find_inbound_);
    find->Bind(1, *contact_id);
    find->Bind(2, message.provider_id);
    const int rc = find->Step();
    if (rc == SQLITE_ROW) return Accepted{find->Int(0), true};  // rolls back: nothing changed
    if (rc != SQLITE_DONE) return StepError(rc, "find inbound");
  }
  {
    const std::string tenant = TenantOfNumber(tenants_, message.channel);
    Scope upsert(upsert_contact_);
    upsert->Bind(1, message.channel);
    upsert->Bind(2, message.from);
    upsert->Bind(3, message.profile_name);
    upsert->Bind(4, message.received_at);
    upsert->Bind(5, tenant);
    if (Status s = Run(*upsert, "upsert contact"); !s.ok()) return s;
  }
  if (*contact_id == 0) {
    contact_id = find_contact();
    if (!contact_id.ok()) return contact_id.status();
    if (*contact_id == 0) return Internal("contact id: the contact just stored is missing");
  }
  {
    Scope insert(insert_inbound_);
    insert->Bind(1, *contact_id);
    insert->Bind(2, message.channel);
    insert->Bind(3, message.text);
    insert->BindOrNull(4, media);
    insert->BindOrNull(5, message.provider_id);
    insert->Bind(6, message.raw);
    insert->Bind(7, message.dialog_id);
    insert->BindOrNull(8, vars);
    insert->Bind(9, message.received_at);
    if (Status s = Run(*insert, "insert inbound"); !s.ok()) return s;
  }
  const int64_t id = sqlite3_last_insert_rowid(db_);
  if (Status s = tx.Commit(); !s.ok()) return s;
  return Accepted{id, false};
}

Result<TurnContext> SqliteStore::LoadTurn(int64_t message_id) {
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.BeginRead(); !s.ok()) return s;
  TurnContext turn;
  turn.message_id = message_id;
  {
    Scope load(load_message_);
    load->Bind(1, message_id);
    const int rc = load->Step();
    if (rc == SQLITE_DONE) return NotFound("inbound message " + std::to_string(message_id));
    if (rc != SQLITE_ROW) return StepError(rc, "load message");
    InboundMessage& m = turn.message;
    m.text = load->Text(0);
    if (!load->IsNull(1) && !MediaFromJson(load->Text(1, sqlite::kJsonPadding), &m.media)) {
      return Internal("message " + std::to_string(message_id) + ": bad media JSON");
    }
    m.provider_id = load->Text(2);
    m.raw = load->Text(3);
    m.received_at = load->Time(4);
    turn.processed = load->Text(5) == "processed";
    m.dialog_id = load->Text(6);
    if (!load->IsNull(7) && !VarsFromJson(load->Text(7, sqlite::kJsonPadding), &m.vars)) {
      return Internal("message " + std::to_string(message_id) + ": bad vars JSON");
    }
    turn.contact = sqlite::ReadContact(*load, 8);
    m.channel = turn.contact.channel;
    m.from = turn.contact.address;
  }
  auto session = LatestSessionLocked(turn.contact.id);
  if (!session.ok()) return session.status();
  turn.session = std::move(*session);
  if (Status s = tx.Commit(); !s.ok()) return s;
  return turn;
}

Result<std::optional<Session>> SqliteStore::LatestSession(int64_t contact_id) {
  std::lock_guard lock(mu_);
  return LatestSessionLocked(contact_id);
}

Result<std::optional<Session>> SqliteStore::LatestSessionLocked(int64_t contact_id) {
  Scope latest(latest_session_);
  latest->Bind(1, contact_id);
  const int rc = latest->Step();
  if (rc == SQLITE_DONE) return std::optional<Session>();
  if (rc != SQLITE_ROW) return StepError(rc, "latest session");
  auto session = sqlite::ReadSession(*latest, 0);
  if (!session.ok()) return session.status();
  return std::optional<Session>(std::move(*session));
}

Result<CommittedTurn> SqliteStore::CommitTurn(const TurnCommit& turn) {
  if (turn.contact.id == 0) return InvalidArgument("CommitTurn: the contact has no id");
  if (turn.reply_status != "pending" && turn.reply_status != "inline") {
    return InvalidArgument("CommitTurn: reply_status must be pending or inline, not '" +
                           turn.reply_status + "'");
  }
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  CommittedTurn committed;
  // Any error returns before Commit, and the Transaction rolls every row back.
  if (Status s = WriteTurnRows(turn, &committed); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return committed;
}

Result<int64_t> SqliteStore::SaveSession(const Session& session, int64_t contact_id) {
  const std::string slots = SlotsToJson(session.slots);
  const std::string vars = VarsToJson(session.vars);
  const bool insert = session.id == 0;
  Scope save(insert ? insert_session_ : update_session_);
  // Both statements take the session's fields as ?2..?10.
  save->Bind(2, session.dialog_id);
  save->Bind(3, static_cast<int64_t>(session.dialog_version));
  save->Bind(4, session.state);
  save->Bind(5, slots);
  save->Bind(6, vars);
  save->Bind(7, SessionStatusName(session.status));
  save->Bind(8, static_cast<int64_t>(session.attempts));
  save->Bind(9, session.started_at);
  save->Bind(10, session.updated_at);
  if (insert) {
    save->Bind(1, contact_id);
  } else {
    save->Bind(1, session.id);
    save->Bind(11, contact_id);
  }
  if (Status s = Run(*save, "save session"); !s.ok()) return s;
  if (insert) return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  if (sqlite3_changes(db_) == 0) {
    return NotFound("session " + std::to_string(session.id) + " of contact " +
                    std::to_string(contact_id));
  }
  return session.id;
}

Status SqliteStore::WriteTurnRows(const TurnCommit& turn, CommittedTurn* committed) {
  const int64_t contact_id = turn.contact.id;
  {
    Scope update(update_contact_);
    update->Bind(1, contact_id);
    update->Bind(2, turn.contact.name);
    update->Bind(3, static_cast<int64_t>(turn.contact.opted_out));
    update->BindOrNull(4, turn.contact.opted_out_at);
    update->Bind(5, turn.now);
    if (Status s = Run(*update, "update contact"); !s.ok()) return s;
  }
  if (sqlite3_changes(db_) == 0) {  // nothing to change, or no such contact
    Scope exists(contact_exists_);
    exists->Bind(1, contact_id);
    const int rc = exists->Step();
    if (rc == SQLITE_DONE) return NotFound("contact " + std::to_string(contact_id));
    if (rc != SQLITE_ROW) return StepError(rc, "find contact");
  }
  int64_t closed_id = 0;
  if (turn.closed) {
    auto id = SaveSession(*turn.closed, contact_id);
    if (!id.ok()) return id.status();
    closed_id = *id;
  }
  if (turn.session) {
    auto id = SaveSession(*turn.session, contact_id);
    if (!id.ok()) return id.status();
    committed->session_id = *id;
  }
  const int64_t session_id = committed->session_id != 0 ? committed->session_id : closed_id;
  if (turn.inbound_id != 0) {
    Scope mark(mark_processed_);
    mark->Bind(1, turn.inbound_id);
    if (session_id != 0) mark->Bind(2, session_id);  // else NULL keeps the link it had
    mark->Bind(3, turn.now);
    if (!turn.inbound_transcript.empty()) mark->Bind(4, turn.inbound_transcript);
    if (Status s = Run(*mark, "mark processed"); !s.ok()) return s;
    if (sqlite3_changes(db_) == 0) {
      Scope status(inbound_status_);
      status->Bind(1, turn.inbound_id);
      const bool exists = status->Step() == SQLITE_ROW;
      const std::string id = std::to_string(turn.inbound_id);
      if (!exists) return NotFound("inbound message " + id);
      return Status(StatusCode::kAlreadyExists, "inbound message " + id + " already processed");
    }
  }
  if (Status s = WriteCampaignStep(turn, session_id); !s.ok()) return s;
  if (!turn.content_sid.empty() && !turn.replies.empty()) {
    auto id = InsertTemplateOutbound(turn, session_id);
    if (!id.ok()) return id.status();
    committed->outbound_ids.push_back(*id);
    if (Status s = ChargeOutbound(turn, *id, true, committed); !s.ok()) return s;
  }
  for (const std::string& reply :
       turn.content_sid.empty() ? turn.replies : std::vector<std::string>()) {
    auto id = sqlite::InsertOutbound(insert_outbound_, contact_id, session_id, reply,
                                     turn.reply_status, turn.now);
    if (!id.ok()) return id.status();
    committed->outbound_ids.push_back(*id);
    if (Status s = ChargeOutbound(turn, *id, false, committed); !s.ok()) return s;
  }
  for (const Record& record : turn.records) {
    const std::string data = VarsToJson(record.fields);
    Scope insert(insert_record_);
    insert->Bind(1, contact_id);
    if (session_id != 0) insert->Bind(2, session_id);
    insert->Bind(3, record.kind);
    insert->Bind(4, data);
    insert->Bind(5, turn.now);
    if (Status s = Run(*insert, "insert record"); !s.ok()) return s;
  }
  for (const Event& event : turn.events) {
    Scope insert(insert_event_);
    insert->Bind(1, contact_id);
    if (session_id != 0) insert->Bind(2, session_id);
    insert->Bind(3, event.type);
    insert->Bind(4, event.data_json);
    insert->Bind(5, turn.now);
    if (Status s = Run(*insert, "insert event"); !s.ok()) return s;
  }
  if (Status s = WriteDocuments(turn, session_id); !s.ok()) return s;
  for (const AuditEvent& event : turn.audit) {
    if (Status s = sqlite::InsertAudit(insert_audit_, contact_id, event, turn.now); !s.ok()) {
      return s;
    }
    // The user opted in again: an unsubscription (21610) no longer holds.
    if (event.kind == "optin") {
      Scope clear(clear_unsubscribed_);
      clear->Bind(1, contact_id);
      if (Status s = Run(*clear, "clear unsubscribed"); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace bot
