// Lookups on the dialog model, slot type names, the dialog set and builtin variables.
#include "bot/dialog.h"

#include <algorithm>
#include <string>

#include "dialog/validate.h"

namespace bot {

namespace {

constexpr std::pair<SlotType, const char*> kSlotTypeNames[] = {
    {SlotType::kRating, "rating"}, {SlotType::kInteger, "integer"},
    {SlotType::kYesNo, "yesno"},   {SlotType::kMoney, "money"},
    {SlotType::kDays, "days"},     {SlotType::kPhone, "phone"},
    {SlotType::kEmail, "email"},   {SlotType::kDate, "date"},
    {SlotType::kText, "text"},     {SlotType::kDocument, "document"},
    {SlotType::kBudget, "budget"}, {SlotType::kTiming, "timing"},
    {SlotType::kChoice, "choice"}, {SlotType::kZone, "zone"},
};

constexpr const char* kBuiltinVariables[] = {"profile_name", "contact", "today", "zones"};

}  // namespace

const char* SlotTypeName(SlotType type) {
  for (const auto& [t, name] : kSlotTypeNames) {
    if (t == type) return name;
  }
  return "unknown";
}

bool ParseSlotType(std::string_view name, SlotType* out) {
  for (const auto& [t, type_name] : kSlotTypeNames) {
    if (name == type_name) {
      *out = t;
      return true;
    }
  }
  return false;
}

const State* Dialog::FindState(std::string_view name) const {
  for (const State& state : states) {
    if (state.name == name) return &state;
  }
  return nullptr;
}

const SlotSpec* Dialog::FindSlot(std::string_view name) const {
  for (const SlotSpec& slot : slots) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

const std::string* Dialog::FindPrompt(std::string_view key) const {
  auto it = prompts.find(std::string(key));
  return it == prompts.end() ? nullptr : &it->second;
}

const MessageTemplate* Dialog::FindTemplate(std::string_view prompt) const {
  auto it = templates.find(std::string(prompt));
  return it == templates.end() ? nullptr : &it->second;
}

std::shared_ptr<const Dialog> DialogSet::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<std::string> DialogSet::Ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, dialog] : by_id_) ids.push_back(id);
  return ids;
}

bool IsBuiltinVariable(std::string_view name) {
  return std::find(std::begin(kBuiltinVariables), std::end(kBuiltinVariables), name) !=
         std::end(kBuiltinVariables);
}

bool IsIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

std::string DialogLocation(const Dialog& dialog, int line) {
  std::string where = dialog.file.empty() ? "dialog '" + dialog.id + "'" : dialog.file;
  if (line > 0) where += ":" + std::to_string(line);
  return where;
}

Status ValidateDialog(const Dialog& dialog) { return ValidateDialog(dialog, DialogSources()); }

}  // namespace bot
