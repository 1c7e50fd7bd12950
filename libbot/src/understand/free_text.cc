// ParseFreeText: any answer with something in it, kept as the user wrote it.
#include <string>

#include "bot/understand.h"
#include "understand/parse_util.h"

namespace bot {

ParseResult ParseFreeText(std::string_view text) {
  std::string_view trimmed = understand::TrimSpace(text);
  if (trimmed.empty()) return understand::NotSure("empty");
  return understand::Sure(Value::Text(std::string(trimmed)));
}

}  // namespace bot
