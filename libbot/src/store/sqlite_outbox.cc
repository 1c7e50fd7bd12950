// The SQLite store's outbox: due messages, send outcomes, delivery callbacks; and handoff release.
#include <algorithm>
#include <string_view>

#include "store/delivery_status.h"
#include "store/sqlite_store_impl.h"
#include "store/sqlite_writes.h"

namespace bot {

using sqlite::Scope;
using sqlite::Transaction;

Result<std::vector<OutboundMessage>> SqliteStore::DueOutbound(TimePoint now, int limit) {
  if (limit <= 0) return std::vector<OutboundMessage>();  // SQLite reads LIMIT -1 as "all"
  // A reply may only leave once its turn is durable: an open group is committed first, under the
  // same lock, so every row read here is committed. Its waiters are told after the read.
  std::vector<Waiter> ready;
  Status committed = Status::Ok();
  std::vector<OutboundMessage> due;
  {
    std::lock_guard lock(mu_);
    committed = CommitGroupLocked(&ready);
    Result<std::vector<DueRow>> rows = std::vector<DueRow>();
    if (committed.ok()) {
      Scope query(due_outbound_);
      query->Bind(1, now);
      query->Bind(2, static_cast<int64_t>(limit));
      rows = sqlite::CollectRows<DueRow>(*query, "due outbound",
                                         [](const sqlite::Statement& row, DueRow* r) {
                                           OutboundMessage* m = &r->message;
                                           m->id = row.Int(0);
                                           m->contact_id = row.Int(1);
                                           m->channel = row.Text(2);
                                           m->to = row.Text(3);
                                           m->text = row.Text(4);
                                           m->status = row.Text(5);
                                           m->provider_id = row.Text(6);
                                           m->error_code = row.Text(7);
                                           m->attempts = static_cast<int>(row.Int(8));
                                           m->created_at = row.Time(9);
                                           m->next_attempt_at = row.Time(10);
                                           r->unreachable_code = row.Text(11);
                                           r->unreachable_reason = row.Text(12);
                                           m->content_sid = row.Text(13);
                                           m->content_variables = row.Text(14);
                                           return Status::Ok();
                                         });
      if (!rows.ok()) committed = rows.status();
    }
    if (committed.ok()) committed = FailUnreachableLocked(*rows);
    if (committed.ok()) {
      for (DueRow& row : *rows) {
        if (row.unreachable_code.empty()) due.push_back(std::move(row.message));
      }
    }
  }
  Notify(ready, committed);
  if (!committed.ok()) return committed;
  return due;
}

// Fails the due messages whose contact is marked unreachable, in one transaction, and only
// when there are any: the usual poll writes nothing.
Status SqliteStore::FailUnreachableLocked(const std::vector<DueRow>& due) {
  const auto unreachable = [](const DueRow& row) { return !row.unreachable_code.empty(); };
  if (std::none_of(due.begin(), due.end(), unreachable)) return Status::Ok();
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  for (const DueRow& row : due) {
    if (!unreachable(row)) continue;
    const std::string error = "contact unreachable: " + row.unreachable_reason;
    Scope fail(mark_failed_);
    fail->Bind(1, row.message.id);
    fail->Bind(2, std::string_view("failed"));
    fail->Bind(3, row.unreachable_code);
    fail->Bind(4, error);
    if (Status s = Run(*fail, "fail unreachable"); !s.ok()) return s;
  }
  return tx.Commit();
}

// Runs `stmt`, an UPDATE of the outbound message ?1 = id whose other parameters `bind` sets.
template <typename BindRest>
Status SqliteStore::UpdateOutbound(sqlite::Statement& stmt, int64_t id, const char* what,
                                   BindRest bind) {
  std::lock_guard lock(mu_);
  // A transaction (not autocommit) so that, with group commit, the update joins the group.
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Scope update(stmt);
    update->Bind(1, id);
    bind(*update);
    if (Status s = Run(*update, what); !s.ok()) return s;
  }
  if (sqlite3_changes(db_) == 0) return NotFound("outbound message " + std::to_string(id));
  return tx.Commit();
}

Status SqliteStore::MarkOutboundSent(int64_t id, const std::string& provider_id, TimePoint now) {
  return UpdateOutbound(mark_sent_, id, "mark sent", [&](sqlite::Statement& stmt) {
    stmt.BindOrNull(2, provider_id);
    stmt.Bind(3, now);
  });
}

Status SqliteStore::MarkOutboundRetry(int64_t id, TimePoint next_attempt_at,
                                      const std::string& error) {
  return UpdateOutbound(mark_retry_, id, "mark retry", [&](sqlite::Statement& stmt) {
    stmt.Bind(2, next_attempt_at);
    stmt.Bind(3, error);
  });
}

Status SqliteStore::MarkOutboundFailed(int64_t id, const std::string& status,
                                       const std::string& error_code, const std::string& error) {
  if (status != "failed" && status != "not_sendable") {
    return InvalidArgument("outbound failure status must be failed or not_sendable, not '" +
                           status + "'");
  }
  std::lock_guard lock(mu_);
  Transaction tx(tx_);  // joins the group, with group commit
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Scope update(mark_failed_);
    update->Bind(1, id);
    update->Bind(2, status);
    update->BindOrNull(3, error_code);
    update->Bind(4, error);
    if (Status s = Run(*update, "mark failed"); !s.ok()) return s;
  }
  if (sqlite3_changes(db_) == 0) return NotFound("outbound message " + std::to_string(id));
  if (Status s = MarkUnreachableLocked(id, error_code, std::chrono::system_clock::now()); !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status SqliteStore::MarkUnreachableLocked(int64_t id, const std::string& error_code,
                                          TimePoint now) {
  if (!MarksContactUnreachable(error_code)) return Status::Ok();
  const std::string reason = UnreachableReason(error_code);
  int64_t contact_id = 0;
  {
    Scope mark(mark_unreachable_);
    mark->Bind(1, id);
    mark->Bind(2, error_code);
    mark->Bind(3, reason);
    mark->Bind(4, now);
    const int rc = mark->Step();
    if (rc == SQLITE_DONE) return Status::Ok();  // marked with this code already
    if (rc != SQLITE_ROW) return StepError(rc, "mark contact unreachable");
    contact_id = mark->Int(0);
  }  // reset before the next statement (RETURNING)
  const AuditEvent event{"contact_unreachable", "code=" + error_code + " message=" +
                                                    std::to_string(id) + " reason=" + reason};
  return sqlite::InsertAudit(insert_audit_, contact_id, event, now);
}

Status SqliteStore::UpdateDeliveryStatus(const std::string& provider_id, const std::string& status,
                                         const std::string& error_code) {
  const int rank = DeliveryRank(status);
  if (!IsCallbackRank(rank)) return InvalidArgument("unknown delivery status '" + status + "'");
  if (provider_id.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  int64_t id = 0;
  {
    Scope find(find_by_provider_id_);
    find->Bind(1, provider_id);
    const int rc = find->Step();
    if (rc == SQLITE_DONE) return Status::Ok();  // not ours, or not stored: ignored
    if (rc != SQLITE_ROW) return StepError(rc, "find by provider id");
    // Callbacks arrive out of order; an older one must not undo a newer one.
    if (DeliveryRank(find->Text(1)) >= rank) return Status::Ok();
    id = find->Int(0);
  }
  {
    Scope set(set_delivery_status_);
    set->Bind(1, id);
    set->Bind(2, status);
    if (IsFinalDeliveryRank(rank)) set->BindOrNull(3, error_code);
    set->Bind(4, std::chrono::system_clock::now());
    if (Status s = Run(*set, "set delivery status"); !s.ok()) return s;
  }
  if (IsFinalDeliveryRank(rank)) {
    if (Status s = MarkUnreachableLocked(id, error_code, std::chrono::system_clock::now());
        !s.ok()) {
      return s;
    }
  }
  return tx.Commit();
}

Result<int64_t> SqliteStore::OutboxDepth() {
  std::lock_guard lock(mu_);
  Scope depth(outbox_depth_);
  const int rc = depth->Step();
  if (rc != SQLITE_ROW) return StepError(rc, "outbox depth");
  return depth->Int(0);
}

Status SqliteStore::ReleaseHandoff(int64_t contact_id, TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(tx_);  // joins the group, with group commit
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Scope release(release_handoff_);
    release->Bind(1, contact_id);
    release->Bind(2, now);
    if (Status s = Run(*release, "release handoff"); !s.ok()) return s;
  }
  if (sqlite3_changes(db_) == 0) {
    return NotFound("no session in handoff for contact " + std::to_string(contact_id));
  }
  return tx.Commit();
}

}  // namespace bot
