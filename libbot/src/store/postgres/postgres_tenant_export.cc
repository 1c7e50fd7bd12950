// A tenant's rows as JSON Lines from PostgreSQL (bot/postgres_store.h): the tables, order and
// format of the SQLite export (tenants/tenant_tables.h). Each table's columns are read from the
// catalog, so a migration that adds a column adds it to the export.
#include <ostream>

#include "bot/postgres_store.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_tenants.h"
#include "tenants/tenant_tables.h"

namespace bot {
namespace {

using pg::Connection;
using pg::Params;

// SELECT '{"table":"<name>","row":' || row_to_json(r)::text || '}' FROM (SELECT <column>, ...,
// <json column>::json AS <json column> FROM <name> WHERE ...) r ORDER BY r.id: compact JSON, as
// SQLite's json_object writes it.
Result<std::string> LineQuery(Connection& conn, const tenants::Table& table) {
  auto columns = conn.Run(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = $1 ORDER BY ordinal_position",
      Params().Add(table.name), "read the columns of a table");
  if (!columns.ok()) return columns.status();
  if (columns->empty()) return Internal(std::string("no table ") + table.name);
  std::string row;
  for (int i = 0; i < columns->size(); ++i) {
    const std::string column = columns->Text(i, 0);  // the schema's own names: no quoting needed
    if (!row.empty()) row += ", ";
    row += tenants::kJsonColumns.contains(column) ? column + "::json AS " + column : column;
  }
  return "SELECT '{\"table\":\"" + std::string(table.name) +
         "\",\"row\":' || row_to_json(r)::text || '}' FROM (SELECT " + row + " FROM " + table.name +
         " WHERE " + std::string(table.where) + ") r ORDER BY r.id";
}

}  // namespace

Result<TenantExportCounts> ExportPostgresTenantData(const std::string& conninfo,
                                                    const PostgresOptions& options,
                                                    const std::string& tenant, std::ostream& out) {
  if (tenant.empty()) return InvalidArgument("a tenant export needs the tenant's name");
  auto conn = pg::OpenPrepared(conninfo, options);
  if (!conn.ok()) return conn.status();
  pg::Transaction tx(**conn);
  // One snapshot: the tables agree with each other.
  if (Status s = tx.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s.ok()) return s;
  TenantExportCounts counts;
  for (const tenants::Table& table : tenants::kTables) {
    Result<std::string> sql = LineQuery(**conn, table);
    if (!sql.ok()) return sql.status();
    auto lines = (*conn)->Run(*sql, Params().Add(tenant), "export a table");
    if (!lines.ok()) return lines.status();
    for (int i = 0; i < lines->size(); ++i) out << lines->Text(i, 0) << '\n';
    counts.*table.count += lines->size();
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  if (!out) return Internal("the export could not be written");
  return counts;
}

}  // namespace bot
