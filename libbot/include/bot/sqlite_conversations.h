// The operators' desk over the SQLite store: conversations listed and read with everything a
// person needs to take one over, and the actions a person takes (claim, write, release, close,
// opt out), each audited with its actor in the same transaction as the change.
//
// Every function opens its own connection to the database at `path` (like ListHandoffs), so it
// is safe beside a running server; the server calls them on its work queue, in the
// conversation's turn lane, so an action never interleaves with a turn of the same conversation.
// Thread-safe (nothing is shared between calls).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"

namespace bot {

// Which conversations ListConversations returns. Empty strings match everything.
struct ConversationFilter {
  std::string status;  // "handoff", "active", "done", "expired" or "opted_out" (the contact's)
  std::string dialog;  // the latest session's dialog id
  std::string number;  // the bot's address, "whatsapp:+14155238886"
  // Only conversations of these bot addresses (a tenant's numbers); nullopt = any number.
  std::optional<std::vector<std::string>> numbers;
  std::string query;   // a substring of the address, the name or any message's text
  int limit = 50;      // 1..200
  // Keyset pagination: only conversations after this one in the order (newest activity first,
  // then the highest contact id). ConversationSummary::activity and ::contact_id of the last row.
  std::optional<std::pair<TimePoint, int64_t>> after;
};

// One row of the list: a contact and its latest session.
struct ConversationSummary {
  int64_t contact_id = 0;
  std::string channel;  // the bot's address
  std::string address;  // the user's
  std::string name;
  // "opted_out" when the contact is, else the latest session's status ("" when it has none).
  std::string status;
  std::string dialog_id;
  std::string state;
  TimePoint activity;  // the newest of: the last message, the session's last change, creation
  std::optional<TimePoint> last_inbound_at;  // WhatsApp's 24 h window counts from it
  // The agent holding it; "" when nobody does. A claim counts only while the session it was made
  // in is the latest and in handoff: one left behind by an expiry holds nothing.
  std::string claimed_by;
  std::string last_text;  // the newest message's text (or transcript)
};

struct ConversationMessage {
  int64_t id = 0;
  std::string direction;  // "in" or "out"
  std::string author;     // "user", "bot" or "agent"
  std::string agent;      // who wrote an "agent" message
  std::string text;
  std::string transcript;  // an inbound voice note's
  std::string status;
  std::string error_code;
  std::string media_json;  // the messages.media JSON array, "" when none
  TimePoint created_at;
};

struct ConversationDetail {
  ConversationSummary summary;
  bool has_session = false;
  int64_t session_id = 0;
  std::string session_status;  // the session's own status (summary.status may say opted_out)
  std::string slots_json = "{}";
  std::string vars_json = "{}";
  TimePoint started_at;
  TimePoint updated_at;
  std::vector<ConversationMessage> messages;  // oldest first
  struct RecordRow {
    std::string kind;
    std::string data_json;
    TimePoint created_at;
  };
  std::vector<RecordRow> records;  // oldest first
  struct AuditRow {
    std::string kind;
    std::string detail;
    TimePoint created_at;
  };
  std::vector<AuditRow> audit;  // oldest first
  std::optional<TimePoint> claimed_at;
  // The provider calls made for this user's conversations (usage_records, keyed by the user's
  // address: every bot number they wrote to), refused and failed ones included.
  struct Usage {
    int64_t calls = 0;
    int64_t tokens_in = 0;
    int64_t tokens_out = 0;
    int64_t cost_micro_usd = 0;
  };
  Usage usage;
};

// Newest activity first; at most `filter.limit` rows. InvalidArgument for a bad filter.
Result<std::vector<ConversationSummary>> ListConversations(const std::string& path,
                                                           const ConversationFilter& filter);

// Everything about one contact; NotFound when there is no such contact.
Result<ConversationDetail> GetConversation(const std::string& path, int64_t contact_id);

// What a person does to a conversation.
struct ConversationAction {
  enum class Kind {
    kClaim,    // assign it to `actor`; an active session is taken over (handoff: the bot is
               // silent)
    kMessage,  // queue `text` in the outbox as the agent's message (needs the handoff), or an
               // approved template (`content_sid`)
    kRelease,  // back to the bot (active), where it was or at `state`; the claim is dropped
    kClose,    // the session is done; the claim is dropped
    kOptOut,   // the contact is opted out (the bot never writes again); the claim is dropped
  };
  Kind kind = Kind::kClaim;
  int64_t contact_id = 0;
  std::string actor;  // required: kept in the audit event and the claim
  // An admin acts on a conversation another agent holds; an agent gets kClaimedByOther.
  bool override_claim = false;
  std::string text;  // kMessage: what is sent, or what the transcript shows of a template
  // kMessage: an approved WhatsApp template (Twilio ContentSid "HX...") with its variables (a
  // JSON object string, "" = none). A template may be sent outside the 24 h window.
  std::string content_sid;
  std::string content_variables;
  std::string state;  // kRelease: "" = the state it was in
  // kRelease with a state: whether `state` exists in dialog `dialog_id`.
  std::function<bool(const std::string& dialog_id, const std::string& state)> state_exists;
  // kMessage without a template: the user's last message must be at or after this (WhatsApp's
  // 24 h window).
  std::optional<TimePoint> window_start;
  TimePoint now;
};

struct ActionResult {
  enum class Outcome {
    kDone,
    kNotFound,        // no such contact
    kClaimedByOther,  // another agent holds it (claimed_by says who)
    kNotAllowed,      // not in a status this action applies to (message says why)
    kOutsideWindow,   // kMessage of free text: the last inbound is older than window_start;
                      // nothing queued
    kUnknownState,    // kRelease: the dialog has no such state
  };
  Outcome outcome = Outcome::kDone;
  std::string message;     // why, for the outcomes other than kDone
  std::string claimed_by;  // kClaimedByOther
  int64_t message_id = 0;  // kMessage: the queued outbound message
};

// Checks and applies `action` in one write transaction with an audit event naming the actor
// (`agent_claimed`, `agent_message`, `handoff_released`, `agent_closed`, `agent_opted_out`).
// Errors are for the database only; refusals are outcomes. InvalidArgument for an empty actor.
Result<ActionResult> ApplyConversationAction(const std::string& path,
                                             const ConversationAction& action);

// The channel and address of a contact; NotFound when there is none.
Result<std::pair<std::string, std::string>> ConversationAddress(const std::string& path,
                                                                int64_t contact_id);

// The bot addresses of the conversations whose messages hold the media file named `file` (the
// name the store gave it, "<sha256>.<ext>": a stored path's last component); empty when none
// does.
Result<std::vector<std::string>> MediaChannels(const std::string& path, const std::string& file);

}  // namespace bot
