// ParsePhone: E.164 through libphonenumber. Only one run of phone characters is read, so
// "55 1234 5678 o 55 8765 4321" is ambiguous rather than one long invalid number.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

#include "bot/understand.h"
#include "understand/parse_util.h"

namespace bot {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters people put inside a phone number: "+52 (55) 1234-5678", "55.1234.5678".
bool IsPhonePunctuation(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}

}  // namespace

ParseResult ParsePhone(std::string_view text, std::string_view region) {
  std::string_view trimmed = understand::TrimSpace(text);
  if (trimmed.empty()) return understand::NotSure("empty");

  // The span from the first '+' or digit to the last digit must hold nothing but phone
  // characters; words around it ("mi cel es ...") are fine.
  size_t first = trimmed.find_first_of("+0123456789");
  size_t last = trimmed.find_last_of("0123456789");
  if (first == std::string_view::npos || last == std::string_view::npos || last < first)
    return understand::NotSure("not_a_phone");
  std::string_view span = trimmed.substr(first, last - first + 1);
  for (size_t i = 0; i < span.size(); ++i) {
    char c = span[i];
    if (IsDigit(c) || IsPhonePunctuation(c) || (c == '+' && i == 0)) continue;
    return understand::NotSure("ambiguous");
  }
  // "(55)": keep an opening parenthesis right before the span.
  if (first > 0 && trimmed[first - 1] == '(') span = trimmed.substr(first - 1, last - first + 2);

  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(std::string(span), std::string(region), &number) !=
      PhoneNumberUtil::NO_PARSING_ERROR)
    return understand::NotSure("invalid");
  if (!util->IsValidNumber(number)) return understand::NotSure("invalid");
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  return understand::Sure(Value::Text(std::move(e164)));
}

}  // namespace bot
