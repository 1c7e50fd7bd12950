// ParseTiming: when a lead means to move or buy, as one of six categories a score can use.
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/understand.h"
#include "understand/numbers.h"
#include "understand/parse_util.h"
#include "understand/tokens.h"

namespace bot {
namespace {

bool Has(const std::string& framed, std::string_view phrase) {
  return framed.find(" " + std::string(phrase) + " ") != std::string::npos;
}

// A number of months as a category.
const char* ByMonths(int64_t months) {
  if (months <= 1) return "now";
  if (months <= 3) return "3m";
  if (months <= 6) return "6m";
  if (months <= 12) return "12m";
  return "later";
}

constexpr std::string_view kMonths[] = {"enero",      "febrero", "marzo",     "abril",
                                        "mayo",       "junio",   "julio",     "agosto",
                                        "septiembre", "octubre", "noviembre", "diciembre"};

}  // namespace

ParseResult ParseTiming(std::string_view text, std::chrono::year_month_day today) {
  std::string words;
  for (char c : Normalize(text)) {
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == ',';
    if (word) {
      words += c;
    } else if (!words.empty() && words.back() != ' ') {
      words += ' ';
    }
  }
  while (!words.empty() && words.back() == ' ') words.pop_back();
  if (words.empty()) return understand::NotSure("empty");
  const std::string framed = " " + words + " ";
  auto sure = [](const char* category) { return understand::Sure(Value::Text(category)); };

  for (std::string_view p :
       {"solo estoy viendo", "nomas estoy viendo", "solo viendo", "nomas viendo", "estoy viendo",
        "solo cotizando", "estoy cotizando", "cotizando", "no se", "todavia no se", "aun no se",
        "no lo se", "explorando", "solo informacion", "solo quiero informacion", "no tengo fecha",
        "sin prisa", "no tengo prisa", "curioseando"}) {
    if (Has(framed, p)) return sure("browsing");
  }
  // Explicit quantities first: "en 3 meses" is not "ya".
  std::vector<understand::Token> tokens = understand::Tokenize(words);
  std::vector<understand::Number> numbers = understand::FindNumbers(tokens);
  if (numbers.size() == 1 && !numbers[0].negative && !numbers[0].too_big &&
      numbers[0].end < tokens.size()) {
    const int64_t n = numbers[0].milli;  // thousandths
    std::string_view unit = tokens[numbers[0].end].text;
    int64_t months = -1;  // thousandths of a month
    if (unit == "mes" || unit == "meses") months = n;
    if (unit == "ano" || unit == "anos") months = n * 12;
    if (unit == "semana" || unit == "semanas") months = n / 4;
    if (unit == "dia" || unit == "dias") months = n / 30;
    if (unit == "quincena" || unit == "quincenas") months = n / 2;
    if (months >= 0) {
      const int64_t whole = (months + understand::kMilli - 1) / understand::kMilli;
      return sure(ByMonths(whole));
    }
  }
  if (Has(framed, "medio ano") || Has(framed, "unos meses") || Has(framed, "algunos meses")) {
    return sure("6m");
  }
  if (Has(framed, "par de meses") || Has(framed, "pronto") || Has(framed, "proximos meses") ||
      Has(framed, "proximamente")) {
    return sure("3m");
  }
  if (Has(framed, "ano que viene") || Has(framed, "proximo ano") || Has(framed, "otro ano") ||
      Has(framed, "siguiente ano") || Has(framed, "un ano")) {
    return sure("12m");
  }
  if (Has(framed, "fin de ano") || Has(framed, "finales de ano") ||
      Has(framed, "fin de este ano")) {
    const int month = static_cast<int>(static_cast<unsigned>(today.month()));
    return sure(ByMonths(12 - month));
  }
  for (size_t m = 0; m < std::size(kMonths); ++m) {
    if (!Has(framed, kMonths[m])) continue;
    const int now = static_cast<int>(static_cast<unsigned>(today.month()));
    int ahead = static_cast<int>(m) + 1 - now;
    if (ahead < 0) ahead += 12;
    return sure(ByMonths(ahead));
  }
  for (std::string_view p : {"ya",
                             "ya mismo",
                             "de inmediato",
                             "inmediato",
                             "inmediatamente",
                             "lo antes posible",
                             "lo mas pronto posible",
                             "asap",
                             "urgente",
                             "urge",
                             "este mes",
                             "en unos dias",
                             "esta semana",
                             "proxima semana",
                             "la otra semana",
                             "cuanto antes",
                             "ahorita",
                             "hoy",
                             "manana",
                             "ya mero",
                             "de volada",
                             "para ayer",
                             "mes que viene",
                             "proximo mes",
                             "siguiente mes",
                             "el otro mes"}) {
    if (Has(framed, p)) return sure("now");
  }
  return understand::NotSure("not_a_time");
}

}  // namespace bot
