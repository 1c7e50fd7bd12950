// Deterministic understanding of WhatsApp Spanish: the parsers behind slot types and the
// global intents. Every parser is pure and thread-safe. A parser that is not sure says so
// (ok == false with a reason) instead of guessing; the dialog then asks again.
#pragma once

#include <chrono>
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

// "quiero cambiar el monto", "me equivoqué en el plazo", "mejor otra cantidad": a change verb
// (cambiar, corregir, modificar, otro/otra, mejor, me equivoqué …) and one of `words` (normalised:
// lower case, no accents; a plural matches too) in a short message (at most 20 words).
bool IsChangeRequest(std::string_view text, const std::vector<std::string>& words);

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
