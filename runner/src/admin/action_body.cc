// Action bodies and the templates an agent sends outside WhatsApp's 24 h window.
#include "admin/action_body.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "util/json_text.h"

namespace runner {
namespace {

// Twilio refuses a ContentVariables value past 1,024 characters (error 21656 names the limit).
constexpr size_t kMaxVariable = 1024;

bot::Status StringMember(std::string_view key, simdjson::dom::element value, std::string* out) {
  std::string_view s;
  if (value.get(s) != simdjson::SUCCESS) {
    return bot::InvalidArgument("'" + std::string(key) + "' must be a string");
  }
  *out = std::string(s);
  return bot::Status::Ok();
}

// {"1": "Ana", "2": "Dra. Pérez"}
std::string VariablesJson(const std::vector<std::pair<std::string, std::string>>& variables) {
  std::string out = "{";
  for (const auto& [key, value] : variables) {
    if (out.size() > 1) out += ',';
    AppendJsonString(&out, key);
    out += ':';
    AppendJsonString(&out, value);
  }
  return out + "}";
}

}  // namespace

bool IsContentSid(std::string_view sid) {
  return sid.size() == 34 && sid.substr(0, 2) == "HX" &&
         std::all_of(sid.begin() + 2, sid.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bot::Status ReadActionBody(const std::string& body, ActionBody* out) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return bot::Status::Ok();
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body).get(object) != simdjson::SUCCESS) {
    return bot::InvalidArgument("the body must be a JSON object");
  }
  for (auto [key, value] : object) {
    bot::Status read;
    if (key == "text") {
      read = StringMember(key, value, &out->text);
    } else if (key == "state") {
      read = StringMember(key, value, &out->state);
    } else if (key == "content_sid") {
      read = StringMember(key, value, &out->content_sid);
    } else if (key == "template") {
      read = StringMember(key, value, &out->template_name);
    } else if (key == "variables") {
      simdjson::dom::object variables;
      if (value.get(variables) != simdjson::SUCCESS) {
        return bot::InvalidArgument("'variables' must be an object of strings");
      }
      for (auto [name, v] : variables) {
        std::string text;
        if (bot::Status s = StringMember("variables." + std::string(name), v, &text); !s.ok()) {
          return s;
        }
        out->variables.emplace_back(std::string(name), std::move(text));
      }
    }
    if (!read.ok()) return read;
  }
  return bot::Status::Ok();
}

bot::Status ResolveTemplate(const ActionBody& body, const bot::Dialog* dialog,
                            bot::ConversationAction* action) {
  if (!body.content_sid.empty() && !body.template_name.empty()) {
    return bot::InvalidArgument("send either 'content_sid' or 'template', not both");
  }
  if (!body.text.empty()) {
    return bot::InvalidArgument("a template has no 'text': its approved content is sent");
  }
  for (const auto& [name, value] : body.variables) {
    if (value.size() > kMaxVariable) {
      return bot::InvalidArgument("variable '" + name + "' is over 1024 bytes");
    }
  }
  if (!body.content_sid.empty()) {
    if (!IsContentSid(body.content_sid)) {
      return bot::InvalidArgument("content_sid must be a Twilio Content SID (HX + 32 hex digits)");
    }
    action->content_sid = body.content_sid;
    action->content_variables = body.variables.empty() ? "" : VariablesJson(body.variables);
    action->text = "[template " + body.content_sid + "]";
    if (!action->content_variables.empty()) action->text += " " + action->content_variables;
    return bot::Status::Ok();
  }
  const bot::MessageTemplate* found =
      dialog == nullptr ? nullptr : dialog->FindTemplate(body.template_name);
  if (found == nullptr) {
    return bot::InvalidArgument("the conversation's dialog " +
                                (dialog == nullptr ? std::string("(none)") : dialog->id) +
                                " has no template '" + body.template_name + "'");
  }
  bot::VarMap vars;
  for (const auto& [name, value] : body.variables) {
    if (std::find(found->variables.begin(), found->variables.end(), name) ==
        found->variables.end()) {
      return bot::InvalidArgument("template '" + found->prompt + "' has no variable '" + name +
                                  "'");
    }
    vars[name] = value;
  }
  std::vector<std::pair<std::string, std::string>> numbered;
  for (size_t i = 0; i < found->variables.size(); ++i) {
    auto value = vars.find(found->variables[i]);
    if (value == vars.end() || value->second.empty()) {
      return bot::InvalidArgument("template '" + found->prompt + "' needs variable '" +
                                  found->variables[i] + "'");
    }
    numbered.emplace_back(std::to_string(i + 1), value->second);
  }
  action->content_sid = found->content_sid;
  action->content_variables = numbered.empty() ? "" : VariablesJson(numbered);
  const std::string* prompt = dialog->FindPrompt(found->prompt);
  action->text =
      prompt != nullptr ? bot::RenderPrompt(*prompt, {}, vars) : "[template " + found->prompt + "]";
  return bot::Status::Ok();
}

}  // namespace runner
