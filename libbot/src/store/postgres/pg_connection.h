// A small RAII layer over libpq for the PostgreSQL store: a connection that prepares each SQL
// text once (per connection) and runs it with parameters, results read by row and column, and
// transactions that roll back unless committed. Values always travel as parameters, never in
// the SQL text. Not thread-safe: one user at a time (the store lends it to one call, pg_pool.h).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"

namespace bot::pg {

// Query parameters, in order ($1, $2 ...), owned here so nothing dangles. Text format, except
// bytea values (Bytes), sent as binary.
class Params {
 public:
  Params& Add(std::string_view text);
  Params& Add(const char* text) { return Add(std::string_view(text)); }
  Params& Add(const std::string& text) { return Add(std::string_view(text)); }
  Params& Add(int64_t value);
  Params& Add(bool value);
  Params& Add(TimePoint t);  // Unix milliseconds
  Params& Add(std::optional<TimePoint> t);
  Params& AddNull();
  Params& AddOrNull(std::string_view text);  // "" -> NULL
  Params& AddIdOrNull(int64_t id);           // 0 -> NULL
  Params& Bytes(std::string_view bytes);

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> Values() const;
  std::vector<int> Lengths() const;
  const int* Formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

// A query's result (text format). Row and column indexes are 0-based.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // Rows an INSERT/UPDATE/DELETE changed.
  int64_t Changed() const;
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string Text(int row, int col) const;  // "" for NULL
  int64_t Int(int row, int col) const;       // 0 for NULL
  TimePoint Time(int row, int col) const { return FromUnixMillis(Int(row, col)); }
  std::optional<TimePoint> OptionalTime(int row, int col) const;
  std::string Bytes(int row, int col) const;  // a bytea column
  const PGresult* result() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class Connection {
 public:
  // Connects; Unavailable with libpq's message when the server cannot be reached.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` with `params`, prepared once per connection. `what` names the query in errors:
  // a unique violation is AlreadyExists, a lost connection Unavailable, the rest Internal.
  Result<Rows> Run(const std::string& sql, const Params& params, const char* what);
  Result<Rows> Run(const std::string& sql, const char* what) { return Run(sql, Params(), what); }
  // Runs SQL without parameters (several statements allowed): BEGIN, COMMIT, migrations.
  Status Exec(const std::string& sql, const char* what);

  // Puts `schema` alone on the search_path, now and after every reconnect.
  Status UseSchema(const std::string& schema);

  // Before each use: a connection found broken is reset (and its prepared statements with it),
  // except inside a transaction, whose writes died with the connection: that is Unavailable.
  Status EnsureConnected();

 private:
  friend class Transaction;
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status ErrorOf(const PGresult* result, const char* what) const;

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  bool in_transaction_ = false;
  std::string schema_;  // UseSchema's; "" = the server's default search_path
};

// BEGIN now; ROLLBACK when destroyed before Commit(). `begin` may name an isolation level.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Status Begin(const char* begin = "BEGIN");
  Status Commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace bot::pg
