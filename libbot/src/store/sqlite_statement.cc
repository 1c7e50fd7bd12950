#include "store/sqlite_statement.h"

namespace bot::sqlite {

Status Error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Unavailable(std::move(message));
  return Internal(std::move(message));
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  Status status = Error(nullptr, rc, "exec");
  return Status(status.code(), "sqlite: " + message);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Prepare(sqlite3* db, std::string_view sql) {
  db_ = db;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) return Error(db, rc, std::string("prepare ") + std::string(sql));
  return Status::Ok();
}

Status Statement::Run() {
  const int rc = Step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return Error(db_, rc, sqlite3_sql(stmt_));
}

std::string Statement::Text(int column, size_t spare) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  const size_t size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  std::string out;
  out.reserve(size + spare);
  out.append(reinterpret_cast<const char*>(text), size);
  return out;
}

std::string Statement::Blob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return std::string();
  return std::string(static_cast<const char*>(bytes),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

Status TransactionStatements::Prepare(sqlite3* db) {
  if (Status s = begin.Prepare(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  if (Status s = begin_read.Prepare(db, "BEGIN"); !s.ok()) return s;
  if (Status s = commit.Prepare(db, "COMMIT"); !s.ok()) return s;
  return rollback.Prepare(db, "ROLLBACK");
}

Transaction::~Transaction() {
  if (!open_) return;
  // A failed statement inside the transaction may already have rolled it back; ROLLBACK then
  // fails harmlessly, so its result is ignored.
  Scope rollback(stmts_.rollback);
  rollback->Step();
}

Status Transaction::Start(Statement& stmt) {
  Scope begin(stmt);
  if (Status s = begin->Run(); !s.ok()) return s;
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  Scope commit(stmts_.commit);
  if (Status s = commit->Run(); !s.ok()) return s;
  open_ = false;
  return Status::Ok();
}

}  // namespace bot::sqlite
