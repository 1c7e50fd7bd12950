// The OpenAI-compatible chat completions exchange, shared by the chat provider and vision OCR.
#pragma once

#include <string>

#include "bot/providers.h"
#include "providers/call.h"

namespace bot::providers {

struct ChatAnswer {
  std::string content;
  std::string model;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
};

// Appends `"response_format":{...}` for a JSON Schema text named `name`: json_schema strict, or
// json_object when the server lacks strict mode.
void AppendResponseFormat(std::string* out, const std::string& name,
                          const std::string& schema_json, bool strict);

// POSTs `body` (a complete request JSON) to {base_url}/chat/completions and reads the first
// choice. Failures are recorded on `call`; success is left for the caller to record once it has
// checked the content.
Result<ChatAnswer> PostChatCompletion(const LlmConfig& config, Call& call, std::string body,
                                      TimePoint deadline);

}  // namespace bot::providers
