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
// choice, without blocking; `done` runs on the HTTP client's thread. Failures are recorded on
// `call`; success is left for the caller to record once it has checked the content.
// `max_tokens` counts, with the body's size, against a tokens-per-minute limit.
void PostChatCompletion(const LlmConfig& config, std::shared_ptr<Call> call, std::string body,
                        int max_tokens, TimePoint deadline,
                        std::function<void(Result<ChatAnswer>)> done);

// A request's estimate for a tokens-per-minute limit: about four bytes of prompt per token,
// plus the most the answer may take (what providers count against the limit).
inline int64_t RateTokens(const std::string& body, int max_tokens) {
  return static_cast<int64_t>(body.size() / 4) + max_tokens;
}

}  // namespace bot::providers
