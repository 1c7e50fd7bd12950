// The PostgreSQL store's lookups and listings, for bot-first turns, recovery, tools and tests.
#include "bot/value.h"
#include "store/media_json.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;
using pg::Rows;
using pg::Transaction;

Result<Contact> PostgresStore::GetOrCreateContact(const std::string& channel,
                                                  const std::string& address) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // The interface passes no time; created_at is bookkeeping only, so the wall clock will do.
  auto inserted = conn.Run(
      "INSERT INTO contacts (channel, address, created_at, tenant) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (channel, address) DO NOTHING",
      Params()
          .Add(channel)
          .Add(address)
          .Add(std::chrono::system_clock::now())
          .Add(TenantOfNumber(options_.number_tenants, channel)),
      "insert contact");
  if (!inserted.ok()) return inserted.status();
  auto contact = FindContactOn(conn, channel, address);
  if (!contact.ok()) return contact.status();
  if (!*contact) return Internal("contact vanished after insert");
  if (Status s = tx.Commit(); !s.ok()) return s;
  return **contact;
}

Result<std::optional<Contact>> PostgresStore::FindContact(const std::string& channel,
                                                          const std::string& address) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  return FindContactOn(conn, channel, address);
}

Result<std::optional<Contact>> PostgresStore::FindContactOn(pg::Connection& conn,
                                                            const std::string& channel,
                                                            const std::string& address) {
  auto rows = conn.Run(std::string("SELECT ") + pg::kContactColumns +
                           " FROM contacts WHERE channel = $1 AND address = $2",
                       Params().Add(channel).Add(address), "find contact");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Contact>();
  return std::optional<Contact>(pg::ReadContact(*rows, 0, 0));
}

Result<std::vector<int64_t>> PostgresStore::UnprocessedInbound() {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows =
      conn.Run("SELECT id FROM messages WHERE status = 'accepted' AND direction = 'in' ORDER BY id",
               "unprocessed inbound");
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> ids;
  for (int i = 0; i < rows->size(); ++i) ids.push_back(rows->Int(i, 0));
  return ids;
}

Status PostgresStore::MarkInboundFailed(int64_t message_id, const std::string& reason,
                                        TimePoint now) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto marked = conn.Run(
      "UPDATE messages SET status = 'failed', error = $2, updated_at = $3 "
      "WHERE id = $1 AND direction = 'in' AND status = 'accepted' RETURNING contact_id, "
      "coalesce(provider_id, '')",
      Params().Add(message_id).Add(reason).Add(now), "mark inbound failed");
  if (!marked.ok()) return marked.status();
  if (marked->empty()) return NotFound("no accepted inbound message " + std::to_string(message_id));
  const AuditEvent event{"inbound_failed", "message " + marked->Text(0, 1) + ": " + reason};
  if (Status s = InsertAudit(conn, marked->Int(0, 0), event, now); !s.ok()) return s;
  return tx.Commit();
}

Status PostgresStore::InsertAudit(pg::Connection& conn, int64_t contact_id, const AuditEvent& event,
                                  TimePoint now) {
  auto inserted = conn.Run(
      "INSERT INTO audit_events (contact_id, kind, detail, created_at) VALUES ($1, $2, $3, $4)",
      Params().Add(contact_id).Add(event.kind).Add(event.detail).Add(now), "insert audit event");
  return inserted.ok() ? Status::Ok() : inserted.status();
}

Result<std::vector<StoredRecord>> PostgresStore::ListRecords(int64_t contact_id) {
  return OfContact<StoredRecord>(
      "SELECT id, contact_id, session_id, kind, data, created_at FROM records "
      "WHERE contact_id = $1 ORDER BY id",
      contact_id, "list records", [](const Rows& rows, int i, StoredRecord* r) {
        r->id = rows.Int(i, 0);
        r->contact_id = rows.Int(i, 1);
        r->session_id = rows.Int(i, 2);
        r->record.kind = rows.Text(i, 3);
        r->created_at = rows.Time(i, 5);
        if (VarsFromJson(rows.Text(i, 4), &r->record.fields)) return Status::Ok();
        return Internal("record " + std::to_string(r->id) + ": bad data JSON");
      });
}

Result<std::vector<StoredAudit>> PostgresStore::ListAudit(int64_t contact_id) {
  return OfContact<StoredAudit>(
      "SELECT id, contact_id, kind, detail, created_at FROM audit_events "
      "WHERE contact_id = $1 ORDER BY id",
      contact_id, "list audit", [](const Rows& rows, int i, StoredAudit* a) {
        a->id = rows.Int(i, 0);
        a->contact_id = rows.Int(i, 1);
        a->event.kind = rows.Text(i, 2);
        a->event.detail = rows.Text(i, 3);
        a->created_at = rows.Time(i, 4);
        return Status::Ok();
      });
}

Result<std::vector<StoredMessage>> PostgresStore::ListMessages(int64_t contact_id) {
  return OfContact<StoredMessage>(
      "SELECT id, direction, text, provider_id, status, error_code, media, created_at, "
      "transcript FROM messages WHERE contact_id = $1 ORDER BY id",
      contact_id, "list messages", [](const Rows& rows, int i, StoredMessage* m) {
        m->id = rows.Int(i, 0);
        m->direction = rows.Text(i, 1);
        m->text = rows.Text(i, 2);
        m->provider_id = rows.Text(i, 3);
        m->status = rows.Text(i, 4);
        m->error_code = rows.Text(i, 5);
        m->created_at = rows.Time(i, 7);
        m->transcript = rows.Text(i, 8);
        if (rows.IsNull(i, 6) || MediaFromJson(rows.Text(i, 6), &m->media)) return Status::Ok();
        return Internal("message " + std::to_string(m->id) + ": bad media JSON");
      });
}

Result<std::vector<StoredEvent>> PostgresStore::ListEvents(int64_t contact_id) {
  return OfContact<StoredEvent>(
      "SELECT id, contact_id, coalesce(session_id, 0), type, data, created_at FROM events "
      "WHERE contact_id = $1 ORDER BY id",
      contact_id, "list events", [](const Rows& rows, int i, StoredEvent* e) {
        e->id = rows.Int(i, 0);
        e->contact_id = rows.Int(i, 1);
        e->session_id = rows.Int(i, 2);
        e->event.type = rows.Text(i, 3);
        e->event.data_json = rows.Text(i, 4);
        e->created_at = rows.Time(i, 5);
        return Status::Ok();
      });
}

Status PostgresStore::Ping() {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run("SELECT 1", "ping");
  return rows.ok() ? Status::Ok() : rows.status();
}

}  // namespace bot
