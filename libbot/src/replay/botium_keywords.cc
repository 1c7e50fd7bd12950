#include "replay/botium_keywords.h"

namespace bot::replay {
namespace {

// Botium's DEFAULT_ASSERTERS, DEFAULT_LOGIC_HOOKS and DEFAULT_USER_INPUTS
// (botium-core 1.15.10, src/scripting/logichook/LogicHookConsts.js).
constexpr std::string_view kAsserters[] = {
    "BUTTONS",
    "BUTTONS_COUNT",
    "BUTTONS_COUNT_REC",
    "MEDIA",
    "MEDIA_COUNT",
    "MEDIA_COUNT_REC",
    "CARDS",
    "CARDS_COUNT",
    "CARDS_COUNT_REC",
    "PAUSE_ASSERTER",
    "JSON_PATH",
    "JSON_PATH_COUNT",
    "RESPONSE_LENGTH",
    "FORMS",
    "ENTITIES",
    "ENTITY_VALUES",
    "ENTITY_CONTENT",
    "INTENT",
    "INTENT_UNIQUE",
    "INTENT_CONFIDENCE",
    "TEXT_CONTAINS_ANY",
    "TEXT_CONTAINS_ANY_IC",
    "TEXT_CONTAINS_ALL",
    "TEXT_CONTAINS_ALL_IC",
    "TEXT_WILDCARD_ANY",
    "TEXT_WILDCARD_ANY_IC",
    "TEXT_WILDCARD_ALL",
    "TEXT_WILDCARD_ALL_IC",
    "TEXT_WILDCARDEXACT_ANY",
    "TEXT_WILDCARDEXACT_ANY_IC",
    "TEXT_WILDCARDEXACT_ALL",
    "TEXT_WILDCARDEXACT_ALL_IC",
    "TEXT_REGEXP_ANY",
    "TEXT_REGEXP_ANY_IC",
    "TEXT_REGEXP_ALL",
    "TEXT_REGEXP_ALL_IC",
    "TEXT_EQUALS",
    "TEXT_EQUALS_IC",
    "TEXT",
    "TEXT_IC",
    "TEXT_WER",
    "BOT_CONSUMED",
    "BOT_UNCONSUMED_COUNT",
};

constexpr std::string_view kLogicHooks[] = {
    "PAUSE",
    "WAITFORBOT",
    "SET_SCRIPTING_MEMORY",
    "CLEAR_SCRIPTING_MEMORY",
    "ASSIGN_SCRIPTING_MEMORY",
    "UPDATE_CUSTOM",
    "SKIP_BOT_UNCONSUMED",
    "INCLUDE",
    "CONDITIONAL_STEP_TIME_BASED",
    "CONDITIONAL_STEP_BUSINESS_HOURS",
    "CONDITIONAL_STEP_CAPABILITY_VALUE_BASED",
    "CONDITIONAL_STEP_JSON_PATH_BASED",
    "CONVO_STEP_PARAMETERS",
    "ORDERED_LIST_TO_BUTTON",
};

constexpr std::string_view kUserInputs[] = {"BUTTON", "MEDIA", "FORM"};

template <size_t N>
bool Contains(const std::string_view (&names)[N], std::string_view word) {
  for (std::string_view name : names) {
    if (name == word) return true;
  }
  return false;
}

}  // namespace

const char* BotiumKeywordKind(std::string_view line, BotiumSection section, std::string* keyword) {
  // Botium's linesToConvoStep: one "?" (unless "??"), then one "!" (unless "!!"), then the
  // first word up to a space.
  if (!line.empty() && line[0] == '?') line.remove_prefix(1);
  if (!line.empty() && line[0] == '!') line.remove_prefix(1);
  std::string_view word = line.substr(0, line.find_first_of(" \t"));
  const char* kind = nullptr;
  if (section != BotiumSection::kMe && Contains(kAsserters, word)) {
    kind = "asserter";
  } else if (section == BotiumSection::kMe && Contains(kUserInputs, word)) {
    kind = "user input";
  } else if (Contains(kLogicHooks, word)) {
    kind = "logic hook";
  }
  if (kind != nullptr) *keyword = std::string(word);
  return kind;
}

std::string UnsupportedBotiumKeyword(std::string_view keyword, const char* kind) {
  return std::string(keyword) + " is a Botium " + kind +
         " the replay does not support (docs/transcripts.md lists the Botium subset it runs)";
}

}  // namespace bot::replay
