// The dialog step: (dialog, contact, session, input) -> (new session, replies, effects).
// Pure by contract: no I/O, no clock, no randomness. The order of the checks below is the
// engine's documented behaviour (docs/dialogs.md, "What happens on each message").
#include <ctime>
#include <string>

#include "bot/session.h"
#include "bot/understand.h"
#include "engine/slot_parser.h"

namespace bot {
namespace {

// Deep enough for any sensible chain of ask-less states; stops a cycle a dialog author
// managed to write (validation rejects stuck states, not every loop).
constexpr int kMaxChainedStates = 32;

std::string IsoTime(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string IsoDate(TimePoint t) { return IsoTime(t).substr(0, 10); }

// Builds one turn's output. Holds references to the inputs; lives for one Step call.
class Turn {
 public:
  Turn(const Dialog& dialog, const Contact& contact, const TurnInput& input)
      : dialog_(dialog),
        contact_(contact),
        input_(input),
        // A voice note counts as what it says.
        text_(input.text.empty() ? input.providers.transcript : input.text) {}

  TurnOutput Run(const std::optional<Session>& current);

 private:
  TurnOutput RunStart(const std::optional<Session>& current);
  void Say(const Session& session, const std::string& key);
  Session NewSession(const std::string& state_name) const;
  void Enter(Session& session, std::string state_name);
  void RunActions(Session& session, const Transition& transition);
  void Answer(Session& session, const State& state);
  void Audit(std::string kind, std::string detail = "") {
    out_.audit.push_back({std::move(kind), std::move(detail)});
  }
  const std::string& FirstState() const {
    return dialog_.inbound_start.empty() ? dialog_.start : dialog_.inbound_start;
  }

  const Dialog& dialog_;
  const Contact& contact_;
  const TurnInput& input_;
  const std::string text_;
  VarMap prior_vars_;  // variables of the contact's previous session of this dialog
  TurnOutput out_;
};

void Turn::Say(const Session& session, const std::string& key) {
  const std::string* tmpl = dialog_.FindPrompt(key);
  if (tmpl == nullptr) return;  // the loader guarantees the prompts the engine uses exist
  VarMap vars = session.vars;
  vars.emplace("profile_name", contact_.name);
  vars.emplace("contact", contact_.address);
  vars.emplace("today", IsoDate(input_.now));
  out_.replies.push_back(RenderPrompt(*tmpl, session.slots, vars));
}

Session Turn::NewSession(const std::string& state_name) const {
  Session s;
  s.dialog_id = dialog_.id;
  s.dialog_version = dialog_.version;
  s.state = state_name;
  for (const auto& [name, value] : dialog_.variables) {
    if (!value.empty()) s.vars[name] = value;
  }
  // A conversation that starts again (after expiry, opt-in, a finished survey) keeps the
  // variables the previous one was given: same contact, same practice, same patient name.
  for (const auto& [name, value] : prior_vars_) s.vars[name] = value;
  for (const auto& [name, value] : input_.vars) s.vars[name] = value;
  s.started_at = input_.now;
  s.updated_at = input_.now;
  return s;
}

void Turn::RunActions(Session& session, const Transition& transition) {
  for (const Action& action : transition.actions) {
    if (action.name == "record") {
      Record record{action.arg, {}};
      for (const auto& [name, value] : session.slots) {
        if (!value.is_none()) record.fields[name] = value.ToString();
      }
      record.fields["started_at"] = IsoTime(session.started_at);
      record.fields["recorded_at"] = IsoTime(input_.now);
      out_.records.push_back(std::move(record));
    } else if (action.name == "clear") {
      session.slots.erase(action.arg);
    } else if (action.name == "handoff") {
      session.status = SessionStatus::kHandoff;
      Audit("handoff", "action in state " + session.state);
    }
  }
}

// Enters a state: says its prompt, ends the session at an end state, and follows the
// transitions of states that ask nothing.
void Turn::Enter(Session& session, std::string state_name) {
  for (int hop = 0; hop < kMaxChainedStates; ++hop) {
    const State* state = dialog_.FindState(state_name);
    if (state == nullptr) {  // cannot happen for a validated dialog; end politely
      Say(session, "closing");
      session.status = SessionStatus::kDone;
      return;
    }
    session.state = state->name;
    session.attempts = 0;
    if (!state->say.empty()) Say(session, state->say);
    if (state->end) {
      if (session.status == SessionStatus::kActive) session.status = SessionStatus::kDone;
      return;
    }
    if (!state->ask.empty()) return;
    const Transition* next = nullptr;
    for (const Transition& t : state->transitions) {
      if (t.when.Evaluate(session.slots)) {
        next = &t;
        break;
      }
    }
    if (next == nullptr) return;  // waits here; validation makes this unreachable
    RunActions(session, *next);
    state_name = next->to;
  }
  Audit("loop_stopped", "state " + state_name);
}

// The user answered the question of `state`.
void Turn::Answer(Session& session, const State& state) {
  const SlotSpec* slot = dialog_.FindSlot(state.ask);
  ParseResult parsed = slot ? ParseSlotAnswer(*slot, text_, input_.now) : ParseResult{};
  if (!parsed.ok && slot && input_.providers.slot_answer) {
    // The LLM's reading must pass the same parser and validation as a typed answer.
    parsed = ParseSlotAnswer(*slot, *input_.providers.slot_answer, input_.now);
  }
  if (!parsed.ok) {
    session.attempts += 1;
    if (state.max_attempts > 0 && session.attempts >= state.max_attempts) {
      if (state.on_exhausted.empty()) {
        Say(session, "closing");
        session.status = SessionStatus::kDone;
      } else {
        Enter(session, state.on_exhausted);
      }
      return;
    }
    Say(session, state.help.empty() ? "help_default" : state.help);
    return;
  }
  session.slots[slot->name] = std::move(parsed.value);
  session.attempts = 0;
  for (const Transition& t : state.transitions) {
    if (t.when.Evaluate(session.slots)) {
      RunActions(session, t);
      Enter(session, t.to);
      return;
    }
  }
  // No transition matched: the answer is kept and the question stays open.
  Say(session, state.help.empty() ? "help_default" : state.help);
}

TurnOutput Turn::RunStart(const std::optional<Session>& current) {
  if (contact_.opted_out) return std::move(out_);
  if (current && (current->status == SessionStatus::kActive ||
                  current->status == SessionStatus::kHandoff)) {
    Session closed = *current;
    closed.status = SessionStatus::kDone;
    closed.updated_at = input_.now;
    out_.closed = std::move(closed);
  }
  Session session = NewSession(dialog_.start);
  Enter(session, dialog_.start);
  out_.session = std::move(session);
  return std::move(out_);
}

TurnOutput Turn::Run(const std::optional<Session>& current) {
  if (current && current->dialog_id == dialog_.id) prior_vars_ = current->vars;
  if (input_.kind == TurnInput::Kind::kStart) return RunStart(current);
  const Intent intent = DetectIntent(text_);

  // Opt-out is the contact's, not the session's: silence until an explicit opt-in.
  if (contact_.opted_out) {
    if (intent == Intent::kOptIn) {
      out_.opted_out = false;
      Audit("optin");
      Session scratch = current ? *current : NewSession(FirstState());
      Say(scratch, "optin_confirm");
    }
    return std::move(out_);
  }
  if (intent == Intent::kOptOut) {
    out_.opted_out = true;
    Audit("optout", text_);
    Session scratch = current ? *current : NewSession(FirstState());
    Say(scratch, "optout_confirm");
    if (current && (current->status == SessionStatus::kActive ||
                    current->status == SessionStatus::kHandoff)) {
      Session s = *current;
      s.status = SessionStatus::kOptedOut;
      s.updated_at = input_.now;
      out_.session = std::move(s);
    }
    return std::move(out_);
  }

  std::optional<Session> live;
  if (current) {
    SessionStatus status = EffectiveStatus(*current, dialog_, input_.now);
    if (status == SessionStatus::kExpired && current->status != SessionStatus::kExpired) {
      Session closed = *current;
      closed.status = SessionStatus::kExpired;
      out_.closed = std::move(closed);
    } else if (status == SessionStatus::kActive || status == SessionStatus::kHandoff) {
      live = *current;
    }
  }
  if (live && live->status == SessionStatus::kHandoff) return std::move(out_);  // a human has it

  // A dialog file changed under a live session: keep going when its state still exists.
  if (live && live->dialog_version != dialog_.version) {
    if (dialog_.FindState(live->state) != nullptr && live->dialog_id == dialog_.id) {
      Audit("dialog_changed", "v" + std::to_string(live->dialog_version) + " -> v" +
                                  std::to_string(dialog_.version) + ", kept state " + live->state);
      live->dialog_version = dialog_.version;
    } else {
      Audit("dialog_changed", "v" + std::to_string(live->dialog_version) + " -> v" +
                                  std::to_string(dialog_.version) + ", state " + live->state +
                                  " is gone: restarted");
      Session closed = *live;
      closed.status = SessionStatus::kDone;
      closed.updated_at = input_.now;
      out_.closed = std::move(closed);
      Session session = NewSession(FirstState());
      Say(session, "dialog_changed");
      Enter(session, FirstState());
      out_.session = std::move(session);
      return std::move(out_);
    }
  }

  if (!live) {
    Session session = NewSession(FirstState());
    if (intent == Intent::kHuman) {
      session.status = SessionStatus::kHandoff;
      Audit("handoff", text_);
      Say(session, "handoff_confirm");
    } else {
      Enter(session, FirstState());
    }
    out_.session = std::move(session);
    return std::move(out_);
  }

  Session session = std::move(*live);
  session.updated_at = input_.now;
  const State* state = dialog_.FindState(session.state);
  switch (intent) {
    case Intent::kHuman:
      session.status = SessionStatus::kHandoff;
      Audit("handoff", text_);
      Say(session, "handoff_confirm");
      break;
    case Intent::kHelp:
      Say(session, state && !state->help.empty() ? state->help : "help_default");
      break;
    case Intent::kRestart: {
      Audit("restart");
      Say(session, "restart_confirm");
      // The user-started entry state works for both origins: it needs no start variables.
      session.slots.clear();
      Enter(session, FirstState());
      break;
    }
    default:
      if (text_.empty() && !input_.media.empty() && !dialog_.accepts_media) {
        // A voice note we could not transcribe gets its own apology.
        bool voice = input_.media.front().content_type.rfind("audio/", 0) == 0;
        Say(session, voice && input_.providers.provider_failed ? "voice_unavailable"
                                                               : "media_unsupported");
      } else if (state != nullptr && !state->ask.empty()) {
        Answer(session, *state);
      } else {
        Enter(session, session.state);
      }
  }
  out_.session = std::move(session);
  return std::move(out_);
}

}  // namespace

std::optional<PendingAnswer> FindPendingAnswer(const Dialog& dialog, const Contact& contact,
                                               const std::optional<Session>& current,
                                               std::string_view text, TimePoint now) {
  if (!current || contact.opted_out || DetectIntent(text) != Intent::kNone) return std::nullopt;
  if (EffectiveStatus(*current, dialog, now) != SessionStatus::kActive) return std::nullopt;
  if (current->dialog_id != dialog.id) return std::nullopt;
  const State* state = dialog.FindState(current->state);
  if (state == nullptr || state->ask.empty()) return std::nullopt;
  const SlotSpec* slot = dialog.FindSlot(state->ask);
  if (slot == nullptr) return std::nullopt;
  PendingAnswer pending{state, slot, ""};
  if (const std::string* tmpl = dialog.FindPrompt(state->say)) {
    pending.question = RenderPrompt(*tmpl, current->slots, current->vars);
  }
  return pending;
}

TurnOutput Step(const Dialog& dialog, const Contact& contact, const std::optional<Session>& current,
                const TurnInput& input) {
  return Turn(dialog, contact, input).Run(current);
}

}  // namespace bot
