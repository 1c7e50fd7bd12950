// es-MX dates without ICU: the weekday comes from <chrono>, the names are Spanish.
#include <array>
#include <string>

#include "bot/credit.h"

namespace bot {

namespace {

constexpr std::array<const char*, 7> kWeekdays = {"domingo", "lunes",   "martes", "miércoles",
                                                  "jueves",  "viernes", "sábado"};
constexpr std::array<const char*, 12> kMonths = {"enero",      "febrero", "marzo",     "abril",
                                                 "mayo",       "junio",   "julio",     "agosto",
                                                 "septiembre", "octubre", "noviembre", "diciembre"};

}  // namespace

std::string FormatDateEs(std::chrono::year_month_day date, bool with_year) {
  if (!date.ok()) return "";
  const std::chrono::weekday weekday{std::chrono::sys_days(date)};
  // Spanish writes the day without leading zero and names in lower case: "lunes 7 de diciembre".
  std::string out = kWeekdays[weekday.c_encoding()];
  out += ' ';
  out += std::to_string(static_cast<unsigned>(date.day()));
  out += " de ";
  out += kMonths[static_cast<unsigned>(date.month()) - 1];
  if (with_year) {
    out += " de ";
    out += std::to_string(static_cast<int>(date.year()));
  }
  return out;
}

}  // namespace bot
