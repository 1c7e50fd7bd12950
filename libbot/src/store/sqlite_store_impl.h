// The SQLite Store. One connection, opened in WAL mode with foreign keys on, and every statement
// prepared once at open and reused (sqlite3_reset), because AcceptInbound + LoadTurn + CommitTurn
// run on every webhook request. Thread-safe: one mutex serialises use of the connection.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/sqlite_store.h"
#include "bot/store.h"
#include "store/sqlite_checkpointer.h"
#include "store/sqlite_credits.h"
#include "store/sqlite_statement.h"

namespace bot {

// A due outbound message and its contact's unreachable mark ("" when reachable).
struct DueRow {
  OutboundMessage message;
  std::string unreachable_code;
  std::string unreachable_reason;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const SqliteOptions& options);
  ~SqliteStore() override;

  Result<Accepted> AcceptInbound(const InboundMessage& message) override;
  Result<TurnContext> LoadTurn(int64_t message_id) override;
  Result<Contact> GetOrCreateContact(const std::string& channel,
                                     const std::string& address) override;
  Result<std::optional<Session>> LatestSession(int64_t contact_id) override;
  Result<CommittedTurn> CommitTurn(const TurnCommit& turn) override;
  Result<std::vector<int64_t>> UnprocessedInbound() override;
  Status MarkInboundFailed(int64_t message_id, const std::string& reason, TimePoint now) override;

  Result<std::vector<OutboundMessage>> DueOutbound(TimePoint now, int limit) override;
  Status MarkOutboundSent(int64_t id, const std::string& provider_id, TimePoint now) override;
  Status MarkOutboundRetry(int64_t id, TimePoint next_attempt_at,
                           const std::string& error) override;
  Status MarkOutboundFailed(int64_t id, const std::string& status, const std::string& error_code,
                            const std::string& error) override;
  Status UpdateDeliveryStatus(const std::string& provider_id, const std::string& status,
                              const std::string& error_code) override;
  Result<int64_t> OutboxDepth() override;

  Status ReleaseHandoff(int64_t contact_id, TimePoint now) override;

  Result<std::optional<Contact>> FindContact(const std::string& channel,
                                             const std::string& address) override;
  Result<std::vector<StoredRecord>> ListRecords(int64_t contact_id) override;
  Result<std::vector<StoredAudit>> ListAudit(int64_t contact_id) override;
  Result<std::vector<StoredMessage>> ListMessages(int64_t contact_id) override;
  Result<std::vector<StoredDocument>> ListDocuments(int64_t contact_id) override;
  Result<std::vector<StoredReport>> ListReports(int64_t contact_id) override;
  Result<std::vector<StoredEvent>> ListEvents(int64_t contact_id) override;
  Status Ping() override;
  Status Flush() override;
  void WhenDurable(std::function<void(const Status&)> then) override;

 private:
  SqliteStore(sqlite3* db, const SqliteOptions& options)
      : db_(db), tenants_(options.number_tenants), credits_(options.credits) {}
  Status PrepareAll();
  // At open, with number tenants: contacts without a tenant get their number's, and a number
  // whose contacts belong to another tenant is refused (store/number_tenants.h).
  Status AssignTenants();

  // Steps a statement that returns no rows; an error becomes a Status naming `what`.
  Status Run(sqlite::Statement& stmt, const char* what);
  Status StepError(int rc, const char* what) { return sqlite::Error(db_, rc, what); }
  // Runs an UPDATE of one outbound message by id (locking): NotFound when no row matched.
  template <typename BindRest>
  Status UpdateOutbound(sqlite::Statement& stmt, int64_t id, const char* what, BindRest bind);
  // Inside a transaction: marks the contact of outbound message `id` unreachable when
  // `error_code` says so (MarksContactUnreachable), with an audit event (sqlite_outbox.cc).
  Status MarkUnreachableLocked(int64_t id, const std::string& error_code, TimePoint now);
  Status FailUnreachableLocked(const std::vector<DueRow>& due);

  // Unlocked halves of the public methods, for use inside a transaction.
  Result<std::optional<Session>> LatestSessionLocked(int64_t contact_id);
  Result<std::optional<Contact>> FindContactLocked(const std::string& channel,
                                                   const std::string& address);
  // The rows `stmt` returns for ?1 = contact_id (locking), read with CollectRows.
  template <typename T, typename ReadRow>
  Result<std::vector<T>> OfContact(sqlite::Statement& stmt, int64_t contact_id, const char* what,
                                   ReadRow read);
  Result<int64_t> SaveSession(const Session& session, int64_t contact_id);
  Status WriteTurnRows(const TurnCommit& turn, CommittedTurn* committed);
  // Documents and sealed reports of a turn (sqlite_documents.cc).
  Status WriteDocuments(const TurnCommit& turn, int64_t session_id);
  // A turn's campaign step and its template message (sqlite_campaign_turns.cc).
  Status WriteCampaignStep(const TurnCommit& turn, int64_t session_id);
  Result<int64_t> InsertTemplateOutbound(const TurnCommit& turn, int64_t session_id);
  // Charges a turn's outbound message just inserted (sqlite_credits.h); a held one is listed in
  // committed->held_ids.
  Status ChargeOutbound(const TurnCommit& turn, int64_t id, bool business_initiated,
                        CommittedTurn* committed);

  // Commits the open group (locked); the callers waiting for it move to `*ready`, to be told
  // the outcome once the lock is released.
  using Waiter = std::function<void(const Status&)>;
  Status CommitGroupLocked(std::vector<Waiter>* ready);
  static void Notify(std::vector<Waiter>& waiters, const Status& outcome);

  std::mutex mu_;
  sqlite3* const db_;  // Guarded by mu_, as is every statement below.
  std::vector<Waiter> waiters_;  // WhenDurable callers of the open group
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // SqliteOptions::background_checkpoint

  sqlite::TransactionStatements tx_;
  const NumberTenants tenants_;    // SqliteOptions::number_tenants
  sqlite::CreditCharger credits_;  // SqliteOptions::credits
  // The turn path.
  sqlite::Statement find_inbound_;
  sqlite::Statement upsert_contact_;
  sqlite::Statement contact_id_;
  sqlite::Statement insert_inbound_;
  sqlite::Statement load_message_;
  sqlite::Statement latest_session_;
  sqlite::Statement update_contact_;
  sqlite::Statement contact_exists_;
  sqlite::Statement insert_session_;
  sqlite::Statement update_session_;
  sqlite::Statement mark_processed_;
  sqlite::Statement inbound_status_;
  sqlite::Statement insert_outbound_;
  sqlite::Statement insert_template_outbound_;  // campaigns: an approved template
  sqlite::Statement campaign_step_;
  sqlite::Statement insert_record_;
  sqlite::Statement insert_audit_;
  sqlite::Statement replace_documents_;
  sqlite::Statement insert_document_;
  sqlite::Statement insert_report_;
  // The outbox.
  sqlite::Statement due_outbound_;
  sqlite::Statement mark_sent_;
  sqlite::Statement mark_retry_;
  sqlite::Statement mark_failed_;
  sqlite::Statement find_by_provider_id_;
  sqlite::Statement set_delivery_status_;
  sqlite::Statement outbox_depth_;
  sqlite::Statement mark_unreachable_;
  sqlite::Statement clear_unsubscribed_;
  // Everything else.
  sqlite::Statement release_handoff_;
  sqlite::Statement find_contact_;
  sqlite::Statement insert_contact_;
  sqlite::Statement unprocessed_;
  sqlite::Statement mark_inbound_failed_;
  sqlite::Statement list_records_;
  sqlite::Statement list_audit_;
  sqlite::Statement list_messages_;
  sqlite::Statement list_documents_;
  sqlite::Statement list_reports_;
  sqlite::Statement insert_event_;
  sqlite::Statement list_events_;
  sqlite::Statement ping_;
};

template <typename T, typename ReadRow>
Result<std::vector<T>> SqliteStore::OfContact(sqlite::Statement& stmt, int64_t contact_id,
                                              const char* what, ReadRow read) {
  std::lock_guard lock(mu_);
  sqlite::Scope list(stmt);
  list->Bind(1, contact_id);
  return sqlite::CollectRows<T>(*list, what, read);
}

}  // namespace bot
