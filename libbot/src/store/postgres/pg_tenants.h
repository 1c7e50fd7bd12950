// What the PostgreSQL store does with PostgresOptions::number_tenants when it opens, as the
// SQLite store does (store/number_tenants.h): contacts without a tenant get their number's, and
// a number whose contacts belong to another tenant is refused.
#pragma once

#include <memory>
#include <string>

#include "bot/postgres_store.h"
#include "bot/status.h"
#include "bot/store.h"
#include "store/postgres/pg_connection.h"

namespace bot::pg {

// In one transaction; nothing to do for no number tenants.
Status AssignTenants(Connection& conn, const NumberTenants& tenants);

// What every opening of the database does first (the store, the tenant export and erasures):
// connects, migrates `options.schema` and assigns `options.number_tenants`.
Result<std::unique_ptr<Connection>> OpenPrepared(const std::string& conninfo,
                                                 const PostgresOptions& options);

}  // namespace bot::pg
