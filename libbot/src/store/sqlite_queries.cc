// The SQLite store's lookups and listings, for bot-first turns, recovery, tools and tests.
#include "store/media_json.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store_impl.h"
#include "store/sqlite_writes.h"

namespace bot {

using sqlite::Scope;
using sqlite::Transaction;

Result<Contact> SqliteStore::GetOrCreateContact(const std::string& channel,
                                                const std::string& address) {
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    const std::string tenant = TenantOfNumber(tenants_, channel);
    Scope insert(insert_contact_);
    insert->Bind(1, channel);
    insert->Bind(2, address);
    // The interface passes no time; created_at is bookkeeping only, so the wall clock will do.
    insert->Bind(3, std::chrono::system_clock::now());
    insert->Bind(4, tenant);
    if (Status s = Run(*insert, "insert contact"); !s.ok()) return s;
  }
  auto contact = FindContactLocked(channel, address);
  if (!contact.ok()) return contact.status();
  if (!*contact) return Internal("contact vanished after insert");
  if (Status s = tx.Commit(); !s.ok()) return s;
  return **contact;
}

Result<std::optional<Contact>> SqliteStore::FindContact(const std::string& channel,
                                                        const std::string& address) {
  std::lock_guard lock(mu_);
  return FindContactLocked(channel, address);
}

Result<std::optional<Contact>> SqliteStore::FindContactLocked(const std::string& channel,
                                                              const std::string& address) {
  Scope find(find_contact_);
  find->Bind(1, channel);
  find->Bind(2, address);
  const int rc = find->Step();
  if (rc == SQLITE_DONE) return std::optional<Contact>();
  if (rc != SQLITE_ROW) return StepError(rc, "find contact");
  return std::optional<Contact>(sqlite::ReadContact(*find, 0));
}

Result<std::vector<int64_t>> SqliteStore::UnprocessedInbound() {
  std::lock_guard lock(mu_);
  Scope list(unprocessed_);
  return sqlite::CollectRows<int64_t>(*list, "unprocessed inbound",
                                      [](const sqlite::Statement& row, int64_t* id) {
                                        *id = row.Int(0);
                                        return Status::Ok();
                                      });
}

Status SqliteStore::MarkInboundFailed(int64_t message_id, const std::string& reason,
                                      TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(tx_);  // joins the group, with group commit
  if (Status s = tx.Begin(); !s.ok()) return s;
  AuditEvent event{"inbound_failed", ""};
  int64_t contact_id = 0;
  {
    Scope mark(mark_inbound_failed_);
    mark->Bind(1, message_id);
    mark->Bind(2, reason);
    mark->Bind(3, now);
    const int rc = mark->Step();
    if (rc == SQLITE_DONE) {
      return NotFound("no accepted inbound message " + std::to_string(message_id));
    }
    if (rc != SQLITE_ROW) return StepError(rc, "mark inbound failed");
    contact_id = mark->Int(0);
    event.detail = "message " + mark->Text(1) + ": " + reason;
  }
  if (Status s = sqlite::InsertAudit(insert_audit_, contact_id, event, now); !s.ok()) return s;
  return tx.Commit();
}

Result<std::vector<StoredRecord>> SqliteStore::ListRecords(int64_t contact_id) {
  return OfContact<StoredRecord>(
      list_records_, contact_id, "list records", [](const sqlite::Statement& row, StoredRecord* r) {
        r->id = row.Int(0);
        r->contact_id = row.Int(1);
        r->session_id = row.Int(2);
        r->record.kind = row.Text(3);
        r->created_at = row.Time(5);
        if (VarsFromJson(row.Text(4, sqlite::kJsonPadding), &r->record.fields)) {
          return Status::Ok();
        }
        return Internal("record " + std::to_string(r->id) + ": bad data JSON");
      });
}

Result<std::vector<StoredAudit>> SqliteStore::ListAudit(int64_t contact_id) {
  return OfContact<StoredAudit>(list_audit_, contact_id, "list audit",
                                [](const sqlite::Statement& row, StoredAudit* a) {
                                  a->id = row.Int(0);
                                  a->contact_id = row.Int(1);
                                  a->event.kind = row.Text(2);
                                  a->event.detail = row.Text(3);
                                  a->created_at = row.Time(4);
                                  return Status::Ok();
                                });
}

Result<std::vector<StoredMessage>> SqliteStore::ListMessages(int64_t contact_id) {
  return OfContact<StoredMessage>(
      list_messages_, contact_id, "list messages",
      [](const sqlite::Statement& row, StoredMessage* m) {
        m->id = row.Int(0);
        m->direction = row.Text(1);
        m->text = row.Text(2);
        m->provider_id = row.Text(3);
        m->status = row.Text(4);
        m->error_code = row.Text(5);
        m->created_at = row.Time(7);
        if (!row.IsNull(8)) m->transcript = row.Text(8);
        if (row.IsNull(6) || MediaFromJson(row.Text(6, sqlite::kJsonPadding), &m->media)) {
          return Status::Ok();
        }
        return Internal("message " + std::to_string(m->id) + ": bad media JSON");
      });
}

Status SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  Scope ping(ping_);
  const int rc = ping->Step();
  if (rc != SQLITE_ROW) return StepError(rc, "ping");
  return Status::Ok();
}

}  // namespace bot
