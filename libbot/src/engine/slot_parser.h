// Parses an answer for a slot with the slot type's deterministic parser and the slot's
// validation (range, options, length).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/understand.h"

namespace bot {

ParseResult ParseSlotAnswer(const SlotSpec& slot, std::string_view text, TimePoint now);

// A zone slot with the catalogue's zones as its choices (its own choices kept: aliases, "any").
// Other slots are returned as they are.
SlotSpec WithZones(const SlotSpec& slot, const std::vector<std::string>& zones);

}  // namespace bot
