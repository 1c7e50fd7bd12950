// ParseBudget: a real-estate budget, an amount or a range, in a currency, total or per month.
// Numbers come from numbers.h (words, "1.5 millones", "150k"); what this file adds is the
// range ("entre", "de ... a", "hasta", "más de"), the currency and the period. Integer
// arithmetic only.
#include <charconv>
#include <string>
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

// Slang and abbreviations read as the words numbers.h knows: "2 melones", "1.5M", "3 mdp".
std::string Rewrite(const std::string& normalized) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : normalized) {
    if (c == ' ') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    // "1.5m", "2mm", "3mdp": digits glued to a million suffix.
    size_t digits = 0;
    while (digits < w.size() &&
           ((w[digits] >= '0' && w[digits] <= '9') || w[digits] == '.' || w[digits] == ',')) {
      ++digits;
    }
    if (digits > 0 && digits < w.size()) {
      std::string suffix = w.substr(digits);
      if (suffix == "m" || suffix == "mm" || suffix == "mdp" || suffix == "mill") {
        w = w.substr(0, digits) + " millones";
      } else if (suffix == "mdd") {
        w = w.substr(0, digits) + " millones dolares";
      }
    }
    if (w == "melones" || w == "melon" || w == "mdp" || w == "mill" || w == "millones" ||
        w == "millon" || w == "millnes" || w == "milllones" || w == "miyones") {
      w = "millones";
    } else if (w == "mdd") {
      w = "millones dolares";
    } else if ((w == "m" || w == "mm") && i > 0 && !words[i - 1].empty() &&
               words[i - 1].back() >= '0' && words[i - 1].back() <= '9') {
      w = "millones";
    } else if (w == "lucas" || w == "varos") {
      w = "mil";
    }
    if (!out.empty()) out += ' ';
    out += w;
  }
  // "millon y medio" (one and a half), "2 millones y medio" (two and a half).
  constexpr std::string_view kHalf = "millones y medio";
  for (size_t at = out.find(kHalf); at != std::string::npos; at = out.find(kHalf, at)) {
    std::string_view before = std::string_view(out).substr(0, at);
    while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
    std::string_view last =
        before.substr(before.rfind(' ') == std::string_view::npos ? 0 : before.rfind(' ') + 1);
    const bool counted = !last.empty() && ((last.back() >= '0' && last.back() <= '9') ||
                                           (understand::NumberWordValue(last) > 1));
    if (last == "un" || last == "una") {  // "un millon y medio"
      out.replace(at - last.size() - 1, last.size() + 1 + kHalf.size(), "1500000");
    } else {
      out.replace(at, kHalf.size(), counted ? "millones 500 mil" : "1500000");
    }
  }
  return out;
}

bool HasWord(const std::vector<Token>& tokens, std::initializer_list<std::string_view> words) {
  for (const Token& t : tokens) {
    for (std::string_view w : words) {
      if (t.IsWord(w)) return true;
    }
  }
  return false;
}

// Whether `phrase` (normalized words) appears in `text` as whole words.
bool HasPhrase(const std::string& text, std::string_view phrase) {
  std::string framed = " " + text + " ";
  return framed.find(" " + std::string(phrase) + " ") != std::string::npos;
}

std::string Currency(const std::string& text, const std::vector<Token>& tokens,
                     std::string_view fallback) {
  if (HasWord(tokens, {"dolares", "dolar", "usd", "dls", "dlls", "dolars", "us", "usa"}) ||
      text.find("us$") != std::string::npos || text.find("u$s") != std::string::npos) {
    return "USD";
  }
  if (HasWord(tokens, {"euros", "euro", "eur"})) return "EUR";
  if (HasWord(tokens, {"pesos", "peso", "mxn", "mn", "mxp"})) return "MXN";
  return std::string(fallback);
}

bool PerMonth(const std::string& text, const std::vector<Token>& tokens) {
  return HasWord(tokens, {"mensual", "mensuales", "mensualidad", "mensualmente", "mes"}) ||
         HasPhrase(text, "de renta") || HasPhrase(text, "por mes");
}

// Only small words may sit between the two numbers of a range: "entre 1.5 y 2", "de 8 a 10",
// "8-10", "2 o 3".
bool JoinedAsRange(const std::vector<Token>& tokens, const Number& a, const Number& b) {
  if (b.first <= a.end) return false;
  for (size_t i = a.end; i < b.first; ++i) {
    const Token& t = tokens[i];
    bool joiner = t.IsWord("y") || t.IsWord("a") || t.IsWord("o") || t.IsWord("al") ||
                  t.IsWord("hasta") || t.IsSymbol('-') || t.IsSymbol('$') || t.IsWord("pesos") ||
                  t.IsWord("dolares") || t.IsWord("mxn") || t.IsWord("usd") || t.IsWord("mil");
    if (!joiner) return false;
  }
  return true;
}

// The word before the first number: "hasta", "maximo", "menos de" cap it; "desde", "mas de",
// "minimo", "arriba de" floor it.
enum class Bound { kExact, kUpTo, kFrom };
Bound BoundBefore(const std::vector<Token>& tokens, size_t first) {
  for (size_t i = first; i-- > 0;) {
    const Token& t = tokens[i];
    if (t.IsWord("de") || t.IsSymbol('$') || t.IsWord("unos") || t.IsWord("unas") ||
        t.IsWord("usd") || t.IsWord("us")) {
      continue;
    }
    if (t.IsWord("hasta") || t.IsWord("maximo") || t.IsWord("max") || t.IsWord("tope") ||
        t.IsWord("menos")) {
      return Bound::kUpTo;
    }
    if (t.IsWord("desde") || t.IsWord("minimo") || t.IsWord("mas") || t.IsWord("arriba") ||
        t.IsWord("partir") || t.IsWord("encima") || t.IsWord("mayor")) {
      return Bound::kFrom;
    }
    return Bound::kExact;
  }
  return Bound::kExact;
}

// milli (three decimals) to cents; false when it has a fraction of a cent.
bool ToCents(int64_t milli, int64_t* cents) {
  if (milli % 10 != 0) return false;
  *cents = milli / 10;
  return true;
}

// "1500000" or "1500.50" from cents.
std::string Units(int64_t cents) {
  std::string out = std::to_string(cents / 100);
  if (cents % 100 != 0) {
    out += '.';
    out += static_cast<char>('0' + (cents % 100) / 10);
    out += static_cast<char>('0' + cents % 10);
  }
  return out;
}

bool ReadUnits(std::string_view text, int64_t* cents) {
  size_t dot = text.find('.');
  int64_t whole = 0;
  std::string_view w = text.substr(0, dot);
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), whole);
  if (ec != std::errc() || end != w.data() + w.size() || w.empty()) return false;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    std::string_view f = text.substr(dot + 1);
    if (f.size() != 2) return false;
    auto [fend, fec] = std::from_chars(f.data(), f.data() + f.size(), frac);
    if (fec != std::errc() || fend != f.data() + f.size()) return false;
  }
  *cents = whole * 100 + frac;
  return true;
}

}  // namespace

bool ParseBudgetRange(std::string_view text, std::string_view default_currency, Budget* out) {
  const std::string normalized = Rewrite(Normalize(text));
  std::vector<Token> tokens = understand::Tokenize(normalized);
  std::vector<Number> numbers = understand::FindNumbers(tokens);
  if (numbers.empty() || numbers.size() > 2) return false;
  for (const Number& n : numbers) {
    if (n.negative || n.too_big) return false;
    // "mil" alone is how much? Not a budget.
    if (n.end == n.first + 1 &&
        (tokens[n.first].IsWord("mil") || tokens[n.first].IsWord("millones"))) {
      return false;
    }
  }
  Budget budget;
  budget.currency = Currency(normalized, tokens, default_currency);
  budget.per_month = PerMonth(normalized, tokens);
  int64_t a = numbers[0].milli;
  if (numbers.size() == 2) {
    if (!JoinedAsRange(tokens, numbers[0], numbers[1])) return false;
    int64_t b = numbers[1].milli;
    // "entre 1.5 y 2 millones", "de 8 a 10 mil": the first takes the second's multiplier.
    const int64_t million = int64_t{1'000'000} * understand::kMilli;
    const int64_t thousand = int64_t{1'000} * understand::kMilli;
    if (a < thousand && b >= million) {
      a *= 1'000'000;
    } else if (a < thousand && b >= thousand) {
      a *= 1'000;
    }
    if (a > b) std::swap(a, b);
    // "2 millones y 3 recámaras" is not a range: the ends of a budget are close.
    if (b > a * 100) return false;
    if (!ToCents(a, &budget.min_cents) || !ToCents(b, &budget.max_cents)) return false;
  } else {
    int64_t cents = 0;
    if (!ToCents(a, &cents)) return false;
    switch (BoundBefore(tokens, numbers[0].first)) {
      case Bound::kUpTo:
        budget.max_cents = cents;
        break;
      case Bound::kFrom:
        budget.min_cents = cents;
        break;
      case Bound::kExact:
        budget.min_cents = budget.max_cents = cents;
        break;
    }
  }
  // A budget below a thousand is a number that says nothing about money ("3", "2 o 3").
  const int64_t top = std::max(budget.min_cents, budget.max_cents);
  if (top < 1000 * 100) return false;
  *out = budget;
  return true;
}

ParseResult ParseBudget(std::string_view text, std::string_view default_currency) {
  if (understand::TrimSpace(text).empty()) return understand::NotSure("empty");
  Budget budget;
  if (!ParseBudgetRange(text, default_currency, &budget))
    return understand::NotSure("not_a_budget");
  return understand::Sure(Value::Text(FormatBudget(budget)));
}

std::string FormatBudget(const Budget& budget) {
  std::string out = budget.currency + " " + Units(budget.min_cents) + "-" + Units(budget.max_cents);
  if (budget.per_month) out += "/mes";
  return out;
}

bool ParseBudgetText(std::string_view text, Budget* out) {
  Budget budget;
  if (text.size() < 5 || text[3] != ' ') return false;
  budget.currency = std::string(text.substr(0, 3));
  std::string_view rest = text.substr(4);
  if (rest.ends_with("/mes")) {
    budget.per_month = true;
    rest.remove_suffix(4);
  }
  size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  if (!ReadUnits(rest.substr(0, dash), &budget.min_cents) ||
      !ReadUnits(rest.substr(dash + 1), &budget.max_cents)) {
    return false;
  }
  *out = budget;
  return true;
}

}  // namespace bot
