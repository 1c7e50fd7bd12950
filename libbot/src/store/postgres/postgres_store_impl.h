// The PostgreSQL Store. A pool of connections (pg_pool.h): each call borrows one for its
// duration, so calls of different threads run at once; every SQL text prepared once per
// connection. Conversation holds (session advisory locks) live on one connection of their own,
// so that a hold is always released on the connection that took it. What makes it safe for
// several calls, and several stores (processes), on one database is in the SQL, not in the
// store: inbound rows are unique on (contact, provider id) and
// inserted with ON CONFLICT DO NOTHING; a turn commits only if its inbound row is still
// 'accepted' (a row lock decides between two committers); status callbacks lock their row
// (SELECT ... FOR UPDATE) before comparing ranks; the outbox claims rows with SKIP LOCKED.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/postgres_store.h"
#include "bot/store.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"

namespace bot {

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& conninfo,
                                             const PostgresOptions& options);

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

  Result<bool> TryHoldConversation(int64_t contact_id) override;
  Status ReleaseConversation(int64_t contact_id) override;
  Result<std::vector<int64_t>> UnprocessedInboundOf(int64_t contact_id) override;
  Status ReleaseOutbound(const std::vector<int64_t>& ids) override;

 private:
  PostgresStore(const std::string& conninfo, std::unique_ptr<pg::Connection> first,
                const PostgresOptions& options)
      : pool_(conninfo, options.schema, options.connections, std::move(first)), options_(options) {}

  // Halves that run on the caller's connection, inside its transaction.
  Result<std::optional<Contact>> FindContactOn(pg::Connection& conn, const std::string& channel,
                                               const std::string& address);
  Result<int64_t> SaveSession(pg::Connection& conn, const Session& session, int64_t contact_id);
  Status WriteTurnRows(pg::Connection& conn, const TurnCommit& turn, CommittedTurn* committed);
  Status WriteDocuments(pg::Connection& conn, const TurnCommit& turn, int64_t session_id);
  Status InsertAudit(pg::Connection& conn, int64_t contact_id, const AuditEvent& event,
                     TimePoint now);
  // A business-initiated turn's campaign step (kAlreadyExists when another run took it) and
  // its one templated outbound message.
  Status WriteCampaignStep(pg::Connection& conn, const TurnCommit& turn, int64_t session_id);
  Result<int64_t> InsertTemplateOutbound(pg::Connection& conn, const TurnCommit& turn,
                                         int64_t session_id);
  // Marks the contact of outbound message `id` unreachable when `error_code` says so
  // (MarksContactUnreachable), audited once per code; inside the caller's transaction.
  Status MarkUnreachableOn(pg::Connection& conn, int64_t id, const std::string& error_code,
                           TimePoint now);
  // Runs `sql`, an UPDATE of the outbound message $1 = id: NotFound when no row matched.
  Status UpdateOutbound(const char* sql, pg::Params params, const char* what, int64_t id);
  // The rows of `sql` for $1 = contact_id, each read by `read(rows, i, &item)`.
  template <typename T, typename ReadRow>
  Result<std::vector<T>> OfContact(const char* sql, int64_t contact_id, const char* what,
                                   ReadRow read);

  pg::Pool pool_;
  const PostgresOptions options_;
  // The connection of TryHoldConversation and ReleaseConversation only (opened by the first),
  // so that the session advisory lock a hold is ends on the connection that took it.
  std::mutex hold_mu_;
  std::unique_ptr<pg::Connection> hold_conn_;  // Guarded by hold_mu_.
};

template <typename T, typename ReadRow>
Result<std::vector<T>> PostgresStore::OfContact(const char* sql, int64_t contact_id,
                                                const char* what, ReadRow read) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto rows = (*conn)->Run(sql, pg::Params().Add(contact_id), what);
  if (!rows.ok()) return rows.status();
  std::vector<T> out(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    if (Status s = read(*rows, i, &out[static_cast<size_t>(i)]); !s.ok()) return s;
  }
  return out;
}

}  // namespace bot
