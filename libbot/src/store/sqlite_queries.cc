// The SQLite store's lookups and listings, for bot-first turns, recovery, tools and tests.
#include <simdjson.h>

#include "store/media_json.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store_impl.h"

namespace bot {

using sqlite::Scope;
using sqlite::Transaction;

Result<Contact> SqliteStore::GetOrCreateContact(const std::string& channel,
                                                const std::string& address) {
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Scope insert(insert_contact_);
    insert->Bind(1, channel);
    insert->Bind(2, address);
    // The interface passes no time; created_at is bookkeeping only, so the wall clock will do.
    insert->Bind(3, std::chrono::system_clock::now());
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
  std::vector<int64_t> ids;
  int rc;
  while ((rc = list->Step()) == SQLITE_ROW) ids.push_back(list->Int(0));
  if (rc != SQLITE_DONE) return StepError(rc, "unprocessed inbound");
  return ids;
}

Result<std::vector<StoredRecord>> SqliteStore::ListRecords(int64_t contact_id) {
  std::lock_guard lock(mu_);
  Scope list(list_records_);
  list->Bind(1, contact_id);
  std::vector<StoredRecord> records;
  int rc;
  while ((rc = list->Step()) == SQLITE_ROW) {
    StoredRecord& r = records.emplace_back();
    r.id = list->Int(0);
    r.contact_id = list->Int(1);
    r.session_id = list->Int(2);
    r.record.kind = list->Text(3);
    if (!VarsFromJson(list->Text(4, simdjson::SIMDJSON_PADDING), &r.record.fields)) {
      return Internal("record " + std::to_string(r.id) + ": bad data JSON");
    }
    r.created_at = list->Time(5);
  }
  if (rc != SQLITE_DONE) return StepError(rc, "list records");
  return records;
}

Result<std::vector<StoredAudit>> SqliteStore::ListAudit(int64_t contact_id) {
  std::lock_guard lock(mu_);
  Scope list(list_audit_);
  list->Bind(1, contact_id);
  std::vector<StoredAudit> events;
  int rc;
  while ((rc = list->Step()) == SQLITE_ROW) {
    StoredAudit& a = events.emplace_back();
    a.id = list->Int(0);
    a.contact_id = list->Int(1);
    a.event.kind = list->Text(2);
    a.event.detail = list->Text(3);
    a.created_at = list->Time(4);
  }
  if (rc != SQLITE_DONE) return StepError(rc, "list audit");
  return events;
}

Result<std::vector<StoredMessage>> SqliteStore::ListMessages(int64_t contact_id) {
  std::lock_guard lock(mu_);
  Scope list(list_messages_);
  list->Bind(1, contact_id);
  std::vector<StoredMessage> messages;
  int rc;
  while ((rc = list->Step()) == SQLITE_ROW) {
    StoredMessage& m = messages.emplace_back();
    m.id = list->Int(0);
    m.direction = list->Text(1);
    m.text = list->Text(2);
    m.provider_id = list->Text(3);
    m.status = list->Text(4);
    m.error_code = list->Text(5);
    if (!list->IsNull(6) &&
        !MediaFromJson(list->Text(6, simdjson::SIMDJSON_PADDING), &m.media)) {
      return Internal("message " + std::to_string(m.id) + ": bad media JSON");
    }
    m.created_at = list->Time(7);
  }
  if (rc != SQLITE_DONE) return StepError(rc, "list messages");
  return messages;
}

Status SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  Scope ping(ping_);
  const int rc = ping->Step();
  if (rc != SQLITE_ROW) return StepError(rc, "ping");
  return Status::Ok();
}

}  // namespace bot
