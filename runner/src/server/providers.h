// The providers the engine calls, built from the config's `providers:` section: per HTTP
// provider its own curl HttpClient (its connections), HttpRetrier (its limits, retries and
// breakers) and meter (/metrics); the usage ledger in the store's database, and the data keys
// that seal raw reports. Owns everything it hands to the Bot.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/clock.h"
#include "bot/credit.h"
#include "bot/http.h"
#include "bot/knowledge.h"
#include "bot/providers.h"
#include "config/providers_config.h"
#include "server/provider_meters.h"

namespace runner {

class RunnerProviders {
 public:
  // Builds what `config` names. The ledger opens `database` (the store's file) with its own
  // connection. InvalidArgument for a provider that cannot be built (e.g. Tesseract without its
  // language data). `clock` must outlive the result.
  static bot::Result<std::unique_ptr<RunnerProviders>> Create(const ProvidersConfig& config,
                                                              const std::string& database,
                                                              const bot::Clock* clock);
  ~RunnerProviders();

  // For Bot::SetProviders; null for what is not configured. Valid while this object lives.
  bot::BotProviders view() const;
  // The embedder for the offers catalogues (`providers: embeddings:`); null when none.
  bot::Embedder* embedder() const { return embedder_.get(); }

  // One line for the start-up log: what is configured, never a key.
  std::string Describe() const;

  // The providers' part of /metrics.
  std::string RenderMetrics() const { return RenderProviderMeters(meters_); }

 private:
  RunnerProviders() = default;

  // The HTTP side of one provider.
  struct Channel {
    std::unique_ptr<bot::HttpClient> http;  // destroyed after the retrier
    std::unique_ptr<bot::HttpRetrier> retrier;
  };
  // A context for the provider `role` (llm, stt, ocr) with its own channel and meter.
  bot::ProviderContext ContextFor(const std::string& role, const LimitsConfig& limits,
                                  const ProvidersConfig& config, const bot::Clock* clock);

  std::vector<Channel> channels_;  // declared first: destroyed after the providers
  std::unique_ptr<bot::HttpClient> bureau_http_;
  std::unique_ptr<bot::UsageLedger> ledger_;
  std::vector<std::unique_ptr<ProviderMeter>> meters_;
  std::unique_ptr<bot::SttProvider> stt_;
  std::unique_ptr<bot::LlmProvider> llm_;
  std::unique_ptr<bot::OcrProvider> ocr_;
  std::unique_ptr<bot::BureauProvider> bureau_;
  std::unique_ptr<bot::Embedder> embedder_;
  std::optional<bot::DataKeys> data_keys_;
  std::string description_;
};

}  // namespace runner
