// Erasing a tenant's contacts (bot/tenant_data.h): the contact erasure of bot/sqlite_store.h,
// once per contact of the tenant (contacts.tenant).
#include <utility>

#include "bot/tenant_data.h"
#include "store/erasure.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using Contacts = std::vector<std::pair<std::string, std::string>>;  // (channel, address)

// The tenant's contacts not erased yet, oldest first.
Result<Contacts> ContactsToErase(const std::string& db_path, const std::string& tenant) {
  return sqlite::WithDatabase<Contacts>(db_path, [&](sqlite3* db) -> Result<Contacts> {
    sqlite::Statement stmt;
    if (Status s = stmt.Prepare(db,
                                "SELECT channel, address FROM contacts WHERE tenant = ?1 AND "
                                "address NOT LIKE 'erased:%' ORDER BY id");
        !s.ok()) {
      return s;
    }
    stmt.Bind(1, tenant);
    Contacts contacts;
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) contacts.emplace_back(stmt.Text(0), stmt.Text(1));
    if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "list the tenant's contacts");
    return contacts;
  });
}

}  // namespace

Result<ErasureReport> EraseTenantData(const std::string& db_path, const std::string& tenant,
                                      const std::string& actor, const Clock& clock,
                                      SqliteOptions options) {
  if (tenant.empty()) return InvalidArgument("a tenant erasure needs the tenant's name");
  if (actor.empty()) return InvalidArgument("an erasure needs the actor who asked for it");
  Result<Contacts> contacts = ContactsToErase(db_path, tenant);
  if (!contacts.ok()) return contacts.status();
  ErasureReport total;
  for (const auto& [channel, address] : *contacts) {
    Result<ErasureReport> one = EraseContactData(db_path, channel, address, actor, clock, options);
    if (!one.ok()) return one.status();
    erasure::Add(*one, &total);
  }
  return total;
}

}  // namespace bot
