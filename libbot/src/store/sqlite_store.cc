// Opening the SQLite store: the connection, its pragmas, the migrations and every prepared
// statement. The methods live in sqlite_turns.cc, sqlite_outbox.cc and sqlite_queries.cc.
#include <iterator>
#include <utility>

#include "store/migrations.h"
#include "store/number_tenants.h"
#include "store/sqlite_checkpointer.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store_impl.h"
#include "store/sqlite_wal_vfs.h"
#include "store/sqlite_writes.h"

namespace bot {

namespace {

using sqlite::kContactColumns;
using sqlite::kSessionColumns;
using sqlite::Statement;

}  // namespace

namespace sqlite {

Status ApplyPragmas(sqlite3* db, const SqliteOptions& options) {
  if (options.synchronous != "normal" && options.synchronous != "full") {
    return InvalidArgument("sqlite synchronous must be \"normal\" or \"full\", not \"" +
                           options.synchronous + "\"");
  }
  // busy_timeout first: switching to WAL can itself wait for another connection's lock.
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return sqlite::Exec(db,
                      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                      "PRAGMA synchronous = " +
                          options.synchronous +
                          "; PRAGMA cache_size = -" + std::to_string(options.cache_kib) + ";");
}

Status OpenMigrated(const std::string& path, const SqliteOptions& options, sqlite3** db) {
  // NOMUTEX: each owner's own mutex already serialises every use of its connection. The VFS
  // writes a commit's WAL frames with one system call (sqlite_wal_vfs.h).
  const int rc = sqlite3_open_v2(path.c_str(), db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 WalBatchingVfs());
  if (rc != SQLITE_OK) return Unavailable("open " + path + ": " + Error(*db, rc, "").message());
  if (Status s = ApplyPragmas(*db, options); !s.ok()) return s;
  return Migrate(*db);
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, SqliteOptions options) {
  return SqliteStore::Open(path, options);
}

Result<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path,
                                                 const SqliteOptions& options) {
  sqlite3* db = nullptr;
  const Status opened = sqlite::OpenMigrated(path, options, &db);
  // The store owns `db` from here on, even when opening failed, so it is always closed.
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, options));
  if (!opened.ok()) return opened;
  if (Status s = store->PrepareAll(); !s.ok()) return s;
  if (Status s = store->AssignTenants(); !s.ok()) return s;
  store->tx_.grouped = options.group_commit;
  if (options.background_checkpoint) {
    auto checkpointer = sqlite::Checkpointer::Start(path, db, sqlite::Checkpointer::kEveryFrames,
                                                    options.checkpoint_at_idle_priority);
    if (!checkpointer.ok()) return checkpointer.status();
    store->checkpointer_ = std::move(*checkpointer);
  }
  return std::unique_ptr<Store>(std::move(store));
}

Status SqliteStore::AssignTenants() {
  if (tenants_.empty()) return Status::Ok();
  sqlite::Transaction tx(tx_);  // rolled back unless committed
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement assign;
  if (Status s =
          assign.Prepare(db_, "UPDATE contacts SET tenant = ?2 WHERE tenant = '' AND channel = ?1");
      !s.ok()) {
    return s;
  }
  for (const auto& [number, tenant] : tenants_) {
    assign.Bind(1, number);
    assign.Bind(2, tenant);
    if (Status s = Run(assign, "assign tenants"); !s.ok()) return s;
    assign.Reset();
  }
  // Numbers no longer configured: their contacts are the default tenant's, as new ones are.
  if (Status s = sqlite::Exec(db_, std::string("UPDATE contacts SET tenant = '") + kDefaultTenant +
                                       "' WHERE tenant = ''");
      !s.ok()) {
    return s;
  }
  Statement stored;
  if (Status s = stored.Prepare(db_, kNumberContactsSql); !s.ok()) return s;
  std::vector<NumberContacts> rows;
  int rc;
  while ((rc = stored.Step()) == SQLITE_ROW) {
    rows.push_back({stored.Text(0), stored.Text(1), stored.Int(2)});
  }
  if (rc != SQLITE_DONE) return StepError(rc, "count contacts by tenant");
  if (Status s = CheckNumberTenants(tenants_, rows); !s.ok()) return s;
  return tx.Commit();
}

SqliteStore::~SqliteStore() {
  // Whatever a group still holds is committed and its waiters told; a failure has no one
  // left to report to, and those writes were never acknowledged.
  static_cast<void>(Flush());
  checkpointer_.reset();
  // close_v2 defers the close until the member statements are finalized after this body.
  sqlite3_close_v2(db_);
}

Status SqliteStore::CommitGroupLocked(std::vector<Waiter>* ready) {
  const Status outcome = tx_.CommitGroup();
  ready->swap(waiters_);
  return outcome;
}

void SqliteStore::Notify(std::vector<Waiter>& waiters, const Status& outcome) {
  for (Waiter& then : waiters) then(outcome);
}

Status SqliteStore::Flush() {
  std::vector<Waiter> ready;
  Status outcome = Status::Ok();
  {
    std::lock_guard lock(mu_);
    outcome = CommitGroupLocked(&ready);
  }
  Notify(ready, outcome);
  return outcome;
}

void SqliteStore::WhenDurable(std::function<void(const Status&)> then) {
  {
    std::lock_guard lock(mu_);
    if (tx_.group_open || tx_.group_lost) {
      waiters_.push_back(std::move(then));
      return;
    }
  }
  then(Status::Ok());
}

Status SqliteStore::Run(sqlite::Statement& stmt, const char* what) {
  const int rc = stmt.Step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return StepError(rc, what);
}

Status SqliteStore::PrepareAll() {
  const std::string session_columns = kSessionColumns;
  const std::string contact_columns = kContactColumns;
  const std::string kNewOptedOutAt =
      "(CASE WHEN ?3 THEN coalesce(?4, opted_out_at, ?5) ELSE NULL END)";
  const std::pair<sqlite::Statement*, std::string> statements[] = {
      {&find_inbound_,
       "SELECT id FROM messages WHERE contact_id = ?1 AND provider_id = ?2 AND direction = 'in'"},
      // A profile name, when the channel sends one, fills a name not known yet; it never
      // overwrites one (the user may have told the dialog their real name, set_name). No
      // RETURNING clause here or below: it costs an ephemeral table per call, more than a
      // second lookup.
      {&upsert_contact_,
       "INSERT INTO contacts (channel, address, name, last_inbound_at, created_at, tenant) "
       "VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT (channel, address) DO UPDATE SET "
       "name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END, "
       "last_inbound_at = max(coalesce(contacts.last_inbound_at, 0), excluded.last_inbound_at)"},
      {&contact_id_, "SELECT id FROM contacts WHERE channel = ?1 AND address = ?2"},
      {&insert_inbound_,
       "INSERT INTO messages (contact_id, channel, direction, text, media, provider_id, status, "
       "raw, dialog_id, vars, created_at, updated_at) "
       "VALUES (?1, ?2, 'in', ?3, ?4, ?5, 'accepted', ?6, ?7, ?8, ?9, ?9)"},
      {&load_message_,
       "SELECT m.text, m.media, m.provider_id, m.raw, m.created_at, m.status, m.dialog_id, "
       "m.vars, c.id, c.channel, c.address, c.name, c.opted_out_at, c.last_inbound_at, "
       "coalesce(c.unreachable_code, ''), coalesce(c.unreachable_reason, ''), c.unreachable_at, "
       "c.tenant FROM messages m JOIN contacts c ON c.id = m.contact_id "
       "WHERE m.id = ?1 AND m.direction = 'in'"},
      {&latest_session_, "SELECT " + session_columns +
                             " FROM sessions WHERE contact_id = ?1 ORDER BY id DESC LIMIT 1"},
      // Opted out: the given time, else the time already stored, else now. The WHERE clause
      // skips the write (and a dirty page in the WAL) on the usual turn that changes nothing.
      {&update_contact_, "UPDATE contacts SET name = ?2, opted_out_at = " + kNewOptedOutAt +
                             " WHERE id = ?1 AND (name IS NOT ?2 OR opted_out_at IS NOT " +
                             kNewOptedOutAt + ")"},
      {&contact_exists_, "SELECT 1 FROM contacts WHERE id = ?1"},
      {&insert_session_,
       "INSERT INTO sessions (contact_id, dialog_id, dialog_version, state, slots, vars, status, "
       "attempts, started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&update_session_,
       "UPDATE sessions SET dialog_id = ?2, dialog_version = ?3, state = ?4, slots = ?5, "
       "vars = ?6, status = ?7, attempts = ?8, started_at = ?9, updated_at = ?10 "
       "WHERE id = ?1 AND contact_id = ?11"},
      {&mark_processed_,
       "UPDATE messages SET status = 'processed', session_id = coalesce(?2, session_id), "
       "updated_at = ?3, transcript = coalesce(?4, transcript) WHERE id = ?1 AND direction = 'in' "
       "AND status = 'accepted'"},
      {&inbound_status_, "SELECT status FROM messages WHERE id = ?1 AND direction = 'in'"},
      {&insert_outbound_, sqlite::kInsertOutboundSql},
      {&insert_template_outbound_,
       "INSERT INTO messages (contact_id, session_id, channel, direction, text, status, "
       "next_attempt_at, created_at, updated_at, content_sid, content_variables) VALUES "
       "(?1, ?2, (SELECT channel FROM contacts WHERE id = ?1), 'out', ?3, ?4, ?5, ?5, ?5, ?6, ?7)"},
      {&campaign_step_,
       "UPDATE campaign_recipients SET status = ?2, reason = ?3, due_at = ?4, "
       "session_id = coalesce(?5, session_id), "
       "sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END, updated_at = ?6 "
       "WHERE id = ?1 AND status = ?7"},
      {&insert_record_,
       "INSERT INTO records (contact_id, session_id, kind, data, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&insert_audit_, sqlite::kInsertAuditSql},
      // A new document replaces the contact's current one of its kind (kept for the audit).
      {&replace_documents_,
       "UPDATE documents SET replaced_at = ?3 "
       "WHERE contact_id = ?1 AND kind = ?2 AND replaced_at IS NULL"},
      {&insert_document_,
       "INSERT INTO documents (contact_id, session_id, kind, slot, path, sha256, content_type, "
       "fields, message_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&insert_report_,
       "INSERT INTO sealed_reports (contact_id, session_id, kind, key_id, blob, summary, "
       "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&due_outbound_,
       "SELECT m.id, m.contact_id, c.channel, c.address, m.text, m.status, m.provider_id, "
       "m.error_code, m.attempts, m.created_at, m.next_attempt_at, "
       "coalesce(c.unreachable_code, ''), coalesce(c.unreachable_reason, ''), "
       "coalesce(m.content_sid, ''), coalesce(m.content_variables, '') "
       "FROM messages m JOIN contacts c ON c.id = m.contact_id "
       "WHERE m.status = 'pending' AND m.next_attempt_at <= ?1 ORDER BY m.id LIMIT ?2"},
      {&mark_sent_,
       "UPDATE messages SET status = 'sent', provider_id = ?2, updated_at = ?3 "
       "WHERE id = ?1 AND direction = 'out'"},
      {&mark_retry_,
       "UPDATE messages SET attempts = attempts + 1, next_attempt_at = ?2, error = ?3 "
       "WHERE id = ?1 AND direction = 'out'"},
      {&mark_failed_,
       "UPDATE messages SET status = ?2, error_code = ?3, error = ?4 "
       "WHERE id = ?1 AND direction = 'out'"},
      {&find_by_provider_id_,
       "SELECT id, status FROM messages WHERE provider_id = ?1 AND direction = 'out'"},
      {&set_delivery_status_,
       "UPDATE messages SET status = ?2, error_code = coalesce(?3, error_code), "
       "updated_at = ?4 WHERE id = ?1"},
      // A contact the provider said can never be reached (21610 unsubscribed also opts it out;
      // a 21211 number is invalid). RETURNING: the contact, when this marked it just now.
      {&mark_unreachable_,
       "UPDATE contacts SET unreachable_code = ?2, unreachable_reason = ?3, unreachable_at = ?4, "
       "opted_out_at = CASE WHEN ?2 = '21610' THEN coalesce(opted_out_at, ?4) "
       "ELSE opted_out_at END "
       "WHERE id = (SELECT contact_id FROM messages WHERE id = ?1) "
       "AND unreachable_code IS NOT ?2 RETURNING id"},
      // The user opted in again: an unsubscription (21610) no longer holds.
      {&clear_unsubscribed_,
       "UPDATE contacts SET unreachable_code = NULL, unreachable_reason = NULL, "
       "unreachable_at = NULL WHERE id = ?1 AND unreachable_code = '21610'"},
      {&outbox_depth_, "SELECT count(*) FROM messages WHERE status = 'pending'"},
      {&release_handoff_,
       "UPDATE sessions SET status = 'active', updated_at = ?2 WHERE id = "
       "(SELECT id FROM sessions WHERE contact_id = ?1 AND status = 'handoff' "
       "ORDER BY id DESC LIMIT 1)"},
      {&find_contact_,
       "SELECT " + contact_columns + " FROM contacts WHERE channel = ?1 AND address = ?2"},
      {&insert_contact_,
       "INSERT INTO contacts (channel, address, created_at, tenant) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (channel, address) DO NOTHING"},
      {&unprocessed_,
       "SELECT id FROM messages WHERE status = 'accepted' AND direction = 'in' ORDER BY id"},
      {&mark_inbound_failed_,
       "UPDATE messages SET status = 'failed', error = ?2, updated_at = ?3 "
       "WHERE id = ?1 AND direction = 'in' AND status = 'accepted' RETURNING contact_id, "
       "coalesce(provider_id, '')"},
      {&list_records_,
       "SELECT id, contact_id, session_id, kind, data, created_at FROM records "
       "WHERE contact_id = ?1 ORDER BY id"},
      {&list_audit_,
       "SELECT id, contact_id, kind, detail, created_at FROM audit_events "
       "WHERE contact_id = ?1 ORDER BY id"},
      {&list_messages_,
       "SELECT id, direction, text, provider_id, status, error_code, media, created_at, "
       "transcript "
       "FROM messages WHERE contact_id = ?1 ORDER BY id"},
      {&list_documents_,
       "SELECT id, contact_id, session_id, kind, slot, path, sha256, content_type, fields, "
       "message_id, created_at, replaced_at FROM documents WHERE contact_id = ?1 ORDER BY id"},
      {&insert_event_,
       "INSERT INTO events (contact_id, session_id, type, data, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&list_events_,
       "SELECT id, contact_id, coalesce(session_id, 0), type, data, created_at FROM events "
       "WHERE contact_id = ?1 ORDER BY id"},
      {&list_reports_,
       "SELECT id, contact_id, session_id, kind, key_id, blob, summary, created_at "
       "FROM sealed_reports WHERE contact_id = ?1 ORDER BY id"},
      {&ping_, "SELECT 1"},
  };
  if (Status s = tx_.Prepare(db_); !s.ok()) return s;
  if (Status s = credits_.Prepare(db_); !s.ok()) return s;
  for (const auto& [stmt, sql] : statements) {
    if (Status s = stmt->Prepare(db_, sql); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace bot
