// The PostgreSQL store's connections: up to `size` libpq connections, opened when calls need
// them (the first one is the connection that migrated the schema), each lent to one call at a
// time. Threads whose calls find every connection lent wait for one to come back. A connection
// found broken is reset by its next borrower (Connection::EnsureConnected), as with one.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/status.h"
#include "store/postgres/pg_connection.h"

namespace bot::pg {

class Pool {
 public:
  // A connection borrowed for one store call; back to the pool when destroyed.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // `first` is open already (on `schema`); the others connect to `conninfo` and use `schema`
  // ("" = the server's default search_path) when first needed. `size` >= 1.
  Pool(std::string conninfo, std::string schema, int size, std::unique_ptr<Connection> first);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // An idle connection (the one used last, so that few stay open under light load), else a new
  // one while fewer than `size` are open, else the first to come back. Unavailable when a new
  // connection cannot be opened.
  Result<Lease> Acquire();

  // Opens a connection on the pool's database and schema (not part of the pool).
  Result<std::unique_ptr<Connection>> OpenConnection() const;

 private:
  void GiveBack(std::unique_ptr<Connection> conn);

  const std::string conninfo_;
  const std::string schema_;
  const int size_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;  // Guarded by mu_.
  int open_ = 0;                                   // Guarded by mu_: idle, lent or connecting.
};

}  // namespace bot::pg
