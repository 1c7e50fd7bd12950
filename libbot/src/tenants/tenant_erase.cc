// Erasing a tenant's contacts (bot/tenant_data.h): the contact erasure of bot/sqlite_store.h,
// once per contact on the tenant's numbers.
#include <utility>

#include "bot/tenant_data.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using Contacts = std::vector<std::pair<std::string, std::string>>;  // (channel, address)

// The contacts on `channels` not erased yet, oldest first.
Result<Contacts> ContactsToErase(const std::string& db_path,
                                 const std::vector<std::string>& channels) {
  return sqlite::WithDatabase<Contacts>(db_path, [&](sqlite3* db) -> Result<Contacts> {
    sqlite::Statement stmt;
    if (Status s = stmt.Prepare(db,
                                "SELECT address FROM contacts WHERE channel = ?1 AND address NOT "
                                "LIKE 'erased:%' ORDER BY id");
        !s.ok()) {
      return s;
    }
    Contacts contacts;
    for (const std::string& channel : channels) {
      stmt.Bind(1, channel);
      int rc;
      while ((rc = stmt.Step()) == SQLITE_ROW) contacts.emplace_back(channel, stmt.Text(0));
      if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "list the tenant's contacts");
      stmt.Reset();
    }
    return contacts;
  });
}

}  // namespace

Result<ErasureReport> EraseTenantData(const std::string& db_path,
                                      const std::vector<std::string>& channels,
                                      const std::string& actor, const Clock& clock,
                                      SqliteOptions options) {
  if (channels.empty()) return InvalidArgument("a tenant erasure needs the tenant's numbers");
  if (actor.empty()) return InvalidArgument("an erasure needs the actor who asked for it");
  Result<Contacts> contacts = ContactsToErase(db_path, channels);
  if (!contacts.ok()) return contacts.status();
  ErasureReport total;
  for (const auto& [channel, address] : *contacts) {
    Result<ErasureReport> one = EraseContactData(db_path, channel, address, actor, clock, options);
    if (!one.ok()) return one.status();
    total.contacts += one->contacts;
    total.messages += one->messages;
    total.files_deleted += one->files_deleted;
    total.documents += one->documents;
    total.reports += one->reports;
    total.sessions += one->sessions;
    total.records += one->records;
    total.usage_records += one->usage_records;
    total.events += one->events;
  }
  return total;
}

}  // namespace bot
