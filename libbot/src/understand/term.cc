// ParseTermDays: a loan or payment term in days. A month counts 30 days and a quincena 15,
// the way Mexican lenders quote terms.
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/numbers.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {
namespace {

using understand::kMilli;
using understand::Number;
using understand::Token;

// Days per unit word, singular or plural; 0 when the word is not a unit.
int64_t UnitDays(const Token& t, bool* plural) {
  struct Unit {
    std::string_view singular, plural;
    int64_t days;
  };
  static constexpr Unit kUnits[] = {
      {"dia", "dias", 1},       {"semana", "semanas", 7}, {"quincena", "quincenas", 15},
      {"mes", "meses", 30},     {"ano", "anos", 365},
  };
  if (t.kind != Token::Kind::kWord) return 0;
  for (const Unit& u : kUnits) {
    if (t.text == u.singular || t.text == u.plural) {
      *plural = t.text == u.plural;
      return u.days;
    }
  }
  return 0;
}

// Half a unit more when the unit at `u` is followed by "y medio"/"y media" ("mes y medio").
int64_t AndAHalf(const std::vector<Token>& tokens, size_t u, int64_t days) {
  if (u + 2 < tokens.size() && tokens[u + 1].IsWord("y") &&
      (tokens[u + 2].IsWord("medio") || tokens[u + 2].IsWord("media")))
    return days * kMilli / 2;
  return 0;
}

// A term found in the text, in milli-days.
struct Term {
  int64_t milli_days = 0;
  bool negative = false;
  bool too_big = false;
};

}  // namespace

ParseResult ParseTermDays(std::string_view text) {
  std::string normalized = Normalize(text);
  if (normalized.empty()) return understand::NotSure("empty");
  std::vector<Token> tokens = understand::Tokenize(normalized);
  std::vector<Number> numbers = understand::FindNumbers(tokens);

  // Pair each number with the unit right after it ("2 semanas"; bare "30" is days), then
  // take the units nobody counted: "a la quincena", "al mes", "medio mes".
  std::vector<Term> terms;
  std::vector<bool> unit_used(tokens.size(), false);
  for (const Number& n : numbers) {
    Term term{n.milli, n.negative, n.too_big};
    bool plural = false;
    if (n.end < tokens.size()) {
      if (int64_t days = UnitDays(tokens[n.end], &plural); days > 0) {
        unit_used[n.end] = true;
        if (term.milli_days > INT64_MAX / days) term.too_big = true;
        term.milli_days = term.milli_days * days + AndAHalf(tokens, n.end, days);
      }
    }
    terms.push_back(term);
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    bool plural = false;
    int64_t days = UnitDays(tokens[i], &plural);
    if (days == 0 || unit_used[i]) continue;
    if (plural) return understand::NotSure("ambiguous");  // "semanas": how many?
    bool half = i > 0 && (tokens[i - 1].IsWord("medio") || tokens[i - 1].IsWord("media"));
    int64_t milli_days = (half ? days * kMilli / 2 : days * kMilli) + AndAHalf(tokens, i, days);
    terms.push_back(Term{milli_days});
  }

  if (terms.empty()) return understand::NotSure("not_a_number");
  for (const Term& t : terms) {
    if (t.milli_days != terms.front().milli_days || t.negative != terms.front().negative)
      return understand::NotSure("ambiguous");
  }
  const Term& t = terms.front();
  if (t.too_big || t.negative || t.milli_days <= 0) return understand::NotSure("out_of_range");
  if (t.milli_days % kMilli != 0) return understand::NotSure("not_integer");
  return understand::Sure(Value::Int(t.milli_days / kMilli));
}

}  // namespace bot
