// ParseYesNo: sure only when the answer has one polarity, no hedge, and no content beyond
// courtesy words, unless the answer opens with the yes/no and a pause ("Sí, me interesa").
#include <algorithm>
#include <string_view>
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {
namespace {

using understand::Token;

enum class Signal { kYes, kNo, kHedge, kFiller };

struct Phrase {
  std::string_view words[4];
  Signal signal;
};

// Longest phrases first: "claro que no" before "claro", "no se" before "no".
constexpr Phrase kPhrases[] = {
    {{"por", "supuesto", "que", "no"}, Signal::kNo},
    {{"no", "estoy", "segura"}, Signal::kHedge},
    {{"no", "estoy", "seguro"}, Signal::kHedge},
    {{"de", "ninguna", "manera"}, Signal::kNo},
    {{"no", "hay", "problema"}, Signal::kYes},
    {{"me", "parece", "bien"}, Signal::kYes},
    {{"claro", "que", "no"}, Signal::kNo},
    {{"claro", "que", "si"}, Signal::kYes},
    {{"a", "lo", "mejor"}, Signal::kHedge},
    {{"mas", "o", "menos"}, Signal::kHedge},
    {{"no", "lo", "se"}, Signal::kHedge},
    {{"de", "acuerdo"}, Signal::kYes},
    {{"por", "supuesto"}, Signal::kYes},
    {{"esta", "bien"}, Signal::kYes},
    {{"asi", "es"}, Signal::kYes},
    {{"para", "nada"}, Signal::kNo},
    {{"tal", "vez"}, Signal::kHedge},
    {{"puede", "ser"}, Signal::kHedge},
    {{"no", "se"}, Signal::kHedge},
    {{"no", "sabria"}, Signal::kHedge},
    {{"ni", "idea"}, Signal::kHedge},
    {{"por", "favor"}, Signal::kFiller},
    {{"no", "autorizo"}, Signal::kNo},
    {{"no", "acepto"}, Signal::kNo},
    {{"me", "late"}, Signal::kYes},
    {{"de", "una"}, Signal::kYes},
    {{"si"}, Signal::kYes},       {{"sip"}, Signal::kYes},      {{"sii"}, Signal::kYes},
    {{"siii"}, Signal::kYes},     {{"simon"}, Signal::kYes},    {{"claro"}, Signal::kYes},
    {{"va"}, Signal::kYes},       {{"dale"}, Signal::kYes},     {{"ok"}, Signal::kYes},
    {{"okey"}, Signal::kYes},     {{"okay"}, Signal::kYes},     {{"oki"}, Signal::kYes},
    {{"okis"}, Signal::kYes},     {{"sale"}, Signal::kYes},     {{"vale"}, Signal::kYes},
    {{"acepto"}, Signal::kYes},   {{"correcto"}, Signal::kYes}, {{"afirmativo"}, Signal::kYes},
    {{"perfecto"}, Signal::kYes}, {{"exacto"}, Signal::kYes},   {{"listo"}, Signal::kYes},
    {{"autorizo"}, Signal::kYes}, {{"andale"}, Signal::kYes},   {{"orale"}, Signal::kYes},
    {{"adelante"}, Signal::kYes}, {{"confirmo"}, Signal::kYes},
    {{"seguro"}, Signal::kYes},   {{"obvio"}, Signal::kYes},    {{"yes"}, Signal::kYes},
    {{"no"}, Signal::kNo},        {{"nel"}, Signal::kNo},       {{"nop"}, Signal::kNo},
    {{"nope"}, Signal::kNo},      {{"negativo"}, Signal::kNo},  {{"nunca"}, Signal::kNo},
    {{"talvez"}, Signal::kHedge}, {{"quizas"}, Signal::kHedge}, {{"quiza"}, Signal::kHedge},
    {{"depende"}, Signal::kHedge}, {{"pero"}, Signal::kHedge},  {{"aunque"}, Signal::kHedge},
    {{"gracias"}, Signal::kFiller}, {{"muchas"}, Signal::kFiller}, {{"mil"}, Signal::kFiller},
    {{"pues"}, Signal::kFiller},  {{"bueno"}, Signal::kFiller}, {{"este"}, Signal::kFiller},
    {{"senor"}, Signal::kFiller}, {{"senora"}, Signal::kFiller}, {{"senorita"}, Signal::kFiller},
    {{"doctor"}, Signal::kFiller}, {{"doctora"}, Signal::kFiller}, {{"que"}, Signal::kFiller},
    {{"quiero"}, Signal::kFiller}, {{"ya"}, Signal::kFiller},    {{"eh"}, Signal::kFiller},
    {{"ah"}, Signal::kFiller},    {{"mmm"}, Signal::kFiller},   {{"jaja"}, Signal::kFiller},
    {{"gracia"}, Signal::kFiller},
};

// Length in tokens of `p` matched at tokens[i], or 0.
size_t MatchPhrase(const Phrase& p, const std::vector<Token>& tokens, size_t i) {
  size_t n = 0;
  for (std::string_view w : p.words) {
    if (w.empty()) break;
    if (i + n >= tokens.size() || !tokens[i + n].IsWord(w)) return 0;
    ++n;
  }
  return n;
}

// Emoji that answer; any other emoji (skin tones, smileys) is decoration.
Signal EmojiSignal(char32_t cp) {
  switch (cp) {
    case 0x1F44D: case 0x1F44C: case 0x2705: case 0x2714: return Signal::kYes;  // 👍 👌 ✅ ✔
    case 0x1F44E: case 0x274C: case 0x274E: return Signal::kNo;                 // 👎 ❌ ❎
    case 0x1F914: return Signal::kHedge;                                         // 🤔
    default: return Signal::kFiller;
  }
}

}  // namespace

ParseResult ParseYesNo(std::string_view text) {
  std::string normalized = Normalize(text);
  if (normalized.empty()) return understand::NotSure("empty");
  std::vector<Token> tokens = understand::Tokenize(normalized);

  int yes = 0, no = 0, hedge = 0, unknown = 0;
  // "Sí, me interesa": an opening of answers and courtesy words closed by punctuation lets
  // free content follow. Without the pause ("si me llamas mañana") content means not sure.
  bool in_opening = true;
  bool opens_with_answer = false;
  for (size_t i = 0; i < tokens.size();) {
    const Token& t = tokens[i];
    Signal signal = Signal::kFiller;
    bool known = true;
    size_t len = 1;
    if (t.kind == Token::Kind::kWord) {
      size_t matched = 0;
      for (const Phrase& p : kPhrases) {
        if ((matched = MatchPhrase(p, tokens, i)) > 0) {
          signal = p.signal;
          break;
        }
      }
      known = matched > 0;
      len = std::max<size_t>(matched, 1);
    } else if (t.kind == Token::Kind::kOther) {
      signal = EmojiSignal(t.code_point);
    } else if (t.kind == Token::Kind::kNumber) {
      known = false;
    } else if (in_opening && yes + no > 0) {  // punctuation after the answer
      opens_with_answer = true;
      in_opening = false;
    }
    if (!known) {
      ++unknown;
      in_opening = false;
    }
    if (signal == Signal::kYes) ++yes;
    if (signal == Signal::kNo) ++no;
    if (signal == Signal::kHedge) ++hedge;
    i += len;
  }

  if (hedge > 0) return understand::NotSure("unsure");
  if (yes > 0 && no > 0) return understand::NotSure("ambiguous");
  if (yes == 0 && no == 0) return understand::NotSure("not_yes_no");
  if (unknown > 0 && !opens_with_answer) return understand::NotSure("not_yes_no");
  return understand::Sure(Value::Bool(yes > 0));
}

}  // namespace bot
