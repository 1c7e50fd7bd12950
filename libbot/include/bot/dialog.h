// The dialog model: a conversation as a state machine of slots, states and transitions.
// Usually loaded from a YAML file (bot/dialog_loader.h); can be built in C++ and checked
// with ValidateDialog(). Immutable once built; safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/status.h"
#include "bot/understand.h"
#include "bot/value.h"

namespace bot {

enum class SlotType {
  kRating,
  kInteger,
  kYesNo,
  kMoney,
  kDays,
  kPhone,
  kEmail,
  kDate,
  kText,
  kDocument,  // a photo (or PDF) read by OCR; see SlotSpec::document
  kBudget,    // an amount or a range in a currency ("entre 1.5 y 2 millones"); see ParseBudget
  kTiming,    // when: "now", "3m", "6m", "12m", "later", "browsing"; see ParseTiming
  kChoice,    // one of SlotSpec::choices, by any of its words; see ParseChoice
  kZone,      // a zone of the number's offers catalogue (plus SlotSpec::choices as aliases)
};
const char* SlotTypeName(SlotType type);  // "rating", "integer", "yesno", "money", "days"...
bool ParseSlotType(std::string_view name, SlotType* out);

// A piece of data the dialog collects, with its validation.
struct SlotSpec {
  std::string name;
  SlotType type = SlotType::kText;
  std::optional<int64_t> min;    // rating/integer/days: the value; money: whole pesos
  std::optional<int64_t> max;
  std::vector<int64_t> options;  // allowed values, e.g. days {7, 14, 30}; empty = any
  std::string region = "MX";     // phone: default country
  size_t max_length = 1000;      // text: longer answers are cut at a word boundary
  bool llm_fallback = false;     // ask the LLM (when configured) if the parser is not sure
  // document: the kind of document ("ine", "proof_of_address"; see DocumentFields). A photo
  // answering this slot goes to OCR; the fields read fill the text slots "<slot>_<field>"
  // (declared automatically), and the slot itself holds the file's SHA-256.
  std::string document;
  // choice: the values and the words that mean each ("contado": [efectivo, "de contado"]);
  // zone: extra words for catalogue zones ("Roma Norte": [la roma]), or a value outside the
  // catalogue ("any": [cualquiera, "me da igual"]).
  std::vector<Choice> choices;
  std::string currency = "MXN";  // budget: the currency when the user names none
};

// The fields OCR reads from a document kind, in order: "ine" -> full_name, curp, birth_date,
// valid_until. Empty for an unknown kind.
std::vector<std::string> DocumentFields(std::string_view kind);

// A boolean expression over slots: comparisons (== != < <= > >=), and/or/not, parentheses,
// literals (numbers, 'text', true/false), `set(slot)`. A comparison with an unset slot is
// false. A number compared with a money slot means whole pesos. Empty source = always true.
class Condition {
 public:
  Condition();  // always true
  static Result<Condition> Parse(std::string_view source);
  bool Evaluate(const SlotMap& slots) const;
  const std::string& source() const { return source_; }
  // Slot names the expression reads, for load-time checks.
  std::vector<std::string> Identifiers() const;
  bool always() const { return root_ == nullptr; }

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  std::string source_;
};

// An effect of a transition, by name:
//   "record <kind> [field=value ...]"  store a dialog record of <kind> with every set slot, the
//                     session times and the fixed fields given ("record application
//                     status=preapproved");
//   "clear <slot>"    unset a slot;
//   "handoff"         hand the conversation to a human;
//   "set_name <slot>" the slot's text becomes the contact's name (the profile name);
//   "consent <prompt>" store click-wrap evidence that the user accepted the text of <prompt>:
//                     a "consent" record with the prompt key, the SHA-256 of the text as shown,
//                     the inbound message id, the channel and the time;
//   "score"           the lead's score from the dialog's scoring rules: sets score (integer
//                     0..100), score_rules (text: the rules that fired) and lead_status (text:
//                     "hot" at or above Scoring::hot, else "low_priority"), stores a "lead"
//                     record and emits lead.scored (and lead.qualified when hot);
//   "quote"           a loan quote from the slots amount (money) and term (days) at the
//                     variable commission_rate_bp: sets commission, total (money) and due_date
//                     (es-MX text, "lunes 7 de diciembre"), declared automatically.
struct Action {
  std::string name;  // "record", "clear", "handoff", "set_name", "consent", "quote", "score"
  std::string arg;   // kind, slot or prompt; may be empty
  std::map<std::string, std::string> fields;  // record: the fixed fields
};

struct Transition {
  Condition when;  // default: always
  std::string to;
  std::vector<Action> actions;
  int line = 0;  // in the dialog file, for errors
};

struct State {
  std::string name;
  std::string say;           // prompt key said on entering; may be empty
  std::string ask;           // slot this state asks for; empty = the state asks nothing
  std::string help;          // prompt key for "not understood" and for "ayuda"
  int max_attempts = 3;      // failed answers before on_exhausted; 0 = unlimited
  std::string on_exhausted;  // state entered when attempts run out; empty = "closing" prompt + end
  std::vector<Transition> transitions;  // first match wins; evaluated after the slot is filled,
                                        // or right after entering when `ask` is empty
  bool end = false;          // the conversation is done after saying `say`
  // An external check run on entering ("bureau"): the state says `say`, the engine runs the
  // check after the turn is committed, and a follow-up turn with its result fills the check's
  // slots ("bureau_score", or "bureau_error" = "no_record" / "unavailable") and follows the
  // transitions. A message that arrives while the state waits runs the check again.
  std::string check;
  int line = 0;
};

// The slots a check fills, declared automatically: "bureau" -> bureau_score (integer),
// bureau_error (text). Empty for an unknown check.
std::vector<std::pair<std::string, SlotType>> CheckSlots(std::string_view check);

// A way back the user can ask for at any time: "quiero cambiar el monto". A message with a
// change verb (cambiar, corregir, modificar, otro/otra ...) and one of `words` clears `clear`
// and enters `to`.
struct ChangeRequest {
  std::vector<std::string> words;  // normalised: lower case, no accents ("monto", "plazo")
  std::vector<std::string> clear;  // slots to unset
  std::string to;
  int line = 0;
};

// How the "score" action rates a lead: the points of every rule whose condition holds, summed
// and kept within 0..100.
struct ScoreRule {
  Condition when;
  int points = 0;   // may be negative
  std::string why;  // said in the score's explanation: "compra de contado"
  int line = 0;
};
struct Scoring {
  int hot = 70;  // a score at or above this is a hot lead: delivered to the CRM
  std::vector<ScoreRule> rules;
};

// An approved WhatsApp template (Twilio Content API) that says one of the dialog's prompts when
// the bot writes first, outside the 24-hour window: the prompt is what the transcript and the
// session record as said; the template is what Twilio sends.
struct MessageTemplate {
  std::string prompt;       // the prompt key it stands for
  std::string content_sid;  // "HX..." (Twilio ContentSid)
  // The dialog variables that fill ContentVariables "1", "2", ... in order.
  std::vector<std::string> variables;
  int line = 0;
};

// When a campaign (bot/campaigns.h) writes first and follows up. Each can be overridden per
// campaign at import.
struct CampaignTiming {
  std::chrono::seconds send_after{std::chrono::hours(2)};  // first message: appointment + this
  std::chrono::seconds follow_up_after{0};  // no reply this long after it: the reminder; 0 = none
  std::string reminder;                     // the reminder's prompt key (it needs a template)
  std::chrono::seconds close_after{std::chrono::hours(24)};  // then closed as no_response
  // Variables holding links (a review page) whose clicks the campaign counts: at import, each
  // recipient's value is replaced by a redirect of botrunner's (`/r/<token>`) when a public base
  // URL is given (CampaignImport::link_base_url).
  std::vector<std::string> track_links;
};

// A dialog: id, version, slots, states and its prompts. Sessions remember the version.
struct Dialog {
  std::string id;
  int version = 1;
  std::string locale = "es";
  std::string file;                // where it was loaded from ("" when built in C++)
  std::string start;               // first state when the bot speaks first
  std::string inbound_start;       // first state when the user speaks first; "" = start
  std::chrono::seconds session_timeout = std::chrono::hours(24);
  std::string timezone = "UTC";    // IANA zone for "today", due dates and document dates
  std::map<std::string, std::string> variables;  // declared variables -> default ("" = required)
  std::vector<SlotSpec> slots;
  std::vector<State> states;
  std::vector<ChangeRequest> changes;
  // "offers": a question at any point ("¿tiene cochera?") is answered from the number's offers
  // catalogue (bot/knowledge.h), then the state's question is asked again. "" = no catalogue.
  std::string knowledge;
  Scoring scoring;
  std::map<std::string, std::string> prompts;    // key -> template with {{variables}}
  // Approved templates by the prompt they stand for (`templates:`); the start state's prompt's
  // template opens campaigns.
  std::map<std::string, MessageTemplate> templates;
  CampaignTiming campaign;  // `campaign:`

  const State* FindState(std::string_view name) const;
  const SlotSpec* FindSlot(std::string_view name) const;
  const std::string* FindPrompt(std::string_view key) const;
  const MessageTemplate* FindTemplate(std::string_view prompt) const;
};

// Declares the slots the engine fills for a dialog's features, unless declared already: the
// "<slot>_<field>" text slots of document slots, the slots of state checks (CheckSlots) and
// commission/total/due_date when a transition runs `quote`. The loader calls it; call it on a
// dialog built in C++ before ValidateDialog.
void DeclareDerivedSlots(Dialog* dialog);

// Checks a dialog built in C++ the way the loader checks files: known states, slots and
// prompts, reachable states, prompt variables declared, an end state reachable.
Status ValidateDialog(const Dialog& dialog);

// Built-in prompt variables, always available: profile_name, contact (address), today, zones
// (the catalogue's zones, "Condesa, Polanco y Roma Norte"; empty without a catalogue).
// Slots and declared variables are available by name.
bool IsBuiltinVariable(std::string_view name);

// Renders a prompt template: "{{name}}" -> value. Money slots render as "$5,750.00".
// Unknown variables are load-time errors, so here they render as "" (never reached).
std::string RenderPrompt(std::string_view tmpl, const SlotMap& slots, const VarMap& vars);

// Names used by "{{...}}" in a template; false if a "{{" is not closed.
bool TemplateVariables(std::string_view tmpl, std::vector<std::string>* names);

// Dialogs by id, loaded together. Immutable; share it with std::shared_ptr.
class DialogSet {
 public:
  void Add(std::shared_ptr<const Dialog> dialog) { by_id_[dialog->id] = std::move(dialog); }
  std::shared_ptr<const Dialog> Find(std::string_view id) const;
  std::vector<std::string> Ids() const;

 private:
  std::map<std::string, std::shared_ptr<const Dialog>, std::less<>> by_id_;
};

}  // namespace bot
