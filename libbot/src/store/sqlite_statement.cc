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

Status TransactionStatements::Prepare(sqlite3* connection) {
  db = connection;
  if (Status s = begin.Prepare(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  if (Status s = begin_read.Prepare(db, "BEGIN"); !s.ok()) return s;
  if (Status s = commit.Prepare(db, "COMMIT"); !s.ok()) return s;
  if (Status s = savepoint.Prepare(db, "SAVEPOINT op"); !s.ok()) return s;
  if (Status s = release.Prepare(db, "RELEASE op"); !s.ok()) return s;
  if (Status s = rollback_to.Prepare(db, "ROLLBACK TO op"); !s.ok()) return s;
  return rollback.Prepare(db, "ROLLBACK");
}

Status TransactionStatements::CommitGroup() {
  const bool was_open = group_open;
  group_open = false;
  if (was_open && sqlite3_get_autocommit(db) != 0) group_lost = true;
  if (group_lost) {
    group_lost = false;
    return Unavailable("the store rolled back a group of writes (see the log for the cause)");
  }
  if (!was_open) return Status::Ok();
  Scope done(commit);
  if (Status s = done->Run(); !s.ok()) {
    Scope undo(rollback);
    undo->Step();
    return s;
  }
  return Status::Ok();
}

Transaction::~Transaction() {
  // A failed statement inside the transaction may already have rolled it back; ROLLBACK then
  // fails harmlessly, so its result is ignored.
  if (open_ == Kind::kTransaction) {
    Scope rollback(stmts_.rollback);
    rollback->Step();
  } else if (open_ == Kind::kSavepoint) {
    Scope rollback(stmts_.rollback_to);
    rollback->Step();
    Scope release(stmts_.release);
    release->Step();
  }
}

Status Transaction::Start(Statement& stmt, Kind kind) {
  Scope begin(stmt);
  if (Status s = begin->Run(); !s.ok()) return s;
  open_ = kind;
  return Status::Ok();
}

Status Transaction::Begin() {
  if (!stmts_.grouped) return Start(stmts_.begin, Kind::kTransaction);
  if (stmts_.group_open && sqlite3_get_autocommit(stmts_.db) != 0) {
    stmts_.group_open = false;  // SQLite rolled it back: CommitGroup reports the loss
    stmts_.group_lost = true;
  }
  if (!stmts_.group_open) {
    Scope begin(stmts_.begin);
    if (Status s = begin->Run(); !s.ok()) return s;
    stmts_.group_open = true;
  }
  return Start(stmts_.savepoint, Kind::kSavepoint);
}

Status Transaction::BeginRead() {
  if (stmts_.grouped && stmts_.group_open) return Status::Ok();
  return Start(stmts_.begin_read, Kind::kTransaction);
}

Status Transaction::Commit() {
  if (open_ == Kind::kNone) return Status::Ok();
  Scope done(open_ == Kind::kSavepoint ? stmts_.release : stmts_.commit);
  if (Status s = done->Run(); !s.ok()) return s;
  open_ = Kind::kNone;
  return Status::Ok();
}

}  // namespace bot::sqlite
