// Providers the engine calls out to: LLMs (OpenAI-compatible, Anthropic), speech-to-text and OCR
// (vision LLM; local Tesseract is in "bot/tesseract_ocr.h"), with usage accounting and budgets.
//
// Inputs and outputs are plain values: no engine types. Each provider answers in two forms: a
// blocking call, and an *Async one that holds no thread while the provider works (`done` runs
// once, on the HTTP client's thread, or on the caller's when it fails at once; it must not block
// for long). The engine uses the asynchronous form; the defaults below call the blocking one,
// so a provider written for tests needs only that.
//
// Error contract of every provider call:
//   kBadResponse  the answer was not understood: malformed JSON, or JSON that breaks the
//                 requested schema, or an answer without the expected content. Never data.
//   kUnavailable  the provider failed after retries, the circuit breaker is open, or the
//                 budget refuses the call (message starts with "budget:").
//   kTimeout      the deadline passed.
//   kInvalidArgument  the request itself is wrong (also a 4xx other than 408/409/429).
// See docs/providers.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/http.h"
#include "bot/knowledge.h"
#include "bot/status.h"

namespace bot {

// ---- Schemas for structured answers ----

// One property of a flat JSON object the provider must return.
struct SchemaField {
  enum class Type { kString, kInteger, kNumber, kBoolean };
  std::string name;  // [a-zA-Z0-9_]
  Type type = Type::kString;
  std::string description;           // tells the model what goes here
  bool nullable = false;             // the model may answer null ("not stated")
  std::vector<std::string> enum_values;  // strings only; empty = any
  std::optional<double> minimum;     // numbers only
  std::optional<double> maximum;
  std::string pattern;  // local OCR only: ECMAScript regex finding the value in the text
                        // (first capture group, or the whole match)
};

struct ExtractionSchema {
  std::string name;  // [a-zA-Z0-9_-]{1,64}, e.g. "rating"
  std::vector<SchemaField> fields;
};

// The JSON Schema sent to providers: an object with every field required and
// additionalProperties false (what OpenAI's strict mode demands).
std::string RenderJsonSchema(const ExtractionSchema& schema);

// A value the provider returned for one field, already checked against its SchemaField.
struct FieldValue {
  SchemaField::Type type = SchemaField::Type::kString;
  bool is_null = false;
  std::string text;      // strings; for numbers and booleans their JSON text ("5", "true")
  double number = 0;     // integers and numbers
  bool boolean = false;
  double confidence = 1.0;  // 0..1; LLM answers without a confidence report 1
};
using ExtractedFields = std::map<std::string, FieldValue>;

// Parses `json` (one object) and checks it against `schema`: every field present with its type
// (or null when nullable), enum and min/max respected, no other keys. BadResponse says why not.
Result<ExtractedFields> ParseExtraction(std::string_view json, const ExtractionSchema& schema);

// ---- Accounting ----

enum class CallOutcome { kOk, kNotUnderstood, kFailed, kTimeout, kRefused };
const char* CallOutcomeName(CallOutcome outcome);  // "ok", "not_understood", ...

struct UsageRecord {
  std::string provider;      // "openai", "anthropic", "tesseract" ...
  std::string model;
  std::string purpose;       // "slot:rating", "stt", "ocr:id_card"
  std::string conversation;  // the caller's key for the conversation; "" for none
  TimePoint at;
  int64_t latency_ms = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  int64_t cost_micro_usd = 0;
  CallOutcome outcome = CallOutcome::kOk;
  std::string detail;  // the error message when not kOk
};

// Price of a model in micro-dollars per million tokens (USD 0.15 / 1M = 150000), plus per audio
// minute for speech-to-text models billed by duration.
struct ModelPrice {
  int64_t input_per_mtok = 0;
  int64_t output_per_mtok = 0;
  int64_t per_audio_minute = 0;
};
using PriceTable = std::map<std::string, ModelPrice>;  // by model name

// Cost in micro-dollars, rounded up; 0 for a model missing from the table.
int64_t CostMicroUsd(const PriceTable& prices, const std::string& model, int64_t tokens_in,
                     int64_t tokens_out, double audio_seconds = 0);

// Caps; 0 means no cap. Days are UTC days.
struct BudgetCaps {
  int64_t tokens_per_conversation = 0;
  int64_t micro_usd_per_conversation = 0;
  int64_t tokens_per_day = 0;
  int64_t micro_usd_per_day = 0;
};

struct UsageTotals {
  int64_t calls = 0;
  int64_t tokens = 0;  // in + out
  int64_t micro_usd = 0;
};

// Where usage goes and where budgets are checked. Thread-safe.
class UsageLedger {
 public:
  virtual ~UsageLedger() = default;
  // Ok when a new call for `conversation` fits the caps at `now`; otherwise Unavailable with a
  // message starting "budget:" that names the cap.
  virtual Status Admit(const std::string& conversation, TimePoint now) = 0;
  virtual void Record(const UsageRecord& record) = 0;
  virtual UsageTotals ConversationTotals(const std::string& conversation) const = 0;
  virtual UsageTotals DayTotals(TimePoint day) const = 0;
  virtual std::vector<UsageRecord> Records() const = 0;
};

// A ledger kept in memory. bot/sqlite_store.h has one persisted in the store's database.
std::unique_ptr<UsageLedger> NewMemoryUsageLedger(BudgetCaps caps);

// The caps check every ledger shares: Ok, or Unavailable("budget: ...") naming the cap reached.
Status CheckBudget(const BudgetCaps& caps, const UsageTotals& day, const std::string& conversation,
                   const UsageTotals& conversation_totals);

// True for the Status a ledger refusal produces.
bool IsBudgetRefusal(const Status& status);

// What every HTTP provider shares. Pointers are not owned and must outlive the providers.
struct ProviderContext {
  HttpRetrier* http = nullptr;  // retries and breakers; required for HTTP providers
  const Clock* clock = nullptr;  // required
  UsageLedger* ledger = nullptr;  // optional: no accounting and no budget when null
  PriceTable prices;
};

// ---- LLM ----

struct ChatMessage {
  enum class Role { kSystem, kUser, kAssistant };
  Role role = Role::kUser;
  std::string text;
};

struct LlmRequest {
  std::string purpose;       // for the usage record
  std::string conversation;  // for budgets
  std::vector<ChatMessage> messages;
  std::optional<ExtractionSchema> schema;  // set: a structured answer is required
  int max_tokens = 512;
  double temperature = 0;
  TimePoint deadline;  // default: none beyond the retrier's own
};

struct LlmReply {
  std::string text;        // the raw answer (the JSON text when a schema was given)
  ExtractedFields fields;  // when a schema was given: validated values
  std::string model;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
};

using LlmCallback = std::function<void(Result<LlmReply>)>;

class LlmProvider {
 public:
  virtual ~LlmProvider() = default;
  virtual Result<LlmReply> Complete(const LlmRequest& request) = 0;
  virtual void CompleteAsync(const LlmRequest& request, LlmCallback done) {
    done(Complete(request));
  }
};

struct LlmConfig {
  std::string provider = "openai";  // name for records: "openai", "openrouter", "groq", "ollama"
  std::string base_url;             // "https://api.openai.com/v1", "http://localhost:11434/v1"
  std::string api_key;              // secret
  std::string model;
  HttpHeaders extra_headers;        // e.g. OpenRouter's HTTP-Referer / X-Title
  std::chrono::milliseconds timeout{30000};  // per attempt
  bool strict_schema = true;  // response_format json_schema strict; false: json_object + prompt
};

// POST {base_url}/chat/completions with Bearer auth; a schema is sent as response_format
// json_schema strict.
std::unique_ptr<LlmProvider> NewOpenAiChatProvider(LlmConfig config, ProviderContext context);

// POST {base_url}/embeddings with Bearer auth: {"model", "input": [texts], "encoding_format":
// "float"} plus "dimensions" when `dimensions` > 0; the vectors are read back by their `index`,
// whatever order the server lists them in. Usage is recorded with purpose "embeddings" and the
// answer's usage.prompt_tokens. LlmConfig::strict_schema is unused. Thread-safe.
class OpenAiEmbedder final : public Embedder {
 public:
  OpenAiEmbedder(LlmConfig config, ProviderContext context, int dimensions = 0);
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) override;
  // At most 2048 texts per call (the endpoint's limit); `done` runs on the HTTP client's thread
  // (or the caller's, when the call fails at once).
  void EmbedAsync(const std::vector<std::string>& texts, EmbedCallback done) override;
  std::string model() const override { return config_.model; }

 private:
  const LlmConfig config_;
  const ProviderContext context_;
  const int dimensions_;
};

// POST {base_url}/messages (base_url default "https://api.anthropic.com/v1") with x-api-key and
// anthropic-version 2023-06-01; a schema is asked for as a forced tool call whose input_schema
// is the schema.
std::unique_ptr<LlmProvider> NewAnthropicProvider(LlmConfig config, ProviderContext context);

// ---- Speech-to-text ----

struct SttRequest {
  std::string purpose = "stt";
  std::string conversation;
  std::string audio;  // the file's bytes, e.g. a WhatsApp OGG/Opus voice note as received
  std::string content_type = "audio/ogg";
  std::string language = "es";  // ISO-639-1 hint
  std::string prompt;           // optional vocabulary hint
  TimePoint deadline;
};

struct SttReply {
  std::string text;
  std::string model;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  double audio_seconds = 0;  // when the provider reports duration
};

using SttCallback = std::function<void(Result<SttReply>)>;

class SttProvider {
 public:
  virtual ~SttProvider() = default;
  virtual Result<SttReply> Transcribe(const SttRequest& request) = 0;
  virtual void TranscribeAsync(const SttRequest& request, SttCallback done) {
    done(Transcribe(request));
  }
};

// POST {base_url}/audio/transcriptions, multipart: file (filename audio.<ext>), model,
// language, response_format json. LlmConfig::strict_schema is unused.
std::unique_ptr<SttProvider> NewOpenAiSttProvider(LlmConfig config, ProviderContext context);

// ---- OCR ----

struct OcrRequest {
  std::string purpose = "ocr";
  std::string conversation;
  std::string image;  // file bytes (JPEG, PNG ...)
  std::string content_type = "image/jpeg";
  ExtractionSchema schema;  // the fields wanted; may be empty (text only)
  std::string instruction;  // vision: what to read ("Lea esta cédula ..."); default in English
  TimePoint deadline;
};

struct OcrReply {
  std::string text;          // all text read
  double confidence = 0;     // 0..1 for the whole text
  ExtractedFields fields;    // each with its own confidence; null when not found
  std::string model;
};

using OcrCallback = std::function<void(Result<OcrReply>)>;

// Local engines (Tesseract, "bot/tesseract_ocr.h") keep the default ReadAsync: their work is CPU,
// done on the caller's thread, not a wait.
class OcrProvider {
 public:
  virtual ~OcrProvider() = default;
  virtual Result<OcrReply> Read(const OcrRequest& request) = 0;
  virtual void ReadAsync(const OcrRequest& request, OcrCallback done) { done(Read(request)); }
};

// A vision LLM over the OpenAI-compatible chat API: the image goes as a data: URL content part
// and the answer is a strict JSON object {text, fields{...}, confidence{...}}.
std::unique_ptr<OcrProvider> NewVisionOcrProvider(LlmConfig config, ProviderContext context);

}  // namespace bot
