// Standard base64 (RFC 4648, with padding), on OpenSSL's encoder.
#pragma once

#include <string>
#include <string_view>

namespace bot {

std::string Base64(std::string_view bytes);

// Decodes standard base64; missing '=' padding is accepted. False for any other character or
// a bad length.
bool Base64Decode(std::string_view text, std::string* bytes);

}  // namespace bot
