// The providers the engine calls, built from the config's `providers:` section: one curl
// HttpClient and one HttpRetrier shared by all of them, the usage ledger in the store's
// database, and the data keys that seal raw reports. Owns everything it hands to the Bot.
#pragma once

#include <memory>
#include <string>

#include "bot/bot.h"
#include "bot/clock.h"
#include "bot/credit.h"
#include "bot/http.h"
#include "bot/providers.h"
#include "config/providers_config.h"

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

  // One line for the start-up log: what is configured, never a key.
  std::string Describe() const;

 private:
  RunnerProviders() = default;

  std::unique_ptr<bot::HttpClient> http_;  // declared first: destroyed last
  std::unique_ptr<bot::HttpRetrier> retrier_;
  std::unique_ptr<bot::UsageLedger> ledger_;
  std::unique_ptr<bot::SttProvider> stt_;
  std::unique_ptr<bot::LlmProvider> llm_;
  std::unique_ptr<bot::OcrProvider> ocr_;
  std::unique_ptr<bot::BureauProvider> bureau_;
  std::optional<bot::DataKeys> data_keys_;
  std::string description_;
};

}  // namespace runner
