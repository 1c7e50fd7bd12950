// IsChangeRequest: the user wants to go back and change an answer.
#include <algorithm>
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/tokens.h"

namespace bot {
namespace {

constexpr size_t kMaxWords = 20;

constexpr std::string_view kChangeWords[] = {
    "cambiar", "cambio",   "cambia",    "cambie",    "cambiarlo", "cambiarla", "corregir",
    "corrige", "corrijo",  "modificar", "modifica",  "otro",      "otra",      "mejor",
    "equivoque", "equivoco", "ajustar",  "diferente", "distinto",  "distinta",
};

bool IsChangeWord(std::string_view w) {
  return std::find(std::begin(kChangeWords), std::end(kChangeWords), w) != std::end(kChangeWords);
}

// "monto" matches "monto" and "montos"; "plazo" matches "plazos".
bool Matches(std::string_view token, const std::string& word) {
  if (token == word) return true;
  return token.size() == word.size() + 1 && token.substr(0, word.size()) == word &&
         (token.back() == 's');
}

}  // namespace

bool IsChangeRequest(std::string_view text, const std::vector<std::string>& words) {
  const std::string normalized = Normalize(text);
  size_t count = 0;
  bool verb = false, topic = false;
  for (const understand::Token& token : understand::Tokenize(normalized)) {
    if (token.kind != understand::Token::Kind::kWord) continue;
    if (++count > kMaxWords) return false;
    verb = verb || IsChangeWord(token.text);
    for (const std::string& word : words) topic = topic || Matches(token.text, word);
  }
  return verb && topic;
}

}  // namespace bot
