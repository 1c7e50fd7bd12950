// The `providers:` section of the runner's config: which LLM, speech-to-text, OCR and credit
// bureau the engine may call, their budgets and prices. A provider left out is not configured
// (the engine then answers without it, politely). Keys are read from environment variables
// named in the file (`api_key_env`), never from the file, and are never logged.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "bot/credit.h"
#include "bot/http.h"
#include "bot/providers.h"
#include "bot/status.h"
#include "bot/tesseract_ocr.h"

namespace YAML {
class Node;
}

namespace runner {

class ConfigReader;

enum class LlmKind { kOpenAi, kAnthropic };

// How much one provider is asked at once: `max_in_flight`, `requests_per_minute`,
// `tokens_per_minute` (bot::ProviderLimits) and `connections`, the HTTP connections its client
// keeps open (default: max_in_flight; HTTP/2 multiplexes requests over fewer).
struct LimitsConfig {
  bot::ProviderLimits limits;
  long connections = 0;  // 0: max_in_flight
};

// An LLM, or an OpenAI-compatible endpoint used for speech-to-text or vision OCR.
struct EndpointConfig {
  LlmKind kind = LlmKind::kOpenAi;
  bot::LlmConfig llm;  // provider name, base_url, api_key (secret), model, headers, timeout
  LimitsConfig limits;
};

enum class OcrKind { kVision, kTesseract };

struct OcrConfig {
  OcrKind kind = OcrKind::kVision;
  bot::LlmConfig vision;           // kVision
  LimitsConfig limits;             // kVision
  bot::TesseractConfig tesseract;  // kTesseract
};

struct BureauConfig {
  bot::HttpsBureauOptions options;  // url, api_key (secret), timeout
};

struct ProvidersConfig {
  std::optional<EndpointConfig> llm;
  std::optional<EndpointConfig> stt;
  // Embeddings for the offers catalogues' hybrid search (an OpenAI-compatible /embeddings).
  std::optional<EndpointConfig> embeddings;
  int embedding_dimensions = 0;  // 0 = the model's own
  std::optional<OcrConfig> ocr;
  std::optional<BureauConfig> bureau;
  bot::BudgetCaps budgets;
  bot::PriceTable prices;
  bot::RetryOptions retry;
  std::chrono::seconds turn_deadline{20};  // all provider calls of one turn
  // From BOT_DATA_KEYS; unset = raw provider reports (the bureau's) are not kept.
  std::optional<bot::DataKeys> data_keys;

  bool any() const { return llm || stt || ocr || bureau || embeddings; }
};

// Reads `providers:` (absent or null: nothing configured) and BOT_DATA_KEYS into `out`.
bot::Status ReadProviders(const ConfigReader& r, const YAML::Node& node, ProvidersConfig* out);

}  // namespace runner
