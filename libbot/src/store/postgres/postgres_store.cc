// Opening the PostgreSQL store: the first connection, the migrations, the pool. The methods live in
// postgres_turns.cc, postgres_outbox.cc, postgres_queries.cc and postgres_documents.cc.
#include "store/postgres/pg_tenants.h"
#include "store/postgres/postgres_store_impl.h"

namespace bot {

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& options) {
  return PostgresStore::Open(conninfo, options);
}

Result<std::unique_ptr<Store>> PostgresStore::Open(const std::string& conninfo,
                                                   const PostgresOptions& options) {
  if (options.outbox_lease.count() < 0) {
    return InvalidArgument("postgresql outbox_lease must not be negative");
  }
  if (options.connections < 1) return InvalidArgument("postgresql connections must be at least 1");
  auto conn = pg::OpenPrepared(conninfo, options);
  if (!conn.ok()) return conn.status();
  // The connection that migrated the schema (and uses it) is the pool's first.
  return std::unique_ptr<Store>(new PostgresStore(conninfo, std::move(*conn), options));
}

}  // namespace bot
