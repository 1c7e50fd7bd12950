// ParseRating: an integer in a range, from digits, words, keycaps or stars.
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/numbers.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {
namespace {

using understand::Number;
using understand::Token;

bool IsStar(const Token& t) {
  return t.kind == Token::Kind::kOther && (t.code_point == 0x2B50 || t.code_point == 0x2605);
}

// Words that may sit between a rating and its scale: "4 estrellas de 5".
bool IsScaleNoun(const Token& t) {
  return t.IsWord("estrella") || t.IsWord("estrellas") || t.IsWord("punto") ||
         t.IsWord("puntos");
}

// "4 de 5", "5/5", "4 sobre 5": a number equal to the top of the scale, right after "de",
// "/" or "sobre" that itself follows another number, names the scale, not a second rating.
bool IsScale(const std::vector<Token>& tokens, const Number& n, int64_t max,
             const std::vector<Number>& earlier) {
  if (earlier.empty() || n.milli != max * understand::kMilli || n.first == 0) return false;
  const Token& link = tokens[n.first - 1];
  if (!link.IsWord("de") && !link.IsSymbol('/') && !link.IsWord("sobre")) return false;
  size_t k = n.first - 1;
  while (k > 0 && IsScaleNoun(tokens[k - 1])) --k;
  return k > 0 && earlier.back().end == k;
}

}  // namespace

ParseResult ParseRating(std::string_view text, int64_t min, int64_t max) {
  std::string normalized = Normalize(text);
  if (normalized.empty()) return understand::NotSure("empty");
  std::vector<Token> tokens = understand::Tokenize(normalized);

  int64_t stars = 0;
  for (const Token& t : tokens) stars += IsStar(t) ? 1 : 0;

  std::vector<Number> numbers;
  for (const Number& n : understand::FindNumbers(tokens)) {
    if (!IsScale(tokens, n, max, numbers)) numbers.push_back(n);
  }

  if (numbers.empty()) {
    if (stars == 0) return understand::NotSure("not_a_number");
    if (stars < min || stars > max) return understand::NotSure("out_of_range");
    return understand::Sure(Value::Int(stars));
  }
  if (!understand::AllSameValue(numbers)) return understand::NotSure("ambiguous");
  const Number& n = numbers.front();
  // One star beside a number is decoration ("5 ⭐"); several must agree with it.
  if (stars > 1 && (n.negative || n.milli != stars * understand::kMilli))
    return understand::NotSure("ambiguous");
  if (n.too_big || n.negative) return understand::NotSure("out_of_range");
  if (!n.IsInteger()) return understand::NotSure("not_integer");
  if (n.units() < min || n.units() > max) return understand::NotSure("out_of_range");
  return understand::Sure(Value::Int(n.units()));
}

}  // namespace bot
