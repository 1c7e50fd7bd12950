#include "understand/numbers.h"

#include <algorithm>
#include <array>

namespace bot::understand {
namespace {

// How a word combines with its neighbours inside one number phrase.
enum class Part { kZero, kUnit, kTeen, kTens, kHundreds, kCien, kMil, kMillion };

struct NumberWord {
  std::string_view word;
  int value;
  Part part;
};

// Sorted by word for binary search (checked once in the test). Misspellings WhatsApp users
// type often (no accents are already gone after Normalize) sit beside the correct spelling.
constexpr std::array kWords = {
    NumberWord{"catorce", 14, Part::kTeen},      NumberWord{"catorse", 14, Part::kTeen},
    NumberWord{"cero", 0, Part::kZero},          NumberWord{"cien", 100, Part::kCien},
    NumberWord{"ciento", 100, Part::kHundreds},  NumberWord{"cinco", 5, Part::kUnit},
    NumberWord{"cincuenta", 50, Part::kTens},    NumberWord{"cuarenta", 40, Part::kTens},
    NumberWord{"cuatro", 4, Part::kUnit},        NumberWord{"cuatrocientas", 400, Part::kHundreds},
    NumberWord{"cuatrocientos", 400, Part::kHundreds}, NumberWord{"diecinueve", 19, Part::kTeen},
    NumberWord{"dieciocho", 18, Part::kTeen},    NumberWord{"dieciseis", 16, Part::kTeen},
    NumberWord{"diecisiete", 17, Part::kTeen},   NumberWord{"dies", 10, Part::kTeen},
    NumberWord{"diesinueve", 19, Part::kTeen},   NumberWord{"diesiocho", 18, Part::kTeen},
    NumberWord{"diesiseis", 16, Part::kTeen},    NumberWord{"diesisiete", 17, Part::kTeen},
    NumberWord{"diez", 10, Part::kTeen},         NumberWord{"doce", 12, Part::kTeen},
    NumberWord{"dos", 2, Part::kUnit},           NumberWord{"doscientas", 200, Part::kHundreds},
    NumberWord{"doscientos", 200, Part::kHundreds}, NumberWord{"dose", 12, Part::kTeen},
    NumberWord{"mil", 1000, Part::kMil},         NumberWord{"millon", 1000000, Part::kMillion},
    NumberWord{"millones", 1000000, Part::kMillion}, NumberWord{"novecientas", 900, Part::kHundreds},
    NumberWord{"novecientos", 900, Part::kHundreds}, NumberWord{"noventa", 90, Part::kTens},
    NumberWord{"nuebe", 9, Part::kUnit},         NumberWord{"nueve", 9, Part::kUnit},
    NumberWord{"ochenta", 80, Part::kTens},      NumberWord{"ocho", 8, Part::kUnit},
    NumberWord{"ochocientas", 800, Part::kHundreds}, NumberWord{"ochocientos", 800, Part::kHundreds},
    NumberWord{"once", 11, Part::kTeen},         NumberWord{"onse", 11, Part::kTeen},
    NumberWord{"quatro", 4, Part::kUnit},        NumberWord{"quince", 15, Part::kTeen},
    NumberWord{"quinientas", 500, Part::kHundreds}, NumberWord{"quinientos", 500, Part::kHundreds},
    NumberWord{"quinse", 15, Part::kTeen},       NumberWord{"seis", 6, Part::kUnit},
    NumberWord{"seiscientas", 600, Part::kHundreds}, NumberWord{"seiscientos", 600, Part::kHundreds},
    NumberWord{"sero", 0, Part::kZero},          NumberWord{"sesenta", 60, Part::kTens},
    NumberWord{"setecientas", 700, Part::kHundreds}, NumberWord{"setecientos", 700, Part::kHundreds},
    NumberWord{"setenta", 70, Part::kTens},      NumberWord{"sies", 6, Part::kUnit},
    NumberWord{"siete", 7, Part::kUnit},         NumberWord{"sinco", 5, Part::kUnit},
    NumberWord{"sincuenta", 50, Part::kTens},    NumberWord{"trece", 13, Part::kTeen},
    NumberWord{"treinta", 30, Part::kTens},      NumberWord{"tres", 3, Part::kUnit},
    NumberWord{"trescientas", 300, Part::kHundreds}, NumberWord{"trescientos", 300, Part::kHundreds},
    NumberWord{"trese", 13, Part::kTeen},        NumberWord{"un", 1, Part::kUnit},
    NumberWord{"una", 1, Part::kUnit},           NumberWord{"uno", 1, Part::kUnit},
    NumberWord{"veinte", 20, Part::kTens},       NumberWord{"veinticinco", 25, Part::kTeen},
    NumberWord{"veinticuatro", 24, Part::kTeen}, NumberWord{"veintidos", 22, Part::kTeen},
    NumberWord{"veintinueve", 29, Part::kTeen},  NumberWord{"veintiocho", 28, Part::kTeen},
    NumberWord{"veintiseis", 26, Part::kTeen},   NumberWord{"veintisiete", 27, Part::kTeen},
    NumberWord{"veintitres", 23, Part::kTeen},   NumberWord{"veintiun", 21, Part::kTeen},
    NumberWord{"veintiuna", 21, Part::kTeen},    NumberWord{"veintiuno", 21, Part::kTeen},
};

const NumberWord* FindWord(std::string_view word) {
  auto it = std::lower_bound(kWords.begin(), kWords.end(), word,
                             [](const NumberWord& w, std::string_view s) { return w.word < s; });
  if (it == kWords.end() || it->word != word) return nullptr;
  return &*it;
}

// Nouns that make "un"/"una" a count rather than an article.
bool IsCountedNoun(std::string_view w) {
  static constexpr std::string_view kNouns[] = {
      "estrella", "estrellas", "punto", "puntos", "dia", "semana", "mes", "quincena",
      "ano", "peso", "pesos", "mil", "millon"};
  return std::find(std::begin(kNouns), std::end(kNouns), w) != std::end(kNouns);
}

// The largest value a phrase may reach before the multiplication could overflow.
constexpr int64_t kMaxMilli = int64_t{1'000'000'000'000} * kMilli;

}  // namespace

int64_t NumberWordValue(std::string_view word) {
  const NumberWord* w = FindWord(word);
  return w ? w->value : -1;
}

bool ReadNumber(const std::vector<Token>& tokens, size_t i, Number* out) {
  // `last` is the part read last; kMil/kMillion after a multiplier; "literal" marks digits.
  enum class Last { kNone, kLiteral, kZero, kUnit, kTeen, kTens, kTensAnd, kHundreds, kCien, kMult };
  Last last = Last::kNone;
  int64_t total = 0;  // milli, completed millions and thousands
  int64_t group = 0;  // milli, the group being read
  bool had_mil = false, had_million = false;
  Number n;
  n.first = i;
  size_t j = i;
  for (; j < tokens.size(); ++j) {
    const Token& t = tokens[j];
    if (t.kind == Token::Kind::kNumber) {
      if (last == Last::kNone) {
        group = t.milli;
        n.fraction = t.fraction;
        n.too_big = t.too_big;
      } else if (last == Last::kMult && !t.fraction && t.milli < 1000 * kMilli) {
        group = t.milli;  // "5 mil 500"
      } else {
        break;
      }
      last = Last::kLiteral;
      continue;
    }
    if (t.kind != Token::Kind::kWord) break;
    if (t.text == "y") {
      // Only "treinta y dos": tens, "y", then a unit.
      if (last != Last::kTens || j + 1 >= tokens.size() || tokens[j + 1].kind != Token::Kind::kWord)
        break;
      const NumberWord* next = FindWord(tokens[j + 1].text);
      if (next == nullptr || next->part != Part::kUnit || next->value == 0) break;
      last = Last::kTensAnd;
      continue;
    }
    bool starts_group = last == Last::kNone || last == Last::kMult;
    // "5k" is five thousand; a "k" elsewhere is just a letter.
    static constexpr NumberWord kKilo{"k", 1000, Part::kMil};
    const NumberWord* w = t.text == "k" && last == Last::kLiteral ? &kKilo : FindWord(t.text);
    if (w == nullptr) break;
    int64_t v = int64_t{w->value} * kMilli;
    switch (w->part) {
      case Part::kZero:
        if (last != Last::kNone) goto done;
        last = Last::kZero;
        ++j;
        goto done;  // zero never combines
      case Part::kUnit:
        if (!starts_group && last != Last::kTensAnd && last != Last::kHundreds) goto done;
        group += v;
        last = Last::kUnit;
        break;
      case Part::kTeen:
      case Part::kTens:
        if (!starts_group && last != Last::kHundreds) goto done;
        group += v;
        last = w->part == Part::kTeen ? Last::kTeen : Last::kTens;
        break;
      case Part::kHundreds:
      case Part::kCien:
        if (!starts_group) goto done;
        group += v;
        last = w->part == Part::kCien ? Last::kCien : Last::kHundreds;
        break;
      case Part::kMil:
        if (had_mil || last == Last::kMult || last == Last::kZero) goto done;
        if (last == Last::kNone) group = kMilli;  // "mil" alone is one thousand
        if (group > kMaxMilli / 1000) n.too_big = true;
        if (!n.too_big) total += group * 1000;
        group = 0;
        had_mil = true;
        last = Last::kMult;
        break;
      case Part::kMillion:
        if (had_million || had_mil || last == Last::kNone || last == Last::kMult) goto done;
        if (total + group > kMaxMilli / 1'000'000) n.too_big = true;
        if (!n.too_big) total = (total + group) * 1'000'000;
        group = 0;
        had_million = true;
        last = Last::kMult;
        break;
    }
  }
done:
  if (last == Last::kNone) return false;
  n.end = j;
  n.milli = n.too_big ? 0 : total + group;
  // A sign right before the first token: "-5" (but not the range "3-5") or "menos 5".
  if (i > 0) {
    const Token& prev = tokens[i - 1];
    if (prev.IsSymbol('-') && prev.end == tokens[i].begin) {
      n.negative = i < 2 || tokens[i - 2].end != prev.begin ||
                   (tokens[i - 2].kind != Token::Kind::kNumber &&
                    tokens[i - 2].kind != Token::Kind::kWord);
    } else if (prev.IsWord("menos")) {
      n.negative = true;
    }
  }
  *out = n;
  return true;
}

std::vector<Number> FindNumbers(const std::vector<Token>& tokens) {
  std::vector<Number> numbers;
  for (size_t i = 0; i < tokens.size();) {
    Number n;
    if (!ReadNumber(tokens, i, &n)) {
      ++i;
      continue;
    }
    const Token& t = tokens[i];
    bool article = n.end == i + 1 && (t.IsWord("un") || t.IsWord("una"));
    bool counts = n.end >= tokens.size() || (tokens[n.end].kind == Token::Kind::kWord &&
                                             IsCountedNoun(tokens[n.end].text));
    if (!article || counts) numbers.push_back(n);
    i = n.end;
  }
  return numbers;
}

bool AllSameValue(const std::vector<Number>& numbers) {
  for (const Number& n : numbers) {
    if (n.milli != numbers.front().milli || n.negative != numbers.front().negative ||
        n.too_big != numbers.front().too_big)
      return false;
  }
  return true;
}

}  // namespace bot::understand
