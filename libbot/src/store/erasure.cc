// What an erasure does to each table (store/erasure.h). Rows stay where the business needs to
// count them; what identifies the person is emptied, and files are deleted.
#include "store/erasure.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "bot/twilio.h"  // Sha256Hex
#include "store/media_json.h"

namespace bot {
namespace {

// Anonymous by nature: categories, money, a score without a name, the record's own times.
constexpr std::string_view kAnonymousFields[] = {
    "status",       "amount",       "term",   "commission",  "total",
    "bureau_score", "bureau_error", "rating", "due_date",    "started_at",
    "recorded_at",  "accepted_at",  "prompt", "text_sha256", "reason",
};

}  // namespace

bool IsAnonymousRecordField(std::string_view field) {
  return std::find(std::begin(kAnonymousFields), std::end(kAnonymousFields), field) !=
         std::end(kAnonymousFields);
}

namespace erasure {
namespace {

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

// Runs `sql` with $1 = the contact id, adding the rows it changed to `*changes` (if given).
Status RunForContact(ErasureDb& db, const char* sql, int64_t contact_id, int64_t* changes) {
  Result<int64_t> changed = db.Run(sql, {contact_id});
  if (!changed.ok()) return changed.status();
  if (changes != nullptr) *changes += *changed;
  return Status::Ok();
}

// For each row (id, text) that `list_sql` ($1 = the contact id) returns, `rewrite(id, &text)`
// changes the text and `update_sql` ($1 = id, $2 = text) stores it; `rows` counts them.
template <typename Rewrite>
Status RewriteRows(ErasureDb& db, const char* list_sql, const char* update_sql, int64_t contact_id,
                   int64_t* rows, Rewrite rewrite) {
  auto listed = db.Rows(list_sql, {contact_id});
  if (!listed.ok()) return listed.status();
  for (auto& [id, text] : *listed) {
    if (Status s = rewrite(id, &text); !s.ok()) return s;
    auto updated = db.Run(update_sql, {id, text});
    if (!updated.ok()) return updated.status();
    if (rows != nullptr) ++*rows;
  }
  return Status::Ok();
}

// Messages: files deleted, media kept as type and size only, every text emptied.
Status EraseMessages(ErasureDb& db, int64_t contact_id, std::set<std::string>* files,
                     ErasureReport* report) {
  if (Status s = RewriteRows(
          db, "SELECT id, media FROM messages WHERE contact_id = $1 AND media IS NOT NULL",
          "UPDATE messages SET media = $2 WHERE id = $1", contact_id, nullptr,
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
                               "WHERE contact_id = $1 AND direction = 'out' AND "
                               "status IN ('pending', 'no_credits', 'over_cap')",
                               contact_id, nullptr);
      !s.ok()) {
    return s;
  }
  return RunForContact(db,
                       "UPDATE messages SET text = '', transcript = NULL, raw = NULL, "
                       "vars = NULL, error = NULL WHERE contact_id = $1",
                       contact_id, &report->messages);
}

// Documents: files deleted, what identifies them cleared; sealed reports deleted.
Status EraseDocuments(ErasureDb& db, int64_t contact_id, std::set<std::string>* files,
                      ErasureReport* report) {
  if (Status s = RewriteRows(db, "SELECT id, path FROM documents WHERE contact_id = $1",
                             "UPDATE documents SET path = $2, sha256 = '', fields = '{}', "
                             "message_id = '' WHERE id = $1",
                             contact_id, &report->documents,
                             [&](int64_t, std::string* path) {
                               Status deleted = DeleteFile(*path, files);
                               path->clear();
                               return deleted;
                             });
      !s.ok()) {
    return s;
  }
  return RunForContact(db, "DELETE FROM sealed_reports WHERE contact_id = $1", contact_id,
                       &report->reports);
}

// Records keep their kind and anonymous fields; desk decisions lose their free-text reason.
Status EraseRecords(ErasureDb& db, int64_t contact_id, ErasureReport* report) {
  if (Status s = RewriteRows(
          db, "SELECT id, data FROM records WHERE contact_id = $1",
          "UPDATE records SET data = $2 WHERE id = $1", contact_id, &report->records,
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
                       "(SELECT id FROM records WHERE contact_id = $1)",
                       contact_id, nullptr);
}

// The anonymous address: stable for the same address, so counts per conversation still add up;
// unique per channel even when the same person is erased twice.
Result<std::string> ErasedAddress(ErasureDb& db, int64_t contact_id, const std::string& address) {
  const std::string token = "erased:" + Sha256Hex(address).substr(0, 16);
  auto taken = db.Rows(
      "SELECT id, address FROM contacts WHERE address = $2 AND channel = "
      "(SELECT channel FROM contacts WHERE id = $1)",
      {contact_id, token});
  if (!taken.ok()) return taken.status();
  if (taken->empty()) return token;
  return token + "-" + std::to_string(contact_id);
}

}  // namespace

Status EraseContact(ErasureDb& db, int64_t contact_id, const std::string& address,
                    std::set<std::string>* files, ErasureReport* report) {
  if (Status s = EraseMessages(db, contact_id, files, report); !s.ok()) return s;
  if (Status s = EraseDocuments(db, contact_id, files, report); !s.ok()) return s;
  if (Status s = RunForContact(db,
                               "UPDATE sessions SET slots = '{}', vars = '{}' WHERE "
                               "contact_id = $1",
                               contact_id, &report->sessions);
      !s.ok()) {
    return s;
  }
  if (Status s = EraseRecords(db, contact_id, report); !s.ok()) return s;
  // Events carry the person's words and address: emptied, and never delivered after this.
  if (Status s = RunForContact(db,
                               "UPDATE deliveries SET status = 'dead', last_error = 'erased' "
                               "WHERE contact_id = $1 AND status = 'pending'",
                               contact_id, nullptr);
      !s.ok()) {
    return s;
  }
  if (Status s = RunForContact(db, "UPDATE events SET data = '{}' WHERE contact_id = $1",
                               contact_id, &report->events);
      !s.ok()) {
    return s;
  }
  auto erased = ErasedAddress(db, contact_id, address);
  if (!erased.ok()) return erased.status();
  auto usage = db.Run("UPDATE usage_records SET conversation = $2 WHERE conversation = $1",
                      {address, *erased});
  if (!usage.ok()) return usage.status();
  report->usage_records += *usage;
  auto contact =
      db.Run("UPDATE contacts SET address = $2, name = '' WHERE id = $1", {contact_id, *erased});
  if (!contact.ok()) return contact.status();
  ++report->contacts;
  return Status::Ok();
}

Status Audit(ErasureDb& db, int64_t contact_id, const std::string& actor, const ErasureReport& r,
             TimePoint now) {
  const std::string detail =
      "actor=" + actor + " messages=" + std::to_string(r.messages) +
      " files_deleted=" + std::to_string(r.files_deleted) +
      " documents=" + std::to_string(r.documents) + " reports=" + std::to_string(r.reports) +
      " sessions=" + std::to_string(r.sessions) + " records=" + std::to_string(r.records) +
      " usage_records=" + std::to_string(r.usage_records) + " events=" + std::to_string(r.events);
  auto inserted = db.Run(
      "INSERT INTO audit_events (contact_id, kind, detail, created_at) VALUES ($1, 'erasure', $2, "
      "$3)",
      {contact_id, detail, static_cast<int64_t>(ToUnixMillis(now))});
  return inserted.ok() ? Status::Ok() : inserted.status();
}

void Add(const ErasureReport& one, ErasureReport* total) {
  total->contacts += one.contacts;
  total->messages += one.messages;
  total->files_deleted += one.files_deleted;
  total->documents += one.documents;
  total->reports += one.reports;
  total->sessions += one.sessions;
  total->records += one.records;
  total->usage_records += one.usage_records;
  total->events += one.events;
}

}  // namespace erasure
}  // namespace bot
