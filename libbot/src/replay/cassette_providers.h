// Providers for a transcript that names a cassette: the OpenAI-compatible chat, speech-to-text
// and vision OCR providers and the HTTPS credit bureau, all talking to one CassetteHttpClient,
// plus a fixed data key that seals the bureau's reports. In replay mode the network is never
// used; a request the cassette does not hold fails that provider call (and so the transcript,
// through the reply it produces).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "bot/bot.h"
#include "bot/credit.h"
#include "bot/http.h"
#include "bot/providers.h"

namespace bot::replay {

class CassetteProviders {
 public:
  // The models and base URL a cassette is recorded with (docs/transcripts.md).
  static constexpr const char* kBaseUrl = "https://api.openai.com/v1";
  static constexpr const char* kChatModel = "gpt-4o-mini";
  static constexpr const char* kSttModel = "whisper-1";
  static constexpr const char* kOcrModel = "gpt-4o-mini";
  static constexpr const char* kBureauUrl = "https://buro.example.mx/v1/score";
  static constexpr const char* kBureauKey = "buro-replay";
  // Seals bureau reports. A test key, published here on purpose: never use it for real data.
  static constexpr const char* kDataKeyId = "replay";
  static constexpr const char* kDataKey = "libbot replay key: not a secret!";  // 32 bytes

  // Replays `path`; with kRecord, sends through `inner` and writes `path` (re-recording).
  // Usage records go to the SQLite database `usage_db` (the replay's store), or stay in memory
  // when it is "".
  static Result<std::unique_ptr<CassetteProviders>> Open(const std::string& path,
                                                         const Clock* clock,
                                                         const std::string& usage_db,
                                                         CassetteMode mode = CassetteMode::kReplay,
                                                         HttpClient* inner = nullptr);

  BotProviders bot_providers() {
    return {stt_.get(), llm_.get(), ocr_.get(), bureau_.get(), &data_keys_};
  }
  size_t unused() const { return cassette_->Unused(); }
  // The first request the cassette did not hold ("" when none), naming method, URL and body.
  std::string unmatched() const;
  UsageLedger& ledger() { return *ledger_; }

 private:
  CassetteProviders() = default;

  // Sits between the providers and the cassette to remember unmatched requests, so a failed
  // replay says which request was missing rather than only the reply it led to.
  class Watch : public HttpClient {
   public:
    explicit Watch(CassetteProviders* owner) : owner_(owner) {}
    void Send(HttpRequest request, Callback done) override;

   private:
    CassetteProviders* owner_;
  };

  mutable std::mutex mu_;
  std::string unmatched_;  // Guarded by mu_
  std::unique_ptr<CassetteHttpClient> cassette_;
  Watch watch_{this};
  std::unique_ptr<HttpRetrier> retrier_;
  std::unique_ptr<UsageLedger> ledger_;
  std::unique_ptr<LlmProvider> llm_;
  std::unique_ptr<SttProvider> stt_;
  std::unique_ptr<OcrProvider> ocr_;
  std::unique_ptr<BureauProvider> bureau_;
  DataKeys data_keys_;
};

}  // namespace bot::replay
