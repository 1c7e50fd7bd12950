// Prompt templates: "{{name}}" replaced by a slot, a dialog variable or a builtin.
#include <string>

#include "bot/dialog.h"

namespace bot {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool TemplateVariables(std::string_view tmpl, std::vector<std::string>* names) {
  size_t pos = 0;
  while ((pos = tmpl.find("{{", pos)) != std::string_view::npos) {
    size_t close = tmpl.find("}}", pos + 2);
    if (close == std::string_view::npos) return false;
    names->emplace_back(Trim(tmpl.substr(pos + 2, close - pos - 2)));
    pos = close + 2;
  }
  return true;
}

std::string RenderPrompt(std::string_view tmpl, const SlotMap& slots, const VarMap& vars) {
  std::string out;
  out.reserve(tmpl.size());
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    size_t close = open == std::string_view::npos ? open : tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, open - pos));
    std::string name(Trim(tmpl.substr(open + 2, close - open - 2)));
    auto slot = slots.find(name);
    if (slot != slots.end() && !slot->second.is_none()) {
      const Value& v = slot->second;
      out += v.kind() == Value::Kind::kMoney ? FormatPesos(v.centavos()) : v.ToString();
    } else if (auto var = vars.find(name); var != vars.end()) {
      out += var->second;
    }
    pos = close + 2;
  }
  return out;
}

}  // namespace bot
