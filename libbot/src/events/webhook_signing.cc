#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <string>

#include "bot/webhooks.h"
#include "util/base64.h"

namespace bot {
namespace {

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &length) == nullptr) {
    return "";
  }
  return std::string(reinterpret_cast<char*>(out), length);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string StandardWebhookSignature(std::string_view secret, std::string_view msg_id,
                                     int64_t timestamp, std::string_view body) {
  if (secret.starts_with("whsec_")) secret.remove_prefix(6);
  std::string key;
  if (!Base64Decode(secret, &key) || key.empty()) return "";
  std::string content(msg_id);
  content += '.';
  content += std::to_string(timestamp);
  content += '.';
  content += body;
  return "v1," + Base64(HmacSha256(key, content));
}

bool VerifyStandardWebhook(std::string_view secret, std::string_view msg_id,
                           std::string_view timestamp, std::string_view signature_header,
                           std::string_view body, int64_t now_unix, int64_t tolerance_seconds) {
  int64_t sent = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size()) return false;
  if (sent < now_unix - tolerance_seconds || sent > now_unix + tolerance_seconds) return false;
  const std::string expected = StandardWebhookSignature(secret, msg_id, sent, body);
  if (expected.empty()) return false;
  bool ok = false;
  for (size_t a = 0; a < signature_header.size();) {
    size_t b = signature_header.find(' ', a);
    if (b == std::string_view::npos) b = signature_header.size();
    std::string_view entry = signature_header.substr(a, b - a);
    if (entry.starts_with("v1,")) ok = ConstantTimeEqual(entry, expected) || ok;
    a = b + 1;
  }
  return ok;
}

std::string MetaSignature(std::string_view app_secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned char c : HmacSha256(app_secret, body)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool VerifyMetaSignature(std::string_view app_secret, std::string_view header,
                         std::string_view body) {
  return ConstantTimeEqual(header, MetaSignature(app_secret, body));
}

}  // namespace bot
