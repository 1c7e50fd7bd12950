// Building the providers. Nothing here talks to the network: providers connect on their first
// call, so a provider that is down at start-up does not stop the server.
#include "server/providers.h"

#include "bot/sqlite_store.h"
#include "bot/tesseract_ocr.h"

namespace runner {
namespace {

// A URL for the log: without user:password@ and without the query, where a careless deployment
// could have put a key.
std::string LoggableUrl(const std::string& url) {
  std::string out = url.substr(0, url.find('?'));
  size_t host = out.find("://");
  host = host == std::string::npos ? 0 : host + 3;
  size_t at = out.find('@', host);
  if (at != std::string::npos && at < out.find('/', host)) out.erase(host, at + 1 - host);
  return out;
}

}  // namespace

RunnerProviders::~RunnerProviders() = default;

bot::Result<std::unique_ptr<RunnerProviders>> RunnerProviders::Create(const ProvidersConfig& config,
                                                                      const std::string& database,
                                                                      const bot::Clock* clock) {
  std::unique_ptr<RunnerProviders> p(new RunnerProviders());
  p->data_keys_ = config.data_keys;
  if (!config.any()) {
    p->description_ = "no providers configured";
    return p;
  }
  bot::Result<std::unique_ptr<bot::UsageLedger>> ledger =
      bot::OpenSqliteUsageLedger(database, config.budgets);
  if (!ledger.ok()) return ledger.status();
  p->ledger_ = std::move(*ledger);
  p->channels_.reserve(3);

  std::string& d = p->description_;
  auto describe = [&d](const std::string& role, const bot::LlmConfig& c) {
    d += (d.empty() ? "" : ", ") + role + " " + c.provider + "/" + c.model + " at " +
         LoggableUrl(c.base_url);
  };
  if (config.llm) {
    const bot::LlmConfig& c = config.llm->llm;
    bot::ProviderContext context = p->ContextFor("llm", config.llm->limits, config, clock);
    p->llm_ = config.llm->kind == LlmKind::kAnthropic ? bot::NewAnthropicProvider(c, context)
                                                      : bot::NewOpenAiChatProvider(c, context);
    describe("llm", c);
  }
  if (config.stt) {
    p->stt_ = bot::NewOpenAiSttProvider(config.stt->llm,
                                        p->ContextFor("stt", config.stt->limits, config, clock));
    describe("stt", config.stt->llm);
  }
  if (config.ocr && config.ocr->kind == OcrKind::kVision) {
    p->ocr_ = bot::NewVisionOcrProvider(config.ocr->vision,
                                        p->ContextFor("ocr", config.ocr->limits, config, clock));
    describe("ocr vision", config.ocr->vision);
  } else if (config.ocr) {
    bot::Result<std::unique_ptr<bot::OcrProvider>> tesseract = bot::NewTesseractOcrProvider(
        config.ocr->tesseract,
        bot::ProviderContext{nullptr, clock, p->ledger_.get(), config.prices});
    if (!tesseract.ok()) {
      return bot::InvalidArgument("providers.ocr (tesseract): " + tesseract.status().message());
    }
    p->ocr_ = std::move(*tesseract);
    d += (d.empty() ? "" : ", ") + std::string("ocr tesseract (") + config.ocr->tesseract.language +
         ")";
  }
  if (config.embeddings) {
    p->embedder_ = std::make_unique<bot::OpenAiEmbedder>(
        config.embeddings->llm,
        p->ContextFor("embeddings", config.embeddings->limits, config, clock),
        config.embedding_dimensions);
    describe("embeddings", config.embeddings->llm);
  }
  if (config.bureau) {
    p->bureau_http_ = bot::NewCurlHttpClient();
    bot::Result<std::unique_ptr<bot::BureauProvider>> bureau =
        bot::NewHttpsBureau(config.bureau->options, p->bureau_http_.get());
    if (!bureau.ok()) {
      return bot::InvalidArgument("providers.bureau: " + bureau.status().message());
    }
    p->bureau_ = std::move(*bureau);
    d += (d.empty() ? "" : ", ") + std::string("bureau at ") +
         LoggableUrl(config.bureau->options.url);
  }
  return p;
}

bot::ProviderContext RunnerProviders::ContextFor(const std::string& role,
                                                 const LimitsConfig& limits,
                                                 const ProvidersConfig& config,
                                                 const bot::Clock* clock) {
  bot::CurlHttpOptions http;
  http.max_connections_per_host = limits.connections;
  bot::RetryOptions retry = config.retry;
  retry.limits = limits.limits;
  Channel& channel = channels_.emplace_back();
  channel.http = bot::NewCurlHttpClient(http);
  channel.retrier = std::make_unique<bot::HttpRetrier>(channel.http.get(), clock, retry);
  meters_.push_back(std::make_unique<ProviderMeter>(role, ledger_.get(), channel.retrier.get()));
  bot::ProviderContext context;
  context.http = channel.retrier.get();
  context.clock = clock;
  context.ledger = meters_.back().get();
  context.prices = config.prices;
  return context;
}

bot::BotProviders RunnerProviders::view() const {
  bot::BotProviders out;
  out.stt = stt_.get();
  out.llm = llm_.get();
  out.ocr = ocr_.get();
  out.bureau = bureau_.get();
  out.data_keys = data_keys_ ? &*data_keys_ : nullptr;
  out.embedder = embedder_.get();
  return out;
}

std::string RunnerProviders::Describe() const { return description_; }

}  // namespace runner
