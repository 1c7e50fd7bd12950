#include "replay/cassette_providers.h"

#include "bot/sqlite_store.h"

namespace bot::replay {

Result<std::unique_ptr<CassetteProviders>> CassetteProviders::Open(const std::string& path,
                                                                   const Clock* clock,
                                                                   const std::string& usage_db,
                                                                   CassetteMode mode,
                                                                   HttpClient* inner) {
  std::unique_ptr<CassetteProviders> p(new CassetteProviders());
  Result<std::unique_ptr<CassetteHttpClient>> cassette =
      CassetteHttpClient::Open(mode, path, inner);
  if (!cassette.ok()) return cassette.status();
  p->cassette_ = std::move(*cassette);
  // A replay never waits: recorded retries are answered at once.
  p->retrier_ = std::make_unique<HttpRetrier>(&p->watch_, clock, RetryOptions{},
                                              [](std::chrono::milliseconds) {});
  if (usage_db.empty()) {
    p->ledger_ = NewMemoryUsageLedger({});
  } else {
    Result<std::unique_ptr<UsageLedger>> ledger = OpenSqliteUsageLedger(usage_db, {});
    if (!ledger.ok()) return ledger.status();
    p->ledger_ = std::move(*ledger);
  }
  ProviderContext context{p->retrier_.get(), clock, p->ledger_.get(), {}};
  LlmConfig chat;
  chat.base_url = kBaseUrl;
  chat.api_key = "sk-replay";  // cassettes hold no secrets; any key matches
  chat.model = kChatModel;
  p->llm_ = NewOpenAiChatProvider(chat, context);
  LlmConfig stt = chat;
  stt.model = kSttModel;
  p->stt_ = NewOpenAiSttProvider(stt, context);
  LlmConfig ocr = chat;
  ocr.model = kOcrModel;
  p->ocr_ = NewVisionOcrProvider(ocr, context);
  // The bureau retries nothing itself (docs/credit.md): each check is one recorded exchange.
  Result<std::unique_ptr<BureauProvider>> bureau =
      NewHttpsBureau({kBureauUrl, kBureauKey, std::chrono::seconds(15)}, &p->watch_);
  if (!bureau.ok()) return bureau.status();
  p->bureau_ = std::move(*bureau);
  p->data_keys_.active_id = kDataKeyId;
  p->data_keys_.keys[kDataKeyId] = kDataKey;
  return p;
}

void CassetteProviders::Watch::Send(HttpRequest request, Callback done) {
  owner_->cassette_->Send(std::move(request), [this, done](Result<HttpResponse> response) {
    if (!response.ok() && response.status().code() == StatusCode::kNotFound) {
      std::lock_guard<std::mutex> lock(owner_->mu_);
      if (owner_->unmatched_.empty()) owner_->unmatched_ = response.status().message();
    }
    done(std::move(response));
  });
}

std::string CassetteProviders::unmatched() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unmatched_;
}

}  // namespace bot::replay
