// The dialog step: (dialog, contact, session, input) -> (new session, replies, effects).
// Pure by contract: no I/O, no clock, no randomness. The order of the checks below is the
// engine's documented behaviour (docs/dialogs.md, "What happens on each message").
#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

#include "bot/credit.h"
#include "bot/session.h"
#include "bot/twilio.h"  // Sha256Hex
#include "bot/understand.h"
#include "engine/documents.h"
#include "engine/events.h"
#include "engine/local_time.h"
#include "engine/offers_text.h"
#include "engine/slot_parser.h"

namespace bot {
namespace {

// Deep enough for any sensible chain of ask-less states; stops a cycle a dialog author
// managed to write (validation rejects stuck states, not every loop).
constexpr int kMaxChainedStates = 32;

// The dialog's way back that `text` asks for ("quiero cambiar el monto"), if any.
const ChangeRequest* FindChange(const Dialog& dialog, std::string_view text) {
  if (text.empty()) return nullptr;
  for (const ChangeRequest& change : dialog.changes) {
    if (IsChangeRequest(text, change.words)) return &change;
  }
  return nullptr;
}

// "Me llamo Ana López" -> "Ana López": the name without the phrase that introduces it.
std::string NameFromAnswer(std::string text) {
  static constexpr std::string_view kIntros[] = {"me llamo ", "mi nombre es ", "yo soy ", "soy "};
  for (std::string_view intro : kIntros) {
    if (text.size() <= intro.size()) continue;
    bool match = true;
    for (size_t i = 0; i < intro.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(text[i])) == intro[i];
    }
    if (match) return text.substr(intro.size());
  }
  return text;
}

std::string IsoTime(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Builds one turn's output. Holds references to the inputs; lives for one Step call.
class Turn {
 public:
  Turn(const Dialog& dialog, const Contact& contact, const TurnInput& input)
      : dialog_(dialog),
        contact_(contact),
        input_(input),
        // A voice note counts as what it says.
        text_(input.text.empty() ? input.providers.transcript : input.text),
        today_(engine::LocalDate(input.now, dialog.timezone)),
        name_(contact.name) {}

  TurnOutput Run(const std::optional<Session>& current);

 private:
  TurnOutput RunStart(const std::optional<Session>& current);
  TurnOutput RunCheckResult(const std::optional<Session>& current);
  std::string Render(const Session& session, const std::string& key) const;
  void Say(const Session& session, const std::string& key);
  Session NewSession(const std::string& state_name) const;
  void Enter(Session& session, std::string state_name);
  void RunActions(Session& session, const Transition& transition);
  void Quote(Session& session);
  void Score(Session& session);
  void AnswerQuestion(const Session& session);
  void Answer(Session& session, const State& state);
  void AnswerDocument(Session& session, const State& state, const SlotSpec& slot);
  void Refuse(Session& session, const State& state, const std::string& prompt);
  void Advance(Session& session, const State& state);
  bool Change(Session& session);
  void Audit(std::string kind, std::string detail = "") {
    out_.audit.push_back({std::move(kind), std::move(detail)});
  }
  // "Condesa, Polanco y Roma Norte".
  std::string ZoneList() const {
    const std::vector<std::string>& zones = input_.providers.zones;
    std::string out;
    for (size_t i = 0; i < zones.size(); ++i) {
      if (i > 0) out += i + 1 == zones.size() ? " y " : ", ";
      out += zones[i];
    }
    return out;
  }
  const std::string& FirstState() const {
    return dialog_.inbound_start.empty() ? dialog_.start : dialog_.inbound_start;
  }

  const Dialog& dialog_;
  const Contact& contact_;
  const TurnInput& input_;
  const std::string text_;
  const std::chrono::year_month_day today_;  // in the dialog's time zone
  std::string name_;  // the contact's name; set_name changes it mid-turn
  VarMap prior_vars_;  // variables of the contact's previous session of this dialog
  TurnOutput out_;
};

std::string Turn::Render(const Session& session, const std::string& key) const {
  const std::string* tmpl = dialog_.FindPrompt(key);
  if (tmpl == nullptr) return "";  // the loader guarantees the prompts the engine uses exist
  VarMap vars = session.vars;
  vars.emplace("profile_name", name_);
  vars.emplace("contact", contact_.address);
  vars.emplace("today", engine::IsoDate(today_));
  vars.emplace("zones", ZoneList());
  return RenderPrompt(*tmpl, session.slots, vars);
}

void Turn::Say(const Session& session, const std::string& key) {
  if (!dialog_.FindPrompt(key)) return;
  out_.replies.push_back(Render(session, key));
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
      for (const auto& [name, value] : action.fields) record.fields[name] = value;
      out_.events.push_back(engine::RecordEvent(record, contact_));
      out_.records.push_back(std::move(record));
    } else if (action.name == "clear") {
      session.slots.erase(action.arg);
    } else if (action.name == "handoff") {
      session.status = SessionStatus::kHandoff;
      Audit("handoff", "action in state " + session.state);
    } else if (action.name == "set_name") {
      auto it = session.slots.find(action.arg);
      if (it != session.slots.end() && !it->second.ToString().empty()) {
        name_ = NameFromAnswer(it->second.ToString());
        it->second = Value::Text(name_);
        out_.contact_name = name_;
      }
    } else if (action.name == "consent") {
      // Click-wrap evidence: exactly what was shown (its hash), where, when and in answer to
      // which message. The text is rendered as it was shown: same prompt, same session.
      Record record{"consent", {}};
      record.fields["prompt"] = action.arg;
      record.fields["text_sha256"] = Sha256Hex(Render(session, action.arg));
      record.fields["message_id"] = input_.message_id;
      record.fields["channel"] = contact_.channel;
      record.fields["address"] = contact_.address;
      record.fields["answer"] = text_;
      record.fields["accepted_at"] = IsoTime(input_.now);
      out_.records.push_back(std::move(record));
    } else if (action.name == "quote") {
      Quote(session);
    } else if (action.name == "score") {
      Score(session);
    }
  }
}

// The "quote" action: commission, total and due date from the amount and the term.
void Turn::Quote(Session& session) {
  auto amount = session.slots.find("amount");
  auto term = session.slots.find("term");
  auto rate = session.vars.find("commission_rate_bp");
  int64_t rate_bp = -1;
  if (rate != session.vars.end()) {
    auto [end, ec] = std::from_chars(rate->second.data(),
                                     rate->second.data() + rate->second.size(), rate_bp);
    if (ec != std::errc() || end != rate->second.data() + rate->second.size()) rate_bp = -1;
  }
  if (amount == session.slots.end() || term == session.slots.end() || rate_bp < 0) {
    Audit("quote_failed", "needs amount, term and commission_rate_bp");
    return;
  }
  Result<LoanQuote> quote = MakeQuote(amount->second.centavos(),
                                      static_cast<int>(term->second.as_int()), rate_bp, today_);
  if (!quote.ok()) {
    Audit("quote_failed", quote.status().message());
    return;
  }
  session.slots["commission"] = Value::Money(quote->commission);
  session.slots["total"] = Value::Money(quote->total);
  session.slots["due_date"] = Value::Text(FormatDateEs(quote->due_date));
}

// The "score" action: the dialog's scoring rules over the slots, stored as a "lead" record and
// emitted as lead.scored (and lead.qualified when hot).
void Turn::Score(Session& session) {
  engine::LeadScore score;
  for (const ScoreRule& rule : dialog_.scoring.rules) {
    if (!rule.when.Evaluate(session.slots)) continue;
    score.score += rule.points;
    score.fired.emplace_back(rule.why, rule.points);
  }
  score.score = std::clamp(score.score, 0, 100);
  score.hot = score.score >= dialog_.scoring.hot;
  std::string rules;
  for (const auto& [why, points] : score.fired) {
    if (!rules.empty()) rules += "; ";
    rules += why + " (" + (points >= 0 ? "+" : "") + std::to_string(points) + ")";
  }
  session.slots["score"] = Value::Int(score.score);
  session.slots["score_rules"] = Value::Text(rules);
  session.slots["lead_status"] = Value::Text(score.hot ? "hot" : "low_priority");

  Record lead{"lead", {}};
  for (const auto& [name, value] : session.slots) {
    if (!value.is_none()) lead.fields[name] = value.ToString();
  }
  for (const char* var : {"offer_id", "ad_id", "leadgen_id", "email"}) {
    auto it = session.vars.find(var);
    if (it != session.vars.end() && !it->second.empty()) lead.fields.emplace(var, it->second);
  }
  lead.fields["started_at"] = IsoTime(session.started_at);
  lead.fields["recorded_at"] = IsoTime(input_.now);
  out_.records.push_back(std::move(lead));
  out_.events.push_back(engine::LeadEvent("lead.scored", score, session, contact_));
  if (score.hot)
    out_.events.push_back(engine::LeadEvent("lead.qualified", score, session, contact_));
}

// A question answered from the offers catalogue (Step's caller searched it): the LLM's
// grounded answer, or the offers' facts, or "I don't know" with the offer of an advisor.
void Turn::AnswerQuestion(const Session& session) {
  const SearchResult& found = *input_.providers.offers;
  const std::optional<std::string>& composed = input_.providers.offers_answer;
  if (!found.supported || found.passages.empty() || (composed && composed->empty())) {
    Audit("question_unanswered", text_);
    Say(session, "offers_unknown");
    return;
  }
  if (composed) {
    out_.replies.push_back(*composed);
  } else {
    Say(session, "offers_found");
    out_.replies.back() += "\n" + engine::OfferFacts(found);
  }
  std::string ids;
  for (const Passage& passage : found.passages) ids += (ids.empty() ? "" : ",") + passage.offer.id;
  Audit("question_answered", ids);
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
    if (!state->check.empty()) {  // waits for the check's result turn
      if (session.status == SessionStatus::kActive) out_.check = state->check;
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
  if (slot != nullptr && slot->type == SlotType::kDocument) {
    AnswerDocument(session, state, *slot);
    return;
  }
  if (slot == nullptr) {  // the loader makes this unreachable
    Refuse(session, state, state.help.empty() ? "help_default" : state.help);
    return;
  }
  const SlotSpec spec = WithZones(*slot, input_.providers.zones);
  ParseResult parsed = ParseSlotAnswer(spec, text_, input_.now);
  if (!parsed.ok && input_.providers.slot_answer) {
    // The LLM's reading must pass the same parser and validation as a typed answer.
    parsed = ParseSlotAnswer(spec, *input_.providers.slot_answer, input_.now);
  }
  if (!parsed.ok) {
    Refuse(session, state, state.help.empty() ? "help_default" : state.help);
    return;
  }
  if (Budget budget;
      slot->type == SlotType::kBudget && ParseBudgetText(parsed.value.text(), &budget)) {
    session.slots[slot->name + "_min"] = Value::Money(budget.min_cents);
    session.slots[slot->name + "_max"] = Value::Money(budget.max_cents);
    session.slots[slot->name + "_currency"] = Value::Text(budget.currency);
    session.slots[slot->name + "_period"] = Value::Text(budget.per_month ? "month" : "total");
  }
  session.slots[slot->name] = std::move(parsed.value);
  Advance(session, state);
}

// A photo (or PDF) answering a document slot, read by OCR before the step.
void Turn::AnswerDocument(Session& session, const State& state, const SlotSpec& slot) {
  bool has_document = false;
  for (const Media& media : input_.media) {
    has_document = has_document || media.content_type.rfind("image/", 0) == 0 ||
                   media.content_type == "application/pdf";
  }
  if (!has_document) {  // text, a voice note or a sticker where a photo is expected
    Refuse(session, state, state.help.empty() ? "help_default" : state.help);
    return;
  }
  const engine::DocumentKind* kind = engine::FindDocumentKind(slot.document);
  const std::optional<DocumentReading>& reading = input_.providers.document;
  if (kind == nullptr || !reading) {  // no OCR configured, or it failed: not the user's fault
    Say(session, "document_unavailable");
    return;
  }
  engine::DocumentVerdict verdict = engine::CheckDocument(*kind, *reading, name_, today_);
  if (!verdict.reason.empty()) {
    Audit("document_refused", slot.name + ": " + verdict.reason);
    Refuse(session, state, slot.name + "_" + verdict.reason);
    return;
  }
  session.slots[slot.name] = Value::Text(reading->sha256);
  for (const auto& [field, value] : verdict.fields) {
    session.slots[slot.name + "_" + field] = Value::Text(value);
  }
  out_.documents.push_back(Document{kind->name, slot.name, reading->path, reading->sha256,
                                    reading->content_type, verdict.fields, input_.message_id});
  Advance(session, state);
}

// An answer that does not fill the slot: say why, and count the attempt.
void Turn::Refuse(Session& session, const State& state, const std::string& prompt) {
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
  Say(session, prompt);
}

// The slot is filled: follow the first transition whose condition holds.
void Turn::Advance(Session& session, const State& state) {
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

// "quiero cambiar el monto": back to the state that asks for it.
bool Turn::Change(Session& session) {
  const ChangeRequest* change = FindChange(dialog_, text_);
  if (change == nullptr) return false;
  for (const std::string& slot : change->clear) session.slots.erase(slot);
  Audit("change", session.state + " -> " + change->to);
  Enter(session, change->to);
  return true;
}

// The result of the check the session's state waits for. A session that moved on (a human
// took it, the user opted out, it expired) ignores it.
TurnOutput Turn::RunCheckResult(const std::optional<Session>& current) {
  if (!current || !input_.providers.check || current->dialog_id != dialog_.id ||
      EffectiveStatus(*current, dialog_, input_.now) != SessionStatus::kActive) {
    return std::move(out_);
  }
  const State* state = dialog_.FindState(current->state);
  if (state == nullptr || state->check != input_.providers.check->check) return std::move(out_);
  Session session = *current;
  session.updated_at = input_.now;
  for (const auto& [name, value] : input_.providers.check->slots) session.slots[name] = value;
  Advance(session, *state);
  out_.session = std::move(session);
  return std::move(out_);
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
  if (input_.kind == TurnInput::Kind::kCheckResult) return RunCheckResult(current);
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
      // A first message that asks ("Hola, ¿sigue disponible?") is answered, then the dialog
      // starts.
      if (input_.providers.offers) AnswerQuestion(session);
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
    default: {
      const SlotSpec* slot = state ? dialog_.FindSlot(state->ask) : nullptr;
      const bool wants_document = slot != nullptr && slot->type == SlotType::kDocument;
      if (Change(session)) break;
      if (input_.providers.offers) {
        // A question in the middle: answered, then the state's own question again. Not an
        // attempt.
        AnswerQuestion(session);
        if (state != nullptr && !state->ask.empty() && !state->say.empty())
          Say(session, state->say);
        break;
      }
      if (text_.empty() && !input_.media.empty() && !wants_document) {
        // A voice note we could not transcribe gets its own apology.
        bool voice = input_.media.front().content_type.rfind("audio/", 0) == 0;
        Say(session, voice && input_.providers.provider_failed ? "voice_unavailable"
                                                               : "media_unsupported");
      } else if (state != nullptr && !state->ask.empty()) {
        Answer(session, *state);
      } else {
        Enter(session, session.state);  // a waiting state (a check) says where it is again
      }
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
  if (FindChange(dialog, text) != nullptr) return std::nullopt;
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
