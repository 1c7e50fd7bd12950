// Standard base64 (RFC 4648, with padding), on OpenSSL's encoder.
#pragma once

#include <string>
#include <string_view>

namespace bot {

std::string Base64(std::string_view bytes);

}  // namespace bot
