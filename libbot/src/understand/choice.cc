// ParseChoice: one of a dialog's choices (or a catalogue's zones) by any of its words,
// forgiving accents, case, plurals and one typo in long words.
#include <algorithm>
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/normalize.h"
#include "understand/parse_util.h"

namespace bot {
namespace {

// At most one insertion, deletion, substitution or swap of neighbours apart.
bool WithinOneEdit(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return true;
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // swap
  }
  return a.substr(i) == b.substr(i + 1);  // insertion
}

std::string_view Singular(std::string_view w) {
  if (w.size() > 4 && w.ends_with("es")) return w.substr(0, w.size() - 2);
  if (w.size() > 3 && w.ends_with("s")) return w.substr(0, w.size() - 1);
  return w;
}

// The user's word means the choice's word: equal, a plural of it, or (five letters or more)
// one typo away.
bool SameWord(std::string_view said, std::string_view word) {
  if (said == word) return true;
  if (Singular(said) == Singular(word) || Singular(said) == word || said == Singular(word)) {
    return true;
  }
  return said.size() >= 5 && word.size() >= 5 && !(said[0] >= '0' && said[0] <= '9') &&
         WithinOneEdit(said, word);
}

constexpr std::string_view kStopWords[] = {"de", "la", "el",  "los", "las",  "del", "en",  "y",
                                           "a",  "al", "con", "por", "para", "un",  "una", "mi"};
bool IsStopWord(std::string_view w) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

// The length (in words) of `term`'s match in `said`: all its words in a row; 0 = no match.
size_t PhraseMatch(const std::vector<std::string>& said, const std::vector<std::string>& term) {
  if (term.empty() || term.size() > said.size()) return 0;
  for (size_t i = 0; i + term.size() <= said.size(); ++i) {
    bool all = true;
    for (size_t k = 0; k < term.size() && all; ++k) all = SameWord(said[i + k], term[k]);
    if (all) return term.size();
  }
  return 0;
}

}  // namespace

ParseResult ParseChoice(std::string_view text, const std::vector<Choice>& choices) {
  const std::vector<std::string> said = understand::AsciiWords(text);
  if (said.empty()) return understand::NotSure("empty");
  // The longest match of each choice, in words.
  std::vector<size_t> best(choices.size(), 0);
  std::vector<std::vector<std::vector<std::string>>> terms(choices.size());
  for (size_t c = 0; c < choices.size(); ++c) {
    std::string key = choices[c].key;
    std::replace(key.begin(), key.end(), '_', ' ');
    terms[c].push_back(understand::AsciiWords(key));
    for (const std::string& synonym : choices[c].synonyms)
      terms[c].push_back(understand::AsciiWords(synonym));
    for (const auto& term : terms[c]) best[c] = std::max(best[c], PhraseMatch(said, term));
  }
  // "roma" alone for "Roma Norte": a message that is one distinctive word of a single choice.
  if (said.size() == 1 && !IsStopWord(said[0]) && said[0].size() >= 4 &&
      std::all_of(best.begin(), best.end(), [](size_t b) { return b == 0; })) {
    int owner = -1;
    for (size_t c = 0; c < choices.size(); ++c) {
      bool has = false;
      for (const auto& term : terms[c]) {
        for (const std::string& w : term) has = has || SameWord(said[0], w);
      }
      if (!has) continue;
      if (owner >= 0) return understand::NotSure("ambiguous");
      owner = static_cast<int>(c);
    }
    if (owner >= 0) best[owner] = 1;
  }
  size_t longest = 0;
  for (size_t b : best) longest = std::max(longest, b);
  if (longest == 0) return understand::NotSure("not_an_option");
  // The most specific match wins ("crédito Infonavit" is infonavit, not any crédito); two
  // choices matched as well are ambiguous ("comprar o rentar").
  int winner = -1;
  for (size_t c = 0; c < choices.size(); ++c) {
    if (best[c] != longest) continue;
    if (winner >= 0) return understand::NotSure("ambiguous");
    winner = static_cast<int>(c);
  }
  return understand::Sure(Value::Text(choices[winner].key));
}

}  // namespace bot
