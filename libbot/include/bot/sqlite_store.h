// The SQLite Store: one file, WAL, foreign keys on, versioned migrations applied at open.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bot/message_credits.h"
#include "bot/providers.h"
#include "bot/status.h"
#include "bot/store.h"

namespace bot {

struct SqliteOptions {
  // "normal" (default; WAL survives a process crash, may lose the last commits on power loss)
  // or "full" (fsync every commit).
  std::string synchronous = "normal";
  int busy_timeout_ms = 5000;
  // Group commit (Store::Flush, Store::WhenDurable): writes stay in one open transaction until
  // someone calls Flush(), so a server that answers many requests at once pays for one commit.
  // Off by default: a caller that does not flush would hold the write lock forever. botrunner
  // turns it on and flushes whenever its work queue runs dry.
  bool group_commit = false;
  // WAL checkpoints on a background thread with its own connection (store/sqlite_checkpointer.h)
  // instead of inside the commit that fills the WAL, so commits do not wait for the database
  // file's fsync (except a short catch-up after each checkpoint, and past 16000 WAL frames, when
  // the writer takes over). botrunner turns it on; off, SQLite checkpoints automatically.
  bool background_checkpoint = false;
  // Runs that thread in the CPU's idle time only (Linux SCHED_IDLE), so that a checkpoint never
  // delays a request on a busy core; if the core never idles, the WAL grows until the writer
  // takes over. botrunner turns it on.
  bool checkpoint_at_idle_priority = false;
  // SQLite's page cache for the store's connection, in KiB (PRAGMA cache_size = -N).
  int cache_kib = 2000;
  // The tenant of each bot number (bot/store.h): new contacts get their number's; at open,
  // contacts stored before tenants were recorded get theirs, and a number whose contacts belong
  // to another tenant fails the open (InvalidArgument). Empty: contacts get kDefaultTenant and
  // nothing is checked.
  NumberTenants number_tenants;
  // Message credits and the daily cap per tenant (bot/message_credits.h): charged by the store's
  // turns and the credit desk's loan reminders. Empty (the default): nothing is charged.
  CreditsPolicy credits;
};

// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, SqliteOptions options = {});

// A UsageLedger kept in the same database (table usage_records), with its own connection:
// every provider call is stored, and budgets are checked against the stored totals, so they
// hold across restarts. Migrates the file like OpenSqliteStore. Thread-safe.
Result<std::unique_ptr<UsageLedger>> OpenSqliteUsageLedger(const std::string& path,
                                                           BudgetCaps caps,
                                                           SqliteOptions options = {});

// A dialog record with its contact, for exports ("botrunner leads export").
struct ExportedRecord {
  int64_t id = 0;
  std::string channel;
  std::string address;
  std::string name;
  Record record;
  TimePoint created_at;
  std::string tenant;  // its contact's (Contact::tenant)
};
// Every record of `kind` (on `channel`; "" = every channel), oldest first, over its own
// connection to the database at `path`.
Result<std::vector<ExportedRecord>> ExportRecords(const std::string& path, const std::string& kind,
                                                  const std::string& channel);

// An inbound message that could not be processed (Store::MarkInboundFailed), for
// "botrunner inbound failed".
struct FailedInbound {
  int64_t id = 0;
  std::string channel;
  std::string address;
  std::string provider_id;
  std::string error;
  TimePoint received_at;
  std::string tenant;  // its contact's (Contact::tenant)
};

// Every failed inbound message, oldest first, over its own connection to the database at `path`.
Result<std::vector<FailedInbound>> ListFailedInbound(const std::string& path);

// Puts failed inbound messages back to "accepted" (one by id, or all with id 0), audited, and
// returns how many: a running server does not see them; the next start of `serve` processes
// them, as it does every accepted message (once the cause is fixed, e.g. a corrected config).
Result<int64_t> RetryFailedInbound(const std::string& path, int64_t id, TimePoint now);

// An outbound message that failed for good (status failed, undelivered or not_sendable), for
// "botrunner outbox failed".
struct FailedOutbound {
  int64_t id = 0;
  std::string channel;
  std::string address;
  std::string status;      // failed, undelivered, not_sendable
  std::string error_code;  // the provider's code, e.g. "21610"; "" when none
  std::string error;
  std::string unreachable_code;  // the contact's mark (Contact::unreachable_code), "" if none
  TimePoint created_at;
  std::string tenant;  // its contact's (Contact::tenant)
};

// Every failed outbound message, oldest first, over its own connection to the database at
// `path`.
Result<std::vector<FailedOutbound>> ListFailedOutbound(const std::string& path);

struct OutboundRetry {
  int64_t queued = 0;   // messages put back in the outbox
  int64_t refused = 0;  // left failed: their contact is marked unreachable (no `force`)
  std::string refusal;  // why the first one was refused
};

// Puts failed outbound messages (one by id, or all with id 0) back in the outbox as new
// ("pending", due now, attempts and provider id cleared), each audited "outbound_retry" with
// `actor`, in one transaction; a running server's outbox worker sends them at its next poll. A
// message to a contact marked unreachable is refused (counted in `refused`) unless `force`,
// which clears the mark (audited "contact_reachable"). NotFound for an id that is not a failed
// outbound message; InvalidArgument for an empty actor.
Result<OutboundRetry> RetryFailedOutbound(const std::string& path, int64_t id, bool force,
                                          const std::string& actor, TimePoint now);

// A conversation waiting for a person (its session in `handoff`), for "botrunner handoff".
struct Handoff {
  std::string channel;
  std::string address;
  std::string name;
  std::string dialog_id;
  std::string state;  // where the bot resumes
  TimePoint since;    // when it was handed off (the session's last change)
  std::string tenant;  // its contact's (Contact::tenant)
};

// Every conversation in handoff, longest waiting first.
Result<std::vector<Handoff>> ListHandoffs(const std::string& path);

// Gives the conversation of `address` on `channel` back to the bot, in the state it was in,
// with an audit event "handoff_released" naming `actor`, in one transaction; the admin API's
// claim on it is dropped. NotFound when it
// is not in handoff; InvalidArgument for an empty actor.
Status ReleaseHandoffAs(const std::string& path, const std::string& channel,
                        const std::string& address, const std::string& actor, TimePoint now);

// What EraseContactData changed, in counts only (this is what the "erasure" audit event keeps).
struct ErasureReport {
  int64_t contacts = 0;        // contact rows anonymised (one per channel the address used)
  int64_t messages = 0;        // texts, transcripts, raw webhooks and media links cleared
  int64_t files_deleted = 0;   // media and document files removed from disk
  int64_t documents = 0;       // document rows whose path, hash and fields were cleared
  int64_t reports = 0;         // sealed reports deleted
  int64_t sessions = 0;        // sessions whose slots and variables were cleared
  int64_t records = 0;         // dialog records stripped to their anonymous fields
  int64_t usage_records = 0;   // provider-call rows re-keyed to the anonymous address
  int64_t events = 0;          // events emptied; their pending deliveries are dropped (dead)
};

// The record fields an erasure keeps: what counts and sums need, nothing that identifies a
// person ("status", "amount", "term", "commission", "total", "bureau_score", "rating", the
// record's own times ...). Every other field is dropped.
bool IsAnonymousRecordField(std::string_view field);

// Erases a contact's personal data from the database at `db_path` (the right to erasure, e.g.
// LFPDPPP cancelación / GDPR art. 17), in one transaction, and audits it:
//   - messages keep their rows, direction, times and status; text, transcript, raw webhook,
//     inbound variables and media links become empty, and the media files are deleted;
//     replies still pending in the outbox become "failed" with error code "erased";
//   - document files are deleted and their path, hash and OCR fields cleared (kind and times
//     stay); sealed reports are deleted; session slots and variables are cleared;
//   - dialog records keep only IsAnonymousRecordField fields (so applications and reviews can
//     still be counted by status); desk decisions lose their free-text reason;
//   - the address becomes "erased:<first 16 hex digits of its SHA-256>" (in usage_records too)
//     and the name is cleared; loans and their schedules stay (they name no one);
//   - an audit event "erasure" records `actor` and the counts, with no personal data.
// `channel` "" erases the address on every channel. NotFound when no contact has the address;
// InvalidArgument for an empty actor. A file that exists but cannot be deleted fails the
// erasure (nothing in the database changes; running it again finishes the job).
Result<ErasureReport> EraseContactData(const std::string& db_path, const std::string& channel,
                                       const std::string& address, const std::string& actor,
                                       const Clock& clock, SqliteOptions options = {});

}  // namespace bot
