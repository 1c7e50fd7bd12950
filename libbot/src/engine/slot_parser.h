// Parses an answer for a slot with the slot type's deterministic parser and the slot's
// validation (range, options, length).
#pragma once

#include <string_view>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/understand.h"

namespace bot {

ParseResult ParseSlotAnswer(const SlotSpec& slot, std::string_view text, TimePoint now);

}  // namespace bot
