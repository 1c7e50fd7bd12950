// OCR with a vision LLM over the OpenAI-compatible chat API. The model answers one strict JSON
// object: {"text", "text_confidence", "fields": {...the schema...}, "confidence": {field: 0..1}}.
// Confidence is the model's own estimate; the engine should treat it as a hint, not a measure.
#include <simdjson.h>

#include "bot/providers.h"
#include "providers/call.h"
#include "providers/openai_chat.h"
#include "providers/schema.h"
#include "util/base64.h"
#include "util/json.h"

namespace bot {
namespace providers {
namespace {

constexpr const char* kDefaultInstruction =
    "Read all the text in this image. Copy it into \"text\" exactly as printed. Fill \"fields\" "
    "with the values asked for (null when not visible) and give in \"confidence\" your "
    "confidence from 0 to 1 for each field and in \"text_confidence\" for the text.";

ExtractionSchema ConfidenceSchema(const ExtractionSchema& schema) {
  ExtractionSchema out{"confidence", {}};
  for (const SchemaField& f : schema.fields) {
    SchemaField c;
    c.name = f.name;
    c.type = SchemaField::Type::kNumber;
    c.minimum = 0;
    c.maximum = 1;
    out.fields.push_back(c);
  }
  return out;
}

std::string AnswerSchema(const ExtractionSchema& schema) {
  std::string out =
      "{\"type\":\"object\",\"additionalProperties\":false,"
      "\"required\":[\"text\",\"text_confidence\",\"fields\",\"confidence\"],\"properties\":{"
      "\"text\":{\"type\":\"string\"},\"text_confidence\":{\"type\":\"number\"},\"fields\":";
  AppendSchema(&out, schema);
  out += ",\"confidence\":";
  AppendSchema(&out, ConfidenceSchema(schema));
  out += "}}";
  return out;
}

constexpr const char* kPdf = "application/pdf";

class VisionOcrProvider final : public OcrProvider {
 public:
  VisionOcrProvider(LlmConfig config, ProviderContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Result<OcrReply> Read(const OcrRequest& request) override {
    return Wait<OcrReply>([&](auto done) { ReadAsync(request, std::move(done)); });
  }

  void ReadAsync(const OcrRequest& request, OcrCallback done) override {
    if (request.content_type.rfind("image/", 0) != 0 && request.content_type != kPdf) {
      done(InvalidArgument("vision OCR needs an image or a PDF, not '" + request.content_type +
                           "'"));
      return;
    }
    std::shared_ptr<Call> call = StartCall(context_, config_, request, done);
    if (!call) return;
    PostChatCompletion(
        config_, call, Body(request), 0, request.deadline,
        [this, call, schema = request.schema, done = std::move(done)](Result<ChatAnswer> answer) {
          if (!answer.ok()) {
            done(answer.status());
            return;
          }
          OcrReply reply;
          reply.model = answer->model;
          Status status = Parse(answer->content, schema, &reply);
          call->Finish(status, answer->tokens_in, answer->tokens_out);
          if (!status.ok()) {
            done(status);
            return;
          }
          done(std::move(reply));
        });
  }

 private:
  Status Parse(const std::string& content, const ExtractionSchema& schema, OcrReply* reply) const {
    simdjson::dom::parser parser;
    Result<simdjson::dom::element> root = ParseJson(parser, content, "vision OCR answer");
    if (!root.ok()) return root.status();
    simdjson::dom::object object;
    if (root->get_object().get(object) || object.size() != 4) {
      return BadResponse("vision OCR answer is not {text, text_confidence, fields, confidence}");
    }
    std::string_view text;
    double confidence = 0;
    simdjson::dom::element fields_json, confidence_json;
    if (object["text"].get(text) || object["text_confidence"].get(confidence) ||
        object["fields"].get(fields_json) || object["confidence"].get(confidence_json)) {
      return BadResponse("vision OCR answer lacks text, text_confidence, fields or confidence");
    }
    if (confidence < 0 || confidence > 1) {
      return BadResponse("vision OCR text_confidence outside 0..1");
    }
    Result<ExtractedFields> fields = ValidateObject(fields_json, schema);
    if (!fields.ok()) return BadResponse("vision OCR fields: " + fields.status().message());
    Result<ExtractedFields> confidences = ValidateObject(confidence_json, ConfidenceSchema(schema));
    if (!confidences.ok()) {
      return BadResponse("vision OCR confidence: " + confidences.status().message());
    }
    reply->text = std::string(text);
    reply->confidence = confidence;
    reply->fields = std::move(fields).value();
    for (auto& [name, value] : reply->fields) value.confidence = (*confidences)[name].number;
    return Status::Ok();
  }

  std::string Body(const OcrRequest& request) const {
    std::string body = "{\"model\":";
    json::AppendString(&body, config_.model);
    body += ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":";
    json::AppendString(&body, request.instruction.empty() ? kDefaultInstruction
                                                          : request.instruction);
    const std::string data = "data:" + request.content_type + ";base64," + Base64(request.image);
    if (request.content_type == kPdf) {  // a PDF goes as a file content part
      body += "},{\"type\":\"file\",\"file\":{\"filename\":\"document.pdf\",\"file_data\":\"" +
              data + "\"}}]}],";
    } else {
      body += "},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + data +
              "\",\"detail\":\"high\"}}]}],";
    }
    body += "\"temperature\":0,";
    AppendResponseFormat(&body, request.schema.name.empty() ? "ocr" : request.schema.name,
                         AnswerSchema(request.schema), config_.strict_schema);
    body += '}';
    return body;
  }

  const LlmConfig config_;
  const ProviderContext context_;
};

}  // namespace
}  // namespace providers

std::unique_ptr<OcrProvider> NewVisionOcrProvider(LlmConfig config, ProviderContext context) {
  return std::make_unique<providers::VisionOcrProvider>(std::move(config), std::move(context));
}

}  // namespace bot
