// The SQLite store's outbox: due messages, send outcomes, delivery callbacks; and handoff release.
#include "store/delivery_status.h"
#include "store/sqlite_store_impl.h"

namespace bot {

using sqlite::Scope;
using sqlite::Transaction;

Result<std::vector<OutboundMessage>> SqliteStore::DueOutbound(TimePoint now, int limit) {
  if (limit <= 0) return std::vector<OutboundMessage>();  // SQLite reads LIMIT -1 as "all"
  // A reply may only leave once its turn is durable: an open group is committed first, under the
  // same lock, so every row read here is committed. Its waiters are told after the read.
  std::vector<Waiter> ready;
  Status committed = Status::Ok();
  Result<std::vector<OutboundMessage>> due = std::vector<OutboundMessage>();
  {
    std::lock_guard lock(mu_);
    committed = CommitGroupLocked(&ready);
    if (committed.ok()) {
      Scope query(due_outbound_);
      query->Bind(1, now);
      query->Bind(2, static_cast<int64_t>(limit));
      due = sqlite::CollectRows<OutboundMessage>(
          *query, "due outbound", [](const sqlite::Statement& row, OutboundMessage* m) {
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
            m->content_sid = row.Text(11);
            m->content_variables = row.Text(12);
            return Status::Ok();
          });
    }
  }
  Notify(ready, committed);
  if (!committed.ok()) return committed;
  return due;
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
  return UpdateOutbound(mark_failed_, id, "mark failed", [&](sqlite::Statement& stmt) {
    stmt.Bind(2, status);
    stmt.BindOrNull(3, error_code);
    stmt.Bind(4, error);
  });
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
