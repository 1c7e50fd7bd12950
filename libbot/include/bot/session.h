// A conversation's state and the pure dialog step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/knowledge.h"
#include "bot/value.h"

namespace bot {

// kNoResponse: a business-initiated conversation the contact never answered (campaign follow-up).
enum class SessionStatus { kActive, kDone, kOptedOut, kHandoff, kExpired, kNoResponse };
const char* SessionStatusName(SessionStatus status);  // "active", "done", "opted_out"...
bool ParseSessionStatus(std::string_view name, SessionStatus* out);

// One run of a dialog with one contact.
struct Session {
  int64_t id = 0;  // 0 until stored
  std::string dialog_id;
  int dialog_version = 0;
  std::string state;
  SlotMap slots;
  VarMap vars;
  SessionStatus status = SessionStatus::kActive;
  int attempts = 0;  // failed answers in the current state
  TimePoint started_at;
  TimePoint updated_at;
};

// A person on a channel: `channel` is the bot's address ("whatsapp:+14155238886"),
// `address` the user's ("whatsapp:+593987654321").
struct Contact {
  int64_t id = 0;
  std::string channel;
  std::string address;
  std::string name;  // WhatsApp profile name or the name the dialog learned
  bool opted_out = false;
  std::optional<TimePoint> opted_out_at;
  std::optional<TimePoint> last_inbound_at;
  // Set when the provider said the contact can never be reached (Twilio 21610 unsubscribed,
  // 21211 invalid number): the outbox fails its messages instead of sending them.
  std::string unreachable_code;  // "" while reachable
  std::string unreachable_reason;
  std::optional<TimePoint> unreachable_at;
  // The tenant that owns it: its number's tenant when it was created (NumberTenants). "" only
  // for a contact stored before tenants were recorded, until a store with number tenants opens.
  std::string tenant;
};

// A media attachment of an inbound message.
struct Media {
  std::string url;           // where the channel offered it
  std::string content_type;  // "image/jpeg", "audio/ogg"
  std::string path;          // local file once downloaded; "" if not
  int64_t size = 0;
  std::string sha256;
};

// What OCR read from a photo that answers a document slot.
struct DocumentReading {
  std::map<std::string, std::string> fields;  // field -> text read; a field not read is absent
  double confidence = 0;  // the lowest confidence among the fields read, 0..1
  std::string path;       // the stored file
  std::string sha256;
  std::string content_type;
};

// The outcome of a state's check (State::check), delivered by a kCheckResult turn.
struct CheckResult {
  std::string check;  // "bureau"
  SlotMap slots;      // what it fills: bureau_score, or bureau_error
};

// What provider calls made for this turn returned. The Bot makes the calls (or a transcript's
// cassette answers them) before the step, so the step itself stays pure.
struct ProviderResults {
  std::string transcript;  // a voice note's text; used when the message has no typed text
  std::optional<std::string> slot_answer;  // the LLM's reading of the answer for the pending
                                           // slot, checked again by the slot's own parser
  bool provider_failed = false;  // a provider call failed after retries (or over budget)
  std::optional<DocumentReading> document;  // OCR of the photo answering a document slot
  std::optional<CheckResult> check;         // kCheckResult turns
  // Dialogs with an offers catalogue (Dialog::knowledge):
  std::vector<std::string> zones;  // the catalogue's zones: zone slots and {{zones}}
  // A question (IsQuestion) searched in the catalogue with the filters the slots give.
  std::optional<SearchResult> offers;
  // The LLM's answer composed only from `offers` and checked against them (every number in it
  // is in the offers, every offer it names was retrieved). nullopt = no LLM answer: the engine
  // lists the offers' facts itself; "" = the LLM found no answer in them: "I don't know".
  std::optional<std::string> offers_answer;
};

// What the dialog step receives.
struct TurnInput {
  // kCheckResult: no message; the result of the check the session's state waits for, in
  // `providers.check`.
  enum class Kind { kMessage, kStart, kCheckResult };
  Kind kind = Kind::kMessage;
  std::string text;
  std::vector<Media> media;
  std::string message_id;  // provider id of the inbound message ("" for kStart)
  VarMap vars;             // variables for a session this turn starts
  TimePoint now;
  ProviderResults providers;
};

// A dialog result the business can query ("review": rating, feedback, times).
struct Record {
  std::string kind;
  std::map<std::string, std::string> fields;
};

// A document a turn accepted: the file and what was read from it. Storing one replaces the
// contact's previous document of the same kind (kept, marked replaced: the audit trail).
struct Document {
  std::string kind;  // "ine", "proof_of_address"
  std::string slot;
  std::string path;
  std::string sha256;
  std::string content_type;
  std::map<std::string, std::string> fields;
  std::string message_id;  // the inbound message that carried it
};

// Something the audit trail keeps: "optout", "optin", "handoff", "restart", "dialog_changed".
struct AuditEvent {
  std::string kind;
  std::string detail;
};

// Something that happened, for outside systems (a CRM, a data pipeline): sent as a CloudEvent
// to the configured sinks through a durable queue, in order per conversation. `type` is the
// event's name without the deployment's prefix: "lead.scored", "lead.qualified",
// "review.recorded", "application.preapproved", "conversation.started", "message.received",
// "message.sent" (docs/events.md lists each with its data).
struct Event {
  std::string type;
  std::string data_json;  // the event's data: a JSON object
};

// What the dialog step returns; the caller commits it in one transaction.
struct TurnOutput {
  std::optional<Session> closed;   // a previous session this turn ended (expired, restarted)
  std::optional<Session> session;  // the session after the turn; nullopt = untouched
  std::vector<std::string> replies;
  std::vector<Record> records;
  std::vector<AuditEvent> audit;
  std::optional<bool> opted_out;   // the contact's opt-out changed to this
  std::optional<std::string> contact_name;  // the contact's name changed to this (set_name)
  std::vector<Document> documents;
  std::string check;  // run this check (the session's state's) after committing; "" = none
  std::vector<Event> events;
};

// The dialog step. Pure: no I/O, no clock (time comes in `input.now`), no randomness, so a
// transcript replays exactly. `current` is the contact's latest session, if any.
TurnOutput Step(const Dialog& dialog, const Contact& contact, const std::optional<Session>& current,
                const TurnInput& input);

// The question a message will answer: the slot the session's state asks for, when the turn is
// a plain answer (a live session, no global intent). Callers use it to decide, before the pure
// step, whether a provider (the LLM fallback) is needed.
struct PendingAnswer {
  const State* state = nullptr;
  const SlotSpec* slot = nullptr;
  std::string question;  // the state's prompt, rendered
};
std::optional<PendingAnswer> FindPendingAnswer(const Dialog& dialog, const Contact& contact,
                                               const std::optional<Session>& current,
                                               std::string_view text, TimePoint now);

// The status a session has at `now`: an active session idle past the dialog's timeout is
// kExpired even before the next message closes it.
SessionStatus EffectiveStatus(const Session& session, const Dialog& dialog, TimePoint now);

}  // namespace bot
