// BOT_DATA_KEYS: "k1:BASE64,k2:BASE64", the data keys for encryption at rest.
#include <string>

#include "bot/credit.h"
#include "credit/key_id.h"

namespace bot {

namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict standard base64 (padding required): a key typed wrong must not decode to other bytes.
bool DecodeBase64(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  size_t padding = 0;
  while (padding < 2 && padding < in.size() && in[in.size() - 1 - padding] == '=') ++padding;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size() - padding; ++i) {
    int v = Base64Value(in[i]);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<DataKeys> ParseDataKeys(std::string_view env_value) {
  DataKeys keys;
  if (Trim(env_value).empty()) return InvalidArgument("BOT_DATA_KEYS is empty");
  size_t start = 0;
  for (int index = 1;; ++index) {
    size_t comma = env_value.find(',', start);
    std::string_view entry = Trim(env_value.substr(start, comma - start));
    std::string where = "BOT_DATA_KEYS entry " + std::to_string(index);
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) return InvalidArgument(where + ": expected id:base64");
    std::string id(entry.substr(0, colon));
    if (!ValidKeyId(id)) return InvalidArgument(where + ": bad key id");
    std::string key;
    if (!DecodeBase64(entry.substr(colon + 1), &key)) {
      return InvalidArgument(where + " ('" + id + "'): not base64");
    }
    if (key.size() != 32) {
      return InvalidArgument(where + " ('" + id + "'): key is " + std::to_string(key.size()) +
                             " bytes, AES-256 needs 32");
    }
    if (!keys.keys.emplace(id, std::move(key)).second) {
      return InvalidArgument(where + ": duplicate key id '" + id + "'");
    }
    if (keys.active_id.empty()) keys.active_id = id;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return keys;
}

}  // namespace bot
