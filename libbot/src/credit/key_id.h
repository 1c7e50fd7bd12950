// Data key ids, shared by the blob format and the BOT_DATA_KEYS parser.
#pragma once

#include <string_view>

namespace bot {

// 1..255 characters of [A-Za-z0-9_-]: fits the blob's one-byte length and the env syntax.
inline bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace bot
