// IsQuestion: does a message ask something (answered from the offers catalogue) rather than
// answer the dialog's question?
#include <string>
#include <string_view>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/normalize.h"

namespace bot {
namespace {

// Words that open a question when they come first (normalised: no accents, lower case).
// "que" and "como" are not here alone: "que sea en Polanco", "como 2 millones" are answers.
constexpr std::string_view kOpeners[] = {
    "cuanto ",         "cuanta ",          "cuantos ",         "cuantas ",     "cual ",
    "cuales ",         "donde ",           "tiene ",           "tienen ",      "hay ",
    "aceptan ",        "acepta ",          "incluye ",         "incluyen ",    "se puede ",
    "se pueden ",      "se permiten ",     "se aceptan ",      "que incluye",  "que precio",
    "que tal ",        "que zonas",        "que amenidades",   "cuentan con ", "cuenta con ",
    "me puedes decir", "me podrias decir", "quisiera saber",   "queria saber", "quiero saber",
    "sabes si ",       "esta disponible",  "sigue disponible", "de cuanto ",   "a cuanto ",
    "en cuanto ",      "por que ",         "como es ",         "como son ",    "como esta ",
    "cuesta ",         "cuestan ",
};

constexpr std::string_view kGreetings[] = {"hola ",     "buenas ",       "buenos ",   "dias ",
                                           "tardes ",   "noches ",       "buen dia ", "oye ",
                                           "disculpa ", "una pregunta ", "pregunta "};

}  // namespace

bool IsQuestion(std::string_view text) {
  if (text.find('?') != std::string_view::npos) return true;
  if (text.find("\xC2\xBF") != std::string_view::npos) return true;  // ¿
  // Words only, single spaces: "Hola, ¿tienen...": punctuation and emoji are separators.
  std::string words;
  for (const std::string& word : understand::AsciiWords(text)) words += word + " ";
  std::string_view head = words;
  for (bool stripped = true; stripped;) {  // "hola buenas tardes, tienen..."
    stripped = false;
    for (std::string_view greeting : kGreetings) {
      if (head.substr(0, greeting.size()) != greeting) continue;
      head.remove_prefix(greeting.size());
      stripped = true;
    }
  }
  for (std::string_view opener : kOpeners) {
    if (head.substr(0, opener.size()) == opener) return true;
  }
  return false;
}

}  // namespace bot
