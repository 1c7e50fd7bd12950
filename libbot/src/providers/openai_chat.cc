// OpenAI-compatible chat completions (OpenAI, OpenRouter, Groq, Ollama, vLLM, llama.cpp).
#include "providers/openai_chat.h"

#include <simdjson.h>

#include "providers/schema.h"
#include "util/json.h"

namespace bot {
namespace providers {

void AppendResponseFormat(std::string* out, const std::string& name,
                          const std::string& schema_json, bool strict) {
  if (!strict) {
    *out += "\"response_format\":{\"type\":\"json_object\"}";
    return;
  }
  *out += "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":";
  json::AppendString(out, name.empty() ? "answer" : name);
  *out += ",\"strict\":true,\"schema\":" + schema_json + "}}";
}

namespace {

Result<ChatAnswer> ReadChatCompletion(const LlmConfig& config, Call& call,
                                      const HttpResponse& response) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root =
      ParseJson(parser, response.body, config.provider + " answer");
  Status failure;
  ChatAnswer answer;
  if (root.ok()) {
    simdjson::dom::element usage;
    if (!(*root)["usage"].get(usage)) {
      int64_t n = 0;
      if (!usage["prompt_tokens"].get(n)) answer.tokens_in = n;
      if (!usage["completion_tokens"].get(n)) answer.tokens_out = n;
    }
    std::string_view model;
    answer.model = (*root)["model"].get(model) ? config.model : std::string(model);
    simdjson::dom::element message;
    std::string_view text;
    if (!(*root)["error"].error()) {
      // OpenRouter reports errors met after generation started with HTTP 200.
      failure = Unavailable(config.provider + ": " + ProviderErrorMessage(response.body));
    } else if ((*root)["choices"].at(0)["message"].get(message)) {
      failure = BadResponse(config.provider + ": the answer has no choices[0].message");
    } else if (!message["refusal"].get(text) && !text.empty()) {
      failure = BadResponse(config.provider + " refused: " + std::string(text));
    } else if (message["content"].get(text)) {
      failure = BadResponse(config.provider + ": the answer has no text content");
    } else {
      answer.content = std::string(text);
    }
  } else {
    failure = root.status();
  }
  if (!failure.ok()) {
    call.Finish(failure, answer.tokens_in, answer.tokens_out);
    return failure;
  }
  return answer;
}

}  // namespace

void PostChatCompletion(const LlmConfig& config, std::shared_ptr<Call> call, std::string body,
                        int max_tokens, TimePoint deadline,
                        std::function<void(Result<ChatAnswer>)> done) {
  HttpRequest request;
  request.method = "POST";
  request.url = JoinUrl(config.base_url, "/chat/completions");
  request.headers = {{"Authorization", "Bearer " + config.api_key},
                     {"Content-Type", "application/json"}};
  request.headers.insert(request.headers.end(), config.extra_headers.begin(),
                         config.extra_headers.end());
  request.rate_tokens = RateTokens(body, max_tokens);
  request.body = std::move(body);
  request.timeout = config.timeout;
  Call& sender = *call;
  sender.Send(
      std::move(request), deadline,
      [&config, call = std::move(call), done = std::move(done)](Result<HttpResponse> response) {
        if (!response.ok()) {
          done(response.status());
          return;
        }
        done(ReadChatCompletion(config, *call, *response));
      });
}

namespace {

const char* RoleName(ChatMessage::Role role) {
  switch (role) {
    case ChatMessage::Role::kSystem:
      return "system";
    case ChatMessage::Role::kUser:
      return "user";
    case ChatMessage::Role::kAssistant:
      return "assistant";
  }
  return "user";
}

class OpenAiChatProvider final : public LlmProvider {
 public:
  OpenAiChatProvider(LlmConfig config, ProviderContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Result<LlmReply> Complete(const LlmRequest& request) override {
    return Wait<LlmReply>([&](auto done) { CompleteAsync(request, std::move(done)); });
  }

  void CompleteAsync(const LlmRequest& request, LlmCallback done) override {
    std::shared_ptr<Call> call = StartCall(context_, config_, request, done);
    if (!call) return;
    PostChatCompletion(
        config_, call, Body(request), request.max_tokens, request.deadline,
        [this, call, schema = request.schema, done = std::move(done)](Result<ChatAnswer> answer) {
          if (!answer.ok()) {
            done(answer.status());
            return;
          }
          LlmReply reply;
          reply.text = answer->content;
          reply.model = answer->model;
          reply.tokens_in = answer->tokens_in;
          reply.tokens_out = answer->tokens_out;
          Status status;
          if (schema) {
            Result<ExtractedFields> fields = ParseExtraction(reply.text, *schema);
            if (fields.ok()) {
              reply.fields = std::move(fields).value();
            } else {
              status = BadResponse(config_.provider +
                                   " answer not understood: " + fields.status().message());
            }
          }
          FinishWith(*call, status, std::move(reply), done);
        });
  }

 private:
  std::string Body(const LlmRequest& request) const {
    std::string body = "{\"model\":";
    json::AppendString(&body, config_.model);
    body += ",\"messages\":[";
    bool first = true;
    auto add = [&](const char* role, const std::string& text) {
      if (!first) body += ',';
      first = false;
      body += "{\"role\":\"" + std::string(role) + "\",\"content\":";
      json::AppendString(&body, text);
      body += '}';
    };
    if (request.schema && !config_.strict_schema) {
      // Without strict mode the schema has to travel in the prompt.
      add("system", "Answer only with one JSON object that matches this JSON Schema: " +
                        RenderJsonSchema(*request.schema));
    }
    for (const ChatMessage& m : request.messages) add(RoleName(m.role), m.text);
    body += "],\"temperature\":" + std::to_string(request.temperature);
    // OpenAI deprecated max_tokens; compatible servers (Ollama, vLLM) still expect it.
    body += config_.provider == "openai" ? ",\"max_completion_tokens\":" : ",\"max_tokens\":";
    body += std::to_string(request.max_tokens);
    if (request.schema) {
      body += ',';
      AppendResponseFormat(&body, request.schema->name, RenderJsonSchema(*request.schema),
                           config_.strict_schema);
    }
    body += '}';
    return body;
  }

  const LlmConfig config_;
  const ProviderContext context_;
};

}  // namespace
}  // namespace providers

std::unique_ptr<LlmProvider> NewOpenAiChatProvider(LlmConfig config, ProviderContext context) {
  return std::make_unique<providers::OpenAiChatProvider>(std::move(config), std::move(context));
}

}  // namespace bot
