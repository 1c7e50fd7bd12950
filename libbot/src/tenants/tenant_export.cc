// A tenant's rows as JSON Lines (bot/tenant_data.h). Each table's columns are read from the
// schema (PRAGMA table_info), so a migration that adds a column adds it to the export; SQLite's
// JSON1 functions write every line.
#include "bot/tenant_data.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"
#include "tenants/tenant_tables.h"

namespace bot {
namespace {

using sqlite::Statement;

using tenants::kJsonColumns;
using tenants::kTables;
using tenants::Table;

// SELECT json_object('table', '<name>', 'row', json_object('<column>', <column>, ...)) ...
Result<std::string> LineQuery(sqlite3* db, const Table& table) {
  Statement columns;
  if (Status s = columns.Prepare(db, std::string("PRAGMA table_info(") + table.name + ")");
      !s.ok()) {
    return s;
  }
  std::string row;
  int rc;
  while ((rc = columns.Step()) == SQLITE_ROW) {
    const std::string column = columns.Text(1);  // names are the schema's own: no quoting needed
    if (!row.empty()) row += ", ";
    row += "'" + column + "', ";
    row += kJsonColumns.contains(column) ? "CASE WHEN json_valid(" + column + ") THEN json(" +
                                               column + ") ELSE " + column + " END"
                                         : column;
  }
  if (rc != SQLITE_DONE)
    return sqlite::Error(db, rc, "read the columns of " + std::string(table.name));
  return "SELECT json_object('table', '" + std::string(table.name) + "', 'row', json_object(" +
         row + ")) FROM " + table.name + " WHERE " + std::string(table.where) + " ORDER BY id";
}

}  // namespace

Result<TenantExportCounts> ExportTenantData(const std::string& db_path, const std::string& tenant,
                                            std::ostream& out) {
  if (tenant.empty()) return InvalidArgument("a tenant export needs the tenant's name");
  return sqlite::WithDatabase<TenantExportCounts>(
      db_path, [&](sqlite3* db) -> Result<TenantExportCounts> {
        // One read transaction: the tables agree with each other.
        if (Status s = sqlite::Exec(db, "BEGIN"); !s.ok()) return s;
        TenantExportCounts counts;
        Status read = Status::Ok();
        for (const Table& table : kTables) {
          Result<std::string> sql = LineQuery(db, table);
          if (!sql.ok()) {
            read = sql.status();
            break;
          }
          Statement lines;
          if (read = lines.Prepare(db, *sql); !read.ok()) break;
          lines.Bind(1, tenant);
          int rc;
          while ((rc = lines.Step()) == SQLITE_ROW) {
            out << lines.Text(0) << '\n';
            ++(counts.*table.count);
          }
          if (rc != SQLITE_DONE) {
            read = sqlite::Error(db, rc, std::string("export ") + table.name);
            break;
          }
        }
        const Status ended = sqlite::Exec(db, "COMMIT");  // a read: ends the snapshot
        if (!read.ok()) return read;
        if (!ended.ok()) return ended;
        if (!out) return Internal("the export could not be written");
        return counts;
      });
}

}  // namespace bot
