// Anthropic Messages API. Structured answers use a forced tool call: the tool's input_schema is
// the extraction schema and tool_choice names it, so the answer arrives as a tool_use block
// whose input is the object (Anthropic has no response_format).
#include <simdjson.h>

#include "bot/providers.h"
#include "providers/call.h"
#include "providers/schema.h"
#include "util/json.h"

namespace bot {
namespace providers {
namespace {

constexpr const char* kDefaultBaseUrl = "https://api.anthropic.com/v1";
constexpr const char* kVersion = "2023-06-01";

class AnthropicProvider final : public LlmProvider {
 public:
  AnthropicProvider(LlmConfig config, ProviderContext context)
      : config_(std::move(config)), context_(std::move(context)) {
    if (config_.base_url.empty()) config_.base_url = kDefaultBaseUrl;
  }

  Result<LlmReply> Complete(const LlmRequest& request) override {
    return Wait<LlmReply>([&](auto done) { CompleteAsync(request, std::move(done)); });
  }

  void CompleteAsync(const LlmRequest& request, LlmCallback done) override {
    std::shared_ptr<Call> call = StartCall(context_, config_, request, done);
    if (!call) return;
    HttpRequest http;
    http.method = "POST";
    http.url = JoinUrl(config_.base_url, "/messages");
    http.headers = {{"x-api-key", config_.api_key},
                    {"anthropic-version", kVersion},
                    {"content-type", "application/json"}};
    http.headers.insert(http.headers.end(), config_.extra_headers.begin(),
                        config_.extra_headers.end());
    http.body = Body(request);
    http.rate_tokens = static_cast<int64_t>(http.body.size() / 4) + request.max_tokens;
    http.timeout = config_.timeout;
    call->Send(std::move(http), request.deadline,
               [this, call, schema = request.schema,
                done = std::move(done)](Result<HttpResponse> response) {
                 if (!response.ok()) {
                   done(response.status());
                   return;
                 }
                 LlmReply reply;
                 reply.model = config_.model;
                 Status status = Read(response->body, schema, &reply);
                 FinishWith(*call, status, std::move(reply), done);
               });
  }

 private:
  Status Read(const std::string& body, const std::optional<ExtractionSchema>& schema,
              LlmReply* reply) const {
    simdjson::dom::parser parser;
    Result<simdjson::dom::element> root = ParseJson(parser, body, "anthropic answer");
    if (!root.ok()) return root.status();
    int64_t n = 0;
    if (!(*root)["usage"]["input_tokens"].get(n)) reply->tokens_in = n;
    if (!(*root)["usage"]["output_tokens"].get(n)) reply->tokens_out = n;
    std::string_view text;
    if (!(*root)["model"].get(text)) reply->model = std::string(text);
    if (!(*root)["stop_reason"].get(text) && text == "refusal") {
      return BadResponse("anthropic refused to answer");
    }
    simdjson::dom::array content;
    if ((*root)["content"].get(content)) return BadResponse("anthropic answer has no content");
    for (simdjson::dom::element block : content) {
      std::string_view type;
      if (block["type"].get(type)) continue;
      if (type == "text" && !block["text"].get(text)) reply->text += std::string(text);
      if (type == "tool_use" && schema) {
        simdjson::dom::element input;
        if (block["input"].get(input)) return BadResponse("anthropic tool_use without input");
        reply->text = simdjson::minify(input);
        Result<ExtractedFields> fields = ValidateObject(input, *schema);
        if (!fields.ok()) {
          return BadResponse("anthropic answer not understood: " + fields.status().message());
        }
        reply->fields = std::move(fields).value();
        return Status::Ok();
      }
    }
    if (schema) return BadResponse("anthropic answer has no tool_use block");
    return Status::Ok();
  }

  std::string Body(const LlmRequest& request) const {
    std::string body = "{\"model\":";
    json::AppendString(&body, config_.model);
    body += ",\"max_tokens\":" + std::to_string(request.max_tokens);
    body += ",\"temperature\":" + std::to_string(request.temperature);
    std::string system;
    std::string messages;
    for (const ChatMessage& m : request.messages) {
      if (m.role == ChatMessage::Role::kSystem) {
        system += system.empty() ? m.text : "\n\n" + m.text;
        continue;
      }
      if (!messages.empty()) messages += ',';
      messages += m.role == ChatMessage::Role::kUser ? "{\"role\":\"user\",\"content\":"
                                                     : "{\"role\":\"assistant\",\"content\":";
      json::AppendString(&messages, m.text);
      messages += '}';
    }
    if (!system.empty()) {
      body += ",\"system\":";
      json::AppendString(&body, system);
    }
    body += ",\"messages\":[" + messages + "]";
    if (request.schema) {
      std::string name = request.schema->name.empty() ? "answer" : request.schema->name;
      body += ",\"tools\":[{\"name\":";
      json::AppendString(&body, name);
      body += ",\"description\":\"Record the answer.\",\"input_schema\":";
      AppendSchema(&body, *request.schema);
      body += "}],\"tool_choice\":{\"type\":\"tool\",\"name\":";
      json::AppendString(&body, name);
      body += '}';
    }
    body += '}';
    return body;
  }

  LlmConfig config_;
  const ProviderContext context_;
};

}  // namespace
}  // namespace providers

std::unique_ptr<LlmProvider> NewAnthropicProvider(LlmConfig config, ProviderContext context) {
  if (config.provider == "openai") config.provider = "anthropic";  // the LlmConfig default
  return std::make_unique<providers::AnthropicProvider>(std::move(config), std::move(context));
}

}  // namespace bot
