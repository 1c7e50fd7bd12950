// A fake LLM provider: a real HTTP/1.1 server on 127.0.0.1 (tests/support/test_http_server.h)
// that checks requests the way the real APIs do and answers from a script.
//
//   POST /v1/chat/completions      OpenAI-compatible chat and vision. Needs
//     "Authorization: Bearer <key>" (else 401 invalid_api_key), a JSON body with "model" and a
//     non-empty "messages", each content a string or parts (text; image_url with a base64
//     data:image/ or http(s) URL; file with filename and a base64 data: URL, as PDFs are sent);
//     a response_format json_schema must be strict-valid: a name matching
//     [a-zA-Z0-9_-]{1,64}, "strict": true, and every object schema with
//     additionalProperties false and all its properties required (else 400).
//   POST /v1/audio/transcriptions  multipart/form-data with a "file" part whose filename has an
//     accepted extension (flac mp3 mp4 mpeg mpga m4a ogg wav webm) and a "model" part (else 400).
//   POST /v1/messages              Anthropic: "x-api-key: <key>" (else 401
//     authentication_error), "anthropic-version: 2023-06-01", a JSON body with "model",
//     integer "max_tokens" and non-empty "messages" (else 400).
//
// A request that passes the checks gets the next reply scripted for its path (Enqueue), after
// that reply's delay; with nothing scripted it gets a 400 saying so. Stop() closes the listener
// and every connection, so later requests are refused like a provider that went away.
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/http.h"

namespace bot::testing {

class FakeLlmServer {
 public:
  static constexpr const char* kApiKey = "sk-test-0123456789";

  struct Reply {
    int status = 200;
    HttpHeaders headers;  // Content-Type application/json is added when absent
    std::string body;
    std::chrono::milliseconds delay{0};  // before answering
    // When set, the answer waits (after `delay`) until it returns true: a test holds a call
    // pending for as long as it needs. Asked on the server's thread every millisecond.
    std::function<bool()> ready;
  };

  struct Received {
    std::string method;
    std::string target;
    HttpHeaders headers;
    std::string body;
    int status = 0;  // what the fake answered
  };

  explicit FakeLlmServer(std::string api_key = kApiKey);
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:port/v1": the base URL for LlmConfig.
  std::string base_url() const;

  // Scripts the next answer for `path` ("/v1/chat/completions"); answers go out in order.
  void Enqueue(const std::string& path, Reply reply);
  // Every request read so far, in order; with a path, only those for it.
  std::vector<Received> requests() const;
  size_t request_count(const std::string& path) const;

  // Closes the listener and all connections. Idempotent.
  void Stop();

  struct Impl;  // public only so the .cc's free functions can name it

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// ---- Reply builders speaking each protocol ----

// A chat.completion whose first choice's message content is `content`.
FakeLlmServer::Reply ChatReply(const std::string& content, int prompt_tokens = 20,
                               int completion_tokens = 5,
                               const std::string& model = "gpt-4o-mini");
// A vision OCR answer (bot::NewVisionOcrProvider's strict object {text, text_confidence,
// fields, confidence}) as a chat.completion. A field without a value is null.
struct OcrField {
  std::string name;
  std::optional<std::string> value;
  double confidence = 0.95;
};
FakeLlmServer::Reply VisionOcrReply(const std::string& text, const std::vector<OcrField>& fields,
                                    double text_confidence = 0.9, int prompt_tokens = 1200,
                                    int completion_tokens = 80);
// {"error":{"message","type","param":null,"code"}} with `status`.
FakeLlmServer::Reply OpenAiError(int status, const std::string& type, const std::string& message);
// A transcription {"text", "usage":{"type":"tokens",...}}.
FakeLlmServer::Reply TranscriptionReply(const std::string& text, int input_tokens = 14,
                                        int output_tokens = 8);
// An Anthropic message with one tool_use block whose input is `input_json`.
FakeLlmServer::Reply AnthropicToolReply(const std::string& tool_name, const std::string& input_json,
                                        int input_tokens = 30, int output_tokens = 12);
// An Anthropic message with one text block.
FakeLlmServer::Reply AnthropicTextReply(const std::string& text, int input_tokens = 30,
                                        int output_tokens = 12);
// {"type":"error","error":{"type","message"}} with `status`.
FakeLlmServer::Reply AnthropicError(int status, const std::string& type,
                                    const std::string& message);

}  // namespace bot::testing
