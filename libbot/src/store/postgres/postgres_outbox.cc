// The PostgreSQL store's outbox: due messages (claimed, with a lease), send outcomes, delivery
// callbacks; and handoff release.
#include "store/delivery_status.h"
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;
using pg::Transaction;

namespace {

constexpr char kDueColumns[] =
    "m.id, m.contact_id, c.channel, c.address, m.text, m.status, m.provider_id, m.error_code, "
    "m.attempts, m.created_at, m.next_attempt_at, coalesce(m.content_sid, ''), "
    "coalesce(m.content_variables, '')";

// No older message of the contact is pending (claimed by this store or another, or waiting
// for a retry).
constexpr char kOldestOfContact[] =
    "AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.contact_id = m.contact_id "
    "AND o.direction = 'out' AND o.status = 'pending' AND o.id < m.id) ";

// Fails the due pending messages of contacts marked unreachable, with the mark's code, in the
// statement that reads the due ones (which leaves those contacts' messages out: the statement
// does not see its own update). Usually matches nothing (the partial index on marked contacts
// keeps it cheap). A row another store has claimed is not due (its lease moved
// next_attempt_at), so it is left to that store.
constexpr char kFailUnreachable[] =
    "WITH failed AS (UPDATE messages m SET status = 'failed', error_code = c.unreachable_code, "
    "error = 'contact unreachable: ' || c.unreachable_reason FROM contacts c "
    "WHERE c.unreachable_code IS NOT NULL AND m.contact_id = c.id AND m.status = 'pending' "
    "AND m.next_attempt_at <= $1)";
constexpr char kReachable[] =
    "AND NOT EXISTS (SELECT 1 FROM contacts u WHERE u.id = m.contact_id "
    "AND u.unreachable_code IS NOT NULL) ";

}  // namespace

Result<std::vector<OutboundMessage>> PostgresStore::DueOutbound(TimePoint now, int limit) {
  if (limit <= 0) return std::vector<OutboundMessage>();
  Params params;
  params.Add(now).Add(static_cast<int64_t>(limit));
  std::string sql;
  if (options_.outbox_lease.count() > 0) {
    // Claims: rows another store is claiming right now are skipped, not waited for, and the
    // claimed ones are not due again until the lease ends.
    params.Add(now + options_.outbox_lease);
    sql = std::string(kFailUnreachable) +
          ", due AS (SELECT id, next_attempt_at FROM messages m WHERE status = 'pending' "
          "AND next_attempt_at <= $1 " +
          kReachable + (options_.outbox_oldest_per_contact ? kOldestOfContact : "") +
          "ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED), "
          "claimed AS (UPDATE messages m SET next_attempt_at = $3 FROM due "
          "WHERE m.id = due.id RETURNING m.id) "
          "SELECT " +
          kDueColumns +
          " FROM claimed JOIN messages m ON m.id = claimed.id "
          "JOIN contacts c ON c.id = m.contact_id ORDER BY m.id";
    // The CTE's UPDATE is not visible to the outer SELECT (one snapshot): it reads the time the
    // message was due at, not the lease's end.
  } else {
    sql = std::string(kFailUnreachable) + " SELECT " + kDueColumns +
          " FROM messages m JOIN contacts c ON c.id = m.contact_id "
          "WHERE m.status = 'pending' AND m.next_attempt_at <= $1 "
          "AND c.unreachable_code IS NULL ORDER BY m.id LIMIT $2";
  }
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run(sql, params, "due outbound");
  if (!rows.ok()) return rows.status();
  std::vector<OutboundMessage> due(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    OutboundMessage& m = due[static_cast<size_t>(i)];
    m.id = rows->Int(i, 0);
    m.contact_id = rows->Int(i, 1);
    m.channel = rows->Text(i, 2);
    m.to = rows->Text(i, 3);
    m.text = rows->Text(i, 4);
    m.status = rows->Text(i, 5);
    m.provider_id = rows->Text(i, 6);
    m.error_code = rows->Text(i, 7);
    m.attempts = static_cast<int>(rows->Int(i, 8));
    m.created_at = rows->Time(i, 9);
    m.next_attempt_at = rows->Time(i, 10);
    m.content_sid = rows->Text(i, 11);
    m.content_variables = rows->Text(i, 12);
  }
  return due;
}

Status PostgresStore::MarkUnreachableOn(pg::Connection& conn, int64_t id,
                                        const std::string& error_code, TimePoint now) {
  if (!MarksContactUnreachable(error_code)) return Status::Ok();
  const std::string reason = UnreachableReason(error_code);
  // RETURNING: the contact, when this marked it just now (not when it had this mark already).
  auto marked = conn.Run(
      "UPDATE contacts SET unreachable_code = $2, unreachable_reason = $3, unreachable_at = $4, "
      "opted_out_at = CASE WHEN $2 = '21610' THEN coalesce(opted_out_at, $4) "
      "ELSE opted_out_at END "
      "WHERE id = (SELECT contact_id FROM messages WHERE id = $1) "
      "AND unreachable_code IS DISTINCT FROM $2 RETURNING id",
      Params().Add(id).Add(error_code).Add(reason).Add(now), "mark contact unreachable");
  if (!marked.ok()) return marked.status();
  if (marked->empty()) return Status::Ok();
  const AuditEvent event{"contact_unreachable", "code=" + error_code + " message=" +
                                                    std::to_string(id) + " reason=" + reason};
  return InsertAudit(conn, marked->Int(0, 0), event, now);
}

Status PostgresStore::UpdateOutbound(const char* sql, Params params, const char* what, int64_t id) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run(sql, params, what);
  if (!rows.ok()) return rows.status();
  if (rows->Changed() == 0) return NotFound("outbound message " + std::to_string(id));
  return Status::Ok();
}

Status PostgresStore::MarkOutboundSent(int64_t id, const std::string& provider_id, TimePoint now) {
  return UpdateOutbound(
      "UPDATE messages SET status = 'sent', provider_id = $2, updated_at = $3 "
      "WHERE id = $1 AND direction = 'out'",
      Params().Add(id).AddOrNull(provider_id).Add(now), "mark sent", id);
}

Status PostgresStore::MarkOutboundRetry(int64_t id, TimePoint next_attempt_at,
                                        const std::string& error) {
  return UpdateOutbound(
      "UPDATE messages SET attempts = attempts + 1, next_attempt_at = $2, error = $3 "
      "WHERE id = $1 AND direction = 'out'",
      Params().Add(id).Add(next_attempt_at).Add(error), "mark retry", id);
}

Status PostgresStore::MarkOutboundFailed(int64_t id, const std::string& status,
                                         const std::string& error_code, const std::string& error) {
  if (status != "failed" && status != "not_sendable") {
    return InvalidArgument("outbound failure status must be failed or not_sendable, not '" +
                           status + "'");
  }
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto rows = conn.Run(
      "UPDATE messages SET status = $2, error_code = $3, error = $4 "
      "WHERE id = $1 AND direction = 'out'",
      Params().Add(id).Add(status).AddOrNull(error_code).Add(error), "mark failed");
  if (!rows.ok()) return rows.status();
  if (rows->Changed() == 0) return NotFound("outbound message " + std::to_string(id));
  if (Status s = MarkUnreachableOn(conn, id, error_code, std::chrono::system_clock::now());
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status PostgresStore::UpdateDeliveryStatus(const std::string& provider_id,
                                           const std::string& status,
                                           const std::string& error_code) {
  const int rank = DeliveryRank(status);
  if (!IsCallbackRank(rank)) return InvalidArgument("unknown delivery status '" + status + "'");
  if (provider_id.empty()) return Status::Ok();
  // Callbacks arrive out of order; an older one must not undo a newer one: the row moves only
  // from a status ranked below this one. Two callbacks of one message handled at once (by two
  // calls or two stores) compare in turn: the second waits for the first's row lock, then its
  // condition is checked again on the row the first left.
  std::string lower = "{";
  for (std::string_view name : DeliveryStatusesRankedAtLeast(rank)) {
    lower += (lower.size() > 1 ? "," : "") + std::string(name);
  }
  lower += "}";
  Params params;
  params.Add(provider_id).Add(status);
  if (IsFinalDeliveryRank(rank)) {
    params.AddOrNull(error_code);
  } else {
    params.AddNull();
  }
  params.Add(std::chrono::system_clock::now()).Add(lower);
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  // One statement, unless the outcome marks the contact unreachable too (in one transaction).
  const bool marks = IsFinalDeliveryRank(rank) && MarksContactUnreachable(error_code);
  Transaction tx(conn);
  if (marks) {
    if (Status s = tx.Begin(); !s.ok()) return s;
  }
  auto set = conn.Run(
      "UPDATE messages SET status = $2, error_code = coalesce($3, error_code), updated_at = $4 "
      "WHERE provider_id = $1 AND direction = 'out' AND status <> ALL($5::text[]) RETURNING id",
      params, "set delivery status");
  if (!set.ok()) return set.status();
  // Nothing moved: not ours, not stored, or already further on (ignored).
  if (!marks || set->empty()) return Status::Ok();
  if (Status s =
          MarkUnreachableOn(conn, set->Int(0, 0), error_code, std::chrono::system_clock::now());
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Result<int64_t> PostgresStore::OutboxDepth() {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run("SELECT count(*) FROM messages WHERE status = 'pending'", "outbox depth");
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

Status PostgresStore::ReleaseHandoff(int64_t contact_id, TimePoint now) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run(
      "UPDATE sessions SET status = 'active', updated_at = $2 WHERE id = "
      "(SELECT id FROM sessions WHERE contact_id = $1 AND status = 'handoff' "
      "ORDER BY id DESC LIMIT 1)",
      Params().Add(contact_id).Add(now), "release handoff");
  if (!rows.ok()) return rows.status();
  if (rows->Changed() == 0) {
    return NotFound("no session in handoff for contact " + std::to_string(contact_id));
  }
  return Status::Ok();
}

}  // namespace bot
