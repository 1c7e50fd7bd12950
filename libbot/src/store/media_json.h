// Media attachments as the JSON array the messages.media column holds:
// [{"url":"…","content_type":"image/jpeg","path":"…","size":1234,"sha256":"…"}].
#pragma once

#include <string>
#include <vector>

#include "bot/session.h"

namespace bot {

std::string MediaToJson(const std::vector<Media>& media);
// False when `json` is not such an array; `out` is then unchanged.
bool MediaFromJson(const std::string& json, std::vector<Media>* out);

}  // namespace bot
