// Deterministic understanding of WhatsApp Spanish: the parsers behind slot types and the
// global intents. Every parser is pure and thread-safe. A parser that is not sure says so
// (ok == false with a reason) instead of guessing; the dialog then asks again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/value.h"

namespace bot {

struct ParseResult {
  bool ok = false;
  Value value;         // set when ok
  std::string reason;  // set when !ok: "out_of_range", "ambiguous", "not_a_number", "empty"...
};

// An integer in [min, max]: digits, Spanish number words ("cuatro"), keycap emoji (5️⃣),
// stars (⭐⭐⭐⭐, ★★★), "4 de 5", "5/5", "le doy un 4". "entre 3 y 4" is ambiguous; "10" with
// max 5 is out_of_range. Value::Int.
ParseResult ParseRating(std::string_view text, int64_t min = 1, int64_t max = 5);

// Yes/no: "sí", "si claro", "va", "dale", "ok", 👍 / "no", "nel", 👎. Value::Bool.
ParseResult ParseYesNo(std::string_view text);

// Money in Mexican pesos: "5 mil", "$5,000.00", "cinco mil pesos", "tres mil quinientos",
// "12.500" (thousands dot). Value::Money (centavos).
ParseResult ParseAmount(std::string_view text);

// A duration in days: "una quincena" (15), "2 semanas" (14), "un mes" (30), "30", "30 días".
// Value::Int.
ParseResult ParseTermDays(std::string_view text);

// A phone number to E.164 with libphonenumber; `region` is the default ISO country ("MX").
// Value::Text "+5215512345678".
ParseResult ParsePhone(std::string_view text, std::string_view region = "MX");

// An e-mail address, trimmed and lower-cased domain. Value::Text.
ParseResult ParseEmail(std::string_view text);

// A calendar date: "15/12/2026", "2026-12-15", "15 de diciembre", "hoy", "mañana",
// relative to `today`. Value::Text "YYYY-MM-DD".
ParseResult ParseDate(std::string_view text, std::chrono::year_month_day today);

// Any non-empty text, trimmed. Value::Text.
ParseResult ParseFreeText(std::string_view text);

// A budget: one amount or a range, in a currency, for the whole price or per month.
struct Budget {
  int64_t min_cents = 0;   // 0 = no lower bound ("hasta 2 millones")
  int64_t max_cents = 0;   // 0 = no upper bound ("más de 3 millones"); min == max for one amount
  std::string currency;    // ISO 4217: "MXN", "USD"
  bool per_month = false;  // "12 mil al mes", "mensuales", "de renta"
};
// "2 millones", "entre 1.5 y 2 millones", "de 8 a 10 mil", "USD 150 mil", "150k dólares",
// "hasta 12 mil al mes", "más de 3 millones", "como 2 melones", "2,500,000", "1.5M". Words for
// numbers as in ParseAmount. Currency words: pesos/mxn/$ -> MXN, dólares/dolares/usd/us$ ->
// USD; none said = `default_currency`. A range written backwards ("de 2 a 1.5 millones") is put
// in order. "mil" alone, "barato" or a number with nothing saying it is money ("3") is not sure.
// Value::Text of FormatBudget.
ParseResult ParseBudget(std::string_view text, std::string_view default_currency = "MXN");
bool ParseBudgetRange(std::string_view text, std::string_view default_currency, Budget* out);
// The canonical text: "MXN 1500000-2000000", "MXN 0-12000/mes", "USD 150000-150000" (whole
// units, cents dropped when zero: "MXN 1500.50-1500.50"). ParseBudgetText reads it back.
std::string FormatBudget(const Budget& budget);
bool ParseBudgetText(std::string_view text, Budget* out);

// When a lead means to move or buy. Value::Text, one of:
//   "now"      ya, de inmediato, lo antes posible, urgente, este mes, en unos días
//   "3m"       within three months: "en 2 meses", "en 3 meses", "para marzo" (<= 3 months ahead)
//   "6m"       "en medio año", "en 6 meses", "en unos meses"
//   "12m"      "el año que viene", "en un año", "a fin de año"
//   "later"    more than a year: "en 2 años"
//   "browsing" "solo estoy viendo", "nomás viendo", "solo cotizando", "no sé", "todavía no sé"
// `today` resolves month names ("para marzo").
ParseResult ParseTiming(std::string_view text, std::chrono::year_month_day today);

// One of a dialog's choices, by any of its words, tolerant of accents, case, plurals and one typo
// (an edit or a swap of neighbours) in words of five letters or more ("Polnco", "infonabit"); a
// multi-word synonym matches as a phrase ("credito hipotecario"). The choice's own key counts as
// a synonym. The longest match wins ("crédito Infonavit" is infonavit, not a bank's crédito);
// two choices matched equally long -> ambiguous ("comprar o rentar"). A message that is one
// word (four letters or more, not "de", "la"...) found in a single choice's words picks it
// ("roma" -> "Roma Norte"). Value::Text of the key.
struct Choice {
  std::string key;                    // "credito_hipotecario"
  std::vector<std::string> synonyms;  // "crédito", "hipoteca", "banco"
};
ParseResult ParseChoice(std::string_view text, const std::vector<Choice>& choices);

// "quiero cambiar el monto", "me equivoqué en el plazo", "mejor otra cantidad": a change verb
// (cambiar, corregir, modificar, otro/otra, mejor, me equivoqué …) and one of `words` (normalised:
// lower case, no accents; a plural matches too) in a short message (at most 20 words).
bool IsChangeRequest(std::string_view text, const std::vector<std::string>& words);

// A question rather than an answer: "¿tiene cochera?", "cuanto es el mantenimiento", "hay algo
// mas barato en polanco?", "aceptan mascotas". A '?' or '¿' anywhere, or a question word first
// (cuánto, cuál, dónde, tiene/tienen, hay, aceptan, incluye, se puede, qué incluye...). "Que sea
// en Polanco" is not one: "que" alone does not start a question.
bool IsQuestion(std::string_view text);

// The global intents, live in every state of every dialog.
enum class Intent {
  kNone,
  kOptOut,   // "BAJA", "STOP", "ya no me escriban", "no quiero recibir más mensajes"
  kOptIn,    // "ALTA", "START"
  kHuman,    // "asesor", "quiero hablar con una persona"
  kHelp,     // "ayuda"
  kRestart,  // "empezar de nuevo"
};
const char* IntentName(Intent intent);  // "optout", "optin", "human", "help", "restart", "none"

// Detects a global intent. Conservative: only whole short messages or clear phrases count,
// so free-text feedback that merely contains a keyword is not an intent.
Intent DetectIntent(std::string_view text);

}  // namespace bot
