// The document kinds libbot knows: the Mexican voter ID (INE) and a proof of address.
#include "engine/documents.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "bot/credit.h"
#include "bot/text.h"
#include "bot/understand.h"
#include "engine/local_time.h"

namespace bot::engine {
namespace {

using std::chrono::year_month_day;

SchemaField Field(const char* name, const char* description, const char* pattern) {
  SchemaField f;
  f.name = name;
  f.description = description;
  f.nullable = true;
  f.pattern = pattern;
  return f;
}

const std::vector<DocumentKind>& Kinds() {
  static const std::vector<DocumentKind> kinds = {
      {"ine",
       {Field("full_name", "nombre completo tal como aparece (nombre y apellidos)",
              R"(NOMBRE\s+([A-ZÁÉÍÓÚÑ ]+?)\s+(?:DOMICILIO|CLAVE|SEXO))"),
        Field("curp", "CURP de 18 caracteres", R"(CURP\W*([A-Z0-9]{18})\b)"),
        Field("birth_date", "fecha de nacimiento DD/MM/AAAA",
              R"(NACIMIENTO\W*(\d{2}[/.-]\d{2}[/.-]\d{4}))"),
        Field("valid_until", "año de vigencia (el último año si dice 2019-2029)",
              R"(VIGENCIA\s*(?:\d{4}\s*-\s*)?(\d{4}))")},
       {"unreadable", "curp_invalid", "curp_mismatch", "expired", "name_mismatch"},
       "Lee esta credencial para votar (INE) de México. Devuelve los campos pedidos tal como "
       "aparecen; null si un campo no se lee con claridad. No adivines."},
      {"proof_of_address",
       {Field("address", "domicilio completo: calle, número, colonia, código postal, ciudad",
              R"((?:DOMICILIO|DIRECCI[OÓ]N)\s*:?\s*([^\n]+))"),
        Field("issue_date", "fecha de emisión o de corte DD/MM/AAAA",
              R"((?:FECHA(?: DE)? (?:EMISI[OÓ]N|CORTE)|EMITIDO)\s*:?\s*(\d{2}/\d{2}/\d{4}))")},
       {"unreadable", "too_old"},
       "Lee este comprobante de domicilio de México (recibo de luz, agua, teléfono o estado de "
       "cuenta). Devuelve el domicilio y la fecha de emisión; null si no se leen. No adivines."},
  };
  return kinds;
}

std::vector<std::string> Words(std::string_view text) {
  std::istringstream in(Normalize(text));
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Every word of the name the applicant gave is on the card (the card may have more: a second
// surname the applicant left out).
bool NameMatches(std::string_view contact_name, std::string_view card_name) {
  std::vector<std::string> given = Words(contact_name);
  std::vector<std::string> card = Words(card_name);
  if (given.empty()) return false;
  std::set<std::string> on_card(card.begin(), card.end());
  return std::all_of(given.begin(), given.end(),
                     [&](const std::string& w) { return on_card.count(w) > 0; });
}

// A CURP as OCR read it: upper case, no spaces, and the usual confusions undone by position
// (positions 5-10 are the birth date's digits, 1-4 and 12-16 letters): "PELJ9OO315..." ->
// "PELJ900315...". The check digit still has to hold, so a repair never invents a valid CURP.
std::string CleanCurp(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '-') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (out.size() != 18) return out;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool digit = (i >= 4 && i <= 9) || i == 17;
    const bool letter = i < 4 || (i >= 10 && i <= 15);
    if (digit && out[i] == 'O') out[i] = '0';
    if (digit && (out[i] == 'I' || out[i] == 'L')) out[i] = '1';
    if (letter && out[i] == '0') out[i] = 'O';
  }
  return out;
}

}  // namespace

const DocumentKind* FindDocumentKind(std::string_view name) {
  for (const DocumentKind& kind : Kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

ExtractionSchema DocumentSchema(const DocumentKind& kind) {
  return ExtractionSchema{kind.name, kind.fields};
}

year_month_day ParseDocumentDate(std::string_view text, bool end_of_period, year_month_day today) {
  // The runs of digits, each capped: OCR may read a long number where a date should be.
  constexpr int kCap = 100000;
  std::vector<int> numbers;
  bool in_number = false;
  bool words = false;  // "1 de octubre de 2025" is ParseDate's, not a month/year
  for (char c : text) {
    words = words || std::isalpha(static_cast<unsigned char>(c));
    const bool digit = c >= '0' && c <= '9';
    if (digit && !in_number) numbers.push_back(0);
    if (digit) numbers.back() = std::min(kCap, numbers.back() * 10 + (c - '0'));
    in_number = digit;
  }
  using namespace std::chrono;
  // A bare year or a "2019-2029" range: the last year, through December 31 (or January 1).
  if (!words && !numbers.empty() && std::all_of(numbers.begin(), numbers.end(),
                                      [](int n) { return n >= 1900 && n <= 2200; })) {
    return end_of_period ? year{numbers.back()} / December / 31 : year{numbers.back()} / 1 / 1;
  }
  // "12/2029": a month.
  if (!words && numbers.size() == 2 && numbers[0] >= 1 && numbers[0] <= 12 && numbers[1] >= 1900 &&
      numbers[1] <= 2200) {
    std::chrono::year_month_day_last month_end =
        year{numbers[1]} / month{static_cast<unsigned>(numbers[0])} / last;
    return end_of_period ? year_month_day{month_end}
                         : year{numbers[1]} / month{static_cast<unsigned>(numbers[0])} / 1;
  }
  ParseResult parsed = ParseDate(text, today);
  if (!parsed.ok) return year_month_day{};
  const std::string& iso = parsed.value.text();  // YYYY-MM-DD, always well formed
  return year{std::stoi(iso.substr(0, 4))} /
         month{static_cast<unsigned>(std::stoi(iso.substr(5, 2)))} /
         day{static_cast<unsigned>(std::stoi(iso.substr(8, 2)))};
}

DocumentVerdict CheckDocument(const DocumentKind& kind, const DocumentReading& reading,
                              std::string_view contact_name, year_month_day today) {
  DocumentVerdict verdict;
  for (const SchemaField& field : kind.fields) {
    auto it = reading.fields.find(field.name);
    if (it == reading.fields.end() || it->second.empty() ||
        reading.confidence < kMinFieldConfidence) {
      verdict.reason = "unreadable";
      return verdict;
    }
    verdict.fields[field.name] = it->second;
  }
  using namespace std::chrono;
  if (kind.name == "ine") {
    year_month_day birth = ParseDocumentDate(verdict.fields["birth_date"], false, today);
    year_month_day valid = ParseDocumentDate(verdict.fields["valid_until"], true, today);
    if (!birth.ok() || !valid.ok()) {
      verdict.reason = "unreadable";
      return verdict;
    }
    std::string curp = CleanCurp(verdict.fields["curp"]);
    CurpCheck check = ValidateCurp(curp, birth);
    if (!check.ok) {
      verdict.reason = check.reason == "birth_date_mismatch" ? "curp_mismatch" : "curp_invalid";
      return verdict;
    }
    if (sys_days{valid} < sys_days{today}) {
      verdict.reason = "expired";
      return verdict;
    }
    if (!NameMatches(contact_name, verdict.fields["full_name"])) {
      verdict.reason = "name_mismatch";
      return verdict;
    }
    verdict.fields["curp"] = curp;
    verdict.fields["birth_date"] = IsoDate(birth);
    verdict.fields["valid_until"] = IsoDate(valid);
  } else if (kind.name == "proof_of_address") {
    year_month_day issued = ParseDocumentDate(verdict.fields["issue_date"], false, today);
    if (!issued.ok()) {
      verdict.reason = "unreadable";
      return verdict;
    }
    // Older than three calendar months (a bill of August 21 is too old on November 22).
    const year_month three_before = year_month{today.year(), today.month()} - months{3};
    year_month_day limit = three_before / today.day();
    if (!limit.ok()) limit = year_month_day{three_before / last};  // May 31 -> February 28
    if (sys_days{issued} < sys_days{limit} || sys_days{issued} > sys_days{today}) {
      verdict.reason = sys_days{issued} > sys_days{today} ? "unreadable" : "too_old";
      return verdict;
    }
    verdict.fields["issue_date"] = IsoDate(issued);
  }
  return verdict;
}

}  // namespace bot::engine

namespace bot {

std::vector<std::string> DocumentFields(std::string_view kind) {
  std::vector<std::string> names;
  if (const engine::DocumentKind* k = engine::FindDocumentKind(kind)) {
    for (const SchemaField& f : k->fields) names.push_back(f.name);
  }
  return names;
}

}  // namespace bot
