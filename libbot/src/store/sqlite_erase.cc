// Erasing a contact's personal data from SQLite (bot/sqlite_store.h EraseContactData): what each
// table loses is in store/erasure.cc; here the connection, one write transaction over the whole
// erasure (files deleted inside it, so a second run after any failure finishes the job), the
// audit events, and zeroed pages.
#include <algorithm>
#include <memory>
#include <set>

#include "bot/sqlite_store.h"
#include "store/erasure.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using sqlite::Statement;

class SqliteErasureDb final : public erasure::ErasureDb {
 public:
  explicit SqliteErasureDb(sqlite3* db) : db_(db) {}

  Result<std::vector<std::pair<int64_t, std::string>>> Rows(
      const char* sql, const std::vector<erasure::Param>& params) override {
    Statement stmt;
    if (Status s = Prepare(stmt, sql, params); !s.ok()) return s;
    std::vector<std::pair<int64_t, std::string>> rows;
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) rows.emplace_back(stmt.Int(0), stmt.Text(1));
    if (rc != SQLITE_DONE) return sqlite::Error(db_, rc, sql);
    return rows;
  }

  Result<int64_t> Run(const char* sql, const std::vector<erasure::Param>& params) override {
    Statement stmt;
    if (Status s = Prepare(stmt, sql, params); !s.ok()) return s;
    if (Status s = stmt.Run(); !s.ok()) return s;
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

 private:
  // Binds by reference to `params`, which outlive the statement's steps. "$2" becomes "?2":
  // SQLite numbers named parameters in order of appearance, "?N" by N.
  Status Prepare(Statement& stmt, const char* sql, const std::vector<erasure::Param>& params) {
    std::string numbered = sql;
    std::replace(numbered.begin(), numbered.end(), '$', '?');
    if (Status s = stmt.Prepare(db_, numbered); !s.ok()) return s;
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (const int64_t* n = std::get_if<int64_t>(&params[i])) {
        stmt.Bind(index, *n);
      } else {
        stmt.Bind(index, std::get<std::string>(params[i]));
      }
    }
    return Status::Ok();
  }

  sqlite3* const db_;
};

}  // namespace

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

  SqliteErasureDb erasure_db(db);
  auto contacts = erasure_db.Rows(
      "SELECT id, address FROM contacts WHERE address = $1 AND ($2 = '' OR channel = $2) "
      "ORDER BY id",
      {address, channel});
  if (!contacts.ok()) return contacts.status();
  if (contacts->empty()) {
    return NotFound("no contact " + address + (channel.empty() ? "" : " on " + channel));
  }
  ErasureReport report;
  std::set<std::string> files;
  for (const auto& [contact_id, unused] : *contacts) {
    if (Status s = erasure::EraseContact(erasure_db, contact_id, address, &files, &report);
        !s.ok()) {
      return s;
    }
  }
  report.files_deleted = static_cast<int64_t>(files.size());
  for (const auto& [contact_id, unused] : *contacts) {
    if (Status s = erasure::Audit(erasure_db, contact_id, actor, report, clock.Now()); !s.ok()) {
      return s;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  // The WAL still holds the old pages until a checkpoint copies the new ones over them. Best
  // effort: a reader (the running server) may hold it back; its next checkpoint then does it.
  (void)sqlite::Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  return report;
}

}  // namespace bot
