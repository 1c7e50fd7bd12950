// The in-memory Store: the SQLite store's contract over plain containers, for fast tests.
// Times are truncated to milliseconds and unset slots dropped, as a SQLite round trip does, so
// a test passes against both or neither.
#include "bot/testing/memory_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "store/delivery_status.h"

namespace bot::testing {

namespace {

TimePoint Millis(TimePoint t) { return FromUnixMillis(ToUnixMillis(t)); }

struct MessageRow {
  int64_t contact_id = 0;
  int64_t session_id = 0;
  std::string direction;
  InboundMessage in;  // text, media, provider id... of either direction
  std::string status;
  std::string error_code;
  std::string error;
  std::string transcript;  // inbound voice note, as transcribed
  int attempts = 0;
  TimePoint created_at;
  TimePoint next_attempt_at;
  std::string content_sid;  // outbound template; set only by the SQLite writers
  std::string content_variables;
};

Session Stored(Session session) {
  std::erase_if(session.slots, [](const auto& slot) { return slot.second.is_none(); });
  session.started_at = Millis(session.started_at);
  session.updated_at = Millis(session.updated_at);
  return session;
}

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(NumberTenants tenants) : tenants_(std::move(tenants)) {}

  Result<Accepted> AcceptInbound(const InboundMessage& message) override {
    std::lock_guard lock(mu_);
    const auto key = std::make_pair(message.channel, message.provider_id);
    if (!message.provider_id.empty()) {
      if (auto it = inbound_by_provider_id_.find(key); it != inbound_by_provider_id_.end()) {
        return Accepted{it->second, true};
      }
    }
    Contact& contact = contacts_[GetOrCreateLocked(message.channel, message.from)];
    // A profile name fills a name not known yet; it never overwrites one (set_name).
    if (contact.name.empty()) contact.name = message.profile_name;
    const TimePoint received_at = Millis(message.received_at);
    if (!contact.last_inbound_at || *contact.last_inbound_at < received_at) {
      contact.last_inbound_at = received_at;
    }
    MessageRow row;
    row.contact_id = contact.id;
    row.direction = "in";
    row.in = message;
    row.in.received_at = received_at;
    row.in.profile_name.clear();
    row.status = "accepted";
    row.created_at = received_at;
    const int64_t id = AddMessage(std::move(row));
    if (!message.provider_id.empty()) inbound_by_provider_id_[key] = id;
    return Accepted{id, false};
  }

  Result<TurnContext> LoadTurn(int64_t message_id) override {
    std::lock_guard lock(mu_);
    auto it = messages_.find(message_id);
    if (it == messages_.end() || it->second.direction != "in") {
      return NotFound("inbound message " + std::to_string(message_id));
    }
    TurnContext turn;
    turn.message_id = message_id;
    turn.message = it->second.in;
    turn.processed = it->second.status == "processed";
    turn.contact = contacts_.at(it->second.contact_id);
    turn.message.channel = turn.contact.channel;
    turn.message.from = turn.contact.address;
    turn.session = LatestSessionLocked(turn.contact.id);
    return turn;
  }

  Result<Contact> GetOrCreateContact(const std::string& channel,
                                     const std::string& address) override {
    std::lock_guard lock(mu_);
    return contacts_[GetOrCreateLocked(channel, address)];
  }

  Result<std::optional<Session>> LatestSession(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return LatestSessionLocked(contact_id);
  }

  Result<CommittedTurn> CommitTurn(const TurnCommit& turn) override {
    if (turn.contact.id == 0) return InvalidArgument("CommitTurn: the contact has no id");
    if (turn.reply_status != "pending" && turn.reply_status != "inline") {
      return InvalidArgument("CommitTurn: reply_status must be pending or inline, not '" +
                             turn.reply_status + "'");
    }
    std::lock_guard lock(mu_);
    // Check everything first, then write: all or nothing, like the SQLite transaction.
    if (Status s = CheckTurn(turn); !s.ok()) return s;
    const int64_t contact_id = turn.contact.id;
    Contact& contact = contacts_.at(contact_id);
    contact.name = turn.contact.name;
    contact.opted_out = turn.contact.opted_out;
    // Opted out: the given time, else the time already stored, else now.
    if (!turn.contact.opted_out) {
      contact.opted_out_at.reset();
    } else if (turn.contact.opted_out_at) {
      contact.opted_out_at = Millis(*turn.contact.opted_out_at);
    } else if (!contact.opted_out_at) {
      contact.opted_out_at = Millis(turn.now);
    }
    CommittedTurn committed;
    int64_t closed_id = 0;
    if (turn.closed) closed_id = SaveSession(*turn.closed, contact_id);
    if (turn.session) committed.session_id = SaveSession(*turn.session, contact_id);
    const int64_t session_id = committed.session_id != 0 ? committed.session_id : closed_id;
    const TimePoint now = Millis(turn.now);
    if (turn.inbound_id != 0) {
      MessageRow& inbound = messages_.at(turn.inbound_id);
      inbound.status = "processed";
      if (!turn.inbound_transcript.empty()) inbound.transcript = turn.inbound_transcript;
      if (session_id != 0) inbound.session_id = session_id;
    }
    for (const std::string& reply : turn.replies) {
      MessageRow row;
      row.contact_id = contact_id;
      row.session_id = session_id;
      row.direction = "out";
      row.in.text = reply;
      row.status = turn.reply_status;
      row.created_at = now;
      row.next_attempt_at = now;
      committed.outbound_ids.push_back(AddMessage(std::move(row)));
    }
    for (const Record& record : turn.records) {
      records_.push_back(
          {static_cast<int64_t>(records_.size()) + 1, contact_id, session_id, record, now});
    }
    for (const Event& event : turn.events) {
      events_.push_back(
          {static_cast<int64_t>(events_.size()) + 1, contact_id, session_id, event, now});
    }
    for (const Document& document : turn.documents) {
      for (StoredDocument& older : documents_) {
        if (older.contact_id == contact_id && older.document.kind == document.kind &&
            !older.replaced_at) {
          older.replaced_at = now;
        }
      }
      documents_.push_back({static_cast<int64_t>(documents_.size()) + 1, contact_id, session_id,
                            document, now, std::nullopt});
    }
    for (const SealedReport& report : turn.reports) {
      reports_.push_back(
          {static_cast<int64_t>(reports_.size()) + 1, contact_id, session_id, report, now});
    }
    for (const AuditEvent& event : turn.audit) {
      audit_.push_back({static_cast<int64_t>(audit_.size()) + 1, contact_id, event, now});
      // The user opted in again: an unsubscription (21610) no longer holds.
      if (event.kind == "optin" && contact.unreachable_code == "21610") {
        contact.unreachable_code.clear();
        contact.unreachable_reason.clear();
        contact.unreachable_at.reset();
      }
    }
    return committed;
  }

  Result<std::vector<int64_t>> UnprocessedInbound() override {
    std::lock_guard lock(mu_);
    std::vector<int64_t> ids;
    for (const auto& [id, m] : messages_) {
      if (m.direction == "in" && m.status == "accepted") ids.push_back(id);
    }
    return ids;
  }

  Status MarkInboundFailed(int64_t message_id, const std::string& reason, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = messages_.find(message_id);
    if (it == messages_.end() || it->second.direction != "in" || it->second.status != "accepted") {
      return NotFound("no accepted inbound message " + std::to_string(message_id));
    }
    it->second.status = "failed";
    it->second.error = reason;
    AuditEvent event{"inbound_failed", "message " + it->second.in.provider_id + ": " + reason};
    audit_.push_back(
        {static_cast<int64_t>(audit_.size()) + 1, it->second.contact_id, event, Millis(now)});
    return Status::Ok();
  }

  Result<std::vector<OutboundMessage>> DueOutbound(TimePoint now, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<OutboundMessage> due;
    if (limit <= 0) return due;
    int read = 0;  // rows the SQLite query would return, failed ones included
    for (auto& [id, m] : messages_) {
      if (read >= limit) break;
      if (m.status != "pending" || m.next_attempt_at > now) continue;
      ++read;
      const Contact& contact = contacts_.at(m.contact_id);
      if (!contact.unreachable_code.empty()) {
        m.status = "failed";
        m.error_code = contact.unreachable_code;
        m.error = "contact unreachable: " + contact.unreachable_reason;
        continue;
      }
      due.push_back({id, m.contact_id, contact.channel, contact.address, m.in.text, m.status,
                     m.in.provider_id, m.error_code, m.attempts, m.created_at, m.next_attempt_at,
                     m.content_sid, m.content_variables});
    }
    return due;
  }

  Status MarkOutboundSent(int64_t id, const std::string& provider_id, TimePoint) override {
    std::lock_guard lock(mu_);
    MessageRow* m = FindOutbound(id);
    if (m == nullptr) return NotFound("outbound message " + std::to_string(id));
    m->status = "sent";
    m->in.provider_id = provider_id;
    if (!provider_id.empty()) outbound_by_provider_id_[provider_id] = id;
    return Status::Ok();
  }

  Status MarkOutboundRetry(int64_t id, TimePoint next_attempt_at,
                           const std::string& error) override {
    std::lock_guard lock(mu_);
    MessageRow* m = FindOutbound(id);
    if (m == nullptr) return NotFound("outbound message " + std::to_string(id));
    m->attempts++;
    m->next_attempt_at = Millis(next_attempt_at);
    m->error = error;
    return Status::Ok();
  }

  Status MarkOutboundFailed(int64_t id, const std::string& status, const std::string& error_code,
                            const std::string& error) override {
    if (status != "failed" && status != "not_sendable") {
      return InvalidArgument("outbound failure status must be failed or not_sendable, not '" +
                             status + "'");
    }
    std::lock_guard lock(mu_);
    MessageRow* m = FindOutbound(id);
    if (m == nullptr) return NotFound("outbound message " + std::to_string(id));
    m->status = status;
    m->error_code = error_code;
    m->error = error;
    MarkUnreachableLocked(id, error_code);
    return Status::Ok();
  }

  // Marks the contact of outbound message `id` when `error_code` says it can never be reached.
  void MarkUnreachableLocked(int64_t id, const std::string& error_code) {
    if (!MarksContactUnreachable(error_code)) return;
    MessageRow& m = messages_.at(id);
    Contact& contact = contacts_.at(m.contact_id);
    if (contact.unreachable_code == error_code) return;
    const TimePoint now = Millis(std::chrono::system_clock::now());
    contact.unreachable_code = error_code;
    contact.unreachable_reason = UnreachableReason(error_code);
    contact.unreachable_at = now;
    if (error_code == "21610" && !contact.opted_out_at) {
      contact.opted_out = true;
      contact.opted_out_at = now;
    }
    AuditEvent event{"contact_unreachable", "code=" + error_code +
                                                " message=" + std::to_string(id) +
                                                " reason=" + contact.unreachable_reason};
    audit_.push_back({static_cast<int64_t>(audit_.size()) + 1, m.contact_id, event, now});
  }

  Status UpdateDeliveryStatus(const std::string& provider_id, const std::string& status,
                              const std::string& error_code) override {
    const int rank = DeliveryRank(status);
    if (!IsCallbackRank(rank)) return InvalidArgument("unknown delivery status '" + status + "'");
    std::lock_guard lock(mu_);
    auto it = outbound_by_provider_id_.find(provider_id);
    if (it == outbound_by_provider_id_.end()) return Status::Ok();
    MessageRow& m = messages_.at(it->second);
    if (DeliveryRank(m.status) >= rank) return Status::Ok();
    m.status = status;
    if (IsFinalDeliveryRank(rank) && !error_code.empty()) {
      m.error_code = error_code;
      MarkUnreachableLocked(it->second, error_code);
    }
    return Status::Ok();
  }

  Result<int64_t> OutboxDepth() override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(std::count_if(messages_.begin(), messages_.end(), [](auto& kv) {
      return kv.second.status == "pending";
    }));
  }

  Status ReleaseHandoff(int64_t contact_id, TimePoint now) override {
    std::lock_guard lock(mu_);
    for (auto it = sessions_.rbegin(); it != sessions_.rend(); ++it) {
      if (it->second.first != contact_id || it->second.second.status != SessionStatus::kHandoff) {
        continue;
      }
      it->second.second.status = SessionStatus::kActive;
      it->second.second.updated_at = Millis(now);
      return Status::Ok();
    }
    return NotFound("no session in handoff for contact " + std::to_string(contact_id));
  }

  Result<std::optional<Contact>> FindContact(const std::string& channel,
                                             const std::string& address) override {
    std::lock_guard lock(mu_);
    auto it = contact_ids_.find({channel, address});
    if (it == contact_ids_.end()) return std::optional<Contact>();
    return std::optional<Contact>(contacts_.at(it->second));
  }

  Result<std::vector<StoredRecord>> ListRecords(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return OfContact(records_, contact_id);
  }

  Result<std::vector<StoredAudit>> ListAudit(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return OfContact(audit_, contact_id);
  }

  Result<std::vector<StoredMessage>> ListMessages(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    std::vector<StoredMessage> out;
    for (const auto& [id, m] : messages_) {
      if (m.contact_id != contact_id) continue;
      out.push_back({id, m.direction, m.in.text, m.in.provider_id, m.status, m.error_code,
                     m.in.media, m.created_at, m.transcript});
    }
    return out;
  }

  Result<std::vector<StoredDocument>> ListDocuments(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return OfContact(documents_, contact_id);
  }

  Result<std::vector<StoredReport>> ListReports(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return OfContact(reports_, contact_id);
  }

  Result<std::vector<StoredEvent>> ListEvents(int64_t contact_id) override {
    std::lock_guard lock(mu_);
    return OfContact(events_, contact_id);
  }

  Status Ping() override { return Status::Ok(); }

 private:
  template <typename Row>
  static std::vector<Row> OfContact(const std::vector<Row>& rows, int64_t contact_id) {
    std::vector<Row> out;
    std::copy_if(rows.begin(), rows.end(), std::back_inserter(out),
                 [&](const Row& row) { return row.contact_id == contact_id; });
    return out;
  }

  int64_t GetOrCreateLocked(const std::string& channel, const std::string& address) {
    auto [it, inserted] = contact_ids_.try_emplace({channel, address}, 0);
    if (inserted) {
      it->second = static_cast<int64_t>(contacts_.size()) + 1;
      Contact& contact = contacts_[it->second];
      contact.id = it->second;
      contact.channel = channel;
      contact.address = address;
      contact.tenant = TenantOfNumber(tenants_, channel);
    }
    return it->second;
  }

  std::optional<Session> LatestSessionLocked(int64_t contact_id) const {
    auto it = latest_session_.find(contact_id);
    if (it == latest_session_.end()) return std::nullopt;
    return sessions_.at(it->second).second;
  }

  Status CheckTurn(const TurnCommit& turn) const {
    const int64_t contact_id = turn.contact.id;
    if (!contacts_.contains(contact_id)) return NotFound("contact " + std::to_string(contact_id));
    for (const auto* session : {&turn.closed, &turn.session}) {
      if (!*session || (*session)->id == 0) continue;
      auto it = sessions_.find((*session)->id);
      if (it == sessions_.end() || it->second.first != contact_id) {
        return NotFound("session " + std::to_string((*session)->id) + " of contact " +
                        std::to_string(contact_id));
      }
    }
    if (turn.inbound_id == 0) return Status::Ok();
    const std::string id = std::to_string(turn.inbound_id);
    auto it = messages_.find(turn.inbound_id);
    if (it == messages_.end() || it->second.direction != "in") {
      return NotFound("inbound message " + id);
    }
    if (it->second.status != "accepted") {
      return Status(StatusCode::kAlreadyExists, "inbound message " + id + " already processed");
    }
    return Status::Ok();
  }

  int64_t SaveSession(const Session& session, int64_t contact_id) {
    Session stored = Stored(session);
    if (stored.id == 0) stored.id = static_cast<int64_t>(sessions_.size()) + 1;
    const int64_t id = stored.id;
    sessions_[id] = {contact_id, std::move(stored)};
    int64_t& latest = latest_session_[contact_id];
    latest = std::max(latest, id);
    return id;
  }

  int64_t AddMessage(MessageRow row) {
    const int64_t id = static_cast<int64_t>(messages_.size()) + 1;
    messages_.emplace(id, std::move(row));
    return id;
  }

  MessageRow* FindOutbound(int64_t id) {
    auto it = messages_.find(id);
    return it == messages_.end() || it->second.direction != "out" ? nullptr : &it->second;
  }

  std::mutex mu_;
  // Everything below is guarded by mu_. Ids count from 1 and are never reused, so a map keyed
  // by id iterates in insertion order.
  const NumberTenants tenants_;
  std::map<int64_t, Contact> contacts_;
  std::map<std::pair<std::string, std::string>, int64_t> contact_ids_;  // (channel, address)
  std::map<int64_t, std::pair<int64_t, Session>> sessions_;             // id → (contact, session)
  std::map<int64_t, int64_t> latest_session_;                           // contact → session id
  std::map<int64_t, MessageRow> messages_;
  std::map<std::pair<std::string, std::string>, int64_t> inbound_by_provider_id_;
  std::map<std::string, int64_t> outbound_by_provider_id_;
  std::vector<StoredRecord> records_;
  std::vector<StoredEvent> events_;
  std::vector<StoredAudit> audit_;
  std::vector<StoredDocument> documents_;
  std::vector<StoredReport> reports_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore(NumberTenants tenants) {
  return std::make_unique<MemoryStore>(std::move(tenants));
}

}  // namespace bot::testing
