// Erasing a contact's personal data (bot/sqlite_store.h EraseContactData). Rows stay where the
// business needs to count them; what identifies the person is emptied, and files are deleted.
// One write transaction over the whole erasure, files deleted inside it, so a second run after
// any failure finishes the job.
#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "bot/sqlite_store.h"
#include "bot/twilio.h"  // Sha256Hex
#include "store/media_json.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_writes.h"

namespace bot {
namespace {

using sqlite::Scope;
using sqlite::Statement;

// Anonymous by nature: categories, money, a score without a name, the record's own times.
constexpr std::string_view kAnonymousFields[] = {
    "status",     "amount",       "term",        "commission", "total",
    "bureau_score", "bureau_error", "rating",     "due_date",   "started_at",
    "recorded_at", "accepted_at", "prompt",      "text_sha256", "reason",
};

// Prepares and runs one statement with ?1 = the contact id; `changes` gets the rows changed.
Status RunForContact(sqlite3* db, const char* sql, int64_t contact_id, int64_t* changes) {
  Statement stmt;
  if (Status s = stmt.Prepare(db, sql); !s.ok()) return s;
  stmt.Bind(1, contact_id);
  if (Status s = stmt.Run(); !s.ok()) return s;
  if (changes != nullptr) *changes += sqlite3_changes(db);
  return Status::Ok();
}

// Deletes a stored file; a file already gone is fine (an earlier run removed it).
Status DeleteFile(const std::string& path, std::set<std::string>* deleted) {
  if (path.empty() || deleted->contains(path)) return Status::Ok();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return Status::Ok();
  if (!std::filesystem::remove(path, error) || error) {
    return Internal("erase: cannot delete " + path + ": " + error.message());
  }
  deleted->insert(path);
  return Status::Ok();
}

// For each row (id, text) that `list_sql` (?1 = the contact id) returns, `rewrite(id, &text)`
// changes the text and `update_sql` (?1 = id, ?2 = text) stores it; `rows` counts them.
template <typename Rewrite>
Status RewriteRows(sqlite3* db, const char* list_sql, const char* update_sql, int64_t contact_id,
                   int64_t* rows, Rewrite rewrite) {
  Statement list, update;
  if (Status s = list.Prepare(db, list_sql); !s.ok()) return s;
  if (Status s = update.Prepare(db, update_sql); !s.ok()) return s;
  list.Bind(1, contact_id);
  int rc;
  while ((rc = list.Step()) == SQLITE_ROW) {
    const int64_t id = list.Int(0);
    std::string text = list.Text(1, sqlite::kJsonPadding);
    if (Status s = rewrite(id, &text); !s.ok()) return s;
    Scope scope(update);
    update.Bind(1, id);
    update.Bind(2, text);
    if (Status s = update.Run(); !s.ok()) return s;
    if (rows != nullptr) ++*rows;
  }
  if (rc != SQLITE_DONE) return sqlite::Error(db, rc, list_sql);
  return Status::Ok();
}

// Messages: files deleted, media kept as type and size only, every text emptied.
Status EraseMessages(sqlite3* db, int64_t contact_id, std::set<std::string>* files,
                     ErasureReport* report) {
  if (Status s = RewriteRows(
          db, "SELECT id, media FROM messages WHERE contact_id = ?1 AND media IS NOT NULL",
          "UPDATE messages SET media = ?2 WHERE id = ?1", contact_id, nullptr,
          [&](int64_t id, std::string* json) {
            std::vector<Media> media;
            if (!MediaFromJson(*json, &media)) {
              return Internal("erase: message " + std::to_string(id) + ": bad media JSON");
            }
            for (Media& m : media) {
              if (Status s = DeleteFile(m.path, files); !s.ok()) return s;
              m.url.clear();  // the link to the provider's copy names the account and message
              m.path.clear();
              m.sha256.clear();
            }
            *json = MediaToJson(media);
            return Status::Ok();
          });
      !s.ok()) {
    return s;
  }
  // A reply still waiting in the outbox (or held for credits) can no longer be sent: its
  // address is about to go.
  if (Status s = RunForContact(db,
                               "UPDATE messages SET status = 'failed', error_code = 'erased' "
                               "WHERE contact_id = ?1 AND direction = 'out' AND "
                               "status IN ('pending', 'no_credits', 'over_cap')",
                               contact_id, nullptr);
      !s.ok()) {
    return s;
  }
  return RunForContact(db,
                       "UPDATE messages SET text = '', transcript = NULL, raw = NULL, "
                       "vars = NULL, error = NULL WHERE contact_id = ?1",
                       contact_id, &report->messages);
}

// Documents: files deleted, what identifies them cleared; sealed reports deleted.
Status EraseDocuments(sqlite3* db, int64_t contact_id, std::set<std::string>* files,
                      ErasureReport* report) {
  if (Status s = RewriteRows(db, "SELECT id, path FROM documents WHERE contact_id = ?1",
                             "UPDATE documents SET path = ?2, sha256 = '', fields = '{}', "
                             "message_id = '' WHERE id = ?1",
                             contact_id, &report->documents,
                             [&](int64_t, std::string* path) {
                               Status deleted = DeleteFile(*path, files);
                               path->clear();
                               return deleted;
                             });
      !s.ok()) {
    return s;
  }
  return RunForContact(db, "DELETE FROM sealed_reports WHERE contact_id = ?1", contact_id,
                       &report->reports);
}

// Records keep their kind and anonymous fields; desk decisions lose their free-text reason.
Status EraseRecords(sqlite3* db, int64_t contact_id, ErasureReport* report) {
  if (Status s = RewriteRows(
          db, "SELECT id, data FROM records WHERE contact_id = ?1",
          "UPDATE records SET data = ?2 WHERE id = ?1", contact_id, &report->records,
          [](int64_t id, std::string* json) {
            VarMap fields;
            if (*json != "{}" && !VarsFromJson(*json, &fields)) {
              return Internal("erase: record " + std::to_string(id) + ": bad data JSON");
            }
            std::erase_if(fields, [](const auto& f) { return !IsAnonymousRecordField(f.first); });
            *json = VarsToJson(fields);
            return Status::Ok();
          });
      !s.ok()) {
    return s;
  }
  return RunForContact(db,
                       "UPDATE application_decisions SET reason = '' WHERE record_id IN "
                       "(SELECT id FROM records WHERE contact_id = ?1)",
                       contact_id, nullptr);
}

// The anonymous address: stable for the same address, so counts per conversation still add up;
// unique per channel even when the same person is erased twice.
Result<std::string> ErasedAddress(sqlite3* db, int64_t contact_id, const std::string& address) {
  const std::string token = "erased:" + Sha256Hex(address).substr(0, 16);
  Statement taken;
  if (Status s = taken.Prepare(db,
                               "SELECT 1 FROM contacts WHERE address = ?2 AND channel = "
                               "(SELECT channel FROM contacts WHERE id = ?1)");
      !s.ok()) {
    return s;
  }
  taken.Bind(1, contact_id);
  taken.Bind(2, token);
  const int rc = taken.Step();
  if (rc == SQLITE_DONE) return token;
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "erase: address taken");
  return token + "-" + std::to_string(contact_id);
}

Status EraseContact(sqlite3* db, int64_t contact_id, const std::string& address,
                    std::set<std::string>* files, ErasureReport* report) {
  if (Status s = EraseMessages(db, contact_id, files, report); !s.ok()) return s;
  if (Status s = EraseDocuments(db, contact_id, files, report); !s.ok()) return s;
  if (Status s = RunForContact(db,
                               "UPDATE sessions SET slots = '{}', vars = '{}' WHERE "
                               "contact_id = ?1",
                               contact_id, &report->sessions);
      !s.ok()) {
    return s;
  }
  if (Status s = EraseRecords(db, contact_id, report); !s.ok()) return s;
  // Events carry the person's words and address: emptied, and never delivered after this.
  if (Status s = RunForContact(db,
                               "UPDATE deliveries SET status = 'dead', last_error = 'erased' "
                               "WHERE contact_id = ?1 AND status = 'pending'",
                               contact_id, nullptr);
      !s.ok()) {
    return s;
  }
  if (Status s = RunForContact(db, "UPDATE events SET data = '{}' WHERE contact_id = ?1",
                               contact_id, &report->events);
      !s.ok()) {
    return s;
  }
  auto erased = ErasedAddress(db, contact_id, address);
  if (!erased.ok()) return erased.status();
  Statement usage, contact;
  if (Status s = usage.Prepare(db, "UPDATE usage_records SET conversation = ?2 WHERE "
                                   "conversation = ?1");
      !s.ok()) {
    return s;
  }
  usage.Bind(1, address);
  usage.Bind(2, *erased);
  if (Status s = usage.Run(); !s.ok()) return s;
  report->usage_records += sqlite3_changes(db);
  if (Status s = contact.Prepare(db, "UPDATE contacts SET address = ?2, name = '' WHERE id = ?1");
      !s.ok()) {
    return s;
  }
  contact.Bind(1, contact_id);
  contact.Bind(2, *erased);
  if (Status s = contact.Run(); !s.ok()) return s;
  ++report->contacts;
  return Status::Ok();
}

std::string AuditDetail(const std::string& actor, const ErasureReport& r) {
  return "actor=" + actor + " messages=" + std::to_string(r.messages) +
         " files_deleted=" + std::to_string(r.files_deleted) +
         " documents=" + std::to_string(r.documents) + " reports=" + std::to_string(r.reports) +
         " sessions=" + std::to_string(r.sessions) + " records=" + std::to_string(r.records) +
         " usage_records=" + std::to_string(r.usage_records) +
         " events=" + std::to_string(r.events);
}

}  // namespace

bool IsAnonymousRecordField(std::string_view field) {
  return std::find(std::begin(kAnonymousFields), std::end(kAnonymousFields), field) !=
         std::end(kAnonymousFields);
}

Result<ErasureReport> EraseContactData(const std::string& db_path, const std::string& channel,
                                       const std::string& address, const std::string& actor,
                                       const Clock& clock, SqliteOptions options) {
  if (actor.empty()) return InvalidArgument("an erasure needs an actor (who asked for it)");
  if (address.empty()) return InvalidArgument("an erasure needs the contact's address");
  sqlite3* db = nullptr;
  const Status opened = sqlite::OpenMigrated(db_path, options, &db);
  // Closed on every path; close_v2 waits for statements still alive below.
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> close(db, sqlite3_close_v2);
  if (!opened.ok()) return opened;
  // Freed pages are overwritten with zeros, so a deleted report leaves no bytes in the file.
  if (Status s = sqlite::Exec(db, "PRAGMA secure_delete = ON"); !s.ok()) return s;
  sqlite::TransactionStatements statements;
  if (Status s = statements.Prepare(db); !s.ok()) return s;
  sqlite::Transaction tx(statements);
  if (Status s = tx.Begin(); !s.ok()) return s;

  std::vector<int64_t> contacts;
  {
    Statement find;
    if (Status s = find.Prepare(db, "SELECT id FROM contacts WHERE address = ?1 AND "
                                    "(?2 = '' OR channel = ?2) ORDER BY id");
        !s.ok()) {
      return s;
    }
    find.Bind(1, address);
    find.Bind(2, channel);
    int rc;
    while ((rc = find.Step()) == SQLITE_ROW) contacts.push_back(find.Int(0));
    if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "erase: find contact");
  }
  if (contacts.empty()) {
    return NotFound("no contact " + address + (channel.empty() ? "" : " on " + channel));
  }
  ErasureReport report;
  std::set<std::string> files;
  for (int64_t contact_id : contacts) {
    if (Status s = EraseContact(db, contact_id, address, &files, &report); !s.ok()) return s;
  }
  report.files_deleted = static_cast<int64_t>(files.size());
  Statement audit;
  if (Status s = audit.Prepare(db, sqlite::kInsertAuditSql); !s.ok()) return s;
  const AuditEvent event{"erasure", AuditDetail(actor, report)};
  for (int64_t contact_id : contacts) {
    if (Status s = sqlite::InsertAudit(audit, contact_id, event, clock.Now()); !s.ok()) return s;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  // The WAL still holds the old pages until a checkpoint copies the new ones over them. Best
  // effort: a reader (the running server) may hold it back; its next checkpoint then does it.
  (void)sqlite::Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  return report;
}

}  // namespace bot
