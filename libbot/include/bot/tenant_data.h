// A tenant's data as a whole: what a client of a shared deployment (a clinic, an agency, a
// lender) takes with it when it asks for its data or leaves, and what is erased when it goes.
// A tenant owns bot numbers (botrunner's `numbers[].tenant`); its data is every row reached from
// the contacts on those numbers, plus its campaigns. Over a SQLite database (docs/store.md,
// "Tenants").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

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

// Writes to `out`, as JSON Lines, every row of the contacts on `channels` (the tenant's bot
// numbers, "whatsapp:+14155238886") and of the campaigns on them: one object per row,
// {"table": "<name>", "row": {<column>: <value>, ...}}, every column as stored (times are Unix
// milliseconds; JSON columns are embedded as JSON), tables in the order of TenantExportCounts and
// rows by id. Read in one transaction, over its own connection: a consistent snapshot beside a
// running server. Nothing of another number is written. InvalidArgument for no channels.
Result<TenantExportCounts> ExportTenantData(const std::string& db_path,
                                            const std::vector<std::string>& channels,
                                            std::ostream& out);

// Erases the personal data of every contact on `channels` (EraseContactData for each, each in
// its own transaction and audited with `actor`), and returns the sums. A contact already erased
// is skipped, so running it again after a failure finishes the job. Contacts on other numbers
// are untouched. InvalidArgument for no channels or an empty actor.
Result<ErasureReport> EraseTenantData(const std::string& db_path,
                                      const std::vector<std::string>& channels,
                                      const std::string& actor, const Clock& clock,
                                      SqliteOptions options = {});

}  // namespace bot
