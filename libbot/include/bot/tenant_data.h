// A tenant's data as a whole: what a client of a shared deployment (a clinic, an agency, a
// lender) takes with it when it asks for its data or leaves, and what is erased when it goes.
// A tenant owns bot numbers (botrunner's `numbers[].tenant`); every contact carries the tenant of
// the number it began on (Contact::tenant), and the tenant's data is every row reached from its
// contacts, plus its campaigns. Over a SQLite database here; PostgreSQL's export is in
// bot/postgres_store.h (docs/store.md, "Tenants").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "bot/status.h"

namespace bot {

// How many rows ExportTenantData wrote, by table.
struct TenantExportCounts {
  int64_t contacts = 0;
  int64_t sessions = 0;
  int64_t messages = 0;
  int64_t records = 0;
  int64_t documents = 0;  // the rows; the files themselves are not copied
  int64_t audit_events = 0;
  int64_t campaigns = 0;
  int64_t campaign_recipients = 0;
};

// Writes to `out`, as JSON Lines, every row of the tenant's contacts (contacts.tenant) and of
// its campaigns (campaigns.tenant): one object per row, {"table": "<name>", "row": {<column>:
// <value>, ...}}, every column as stored (times are Unix milliseconds; JSON columns are embedded
// as JSON), tables in the order of TenantExportCounts and rows by id. A contact's sessions,
// messages, records, documents and audit events are its tenant's. Read in one transaction, over
// its own connection: a consistent snapshot beside a running server. Nothing of another tenant is
// written. Contacts stored before tenants were recorded count once a store opened with number
// tenants gave them theirs (SqliteOptions::number_tenants; botrunner tenant opens one first).
// InvalidArgument for an empty tenant.
Result<TenantExportCounts> ExportTenantData(const std::string& db_path, const std::string& tenant,
                                            std::ostream& out);

// Erases the personal data of every contact of `tenant` (EraseContactData for each, each in its
// own transaction and audited with `actor`), and returns the sums. A contact already erased is
// skipped, so running it again after a failure finishes the job. Other tenants' contacts are
// untouched, the same person's included. InvalidArgument for an empty tenant or actor.
Result<ErasureReport> EraseTenantData(const std::string& db_path, const std::string& tenant,
                                      const std::string& actor, const Clock& clock,
                                      SqliteOptions options = {});

}  // namespace bot
