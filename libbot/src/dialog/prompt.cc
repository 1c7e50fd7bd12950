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

// es-MX money: "$5,750.00", "-$12.50". Integer arithmetic only, the amount is exact.
std::string FormatMoney(int64_t centavos) {
  const bool negative = centavos < 0;
  // Unsigned so that the most negative int64 does not overflow when negated.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(centavos) : centavos;
  std::string pesos = std::to_string(magnitude / 100);
  std::string grouped;
  for (size_t i = 0; i < pesos.size(); ++i) {
    if (i > 0 && (pesos.size() - i) % 3 == 0) grouped += ',';
    grouped += pesos[i];
  }
  const uint64_t cents = magnitude % 100;
  return std::string(negative ? "-$" : "$") + grouped + "." + static_cast<char>('0' + cents / 10) +
         static_cast<char>('0' + cents % 10);
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
      out += v.kind() == Value::Kind::kMoney ? FormatMoney(v.centavos()) : v.ToString();
    } else if (auto var = vars.find(name); var != vars.end()) {
      out += var->second;
    }
    pos = close + 2;
  }
  return out;
}

}  // namespace bot
