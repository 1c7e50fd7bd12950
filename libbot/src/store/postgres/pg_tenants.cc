#include "store/postgres/pg_tenants.h"

#include <vector>

#include "store/number_tenants.h"
#include "store/postgres/pg_migrations.h"

namespace bot::pg {

Status AssignTenants(Connection& conn, const NumberTenants& tenants) {
  if (tenants.empty()) return Status::Ok();
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  for (const auto& [number, tenant] : tenants) {
    auto assigned = conn.Run("UPDATE contacts SET tenant = $2 WHERE tenant = '' AND channel = $1",
                             Params().Add(number).Add(tenant), "assign tenants");
    if (!assigned.ok()) return assigned.status();
  }
  // Numbers no longer configured: their contacts are the default tenant's, as new ones are.
  auto rest = conn.Run("UPDATE contacts SET tenant = $1 WHERE tenant = ''",
                       Params().Add(kDefaultTenant), "assign the default tenant");
  if (!rest.ok()) return rest.status();
  auto rows = conn.Run(kNumberContactsSql, "count contacts by tenant");
  if (!rows.ok()) return rows.status();
  std::vector<NumberContacts> stored;
  for (int row = 0; row < rows->size(); ++row) {
    stored.push_back({rows->Text(row, 0), rows->Text(row, 1), rows->Int(row, 2)});
  }
  if (Status s = CheckNumberTenants(tenants, stored); !s.ok()) return s;  // rolls back
  return tx.Commit();
}

Result<std::unique_ptr<Connection>> OpenPrepared(const std::string& conninfo,
                                                 const PostgresOptions& options) {
  auto conn = Connection::Open(conninfo);
  if (!conn.ok()) return conn.status();
  if (Status s = Migrate(**conn, options.schema); !s.ok()) return s;
  if (Status s = AssignTenants(**conn, options.number_tenants); !s.ok()) return s;
  return conn;
}

}  // namespace bot::pg
