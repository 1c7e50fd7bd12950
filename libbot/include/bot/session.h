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
#include "bot/value.h"

namespace bot {

enum class SessionStatus { kActive, kDone, kOptedOut, kHandoff, kExpired };
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
};

// A media attachment of an inbound message.
struct Media {
  std::string url;           // where the channel offered it
  std::string content_type;  // "image/jpeg", "audio/ogg"
  std::string path;          // local file once downloaded; "" if not
  int64_t size = 0;
  std::string sha256;
};

// What provider calls made for this turn returned. The Bot makes the calls (or a transcript's
// cassette answers them) before the step, so the step itself stays pure.
struct ProviderResults {
  std::string transcript;  // a voice note's text; used when the message has no typed text
  std::optional<std::string> slot_answer;  // the LLM's reading of the answer for the pending
                                           // slot, checked again by the slot's own parser
  bool provider_failed = false;  // a provider call failed after retries (or over budget)
};

// What the dialog step receives.
struct TurnInput {
  enum class Kind { kMessage, kStart };
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

// Something the audit trail keeps: "optout", "optin", "handoff", "restart", "dialog_changed".
struct AuditEvent {
  std::string kind;
  std::string detail;
};

// What the dialog step returns; the caller commits it in one transaction.
struct TurnOutput {
  std::optional<Session> closed;   // a previous session this turn ended (expired, restarted)
  std::optional<Session> session;  // the session after the turn; nullopt = untouched
  std::vector<std::string> replies;
  std::vector<Record> records;
  std::vector<AuditEvent> audit;
  std::optional<bool> opted_out;   // the contact's opt-out changed to this
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
