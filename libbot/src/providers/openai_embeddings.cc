// Embeddings over the OpenAI-compatible /embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp):
// the texts of one call in one request, the vectors matched back by their `index`.
#include <simdjson.h>

#include "bot/providers.h"
#include "providers/call.h"
#include "providers/schema.h"
#include "util/json.h"

namespace bot {
namespace providers {
namespace {

constexpr size_t kMaxInputs = 2048;  // the endpoint's limit on one request's inputs

struct Vectors {
  std::vector<std::vector<float>> vectors;
  int64_t tokens_in = 0;
};

std::string EmbeddingsBody(const std::string& model, const std::vector<std::string>& texts,
                           int dimensions) {
  std::string body = "{\"model\":";
  json::AppendString(&body, model);
  body += ",\"input\":[";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) body += ',';
    json::AppendString(&body, texts[i]);
  }
  // base64 would be smaller, but its layout is not documented well enough to rely on.
  body += "],\"encoding_format\":\"float\"";
  if (dimensions > 0) body += ",\"dimensions\":" + std::to_string(dimensions);
  return body + '}';
}

Status ReadEmbeddings(const std::string& body, size_t expected, Vectors* out) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root = ParseJson(parser, body, "embeddings answer");
  if (!root.ok()) return root.status();
  simdjson::dom::element usage;
  int64_t tokens = 0;
  if (!(*root)["usage"].get(usage) && !usage["prompt_tokens"].get(tokens)) out->tokens_in = tokens;
  simdjson::dom::array data;
  if ((*root)["data"].get(data)) return BadResponse("embeddings answer has no data array");
  out->vectors.assign(expected, {});
  size_t filled = 0;
  for (simdjson::dom::element item : data) {
    int64_t index = -1;
    simdjson::dom::array embedding;
    if (item["index"].get(index) || index < 0 || static_cast<size_t>(index) >= expected) {
      return BadResponse("embeddings answer: an item without a valid index");
    }
    if (item["embedding"].get(embedding)) {
      return BadResponse("embeddings answer: item " + std::to_string(index) +
                         " has no array of floats");
    }
    std::vector<float>& vector = out->vectors[static_cast<size_t>(index)];
    if (!vector.empty()) return BadResponse("embeddings answer: index repeated");
    for (simdjson::dom::element x : embedding) {
      double value = 0;
      if (x.get(value)) return BadResponse("embeddings answer: a value is not a number");
      vector.push_back(static_cast<float>(value));
    }
    if (vector.empty()) return BadResponse("embeddings answer: an empty embedding");
    if (vector.size() != out->vectors[0].size() && !out->vectors[0].empty()) {
      return BadResponse("embeddings answer: vectors of different sizes");
    }
    ++filled;
  }
  if (filled != expected) {
    return BadResponse("embeddings answer: " + std::to_string(filled) + " vectors for " +
                       std::to_string(expected) + " texts");
  }
  return Status::Ok();
}

}  // namespace
}  // namespace providers

OpenAiEmbedder::OpenAiEmbedder(LlmConfig config, ProviderContext context, int dimensions)
    : config_(std::move(config)), context_(std::move(context)), dimensions_(dimensions) {}

Result<std::vector<std::vector<float>>> OpenAiEmbedder::Embed(
    const std::vector<std::string>& texts) {
  return providers::Wait<std::vector<std::vector<float>>>(
      [&](auto done) { EmbedAsync(texts, std::move(done)); });
}

void OpenAiEmbedder::EmbedAsync(const std::vector<std::string>& texts, EmbedCallback done) {
  if (texts.empty()) {
    done(std::vector<std::vector<float>>());
    return;
  }
  if (texts.size() > providers::kMaxInputs) {
    done(InvalidArgument("embeddings: " + std::to_string(texts.size()) +
                         " texts in one call, the endpoint takes 2048"));
    return;
  }
  auto call = std::make_shared<providers::Call>(context_, config_.provider, config_.model,
                                                "embeddings", "");
  if (Status admitted = call->Admit(); !admitted.ok()) {
    done(admitted);
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = providers::JoinUrl(config_.base_url, "/embeddings");
  request.headers = {{"Authorization", "Bearer " + config_.api_key},
                     {"Content-Type", "application/json"}};
  request.headers.insert(request.headers.end(), config_.extra_headers.begin(),
                         config_.extra_headers.end());
  request.body = providers::EmbeddingsBody(config_.model, texts, dimensions_);
  request.rate_tokens = static_cast<int64_t>(request.body.size() / 4);
  request.timeout = config_.timeout;
  const size_t expected = texts.size();
  providers::Call& sender = *call;
  sender.Send(std::move(request), TimePoint{},
              [call, expected, done = std::move(done)](Result<HttpResponse> response) {
                if (!response.ok()) {
                  done(response.status());  // Send recorded the failure
                  return;
                }
                providers::Vectors vectors;
                const Status status = providers::ReadEmbeddings(response->body, expected, &vectors);
                call->Finish(status, vectors.tokens_in, 0);
                if (!status.ok()) {
                  done(status);
                  return;
                }
                done(std::move(vectors.vectors));
              });
}

}  // namespace bot
