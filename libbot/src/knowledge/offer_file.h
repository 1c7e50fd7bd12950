// Reads an offers catalogue file (CSV with a header row, or JSON Lines) and checks every row.
#pragma once

#include <string>
#include <vector>

#include "bot/knowledge.h"

namespace bot::knowledge {

struct OfferFile {
  std::vector<Offer> offers;
  std::vector<ImportError> errors;  // every bad row, with its line; line 0 = the whole file
};

// At most this many bytes: a catalogue of 10,000 offers is a few MB.
inline constexpr size_t kMaxOfferFileBytes = 32 * 1024 * 1024;

OfferFile ReadOfferFile(const std::string& path);

}  // namespace bot::knowledge
