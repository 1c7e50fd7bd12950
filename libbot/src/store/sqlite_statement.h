// Thin RAII wrappers over the SQLite C API for the store: a prepared statement that is prepared
// once and reused, a scope that resets it, and a transaction that rolls back unless committed.
// Not thread-safe: the store serialises access to its connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"

namespace bot::sqlite {

// The Status for SQLite result code `rc` on `db`: busy/locked → unavailable, the rest internal.
Status Error(sqlite3* db, int rc, std::string_view what);

// Runs SQL text that returns no rows (pragmas, schema). For set-up, not the hot path.
Status Exec(sqlite3* db, const std::string& sql);

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status Prepare(sqlite3* db, std::string_view sql);

  // Binders take 1-based parameter indexes. Text is not copied: it must outlive the step,
  // which Scope guarantees by resetting before the caller's strings go away.
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void Bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  }
  void Bind(int index, const char* value) { Bind(index, std::string_view(value)); }
  void BindBlob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  void Bind(int index, TimePoint value) { Bind(index, static_cast<int64_t>(ToUnixMillis(value))); }
  void BindNull(int index) { sqlite3_bind_null(stmt_, index); }
  // NULL for an empty string, so optional text (provider ids) stays out of unique indexes.
  void BindOrNull(int index, std::string_view value) {
    value.empty() ? BindNull(index) : Bind(index, value);
  }
  void BindOrNull(int index, const std::optional<TimePoint>& value) {
    value ? Bind(index, *value) : BindNull(index);
  }

  // SQLITE_ROW or SQLITE_DONE; anything else is an error the caller turns into a Status.
  int Step() { return sqlite3_step(stmt_); }
  // Steps a statement that returns no rows.
  Status Run();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // `spare` extra bytes of capacity let a JSON parser read past the end without a copy.
  std::string Text(int column, size_t spare = 0) const;
  std::string Blob(int column) const;
  TimePoint Time(int column) const { return FromUnixMillis(Int(column)); }
  std::optional<TimePoint> OptionalTime(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Time(column);
  }

  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Steps `stmt` (already bound) to its end, reading each row with `read(stmt, &row)` -> Status.
template <typename T, typename ReadRow>
Result<std::vector<T>> CollectRows(Statement& stmt, std::string_view what, ReadRow read) {
  std::vector<T> rows;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    if (Status s = read(stmt, &rows.emplace_back()); !s.ok()) return s;
  }
  if (rc != SQLITE_DONE) return Error(stmt.db(), rc, what);
  return rows;
}

// Resets a statement when the scope ends, whatever path leaves it.
class Scope {
 public:
  explicit Scope(Statement& stmt) : stmt_(stmt) {}
  ~Scope() { stmt_.Reset(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  Statement* operator->() { return &stmt_; }
  Statement& operator*() { return stmt_; }

 private:
  Statement& stmt_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless Commit() succeeded.
// The statements are prepared once by the owner and passed in.
//
// Group commit (`grouped`, SqliteOptions::group_commit): the first write Begin() opens a write
// transaction that stays open after Commit(). Every Transaction inside it is a savepoint, so a
// failed one rolls back only its own rows, and the owner commits the whole group at once
// (CommitGroup). Nothing in the group is durable before that.
struct TransactionStatements {
  Statement begin;
  Statement begin_read;
  Statement commit;
  Statement rollback;
  Statement savepoint;
  Statement release;
  Statement rollback_to;
  sqlite3* db = nullptr;
  bool grouped = false;
  bool group_open = false;   // a group's write transaction is open
  bool group_lost = false;   // SQLite rolled an open group back (I/O error, disk full ...)
  Status Prepare(sqlite3* db);
  // Commits the open group. An error (or a group SQLite had already rolled back) means every
  // write since the last CommitGroup is gone. Ok when nothing was open.
  Status CommitGroup();
};

class Transaction {
 public:
  explicit Transaction(TransactionStatements& stmts) : stmts_(stmts) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // A write transaction: takes the write lock now, so it never fails half-way on a busy lock.
  Status Begin();
  // A read transaction: several SELECTs see one snapshot and take the file locks once. Inside an
  // open group the reads already share the group's snapshot, so nothing is started.
  Status BeginRead();
  Status Commit();

 private:
  enum class Kind { kNone, kTransaction, kSavepoint };
  Status Start(Statement& begin, Kind kind);

  TransactionStatements& stmts_;
  Kind open_ = Kind::kNone;
};

}  // namespace bot::sqlite
