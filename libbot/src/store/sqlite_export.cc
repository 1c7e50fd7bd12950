// ExportRecords: the records of one kind with their contacts, for CSV exports.
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"

namespace bot {

Result<std::vector<ExportedRecord>> ExportRecords(const std::string& path, const std::string& kind,
                                                  const std::string& channel) {
  return sqlite::WithDatabase<std::vector<ExportedRecord>>(
      path, [&](sqlite3* db) -> Result<std::vector<ExportedRecord>> {
        sqlite::Statement stmt;
        if (Status s = stmt.Prepare(
                db,
                "SELECT r.id, c.channel, c.address, c.name, r.data, r.created_at, c.tenant "
                "FROM records r JOIN contacts c ON c.id = r.contact_id "
                "WHERE r.kind = ?1 AND (?2 = '' OR c.channel = ?2) ORDER BY r.id");
            !s.ok()) {
          return s;
        }
        stmt.Bind(1, kind);
        stmt.Bind(2, channel);
        return sqlite::CollectRows<ExportedRecord>(
            stmt, "export records", [&](const sqlite::Statement& row, ExportedRecord* r) {
              r->id = row.Int(0);
              r->channel = row.Text(1);
              r->address = row.Text(2);
              r->name = row.Text(3);
              r->record.kind = kind;
              r->created_at = row.Time(5);
              r->tenant = row.Text(6);
              const std::string data = row.Text(4, sqlite::kJsonPadding);
              if (data == "{}" || VarsFromJson(data, &r->record.fields)) return Status::Ok();
              return Internal("record " + std::to_string(r->id) + ": bad data JSON");
            });
      });
}

}  // namespace bot
