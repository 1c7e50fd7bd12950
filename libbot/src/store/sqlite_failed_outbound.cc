// ListFailedOutbound and RetryFailedOutbound: outbound messages that failed for good, for
// "botrunner outbox failed|retry".
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_writes.h"

namespace bot {

using sqlite::WithDatabase;

namespace {

// Failed outbound messages (all, or ?1 only) with their contact's mark.
constexpr char kFailedSelect[] =
    "SELECT m.id, c.channel, c.address, m.status, coalesce(m.error_code, ''), "
    "coalesce(m.error, ''), coalesce(c.unreachable_code, ''), "
    "coalesce(c.unreachable_reason, ''), m.created_at, c.id, c.tenant FROM messages m "
    "JOIN contacts c ON c.id = m.contact_id WHERE m.direction = 'out' "
    "AND m.status IN ('failed', 'undelivered', 'not_sendable') AND (?1 = 0 OR m.id = ?1) "
    "ORDER BY m.id";

struct FailedRow {
  FailedOutbound message;
  std::string unreachable_reason;
  int64_t contact_id = 0;
};

Result<std::vector<FailedRow>> ReadFailed(sqlite3* db, int64_t id) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(db, kFailedSelect); !s.ok()) return s;
  stmt.Bind(1, id);
  return sqlite::CollectRows<FailedRow>(stmt, "failed outbound",
                                        [](const sqlite::Statement& row, FailedRow* r) {
                                          FailedOutbound* m = &r->message;
                                          m->id = row.Int(0);
                                          m->channel = row.Text(1);
                                          m->address = row.Text(2);
                                          m->status = row.Text(3);
                                          m->error_code = row.Text(4);
                                          m->error = row.Text(5);
                                          m->unreachable_code = row.Text(6);
                                          r->unreachable_reason = row.Text(7);
                                          m->created_at = row.Time(8);
                                          r->contact_id = row.Int(9);
                                          m->tenant = row.Text(10);
                                          return Status::Ok();
                                        });
}

// Re-queues the failed rows (clearing their contacts' marks when `force`), inside the caller's
// transaction.
Result<OutboundRetry> Requeue(sqlite3* db, const std::vector<FailedRow>& rows, bool force,
                              const std::string& actor, TimePoint now) {
  sqlite::Statement requeue, clear, audit;
  Status s = requeue.Prepare(
      db,
      "UPDATE messages SET status = 'pending', attempts = 0, next_attempt_at = ?2, "
      "provider_id = NULL, error_code = NULL, error = NULL, updated_at = ?2 WHERE id = ?1");
  if (s.ok()) {
    s = clear.Prepare(db,
                      "UPDATE contacts SET unreachable_code = NULL, unreachable_reason = NULL, "
                      "unreachable_at = NULL WHERE id = ?1 AND unreachable_code IS NOT NULL");
  }
  if (s.ok()) s = audit.Prepare(db, sqlite::kInsertAuditSql);
  if (!s.ok()) return s;
  OutboundRetry retry;
  for (const FailedRow& row : rows) {
    const FailedOutbound& m = row.message;
    const std::string message = "message=" + std::to_string(m.id);
    if (!m.unreachable_code.empty()) {
      if (!force) {
        if (retry.refused++ == 0) {
          retry.refusal = "message " + std::to_string(m.id) +
                          ": the contact is unreachable: " + row.unreachable_reason +
                          " (--force clears the mark and sends)";
        }
        continue;
      }
      sqlite::Scope run(clear);
      run->Bind(1, row.contact_id);
      if (Status c = run->Run(); !c.ok()) return c;
      if (sqlite3_changes(db) > 0) {
        const AuditEvent event{"contact_reachable",
                               "was=" + m.unreachable_code + " " + message + " actor=" + actor};
        if (Status a = sqlite::InsertAudit(audit, row.contact_id, event, now); !a.ok()) return a;
      }
    }
    {
      sqlite::Scope run(requeue);
      run->Bind(1, m.id);
      run->Bind(2, now);
      if (Status r = run->Run(); !r.ok()) return r;
    }
    const AuditEvent event{"outbound_retry", message + " was=" + m.status +
                                                 (m.error_code.empty() ? "" : ":" + m.error_code) +
                                                 " actor=" + actor};
    if (Status a = sqlite::InsertAudit(audit, row.contact_id, event, now); !a.ok()) return a;
    ++retry.queued;
  }
  return retry;
}

}  // namespace

Result<std::vector<FailedOutbound>> ListFailedOutbound(const std::string& path) {
  return WithDatabase<std::vector<FailedOutbound>>(
      path, [](sqlite3* db) -> Result<std::vector<FailedOutbound>> {
        auto rows = ReadFailed(db, 0);
        if (!rows.ok()) return rows.status();
        std::vector<FailedOutbound> failed;
        failed.reserve(rows->size());
        for (FailedRow& row : *rows) failed.push_back(std::move(row.message));
        return failed;
      });
}

Result<OutboundRetry> RetryFailedOutbound(const std::string& path, int64_t id, bool force,
                                          const std::string& actor, TimePoint now) {
  if (actor.empty()) return InvalidArgument("a retry needs an actor (who retries)");
  if (id < 0) return InvalidArgument("a message id is positive");
  return WithDatabase<OutboundRetry>(path, [&](sqlite3* db) -> Result<OutboundRetry> {
    if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    Result<OutboundRetry> retry = OutboundRetry{};
    auto rows = ReadFailed(db, id);
    if (!rows.ok()) {
      retry = rows.status();
    } else if (id != 0 && rows->empty()) {
      retry = NotFound("no failed outbound message with id " + std::to_string(id));
    } else {
      retry = Requeue(db, *rows, force, actor, now);
    }
    Status s = retry.ok() ? sqlite::Exec(db, "COMMIT") : retry.status();
    if (!s.ok()) {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    }
    return retry;
  });
}

}  // namespace bot
