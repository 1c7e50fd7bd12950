// Durable state: contacts, sessions, messages (inbound and the outbox), dialog records and
// audit events. SQLite is the default implementation (bot/sqlite_store.h); an in-memory fake
// lives in bot::testing. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/session.h"
#include "bot/status.h"

namespace bot {

// Which tenant (a clinic, an agency, a lender sharing the deployment) owns each bot number:
// bot address ("whatsapp:+14155238886") -> tenant; botrunner's `numbers[].tenant`. A store
// stamps every contact with the tenant of the number it is created on (Contact::tenant), and
// every other row of a contact is the tenant's through its contact (docs/store.md, "Tenants").
using NumberTenants = std::map<std::string, std::string>;
// The tenant of a number not in a NumberTenants.
inline constexpr char kDefaultTenant[] = "default";
// `number`'s tenant in `tenants`; kDefaultTenant when it is not listed.
std::string TenantOfNumber(const NumberTenants& tenants, const std::string& number);

// An inbound message as the channel delivered it.
struct InboundMessage {
  std::string channel;       // the bot's address, "whatsapp:+14155238886"
  std::string from;          // the user's address, "whatsapp:+593987654321"
  std::string provider_id;   // the channel's message id (Twilio MessageSid); unique per channel
  std::string profile_name;
  std::string text;
  std::vector<Media> media;
  std::string raw;           // the raw webhook body, kept for audit
  std::string dialog_id;     // the dialog this channel runs
  VarMap vars;               // the channel's prompt variables for new sessions
  TimePoint received_at;
};

struct Accepted {
  int64_t message_id = 0;  // our row id
  bool duplicate = false;  // the provider id was seen before: do not process or answer again
};

// An accepted inbound message with what its turn needs.
struct TurnContext {
  int64_t message_id = 0;
  InboundMessage message;
  bool processed = false;
  Contact contact;
  std::optional<Session> session;  // the contact's latest session
};

// Outgoing message states. The order is the delivery order; status callbacks never move a
// message back (see UpdateDeliveryStatus).
//   pending -> sent (accepted by the provider) -> delivered -> read
//   inline:        answered inside the webhook response (TwiML)
//   failed:        permanent error, with the provider's code
//   not_sendable:  outside the 24 h window and no template configured
struct OutboundMessage {
  int64_t id = 0;
  int64_t contact_id = 0;
  std::string channel;
  std::string to;
  std::string text;
  std::string status;
  std::string provider_id;
  std::string error_code;
  int attempts = 0;
  TimePoint created_at;
  TimePoint next_attempt_at;
  // An approved template (business-initiated): sent as Twilio ContentSid + ContentVariables (a
  // JSON object string) whatever the 24 h window; `text` is what it says. Empty: plain text.
  std::string content_sid;
  std::string content_variables;
};

// A provider's raw answer kept encrypted (bot/credit.h Seal): e.g. the bureau report.
struct SealedReport {
  std::string kind;     // "bureau"
  std::string key_id;   // the data key that sealed it, for rotation
  std::string blob;     // Seal() output
  std::string summary;  // what may be read without the key, e.g. "score=712"
};

// A campaign recipient (bot/campaigns.h) a turn moves along, in the turn's transaction: from
// status `from` to `to`. If the row is not in `from` any more (another run did it), the commit
// fails with kAlreadyExists and writes nothing: scheduled work is never done twice.
struct CampaignStep {
  int64_t recipient_id = 0;
  std::string from;                   // "scheduled", "sent", "reminded"
  std::string to;                     // "sent", "reminded", "replied", "no_response", "skipped"...
  std::string reason;                 // why (skipped, failed); "" otherwise
  std::optional<TimePoint> next_due;  // when the scheduler looks at it again; nullopt = never
};

// Everything one turn changes. Committed in one transaction, or not at all.
struct TurnCommit {
  int64_t inbound_id = 0;            // accepted message this turn processes; 0 = bot-first turn
  Contact contact;                   // must exist (id != 0); name and opt-out are saved
  std::optional<Session> closed;     // saved as is
  std::optional<Session> session;    // inserted when id == 0, else updated
  std::vector<std::string> replies;  // already split for the channel, in order
  std::string reply_status = "pending";  // "pending" (outbox) or "inline" (TwiML)
  std::vector<Record> records;
  std::vector<AuditEvent> audit;
  std::string inbound_transcript;  // a voice note's transcript, kept with the inbound message
  std::vector<Document> documents;    // each replaces the contact's previous one of its kind
  std::vector<SealedReport> reports;
  std::vector<Event> events;  // queued for the event sinks in the same transaction
  // Business-initiated: the replies leave as one outbound message sent through this approved
  // template (Twilio ContentSid, variables as a JSON object string), its text the replies joined.
  std::string content_sid;
  std::string content_variables;
  std::optional<CampaignStep> campaign_step;
  TimePoint now;
};

struct CommittedTurn {
  int64_t session_id = 0;
  std::vector<int64_t> outbound_ids;
  // Those of outbound_ids held for credits or the daily cap (bot/message_credits.h): not to be
  // sent until released.
  std::vector<int64_t> held_ids;
};

struct StoredRecord {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t session_id = 0;
  Record record;
  TimePoint created_at;
};

struct StoredAudit {
  int64_t id = 0;
  int64_t contact_id = 0;
  AuditEvent event;
  TimePoint created_at;
};

struct StoredDocument {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t session_id = 0;
  Document document;
  TimePoint created_at;
  std::optional<TimePoint> replaced_at;  // a newer document of the same kind replaced it
};

struct StoredReport {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t session_id = 0;
  SealedReport report;
  TimePoint created_at;
};

struct StoredEvent {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t session_id = 0;
  Event event;
  TimePoint created_at;
};

struct StoredMessage {
  int64_t id = 0;
  std::string direction;  // "in" or "out"
  std::string text;
  std::string provider_id;
  std::string status;     // in: "accepted"/"processed"; out: see OutboundMessage
  std::string error_code;
  std::vector<Media> media;
  TimePoint created_at;
  std::string transcript;  // in: a voice note's text, when it was transcribed
};

// True for provider error codes that say a contact can never be reached, so that nothing more
// is sent to it: Twilio 21610 (unsubscribed: the recipient replied STOP) and 21211 (invalid
// number). 63016 (outside the 24 h window) is about one message, not the contact.
bool MarksContactUnreachable(std::string_view error_code);
// Why, in words: "unsubscribed (21610)", "invalid number (21211)".
std::string UnreachableReason(std::string_view error_code);

class Store {
 public:
  virtual ~Store() = default;

  // Stores an inbound message durably (creating its contact) unless its provider id was
  // seen before on that channel, in which case `duplicate` is set and nothing changes.
  virtual Result<Accepted> AcceptInbound(const InboundMessage& message) = 0;

  // Loads an accepted message, its contact and the contact's latest session.
  virtual Result<TurnContext> LoadTurn(int64_t message_id) = 0;

  // Finds or creates a contact (for bot-first conversations).
  virtual Result<Contact> GetOrCreateContact(const std::string& channel,
                                             const std::string& address) = 0;
  virtual Result<std::optional<Session>> LatestSession(int64_t contact_id) = 0;

  // Commits a turn atomically and marks its inbound message processed. Fails with
  // kAlreadyExists if that message was processed already (nothing is written then).
  virtual Result<CommittedTurn> CommitTurn(const TurnCommit& turn) = 0;

  // Accepted but unprocessed inbound messages, oldest first (recovery after a crash).
  virtual Result<std::vector<int64_t>> UnprocessedInbound() = 0;
  // An accepted message that can never be processed (its stored row is unreadable): status
  // "failed" with `reason`, and an audit event "inbound_failed", so that it is visible and no
  // longer retried. NotFound if it is not an accepted inbound message.
  virtual Status MarkInboundFailed(int64_t message_id, const std::string& reason,
                                   TimePoint now) = 0;

  // The outbox: pending messages whose next attempt is due, oldest first. A due message to a
  // contact marked unreachable (Contact::unreachable_code) is not returned: it is failed with
  // the mark's code and the error "contact unreachable: <reason>".
  virtual Result<std::vector<OutboundMessage>> DueOutbound(TimePoint now, int limit) = 0;
  virtual Status MarkOutboundSent(int64_t id, const std::string& provider_id, TimePoint now) = 0;
  virtual Status MarkOutboundRetry(int64_t id, TimePoint next_attempt_at,
                                   const std::string& error) = 0;
  // Permanent outcome: status "failed" or "not_sendable", with the provider's error code. A
  // code that means the contact can never be reached (MarksContactUnreachable: Twilio 21610
  // unsubscribed, 21211 invalid number) marks the contact in the same transaction, audited
  // "contact_unreachable"; 21610 also opts it out, and its opt-in (a turn's "optin" audit
  // event) clears that mark. Status callbacks (UpdateDeliveryStatus) mark the same way.
  virtual Status MarkOutboundFailed(int64_t id, const std::string& status,
                                    const std::string& error_code, const std::string& error) = 0;
  // A status callback. Monotonic: queued < sent < delivered < read; failed/undelivered are
  // final. An older status never overwrites a newer one. Unknown provider ids are ignored.
  virtual Status UpdateDeliveryStatus(const std::string& provider_id, const std::string& status,
                                      const std::string& error_code) = 0;
  virtual Result<int64_t> OutboxDepth() = 0;

  // Ends a human handoff: the session goes back to active in the same state.
  virtual Status ReleaseHandoff(int64_t contact_id, TimePoint now) = 0;

  // Queries, for tools, tests and transcripts.
  virtual Result<std::optional<Contact>> FindContact(const std::string& channel,
                                                     const std::string& address) = 0;
  virtual Result<std::vector<StoredRecord>> ListRecords(int64_t contact_id) = 0;
  virtual Result<std::vector<StoredAudit>> ListAudit(int64_t contact_id) = 0;
  virtual Result<std::vector<StoredMessage>> ListMessages(int64_t contact_id) = 0;
  // Every document, replaced ones too, oldest first.
  virtual Result<std::vector<StoredDocument>> ListDocuments(int64_t contact_id) = 0;
  virtual Result<std::vector<StoredReport>> ListReports(int64_t contact_id) = 0;
  // The events a contact's turns stored for the event sinks (TurnCommit::events), oldest first.
  virtual Result<std::vector<StoredEvent>> ListEvents(int64_t contact_id) = 0;

  // Several processes on one database (the PostgreSQL store; a store only one process uses
  // keeps these defaults). A process holds a conversation while it runs its turns, so that they
  // run one at a time and in arrival order across processes: TryHoldConversation takes the
  // contact's conversation for this store unless another store holds it (false then: that one
  // runs the pending messages). A hold ends with ReleaseConversation, or when the store's
  // connection (its process) dies.
  virtual Result<bool> TryHoldConversation(int64_t contact_id) {
    static_cast<void>(contact_id);
    return true;
  }
  virtual Status ReleaseConversation(int64_t contact_id) {
    static_cast<void>(contact_id);
    return Status::Ok();
  }
  // Accepted but unprocessed inbound messages of one contact, oldest first.
  virtual Result<std::vector<int64_t>> UnprocessedInboundOf(int64_t contact_id);
  // Hands back outbox rows DueOutbound returned and the caller will not send now: a store that
  // claims rows (PostgresOptions::outbox_lease) makes them due again at once.
  virtual Status ReleaseOutbound(const std::vector<int64_t>& ids) {
    static_cast<void>(ids);
    return Status::Ok();
  }

  // Is the store reachable (for /healthz)?
  virtual Status Ping() = 0;

  // Group commit. A store may keep the writes of several calls in one open transaction and make
  // them durable together (SqliteOptions::group_commit); by default every call is durable when
  // it returns. Flush() makes everything written so far durable. WhenDurable(then) runs `then`
  // with the outcome once everything written before the call is durable: at once when nothing
  // waits, else on the thread of the Flush() that commits it. An error means those writes are
  // gone (nothing was half-written): answer so that the sender retries.
  virtual Status Flush() { return Status::Ok(); }
  virtual void WhenDurable(std::function<void(const Status&)> then) { then(Status::Ok()); }
};

}  // namespace bot
