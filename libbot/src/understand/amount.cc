// ParseAmount: Mexican pesos in exact centavos. Everything is integer arithmetic on the
// fixed-point numbers of numbers.h; a float never touches money.
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/numbers.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {

ParseResult ParseAmount(std::string_view text) {
  std::string normalized = Normalize(text);
  if (normalized.empty()) return understand::NotSure("empty");
  std::vector<understand::Token> tokens = understand::Tokenize(normalized);
  std::vector<understand::Number> numbers = understand::FindNumbers(tokens);

  if (numbers.empty()) return understand::NotSure("not_a_number");
  // "entre 3 y 5 mil", "2 o 3 mil": a range is not an amount.
  if (!understand::AllSameValue(numbers)) return understand::NotSure("ambiguous");
  const understand::Number& n = numbers.front();
  if (n.negative) return understand::NotSure("negative");
  if (n.too_big) return understand::NotSure("out_of_range");
  // Milli to centavos must be exact: "1,000.125" has no centavo value.
  if (n.milli % 10 != 0) return understand::NotSure("not_centavos");
  return understand::Sure(Value::Money(n.milli / 10));
}

}  // namespace bot
