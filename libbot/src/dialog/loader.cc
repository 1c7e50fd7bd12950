// Loads dialogs from YAML with yaml-cpp. Every node keeps its Mark(), so each error names the
// file and the line of the node at fault; validation proper is shared with ValidateDialog.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bot/dialog_loader.h"
#include "bot/text.h"
#include "dialog/validate.h"

namespace bot {

namespace {

using Keys = std::initializer_list<std::string_view>;

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }  // Mark is 0-based

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses one file; a YAML syntax error becomes "<file>:<line>: <message>".
Result<YAML::Node> ParseYaml(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  // yaml-cpp takes any bytes; a dialog's text goes to customers, so it must be UTF-8.
  if (std::string bad = DescribeInvalidUtf8(*text, path); !bad.empty()) {
    return InvalidArgument(bad);
  }
  try {
    return YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) +
                           ": not valid YAML: " + e.msg);
  }
}

class Loader {
 public:
  Loader(std::string path, std::string prompts_dir)
      : path_(std::move(path)), prompts_dir_(std::move(prompts_dir)) {
    dialog_.file = path_;
  }

  Result<Dialog> Load() {
    Result<YAML::Node> root = ParseYaml(path_);
    if (!root.ok()) return root.status();
    try {
      if (Status s = LoadTop(*root); !s.ok()) return s;
      if (Status s = LoadPrompts(); !s.ok()) return s;
      if (Status s = CheckTemplates(); !s.ok()) return s;
    } catch (const YAML::Exception& e) {  // a node of an unexpected shape slipped through
      return InvalidArgument(path_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    DeclareDerivedSlots(&dialog_);
    if (Status s = ValidateDialog(dialog_, sources_); !s.ok()) return s;
    return std::move(dialog_);
  }

 private:
  Status Error(const YAML::Node& node, const std::string& problem) const {
    return InvalidArgument(path_ + ":" + std::to_string(LineOf(node)) + ": " + problem);
  }

  // A map whose keys are all in `allowed` (when given) and appear once.
  Status CheckMap(const YAML::Node& node, const std::string& what, Keys allowed,
                  const char* noun = "key") const {
    if (!node.IsMap()) return Error(node, what + " must be a map of keys");
    std::map<std::string, int> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return Error(kv.first, what + ": keys must be plain names");
      const std::string& key = kv.first.Scalar();
      if (auto [it, fresh] = seen.emplace(key, LineOf(kv.first)); !fresh) {
        return Error(kv.first, std::string("duplicate ") + noun + " '" + key + "' (first at line " +
                                   std::to_string(it->second) + ")");
      }
      if (allowed.size() == 0 || std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
        continue;
      }
      std::string problem = "unknown key '" + key + "' in " + what;
      for (std::string_view known : allowed) {
        if (EditDistance(key, known) <= 2)
          problem += " (did you mean '" + std::string(known) + "'?)";
      }
      return Error(kv.first, problem);
    }
    return Status::Ok();
  }

  Status Scalar(const YAML::Node& node, const std::string& what, std::string* out) const {
    if (!node.IsScalar()) return Error(node, what + " must be a single value");
    *out = node.Scalar();
    return Status::Ok();
  }

  Status Int(const YAML::Node& node, const std::string& what, int64_t* out) const {
    std::string text;
    if (Status s = Scalar(node, what, &text); !s.ok()) return s;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Error(node, what + " must be a whole number, not '" + text + "'");
    }
    return Status::Ok();
  }

  Status Bool(const YAML::Node& node, const std::string& what, bool* out) const {
    std::string text;
    if (Status s = Scalar(node, what, &text); !s.ok()) return s;
    if (text != "true" && text != "false") return Error(node, what + " must be true or false");
    *out = text == "true";
    return Status::Ok();
  }

  Status Duration(const YAML::Node& node, std::chrono::seconds* out,
                  const std::string& what = "session_timeout") const {
    std::string text;
    if (Status s = Scalar(node, what, &text); !s.ok()) return s;
    int64_t amount = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    std::string_view unit(end, text.data() + text.size() - end);
    static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
        {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
    for (const auto& [name, seconds] : kUnits) {
      if (ec == std::errc() && unit == name && amount > 0) {
        *out = std::chrono::seconds(amount * seconds);
        return Status::Ok();
      }
    }
    return Error(node, what + " '" + text + "' is not a duration like 90s, 30m, 24h or 7d");
  }

  Status LoadTop(const YAML::Node& root) {
    if (!root.IsMap()) return Error(root, "a dialog file must be a map of keys (id, states...)");
    Status s = CheckMap(root, "the dialog",
                        {"id", "version", "locale", "prompts", "start", "inbound_start",
                         "session_timeout", "timezone", "variables", "slots", "states", "changes",
                         "knowledge", "scoring", "templates", "campaign"});
    if (!s.ok()) return s;
    std::string version_text;
    for (const auto& kv : root) {
      const std::string& key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      sources_.lines[key] = LineOf(kv.first);
      if (key == "id") s = Scalar(value, key, &dialog_.id);
      if (key == "locale") s = Scalar(value, key, &dialog_.locale);
      if (key == "prompts") s = Scalar(value, key, &prompts_name_);
      if (key == "start") s = Scalar(value, key, &dialog_.start);
      if (key == "inbound_start") s = Scalar(value, key, &dialog_.inbound_start);
      if (key == "session_timeout") s = Duration(value, &dialog_.session_timeout);
      if (key == "timezone") s = Scalar(value, key, &dialog_.timezone);
      if (key == "changes") s = LoadChanges(value);
      if (key == "knowledge") {
        s = Scalar(value, key, &dialog_.knowledge);
        if (s.ok() && dialog_.knowledge != "offers") {
          s = Error(value, "knowledge '" + dialog_.knowledge + "': the only catalogue is 'offers'");
        }
      }
      if (key == "scoring") s = LoadScoring(value);
      if (key == "templates") s = LoadTemplates(value);
      if (key == "campaign") s = LoadCampaign(value);
      if (key == "variables") s = LoadVariables(value);
      if (key == "slots") s = LoadSlots(value);
      if (key == "states") s = LoadStates(value);
      if (key == "version") {
        int64_t version = 0;
        s = Int(value, key, &version);
        if (s.ok() && (version < 1 || version > 1000000))
          s = Error(value, "version must be 1 or more");
        dialog_.version = static_cast<int>(version);
      }
      if (!s.ok()) return s;
    }
    const std::string stem = std::filesystem::path(path_).stem().string();
    if (dialog_.id != stem) {
      return Error(root["id"] ? root["id"] : root,
                   "id '" + dialog_.id + "' must equal the file's base name '" + stem + "'");
    }
    if (prompts_name_.empty()) prompts_name_ = dialog_.id;
    return Status::Ok();
  }

  Status LoadVariables(const YAML::Node& node) {
    if (Status s = CheckMap(node, "variables", {}, "variable"); !s.ok()) return s;
    for (const auto& kv : node) {
      const std::string& name = kv.first.Scalar();
      sources_.lines["variables." + name] = LineOf(kv.first);
      std::string fallback;  // ~ (null) = required: no default
      if (!kv.second.IsNull()) {
        if (Status s = Scalar(kv.second, "variable '" + name + "'", &fallback); !s.ok()) return s;
      }
      dialog_.variables[name] = fallback;
    }
    return Status::Ok();
  }

  Status LoadSlots(const YAML::Node& node) {
    if (Status s = CheckMap(node, "slots", {}, "slot"); !s.ok()) return s;
    for (const auto& kv : node) {
      SlotSpec slot;
      slot.name = kv.first.Scalar();
      const std::string what = "slot '" + slot.name + "'";
      const std::string path = "slots." + slot.name;
      sources_.lines[path] = LineOf(kv.first);
      Status s = CheckMap(kv.second, what,
                          {"type", "min", "max", "options", "region", "max_length", "llm_fallback",
                           "document", "choices", "currency"});
      if (!s.ok()) return s;
      if (!kv.second["type"]) return Error(kv.first, what + " has no type");
      for (const auto& field : kv.second) {
        const std::string& key = field.first.Scalar();
        const YAML::Node& value = field.second;
        sources_.lines[path + "." + key] = LineOf(field.first);
        int64_t number = 0;
        if (key == "type") {
          std::string type;
          if (s = Scalar(value, what + " type", &type);
              s.ok() && !ParseSlotType(type, &slot.type)) {
            s = Error(value, what + ": unknown type '" + type +
                                 "' (known: rating, integer, yesno, money, days, phone, email, "
                                 "date, text, document, budget, timing, choice, zone)");
          }
        } else if (key == "min" || key == "max") {
          if (s = Int(value, what + " " + key, &number); s.ok())
            (key == "min" ? slot.min : slot.max) = number;
        } else if (key == "max_length") {
          s = Int(value, what + " max_length", &number);
          if (s.ok() && number <= 0) s = Error(value, what + ": max_length must be positive");
          slot.max_length = static_cast<size_t>(number);
        } else if (key == "llm_fallback") {
          s = Bool(value, what + " llm_fallback", &slot.llm_fallback);
        } else if (key == "region") {
          s = Scalar(value, what + " region", &slot.region);
        } else if (key == "document") {
          s = Scalar(value, what + " document", &slot.document);
        } else if (key == "currency") {
          s = Scalar(value, what + " currency", &slot.currency);
          if (s.ok() && (slot.currency.size() != 3 ||
                         !std::all_of(slot.currency.begin(), slot.currency.end(),
                                      [](char c) { return c >= 'A' && c <= 'Z'; }))) {
            s = Error(value, what + ": currency '" + slot.currency +
                                 "' is not an ISO 4217 code like MXN or USD");
          }
        } else if (key == "choices") {
          s = LoadChoices(value, what, &slot.choices);
        } else if (key == "options") {
          if (!value.IsSequence()) s = Error(value, what + ": options must be a list of numbers");
          for (size_t i = 0; s.ok() && i < value.size(); ++i) {
            if (s = Int(value[i], what + " option", &number); s.ok())
              slot.options.push_back(number);
          }
        }
        if (!s.ok()) return s;
      }
      dialog_.slots.push_back(std::move(slot));
    }
    return Status::Ok();
  }

  Status LoadStates(const YAML::Node& node) {
    if (Status s = CheckMap(node, "states", {}, "state"); !s.ok()) return s;
    for (const auto& kv : node) {
      State state;
      state.name = kv.first.Scalar();
      state.line = LineOf(kv.first);
      if (Status s = LoadState(kv.second, &state); !s.ok()) return s;
      dialog_.states.push_back(std::move(state));
    }
    return Status::Ok();
  }

  Status LoadState(const YAML::Node& node, State* state) {
    const std::string what = "state '" + state->name + "'";
    const std::string path = "states." + state->name + ".";
    Status s = CheckMap(
        node, what,
        {"say", "ask", "help", "max_attempts", "on_exhausted", "transitions", "end", "check"});
    if (!s.ok()) return s;
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      sources_.lines[path + key] = LineOf(kv.first);
      if (key == "say") s = Scalar(value, what + " say", &state->say);
      if (key == "ask") s = Scalar(value, what + " ask", &state->ask);
      if (key == "help") s = Scalar(value, what + " help", &state->help);
      if (key == "on_exhausted") s = Scalar(value, what + " on_exhausted", &state->on_exhausted);
      if (key == "end") s = Bool(value, what + " end", &state->end);
      if (key == "check") s = Scalar(value, what + " check", &state->check);
      if (key == "max_attempts") {
        int64_t attempts = 0;
        s = Int(value, what + " max_attempts", &attempts);
        if (s.ok() && (attempts < 0 || attempts > 1000)) {
          s = Error(value, what + ": max_attempts must be between 0 (unlimited) and 1000");
        }
        state->max_attempts = static_cast<int>(attempts);
      }
      if (key == "transitions") {
        if (!value.IsSequence()) return Error(value, what + ": transitions must be a list");
        for (size_t i = 0; s.ok() && i < value.size(); ++i) {
          s = LoadTransition(value[i], path + "transitions." + std::to_string(i) + ".", state);
        }
      }
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status LoadTransition(const YAML::Node& node, const std::string& path, State* state) {
    const std::string what = "a transition of state '" + state->name + "'";
    if (Status s = CheckMap(node, what, {"if", "to", "do"}); !s.ok()) return s;
    Transition t;
    t.line = LineOf(node);
    if (!node["to"]) return Error(node, what + " has no 'to'");
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      sources_.lines[path + key] = LineOf(kv.first);
      Status s;
      if (key == "to") s = Scalar(value, what + " to", &t.to);
      if (key == "if") {
        std::string source;
        if (s = Scalar(value, what + " if", &source); !s.ok()) return s;
        Result<Condition> when = Condition::Parse(source);
        if (!when.ok()) {
          return Error(value, "condition '" + source + "': " + when.status().message());
        }
        t.when = std::move(when.value());
      }
      if (key == "do") s = LoadActions(value, what, &t.actions);
      if (!s.ok()) return s;
    }
    state->transitions.push_back(std::move(t));
    return Status::Ok();
  }

  // "record review" -> {record, review}; a single string or a list of them.
  Status LoadActions(const YAML::Node& node, const std::string& what, std::vector<Action>* out) {
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
      for (const auto& item : node) items.push_back(item);
    } else {
      items.push_back(node);
    }
    for (const YAML::Node& item : items) {
      std::string text;
      if (Status s = Scalar(item, what + " action", &text); !s.ok()) return s;
      std::istringstream words(text);
      Action action;
      words >> action.name >> action.arg;
      // "record application status=preapproved": fixed fields after the kind.
      for (std::string field; words >> field;) {
        size_t eq = field.find('=');
        if (eq == std::string::npos || eq == 0 || !IsIdentifier(field.substr(0, eq))) {
          return Error(item, what + ": '" + field + "' in action '" + text +
                                 "' is not a field=value pair");
        }
        action.fields[field.substr(0, eq)] = field.substr(eq + 1);
      }
      if (action.name.empty()) return Error(item, what + ": empty action");
      out->push_back(std::move(action));
    }
    return Status::Ok();
  }

  // choices: {contado: [efectivo, "de contado"], infonavit: []}: value -> the words for it.
  Status LoadChoices(const YAML::Node& node, const std::string& what, std::vector<Choice>* out) {
    if (!node.IsMap()) return Error(node, what + ": choices must be a map of value: [words]");
    for (const auto& kv : node) {
      Choice choice;
      choice.key = kv.first.Scalar();
      if (choice.key.empty()) return Error(kv.first, what + ": an empty choice");
      for (const Choice& seen : *out) {
        if (seen.key == choice.key)
          return Error(kv.first, what + ": choice '" + choice.key + "' given twice");
      }
      if (!kv.second.IsNull()) {
        if (!kv.second.IsSequence()) {
          return Error(kv.second,
                       what + ": the words of choice '" + choice.key + "' must be a list");
        }
        for (const auto& word : kv.second) {
          std::string text;
          if (Status s = Scalar(word, what + " choice word", &text); !s.ok()) return s;
          choice.synonyms.push_back(std::move(text));
        }
      }
      out->push_back(std::move(choice));
    }
    return Status::Ok();
  }

  // templates: {ask_rating: {content_sid: HX..., variables: [name, doctor]}, ...}
  Status LoadTemplates(const YAML::Node& node) {
    if (Status s = CheckMap(node, "templates", {}, "template"); !s.ok()) return s;
    for (const auto& kv : node) {
      MessageTemplate t;
      t.prompt = kv.first.Scalar();
      t.line = LineOf(kv.first);
      const std::string what = "template '" + t.prompt + "'";
      if (Status s = CheckMap(kv.second, what, {"content_sid", "variables"}); !s.ok()) return s;
      if (!kv.second["content_sid"]) return Error(kv.first, what + " has no content_sid");
      if (Status s = Scalar(kv.second["content_sid"], what + " content_sid", &t.content_sid);
          !s.ok()) {
        return s;
      }
      if (t.content_sid.size() != 34 || t.content_sid.rfind("HX", 0) != 0) {
        return Error(kv.second["content_sid"],
                     what + ": content_sid must be a Twilio Content SID (HX + 32 hex digits)");
      }
      if (const YAML::Node& vars = kv.second["variables"]) {
        if (!vars.IsSequence()) return Error(vars, what + " variables must be a list of names");
        for (const auto& v : vars) {
          std::string name;
          if (Status s = Scalar(v, what + " variable", &name); !s.ok()) return s;
          t.variables.push_back(std::move(name));
        }
      }
      dialog_.templates[t.prompt] = std::move(t);
    }
    return Status::Ok();
  }

  // campaign: {send_after: 2h, follow_up_after: 20h, reminder: ask_rating_reminder, close_after:
  // 24h}
  Status LoadCampaign(const YAML::Node& node) {
    Status s =
        CheckMap(node, "campaign",
                 {"send_after", "follow_up_after", "reminder", "close_after", "track_links"});
    if (!s.ok()) return s;
    CampaignTiming& c = dialog_.campaign;
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      const std::string what = "campaign " + key;
      if (key == "send_after") s = Duration(kv.second, &c.send_after, what);
      if (key == "follow_up_after") s = Duration(kv.second, &c.follow_up_after, what);
      if (key == "close_after") s = Duration(kv.second, &c.close_after, what);
      if (key == "reminder") s = Scalar(kv.second, what, &c.reminder);
      if (key == "track_links") s = LoadTrackLinks(kv.second, &c.track_links);
      if (!s.ok()) return s;
    }
    if (c.follow_up_after.count() > 0 && c.reminder.empty()) {
      return Error(node, "campaign: follow_up_after needs a reminder (a prompt with a template)");
    }
    campaign_node_ = node;
    return Status::Ok();
  }

  // track_links: [review_link]: the variables whose links a campaign counts clicks on.
  Status LoadTrackLinks(const YAML::Node& node, std::vector<std::string>* out) const {
    if (!node.IsSequence()) return Error(node, "campaign track_links must be a list of variables");
    for (const auto& v : node) {
      std::string name;
      if (Status s = Scalar(v, "campaign track_links variable", &name); !s.ok()) return s;
      out->push_back(std::move(name));
    }
    return Status::Ok();
  }

  // Once the prompts are loaded: every template stands for a prompt, the reminder has one, a
  // tracked link is a declared variable.
  Status CheckTemplates() const {
    for (const auto& [prompt, t] : dialog_.templates) {
      if (!dialog_.prompts.contains(prompt)) {
        return InvalidArgument(path_ + ":" + std::to_string(t.line) + ": template '" + prompt +
                               "' stands for no prompt of the dialog");
      }
      for (const std::string& name : t.variables) {
        if (!dialog_.variables.contains(name) && !IsBuiltinVariable(name)) {
          return InvalidArgument(path_ + ":" + std::to_string(t.line) + ": template '" + prompt +
                                 "': '" + name + "' is not a declared variable");
        }
      }
    }
    const std::string& reminder = dialog_.campaign.reminder;
    if (!reminder.empty() && !dialog_.templates.contains(reminder)) {
      return Error(campaign_node_, "campaign reminder '" + reminder +
                                       "' needs a template (templates: " + reminder + ")");
    }
    for (const std::string& name : dialog_.campaign.track_links) {
      if (!dialog_.variables.contains(name)) {
        return Error(campaign_node_, "campaign track_links: '" + name +
                                         "' is not a declared variable (variables:)");
      }
    }
    return Status::Ok();
  }

  // scoring: {hot: 70, rules: [{if: "timing == 'now'", points: 30, why: "compra ya"}, ...]}
  Status LoadScoring(const YAML::Node& node) {
    if (Status s = CheckMap(node, "scoring", {"hot", "rules"}); !s.ok()) return s;
    if (const YAML::Node& hot = node["hot"]) {
      int64_t value = 0;
      if (Status s = Int(hot, "scoring hot", &value); !s.ok()) return s;
      if (value < 0 || value > 100) return Error(hot, "scoring hot must be between 0 and 100");
      dialog_.scoring.hot = static_cast<int>(value);
    }
    const YAML::Node& rules = node["rules"];
    if (!rules || !rules.IsSequence() || rules.size() == 0) {
      return Error(rules ? rules : node, "scoring needs rules: a list of {if, points, why}");
    }
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string what = "scoring rule " + std::to_string(i + 1);
      if (Status s = CheckMap(rules[i], what, {"if", "points", "why"}); !s.ok()) return s;
      ScoreRule rule;
      rule.line = LineOf(rules[i]);
      if (!rules[i]["points"]) return Error(rules[i], what + " has no points");
      int64_t points = 0;
      if (Status s = Int(rules[i]["points"], what + " points", &points); !s.ok()) return s;
      if (points < -100 || points > 100) {
        return Error(rules[i]["points"], what + ": points must be between -100 and 100");
      }
      rule.points = static_cast<int>(points);
      if (const YAML::Node& why = rules[i]["why"]) {
        if (Status s = Scalar(why, what + " why", &rule.why); !s.ok()) return s;
      }
      if (const YAML::Node& when = rules[i]["if"]) {
        std::string source;
        if (Status s = Scalar(when, what + " if", &source); !s.ok()) return s;
        Result<Condition> parsed = Condition::Parse(source);
        if (!parsed.ok()) {
          return Error(when, "condition '" + source + "': " + parsed.status().message());
        }
        rule.when = std::move(parsed.value());
      }
      if (rule.why.empty()) rule.why = rule.when.always() ? "base" : rule.when.source();
      sources_.lines["scoring.rules." + std::to_string(i)] = rule.line;
      dialog_.scoring.rules.push_back(std::move(rule));
    }
    return Status::Ok();
  }

  // changes: [{words: [monto, cantidad], clear: [amount], to: ask_amount}, ...]
  Status LoadChanges(const YAML::Node& node) {
    if (!node.IsSequence()) return Error(node, "changes must be a list");
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      const std::string what = "change " + std::to_string(i);
      if (Status s = CheckMap(item, what, {"words", "clear", "to"}); !s.ok()) return s;
      ChangeRequest change;
      change.line = LineOf(item);
      for (const char* list : {"words", "clear"}) {
        const YAML::Node& values = item[list];
        if (!values) continue;
        if (!values.IsSequence()) return Error(values, what + ": " + list + " must be a list");
        for (const auto& value : values) {
          std::string text;
          if (Status s = Scalar(value, what + " " + list, &text); !s.ok()) return s;
          if (std::string(list) == "words") {
            change.words.push_back(Normalize(text));
          } else {
            change.clear.push_back(text);
          }
        }
      }
      if (!item["to"]) return Error(item, what + " has no 'to'");
      if (Status s = Scalar(item["to"], what + " to", &change.to); !s.ok()) return s;
      sources_.lines["changes." + std::to_string(i)] = change.line;
      dialog_.changes.push_back(std::move(change));
    }
    return Status::Ok();
  }

  // common.yaml first, then the dialog's own file, whose keys override.
  Status LoadPrompts() {
    const std::string dir = prompts_dir_ + "/" + dialog_.locale + "/";
    for (const std::string& name : {std::string("common"), prompts_name_}) {
      const std::string file = dir + name + ".yaml";
      if (!std::filesystem::exists(file)) {
        return InvalidArgument(path_ + ":" + std::to_string(sources_.Line("id")) +
                               ": prompt file " + file + " not found");
      }
      Result<YAML::Node> root = ParseYaml(file);
      if (!root.ok()) return root.status();
      if (root->IsNull()) continue;
      if (!root->IsMap()) {
        return InvalidArgument(file + ":" + std::to_string(LineOf(*root)) +
                               ": a prompt file is a map of key: \"text\"");
      }
      std::set<std::string> seen;
      for (const auto& kv : *root) {
        const int line = LineOf(kv.first);
        const std::string where = file + ":" + std::to_string(line) + ": ";
        if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
          return InvalidArgument(where + "a prompt is a key and a text");
        }
        if (!seen.insert(kv.first.Scalar()).second) {
          return InvalidArgument(where + "duplicate prompt '" + kv.first.Scalar() + "'");
        }
        dialog_.prompts[kv.first.Scalar()] = kv.second.Scalar();
        sources_.prompts[kv.first.Scalar()] = {file, line};
      }
    }
    return Status::Ok();
  }

  std::string path_;
  std::string prompts_dir_;
  std::string prompts_name_;
  YAML::Node campaign_node_;  // for CheckTemplates' errors
  Dialog dialog_;
  DialogSources sources_;
};

}  // namespace

Result<Dialog> LoadDialogFile(const std::string& path, const std::string& prompts_dir) {
  return Loader(path, prompts_dir).Load();
}

Result<std::shared_ptr<const DialogSet>> LoadDialogDir(const std::string& dialogs_dir,
                                                       const std::string& prompts_dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dialogs_dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return NotFound(dialogs_dir + ": cannot list dialogs: " + ec.message());
  std::sort(files.begin(), files.end());  // the same first error on every machine
  auto set = std::make_shared<DialogSet>();
  for (const std::string& file : files) {
    Result<Dialog> dialog = LoadDialogFile(file, prompts_dir);
    if (!dialog.ok()) return dialog.status();
    set->Add(std::make_shared<const Dialog>(std::move(dialog.value())));
  }
  return std::shared_ptr<const DialogSet>(std::move(set));
}

}  // namespace bot
