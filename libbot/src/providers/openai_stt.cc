// Speech-to-text over the OpenAI-compatible /audio/transcriptions endpoint (OpenAI, Groq,
// local whisper servers). The audio goes as is: OGG/Opus voice notes are an accepted format.
#include <simdjson.h>

#include "bot/providers.h"
#include "bot/twilio.h"
#include "providers/call.h"
#include "providers/schema.h"

namespace bot {
namespace providers {
namespace {

// File extension the endpoint recognises for a content type; "" when it accepts none.
std::string AudioExtension(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  static const std::pair<const char*, const char*> kTypes[] = {
      {"audio/ogg", "ogg"},   {"audio/opus", "ogg"},  {"audio/mpeg", "mp3"},
      {"audio/mp3", "mp3"},   {"audio/mp4", "m4a"},   {"audio/m4a", "m4a"},
      {"audio/x-m4a", "m4a"}, {"audio/wav", "wav"},   {"audio/x-wav", "wav"},
      {"audio/webm", "webm"}, {"audio/flac", "flac"}, {"video/mp4", "mp4"},
  };
  for (const auto& [type, ext] : kTypes) {
    if (base == type) return ext;
  }
  return "";
}

class OpenAiSttProvider final : public SttProvider {
 public:
  OpenAiSttProvider(LlmConfig config, ProviderContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Result<SttReply> Transcribe(const SttRequest& request) override {
    return Wait<SttReply>([&](auto done) { TranscribeAsync(request, std::move(done)); });
  }

  void TranscribeAsync(const SttRequest& request, SttCallback done) override {
    std::string ext = AudioExtension(request.content_type);
    if (ext.empty()) {
      done(InvalidArgument("speech-to-text does not take '" + request.content_type + "'"));
      return;
    }
    std::shared_ptr<Call> call = StartCall(context_, config_, request, done);
    if (!call) return;

    // A boundary derived from the content never occurs inside it in practice, and keeps the
    // request byte-identical between runs (cassettes match it either way).
    std::string boundary = "libbot-" + Sha256Hex(request.audio).substr(0, 32);
    std::string body;
    auto field = [&](const std::string& name, const std::string& value) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
              "\"\r\n\r\n" + value + "\r\n";
    };
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"audio." +
            ext + "\"\r\nContent-Type: " + request.content_type + "\r\n\r\n";
    body += request.audio;
    body += "\r\n";
    field("model", config_.model);
    if (!request.language.empty()) field("language", request.language);
    if (!request.prompt.empty()) field("prompt", request.prompt);
    field("response_format", "json");
    body += "--" + boundary + "--\r\n";

    HttpRequest http;
    http.method = "POST";
    http.url = JoinUrl(config_.base_url, "/audio/transcriptions");
    http.headers = {{"Authorization", "Bearer " + config_.api_key},
                    {"Content-Type", "multipart/form-data; boundary=" + boundary}};
    http.headers.insert(http.headers.end(), config_.extra_headers.begin(),
                        config_.extra_headers.end());
    http.body = std::move(body);
    http.timeout = config_.timeout;
    call->Send(std::move(http), request.deadline,
               [this, call, done = std::move(done)](Result<HttpResponse> response) {
                 if (!response.ok()) {
                   done(response.status());
                   return;
                 }
                 SttReply reply;
                 reply.model = config_.model;
                 Status status = Read(response->body, &reply);
                 const double seconds = reply.audio_seconds;
                 FinishWith(*call, status, std::move(reply), done, seconds);
               });
  }

 private:
  Status Read(const std::string& body, SttReply* reply) const {
    simdjson::dom::parser parser;
    Result<simdjson::dom::element> root = ParseJson(parser, body, "transcription");
    if (!root.ok()) return root.status();
    simdjson::dom::element usage;
    if (!(*root)["usage"].get(usage)) {
      int64_t n = 0;
      double seconds = 0;
      if (!usage["input_tokens"].get(n)) reply->tokens_in = n;
      if (!usage["output_tokens"].get(n)) reply->tokens_out = n;
      if (!usage["seconds"].get(seconds)) reply->audio_seconds = seconds;
      if (!usage["seconds"].get(n)) reply->audio_seconds = static_cast<double>(n);
    }
    std::string_view text;
    if ((*root)["text"].get(text)) return BadResponse("transcription has no text");
    reply->text = std::string(text);
    return Status::Ok();
  }

  const LlmConfig config_;
  const ProviderContext context_;
};

}  // namespace
}  // namespace providers

std::unique_ptr<SttProvider> NewOpenAiSttProvider(LlmConfig config, ProviderContext context) {
  return std::make_unique<providers::OpenAiSttProvider>(std::move(config), std::move(context));
}

}  // namespace bot
