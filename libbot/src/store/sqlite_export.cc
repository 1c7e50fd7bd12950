// ExportRecords: the records of one kind with their contacts, for CSV exports.
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"

namespace bot {

Result<std::vector<ExportedRecord>> ExportRecords(const std::string& path, const std::string& kind,
                                                  const std::string& channel) {
  sqlite3* db = nullptr;
  Status opened = sqlite::OpenMigrated(path, SqliteOptions{}, &db);
  std::vector<ExportedRecord> out;
  Status status = opened;
  if (opened.ok()) {
    sqlite::Statement stmt;
    status = stmt.Prepare(db,
                          "SELECT r.id, c.channel, c.address, c.name, r.data, r.created_at "
                          "FROM records r JOIN contacts c ON c.id = r.contact_id "
                          "WHERE r.kind = ?1 AND (?2 = '' OR c.channel = ?2) ORDER BY r.id");
    if (status.ok()) {
      stmt.Bind(1, kind);
      stmt.Bind(2, channel);
      Result<std::vector<ExportedRecord>> rows = sqlite::CollectRows<ExportedRecord>(
          stmt, "export records", [&](const sqlite::Statement& row, ExportedRecord* r) {
            r->id = row.Int(0);
            r->channel = row.Text(1);
            r->address = row.Text(2);
            r->name = row.Text(3);
            r->record.kind = kind;
            r->created_at = row.Time(5);
            const std::string data = row.Text(4, sqlite::kJsonPadding);
            if (data == "{}" || VarsFromJson(data, &r->record.fields)) return Status::Ok();
            return Internal("record " + std::to_string(r->id) + ": bad data JSON");
          });
      if (rows.ok()) {
        out = std::move(*rows);
      } else {
        status = rows.status();
      }
    }
  }
  sqlite3_close_v2(db);
  if (!status.ok()) return status;
  return out;
}

}  // namespace bot
