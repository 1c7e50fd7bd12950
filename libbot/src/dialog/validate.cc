// ValidateDialog: every check a dialog must pass before a session may run on it. The loader
// and dialogs built in C++ share it, so a dialog is never "valid from a file only".
#include "dialog/validate.h"

#include "engine/documents.h"
#include "engine/local_time.h"

#include <set>
#include <string>
#include <vector>

namespace bot {

const char* const kCommonPrompts[11] = {
    "optout_confirm", "optin_confirm",     "handoff_confirm",   "restart_confirm",
    "dialog_changed", "media_unsupported", "voice_unavailable", "help_default",
    "closing",        "llm_slot_system",   "document_unavailable"};

void DeclareDerivedSlots(Dialog* dialog) {
  std::vector<SlotSpec> derived;
  auto add = [&](std::string name, SlotType type) {
    if (dialog->FindSlot(name)) return;
    for (const SlotSpec& d : derived) {
      if (d.name == name) return;
    }
    SlotSpec slot;
    slot.name = std::move(name);
    slot.type = type;
    derived.push_back(std::move(slot));
  };
  for (const SlotSpec& slot : dialog->slots) {
    if (slot.type != SlotType::kDocument) continue;
    for (const std::string& field : DocumentFields(slot.document)) {
      add(slot.name + "_" + field, SlotType::kText);
    }
  }
  for (const SlotSpec& slot : dialog->slots) {
    if (slot.type != SlotType::kBudget) continue;
    add(slot.name + "_min", SlotType::kMoney);  // 0 = no lower bound
    add(slot.name + "_max", SlotType::kMoney);  // 0 = no upper bound
    add(slot.name + "_currency", SlotType::kText);
    add(slot.name + "_period", SlotType::kText);  // "total" or "month"
  }
  for (const State& state : dialog->states) {
    for (const auto& [name, type] : CheckSlots(state.check)) add(name, type);
    for (const Transition& t : state.transitions) {
      for (const Action& action : t.actions) {
        if (action.name == "score") {
          add("score", SlotType::kInteger);
          add("score_rules", SlotType::kText);
          add("lead_status", SlotType::kText);
        }
        if (action.name != "quote") continue;
        add("commission", SlotType::kMoney);
        add("total", SlotType::kMoney);
        add("due_date", SlotType::kText);
      }
    }
  }
  for (SlotSpec& slot : derived) dialog->slots.push_back(std::move(slot));
}

namespace {

class Validator {
 public:
  Validator(const Dialog& dialog, const DialogSources& sources) : d_(dialog), src_(sources) {}

  Status Run() {
    if (Status s = CheckTop(); !s.ok()) return s;
    if (Status s = CheckSlots(); !s.ok()) return s;
    if (Status s = CheckVariables(); !s.ok()) return s;
    if (Status s = CheckStates(); !s.ok()) return s;
    if (Status s = CheckChanges(); !s.ok()) return s;
    if (Status s = CheckScoring(); !s.ok()) return s;
    if (Status s = CheckPrompts(); !s.ok()) return s;
    return CheckReachability();
  }

 private:
  Status Error(int line, const std::string& problem) const {
    return InvalidArgument(DialogLocation(d_, line) + ": " + problem);
  }
  Status PromptError(const std::string& key, const std::string& problem) const {
    auto it = src_.prompts.find(key);
    if (it == src_.prompts.end()) return Error(0, "prompt '" + key + "' " + problem);
    return InvalidArgument(it->second.file + ":" + std::to_string(it->second.line) + ": prompt '" +
                           key + "' " + problem);
  }
  int StateLine(const State& state, const std::string& field) const {
    return src_.Line("states." + state.name + "." + field, state.line);
  }

  Status CheckTop() const {
    if (d_.id.empty()) return Error(src_.Line("id"), "dialog has no id");
    if (d_.version < 1) return Error(src_.Line("version"), "version must be 1 or more");
    if (d_.locale.empty()) return Error(src_.Line("locale"), "locale is empty");
    if (d_.session_timeout.count() <= 0) {
      return Error(src_.Line("session_timeout"), "session_timeout must be positive");
    }
    if (d_.start.empty()) return Error(src_.Line("id"), "no start state ('start' is required)");
    if (!engine::IsKnownTimeZone(d_.timezone)) {
      return Error(src_.Line("timezone"), "timezone '" + d_.timezone +
                                              "' is not an IANA zone like America/Mexico_City");
    }
    return Status::Ok();
  }

  Status CheckSlots() const {
    std::set<std::string> seen;
    for (const SlotSpec& slot : d_.slots) {
      const int line = src_.Line("slots." + slot.name);
      if (!IsIdentifier(slot.name))
        return Error(line, "slot name '" + slot.name + "' is not a name");
      if (!seen.insert(slot.name).second) return Error(line, "duplicate slot '" + slot.name + "'");
      const bool numeric = slot.type == SlotType::kRating || slot.type == SlotType::kInteger ||
                           slot.type == SlotType::kDays || slot.type == SlotType::kMoney;
      if (!numeric && (slot.min || slot.max || !slot.options.empty())) {
        return Error(line, "slot '" + slot.name + "' of type " + SlotTypeName(slot.type) +
                               " takes no min, max or options");
      }
      if (slot.min && slot.max && *slot.min > *slot.max) {
        return Error(src_.Line("slots." + slot.name + ".min", line),
                     "slot '" + slot.name + "': min " + std::to_string(*slot.min) +
                         " is greater than max " + std::to_string(*slot.max));
      }
      for (int64_t option : slot.options) {
        if ((slot.min && option < *slot.min) || (slot.max && option > *slot.max)) {
          return Error(src_.Line("slots." + slot.name + ".options", line),
                       "slot '" + slot.name + "': option " + std::to_string(option) +
                           " is outside min..max");
        }
      }
      if ((slot.type == SlotType::kDocument) != !slot.document.empty()) {
        return Error(line, "slot '" + slot.name + "': a document slot needs 'document: <kind>'" +
                               " and only document slots take one");
      }
      if (slot.type == SlotType::kDocument && DocumentFields(slot.document).empty()) {
        return Error(src_.Line("slots." + slot.name + ".document", line),
                     "slot '" + slot.name + "': unknown document kind '" + slot.document +
                         "' (known: ine, proof_of_address)");
      }
      const bool chooses = slot.type == SlotType::kChoice || slot.type == SlotType::kZone;
      if (!chooses && !slot.choices.empty()) {
        return Error(line, "slot '" + slot.name + "': only choice and zone slots take choices");
      }
      if (slot.type == SlotType::kChoice && slot.choices.size() < 2) {
        return Error(line, "slot '" + slot.name + "': a choice slot needs at least two choices");
      }
      if (slot.type == SlotType::kZone && d_.knowledge.empty()) {
        return Error(line, "slot '" + slot.name +
                               "': a zone slot needs the offers catalogue (knowledge: offers)");
      }
      if (slot.max_length == 0) {
        return Error(line, "slot '" + slot.name + "': max_length must be positive");
      }
      if (slot.region.size() != 2 || slot.region[0] < 'A' || slot.region[0] > 'Z' ||
          slot.region[1] < 'A' || slot.region[1] > 'Z') {
        return Error(src_.Line("slots." + slot.name + ".region", line),
                     "slot '" + slot.name + "': region must be a country code like MX");
      }
    }
    return Status::Ok();
  }

  Status CheckVariables() const {
    for (const auto& [name, fallback] : d_.variables) {
      const int line = src_.Line("variables." + name);
      if (!IsIdentifier(name)) return Error(line, "variable name '" + name + "' is not a name");
      if (IsBuiltinVariable(name)) return Error(line, "variable '" + name + "' is built in");
      if (d_.FindSlot(name)) return Error(line, "variable '" + name + "' has the name of a slot");
    }
    return Status::Ok();
  }

  Status CheckPromptKey(const State& state, const std::string& field,
                        const std::string& key) const {
    if (key.empty() || d_.FindPrompt(key)) return Status::Ok();
    return Error(StateLine(state, field), "state '" + state.name + "': " + field + " prompt '" +
                                              key + "' is not in the prompts");
  }

  Status CheckTarget(int line, const std::string& what, const std::string& target) const {
    if (d_.FindState(target)) return Status::Ok();
    return Error(line, what + " unknown state '" + target + "'");
  }

  Status CheckStates() const {
    std::set<std::string> seen;
    for (const State& state : d_.states) {
      if (!IsIdentifier(state.name)) {
        return Error(state.line, "state name '" + state.name + "' is not a name");
      }
      if (!seen.insert(state.name).second) {
        return Error(state.line, "duplicate state '" + state.name + "'");
      }
    }
    if (Status s = CheckTarget(src_.Line("start"), "start is", d_.start); !s.ok()) return s;
    if (!d_.inbound_start.empty()) {
      Status s = CheckTarget(src_.Line("inbound_start"), "inbound_start is", d_.inbound_start);
      if (!s.ok()) return s;
    }
    for (const State& state : d_.states) {
      if (Status s = CheckState(state); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status CheckState(const State& state) const {
    const std::string name = "state '" + state.name + "'";
    if (Status s = CheckPromptKey(state, "say", state.say); !s.ok()) return s;
    if (Status s = CheckPromptKey(state, "help", state.help); !s.ok()) return s;
    if (!state.ask.empty() && !d_.FindSlot(state.ask)) {
      return Error(StateLine(state, "ask"), name + ": ask names unknown slot '" + state.ask + "'");
    }
    if (const SlotSpec* slot = d_.FindSlot(state.ask);
        slot != nullptr && slot->type == SlotType::kDocument) {
      // Every way OCR can refuse the document has its own explanation.
      const engine::DocumentKind* kind = engine::FindDocumentKind(slot->document);
      for (const std::string& reason : kind->reasons) {
        if (!d_.FindPrompt(slot->name + "_" + reason)) {
          return Error(StateLine(state, "ask"), name + ": asks for document '" + slot->name +
                                                    "' but the prompt '" + slot->name + "_" +
                                                    reason + "' is missing");
        }
      }
    }
    if (!state.check.empty()) {
      if (bot::CheckSlots(state.check).empty()) {
        return Error(StateLine(state, "check"),
                     name + ": unknown check '" + state.check + "' (known: bureau)");
      }
      if (!state.ask.empty() || state.end) {
        return Error(StateLine(state, "check"),
                     name + ": a state with a check can neither ask nor end");
      }
    }
    if (state.max_attempts < 0) {
      return Error(StateLine(state, "max_attempts"), name + ": max_attempts must be 0 or more");
    }
    if (!state.on_exhausted.empty()) {
      Status s = CheckTarget(StateLine(state, "on_exhausted"), name + ": on_exhausted is",
                             state.on_exhausted);
      if (!s.ok()) return s;
    }
    if (state.end) {
      if (!state.ask.empty() || !state.transitions.empty()) {
        return Error(state.line,
                     name + " is an end state: it can neither ask nor have transitions");
      }
      return Status::Ok();
    }
    if (state.transitions.empty() ||
        (state.ask.empty() && !state.transitions.back().when.always())) {
      return Error(state.line, name + " is stuck: it is not an end state" +
                                   std::string(state.ask.empty() ? ", asks nothing" : "") +
                                   " and has no unconditional last transition");
    }
    for (size_t i = 0; i < state.transitions.size(); ++i) {
      if (Status s = CheckTransition(state, i); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status CheckTransition(const State& state, size_t index) const {
    const Transition& t = state.transitions[index];
    const std::string path = "transitions." + std::to_string(index) + ".";
    const int line = t.line > 0 ? t.line : state.line;
    const std::string name = "state '" + state.name + "': ";
    Status s = CheckTarget(src_.Line("states." + state.name + "." + path + "to", line),
                           name + "transition to", t.to);
    if (!s.ok()) return s;
    for (const std::string& slot : t.when.Identifiers()) {
      if (!d_.FindSlot(slot)) {
        return Error(
            src_.Line("states." + state.name + "." + path + "if", line),
            name + "condition '" + t.when.source() + "' names unknown slot '" + slot + "'");
      }
    }
    const int do_line = src_.Line("states." + state.name + "." + path + "do", line);
    for (const Action& action : t.actions) {
      if (action.name == "record") {
        if (action.arg.empty())
          return Error(do_line, name + "'record' needs a kind: record <kind>");
        if (!IsIdentifier(action.arg)) {
          return Error(do_line, name + "record kind '" + action.arg + "' is not a name");
        }
      } else if (action.name == "clear") {
        if (!d_.FindSlot(action.arg)) {
          return Error(do_line, name + "'clear' names unknown slot '" + action.arg + "'");
        }
      } else if (action.name == "handoff" || action.name == "quote" || action.name == "score") {
        if (!action.arg.empty()) {
          return Error(do_line, name + "'" + action.name + "' takes no argument");
        }
        if (action.name == "score" && d_.scoring.rules.empty()) {
          return Error(do_line, name + "'score' needs the dialog's scoring rules (scoring:)");
        }
        if (action.name == "quote") {
          const SlotSpec* amount = d_.FindSlot("amount");
          const SlotSpec* term = d_.FindSlot("term");
          if (!amount || amount->type != SlotType::kMoney || !term ||
              term->type != SlotType::kDays || !d_.variables.count("commission_rate_bp")) {
            return Error(do_line, name + "'quote' needs a money slot 'amount', a days slot "
                                         "'term' and the variable 'commission_rate_bp'");
          }
        }
      } else if (action.name == "set_name") {
        const SlotSpec* slot = d_.FindSlot(action.arg);
        if (!slot || slot->type != SlotType::kText) {
          return Error(do_line, name + "'set_name' needs a text slot, not '" + action.arg + "'");
        }
      } else if (action.name == "consent") {
        if (!d_.FindPrompt(action.arg)) {
          return Error(do_line, name + "'consent' names unknown prompt '" + action.arg + "'");
        }
      } else {
        return Error(do_line, name + "unknown action '" + action.name +
                                  "' (known: record <kind> [field=value...], clear <slot>, "
                                  "handoff, set_name <slot>, consent <prompt>, quote, score)");
      }
      if (action.name != "record" && !action.fields.empty()) {
        return Error(do_line, name + "only 'record' takes field=value pairs");
      }
    }
    return Status::Ok();
  }

  Status CheckScoring() const {
    for (size_t i = 0; i < d_.scoring.rules.size(); ++i) {
      const ScoreRule& rule = d_.scoring.rules[i];
      const int line = rule.line > 0 ? rule.line : src_.Line("scoring.rules." + std::to_string(i));
      for (const std::string& slot : rule.when.Identifiers()) {
        if (!d_.FindSlot(slot)) {
          return Error(
              line, "scoring rule '" + rule.when.source() + "' names unknown slot '" + slot + "'");
        }
      }
    }
    return Status::Ok();
  }

  Status CheckChanges() const {
    for (size_t i = 0; i < d_.changes.size(); ++i) {
      const ChangeRequest& change = d_.changes[i];
      const int line = change.line > 0 ? change.line : src_.Line("changes." + std::to_string(i));
      if (change.words.empty()) return Error(line, "a change needs at least one word");
      for (const std::string& slot : change.clear) {
        if (!d_.FindSlot(slot)) return Error(line, "a change clears unknown slot '" + slot + "'");
      }
      if (Status s = CheckTarget(line, "a change goes to", change.to); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status CheckPrompts() const {
    for (const char* key : kCommonPrompts) {
      if (!d_.FindPrompt(key)) {
        return Error(src_.Line("id"), std::string("the engine's prompt '") + key +
                                          "' is missing (add it to common.yaml)");
      }
    }
    if (!d_.knowledge.empty()) {  // what the engine says when it answers from the catalogue
      for (const char* key : {"offers_found", "offers_unknown", "llm_offers_system"}) {
        if (!d_.FindPrompt(key)) {
          return Error(src_.Line("knowledge"),
                       std::string("knowledge: offers needs the prompt '") + key + "'");
        }
      }
    }
    // Every prompt, not only the ones states name: the engine says the common ones too, and a
    // blank in a customer's chat is worse than a strict load.
    for (const auto& [key, text] : d_.prompts) {
      std::vector<std::string> names;
      if (!TemplateVariables(text, &names))
        return PromptError(key, "has a '{{' that is not closed");
      for (const std::string& var : names) {
        if (d_.FindSlot(var) || d_.variables.count(var) || IsBuiltinVariable(var)) continue;
        // Prompts for the LLM (llm_*) are filled by the engine with the question and the slot.
        if (key.rfind("llm_", 0) == 0 &&
            (var == "question" || var == "slot" || var == "answer" || var == "offers")) {
          continue;
        }
        return PromptError(key, "uses undeclared variable '" + var +
                                    "' (not a slot, a declared variable or a builtin)");
      }
    }
    return Status::Ok();
  }

  Status CheckReachability() const {
    std::set<std::string> reached;
    std::vector<std::string> pending = {d_.start};
    if (!d_.inbound_start.empty()) pending.push_back(d_.inbound_start);
    for (const ChangeRequest& change : d_.changes) pending.push_back(change.to);
    while (!pending.empty()) {
      std::string name = pending.back();
      pending.pop_back();
      if (!reached.insert(name).second) continue;
      const State* state = d_.FindState(name);
      for (const Transition& t : state->transitions) pending.push_back(t.to);
      if (!state->on_exhausted.empty()) pending.push_back(state->on_exhausted);
    }
    bool end_reached = false;
    for (const State& state : d_.states) {
      if (!reached.count(state.name)) {
        return Error(state.line, "state '" + state.name + "' is unreachable from the start states");
      }
      end_reached = end_reached || state.end;
    }
    if (!end_reached) return Error(src_.Line("start"), "no end state is reachable");
    return Status::Ok();
  }

  const Dialog& d_;
  const DialogSources& src_;
};

}  // namespace

Status ValidateDialog(const Dialog& dialog, const DialogSources& sources) {
  return Validator(dialog, sources).Run();
}

}  // namespace bot
