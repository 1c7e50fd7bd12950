// Erasing contacts on PostgreSQL (bot/postgres_store.h ErasePostgresTenantData,
// ErasePostgresContactData):
// what each table loses is in store/erasure.cc, as on SQLite; here the connection and one
// transaction per contact, with its contact row locked so that a turn committing at the same
// time waits for the erasure (or the erasure for it).
#include <set>

#include "bot/postgres_store.h"
#include "store/erasure.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_tenants.h"

namespace bot {
namespace {

using pg::Connection;
using pg::Params;

class PgErasureDb final : public erasure::ErasureDb {
 public:
  explicit PgErasureDb(Connection& conn) : conn_(conn) {}

  Result<std::vector<std::pair<int64_t, std::string>>> Rows(
      const char* sql, const std::vector<erasure::Param>& params) override {
    auto rows = conn_.Run(sql, ToParams(params), "erase");
    if (!rows.ok()) return rows.status();
    std::vector<std::pair<int64_t, std::string>> out;
    for (int i = 0; i < rows->size(); ++i) out.emplace_back(rows->Int(i, 0), rows->Text(i, 1));
    return out;
  }

  Result<int64_t> Run(const char* sql, const std::vector<erasure::Param>& params) override {
    auto rows = conn_.Run(sql, ToParams(params), "erase");
    if (!rows.ok()) return rows.status();
    return rows->Changed();
  }

 private:
  static Params ToParams(const std::vector<erasure::Param>& params) {
    Params out;
    for (const erasure::Param& p : params) {
      if (const int64_t* n = std::get_if<int64_t>(&p)) {
        out.Add(*n);
      } else {
        out.Add(std::get<std::string>(p));
      }
    }
    return out;
  }

  Connection& conn_;
};

// Erases one contact in its own transaction, audited; false when it was erased meanwhile.
Result<bool> EraseOne(Connection& conn, int64_t contact_id, const std::string& actor,
                      const Clock& clock, std::set<std::string>* files, ErasureReport* total) {
  pg::Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto locked = conn.Run(
      "SELECT address FROM contacts WHERE id = $1 AND address NOT LIKE 'erased:%' FOR UPDATE",
      Params().Add(contact_id), "lock the contact");
  if (!locked.ok()) return locked.status();
  if (locked->empty()) return false;
  PgErasureDb db(conn);
  ErasureReport report;
  const size_t files_before = files->size();
  if (Status s = erasure::EraseContact(db, contact_id, locked->Text(0, 0), files, &report);
      !s.ok()) {
    return s;
  }
  report.files_deleted = static_cast<int64_t>(files->size() - files_before);
  if (Status s = erasure::Audit(db, contact_id, actor, report, clock.Now()); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  erasure::Add(report, total);
  return true;
}

// Connects, migrates and assigns tenants (as OpenPostgresStore), then erases each contact that
// `sql` with `params` lists by id, each in its own transaction; `listed` gets how many it listed.
Result<ErasureReport> EraseListed(const std::string& conninfo, const PostgresOptions& options,
                                  const char* sql, const Params& params, const std::string& actor,
                                  const Clock& clock, int64_t* listed) {
  auto conn = pg::OpenPrepared(conninfo, options);
  if (!conn.ok()) return conn.status();
  auto contacts = (*conn)->Run(sql, params, "list the contacts to erase");
  if (!contacts.ok()) return contacts.status();
  *listed = contacts->size();
  ErasureReport total;
  std::set<std::string> files;
  for (int i = 0; i < contacts->size(); ++i) {
    Result<bool> erased = EraseOne(**conn, contacts->Int(i, 0), actor, clock, &files, &total);
    if (!erased.ok()) return erased.status();
  }
  return total;
}

}  // namespace

Result<ErasureReport> ErasePostgresTenantData(const std::string& conninfo,
                                              const PostgresOptions& options,
                                              const std::string& tenant, const std::string& actor,
                                              const Clock& clock) {
  if (tenant.empty()) return InvalidArgument("a tenant erasure needs the tenant's name");
  if (actor.empty()) return InvalidArgument("an erasure needs the actor who asked for it");
  int64_t listed = 0;
  return EraseListed(
      conninfo, options,
      "SELECT id FROM contacts WHERE tenant = $1 AND address NOT LIKE 'erased:%' ORDER BY id",
      Params().Add(tenant), actor, clock, &listed);
}

Result<ErasureReport> ErasePostgresContactData(const std::string& conninfo,
                                               const PostgresOptions& options,
                                               const std::string& channel,
                                               const std::string& address, const std::string& actor,
                                               const Clock& clock) {
  if (actor.empty()) return InvalidArgument("an erasure needs an actor (who asked for it)");
  if (address.empty()) return InvalidArgument("an erasure needs the contact's address");
  int64_t listed = 0;
  auto report = EraseListed(conninfo, options,
                            "SELECT id FROM contacts WHERE address = $1 AND ($2 = '' OR "
                            "channel = $2) ORDER BY id",
                            Params().Add(address).Add(channel), actor, clock, &listed);
  if (report.ok() && listed == 0) {
    return NotFound("no contact " + address + (channel.empty() ? "" : " on " + channel));
  }
  return report;
}

}  // namespace bot
