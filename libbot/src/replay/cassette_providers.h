// Providers for a transcript that names a cassette: the OpenAI-compatible chat and
// speech-to-text providers, talking to a replay-only CassetteHttpClient. The network is never
// used; a request the cassette does not hold fails the turn's provider call (and so the
// transcript, through the reply it produces).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "bot/bot.h"
#include "bot/http.h"
#include "bot/providers.h"

namespace bot::replay {

class CassetteProviders {
 public:
  // The models and base URL a cassette is recorded with (docs/transcripts.md).
  static constexpr const char* kBaseUrl = "https://api.openai.com/v1";
  static constexpr const char* kChatModel = "gpt-4o-mini";
  static constexpr const char* kSttModel = "whisper-1";

  // Replays `path`; with kRecord, sends through `inner` and writes `path` (re-recording).
  // Usage records go to the SQLite database `usage_db` (the replay's store), or stay in memory
  // when it is "".
  static Result<std::unique_ptr<CassetteProviders>> Open(const std::string& path,
                                                         const Clock* clock,
                                                         const std::string& usage_db,
                                                         CassetteMode mode = CassetteMode::kReplay,
                                                         HttpClient* inner = nullptr);

  BotProviders bot_providers() { return {stt_.get(), llm_.get()}; }
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
};

}  // namespace bot::replay
