#include "engine/slot_parser.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>

namespace bot {
namespace {

ParseResult NotSure(const char* reason) {
  ParseResult r;
  r.reason = reason;
  return r;
}

// Checks a parsed integer against the slot's options and bounds.
ParseResult CheckInteger(ParseResult r, const SlotSpec& slot) {
  if (!r.ok) return r;
  int64_t v = r.value.as_int();
  if (!slot.options.empty() &&
      std::find(slot.options.begin(), slot.options.end(), v) == slot.options.end()) {
    return NotSure("not_an_option");
  }
  if ((slot.min && v < *slot.min) || (slot.max && v > *slot.max)) return NotSure("out_of_range");
  return r;
}

// Cuts text at `max` bytes on a space (or a UTF-8 boundary) so a stored answer stays bounded.
std::string CutText(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  size_t space = text.rfind(' ', cut);
  if (space != std::string::npos && space > max / 2) cut = space;
  text.resize(cut);
  return text;
}

}  // namespace

ParseResult ParseSlotAnswer(const SlotSpec& slot, std::string_view text, TimePoint now) {
  switch (slot.type) {
    case SlotType::kRating:
      return ParseRating(text, slot.min.value_or(1), slot.max.value_or(5));
    case SlotType::kInteger: {
      // The rating parser understands every way of writing a number; bounds come from the slot.
      int64_t lo = slot.min.value_or(std::numeric_limits<int32_t>::min());
      int64_t hi = slot.max.value_or(std::numeric_limits<int32_t>::max());
      return CheckInteger(ParseRating(text, lo, hi), slot);
    }
    case SlotType::kYesNo:
      return ParseYesNo(text);
    case SlotType::kMoney: {
      ParseResult r = ParseAmount(text);
      if (!r.ok) return r;
      int64_t c = r.value.centavos();
      if ((slot.min && c < *slot.min * 100) || (slot.max && c > *slot.max * 100)) {
        return NotSure("out_of_range");
      }
      return r;
    }
    case SlotType::kDays: {
      // "una quincena" (15) or "un mes" (31 in some mouths) means the nearest offered term
      // when one is a day away: 14 or 30.
      ParseResult r = ParseTermDays(text);
      if (r.ok && !slot.options.empty()) {
        for (int64_t option : slot.options) {
          if (std::abs(option - r.value.as_int()) <= 1) {
            r.value = Value::Int(option);
            break;
          }
        }
      }
      return CheckInteger(r, slot);
    }
    case SlotType::kPhone:
      return ParsePhone(text, slot.region);
    case SlotType::kEmail:
      return ParseEmail(text);
    case SlotType::kDate: {
      auto day = std::chrono::floor<std::chrono::days>(now);
      return ParseDate(text, std::chrono::year_month_day(day));
    }
    case SlotType::kDocument:
      return NotSure("document");  // a photo answers it, through OCR (Step's AnswerDocument)
    case SlotType::kBudget:
      return ParseBudget(text, slot.currency);
    case SlotType::kTiming: {
      auto day = std::chrono::floor<std::chrono::days>(now);
      return ParseTiming(text, std::chrono::year_month_day(day));
    }
    case SlotType::kChoice:
    case SlotType::kZone:  // the caller merged the catalogue's zones in (WithZones)
      return ParseChoice(text, slot.choices);
    case SlotType::kText: {
      ParseResult r = ParseFreeText(text);
      if (r.ok) r.value = Value::Text(CutText(r.value.text(), slot.max_length));
      return r;
    }
  }
  return NotSure("unknown_type");
}

SlotSpec WithZones(const SlotSpec& slot, const std::vector<std::string>& zones) {
  SlotSpec merged = slot;
  if (slot.type != SlotType::kZone) return merged;
  for (const std::string& zone : zones) {
    auto known = std::find_if(merged.choices.begin(), merged.choices.end(),
                              [&](const Choice& c) { return c.key == zone; });
    if (known == merged.choices.end()) merged.choices.push_back(Choice{zone, {}});
  }
  return merged;
}

}  // namespace bot
