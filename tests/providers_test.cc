// The providers over real HTTP against the fake servers: OpenAI-compatible chat with strict
// schemas, Anthropic, speech-to-text; faults (429, 500, timeouts, malformed and off-schema
// answers); usage records and budgets.
#include <gtest/gtest.h>

#include "bot/providers.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/fake_providers.h"
#include "support/fake_llm_server.h"

namespace bot {
namespace {

using std::chrono::milliseconds;
using testing::FakeLlmServer;

constexpr const char* kChat = "/v1/chat/completions";
constexpr const char* kMessages = "/v1/messages";
constexpr const char* kTranscriptions = "/v1/audio/transcriptions";

ExtractionSchema RatingSchema() {
  SchemaField rating;
  rating.name = "rating";
  rating.type = SchemaField::Type::kInteger;
  rating.description = "De 1 a 5.";
  rating.nullable = true;
  rating.minimum = 1;
  rating.maximum = 5;
  SchemaField mood;
  mood.name = "mood";
  mood.enum_values = {"positive", "neutral", "negative"};
  return {"review_rating", {rating, mood}};
}

LlmRequest RatingRequest() {
  LlmRequest request;
  request.purpose = "slot:rating";
  request.conversation = "conv-1";
  request.messages = {{ChatMessage::Role::kSystem, "Extraiga la calificación."},
                      {ChatMessage::Role::kUser, "pues la verdad excelente, nada que decir"}};
  request.schema = RatingSchema();
  return request;
}

// One fake server, a real curl client, a retrier that does not sleep, a ledger and prices.
class ProvidersTest : public ::testing::Test {
 protected:
  ProvidersTest()
      : http_(NewCurlHttpClient()),
        retrier_(http_.get(), &clock_, RetryOptions{}, [this](milliseconds d) {
          sleeps_.push_back(d.count());
          clock_.Advance(d);
        }, [] { return 0.0; }),
        ledger_(NewMemoryUsageLedger(caps_)) {}

  ProviderContext Context() {
    PriceTable prices{{"gpt-4o-mini", {150000, 600000, 0}},
                      {"claude-sonnet-4-5", {3000000, 15000000, 0}},
                      {"gpt-4o-mini-transcribe", {1250000, 5000000, 0}}};
    return ProviderContext{&retrier_, &clock_, ledger_.get(), prices};
  }
  LlmConfig Config(std::string provider, std::string model) {
    LlmConfig config;
    config.provider = std::move(provider);
    config.base_url = server_.base_url();
    config.api_key = FakeLlmServer::kApiKey;
    config.model = std::move(model);
    return config;
  }
  std::unique_ptr<LlmProvider> OpenAi() { return NewOpenAiChatProvider(Config("openai", "gpt-4o-mini"), Context()); }
  std::unique_ptr<LlmProvider> Anthropic() {
    return NewAnthropicProvider(Config("anthropic", "claude-sonnet-4-5"), Context());
  }
  void UseCaps(BudgetCaps caps) { ledger_ = NewMemoryUsageLedger(caps); }

  FakeLlmServer server_;
  testing::FakeClock clock_;
  std::vector<long long> sleeps_;
  std::unique_ptr<HttpClient> http_;
  HttpRetrier retrier_;
  BudgetCaps caps_;
  std::unique_ptr<UsageLedger> ledger_;
};

// ---- OpenAI-compatible chat ----

TEST_F(ProvidersTest, OpenAiExtractsAStrictSchemaAnswerAndRecordsItsCost) {
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":5,"mood":"positive"})", 1000, 200));
  Result<LlmReply> reply = OpenAi()->Complete(RatingRequest());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->fields["rating"].number, 5);
  EXPECT_EQ(reply->fields["rating"].text, "5");
  EXPECT_EQ(reply->fields["mood"].text, "positive");
  EXPECT_EQ(reply->tokens_in, 1000);

  std::string body = server_.requests().at(0).body;
  EXPECT_NE(body.find(R"("response_format":{"type":"json_schema","json_schema":{"name":"review_rating","strict":true)"),
            std::string::npos) << body;
  EXPECT_NE(body.find(R"("type":["integer","null"])"), std::string::npos) << body;
  EXPECT_NE(body.find("\"max_completion_tokens\":512"), std::string::npos);

  ASSERT_EQ(ledger_->Records().size(), 1u);
  UsageRecord record = ledger_->Records()[0];
  EXPECT_EQ(record.provider, "openai");
  EXPECT_EQ(record.model, "gpt-4o-mini");
  EXPECT_EQ(record.purpose, "slot:rating");
  EXPECT_EQ(record.outcome, CallOutcome::kOk);
  EXPECT_EQ(record.tokens_out, 200);
  EXPECT_EQ(record.cost_micro_usd, 150 + 120);  // 1000·0.15 + 200·0.6 micro-USD
}

TEST_F(ProvidersTest, CompatibleServersGetMaxTokensAndJsonObjectWhenNotStrict) {
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":4,"mood":"neutral"})"));
  LlmConfig config = Config("ollama", "llama3.2");
  config.strict_schema = false;
  Result<LlmReply> reply = NewOpenAiChatProvider(config, Context())->Complete(RatingRequest());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  std::string body = server_.requests().at(0).body;
  EXPECT_NE(body.find(R"("response_format":{"type":"json_object"})"), std::string::npos);
  EXPECT_NE(body.find("\"max_tokens\":512"), std::string::npos);
  EXPECT_NE(body.find("JSON Schema"), std::string::npos);  // the schema travels in the prompt
}

TEST_F(ProvidersTest, MalformedJsonIsNotUnderstood) {
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":5,"mood":)"));
  Result<LlmReply> reply = OpenAi()->Complete(RatingRequest());
  EXPECT_EQ(reply.status().code(), StatusCode::kBadResponse);
  EXPECT_EQ(ledger_->Records().at(0).outcome, CallOutcome::kNotUnderstood);
  EXPECT_EQ(ledger_->Records().at(0).tokens_in, 20);  // tokens spent are still counted
}

TEST_F(ProvidersTest, AMalformedResponseBodyIsNotUnderstood) {
  FakeLlmServer::Reply broken;
  broken.body = "{\"id\":\"chatcmpl-1\",\"choices\":[";
  server_.Enqueue(kChat, broken);
  EXPECT_EQ(OpenAi()->Complete(RatingRequest()).status().code(), StatusCode::kBadResponse);
}

TEST_F(ProvidersTest, SchemaViolatingAnswersAreNotUnderstood) {
  const char* kAnswers[] = {
      R"({"rating":5})",                                   // missing field
      R"({"rating":"5","mood":"positive"})",               // wrong type
      R"({"rating":9,"mood":"positive"})",                 // above maximum
      R"({"rating":4.5,"mood":"positive"})",               // not an integer
      R"({"rating":5,"mood":"happy"})",                    // not in enum
      R"({"rating":5,"mood":null})",                       // null, not nullable
      R"({"rating":5,"mood":"positive","extra":1})",       // additional property
      R"([5,"positive"])",                                 // not an object
  };
  for (const char* answer : kAnswers) {
    server_.Enqueue(kChat, testing::ChatReply(answer));
    Result<LlmReply> reply = OpenAi()->Complete(RatingRequest());
    EXPECT_EQ(reply.status().code(), StatusCode::kBadResponse) << answer;
  }
}

TEST_F(ProvidersTest, RetriesA429WithRetryAfterThenSucceeds) {
  FakeLlmServer::Reply limited = testing::OpenAiError(429, "rate_limit_exceeded", "Rate limit reached");
  limited.headers = {{"Retry-After", "3"}};
  server_.Enqueue(kChat, limited);
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":null,"mood":"neutral"})"));
  Result<LlmReply> reply = OpenAi()->Complete(RatingRequest());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_TRUE(reply->fields["rating"].is_null);
  EXPECT_EQ(sleeps_, std::vector<long long>{3000});
  EXPECT_EQ(server_.request_count(kChat), 2u);
}

TEST_F(ProvidersTest, RetriesA500ThenSucceeds) {
  server_.Enqueue(kChat, testing::OpenAiError(500, "server_error", "boom"));
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":3,"mood":"neutral"})"));
  ASSERT_TRUE(OpenAi()->Complete(RatingRequest()).ok());
  EXPECT_EQ(sleeps_, std::vector<long long>{500});
}

TEST_F(ProvidersTest, FailureAfterRetriesIsUnavailableWithTheProviderMessage) {
  for (int i = 0; i < 3; ++i) server_.Enqueue(kChat, testing::OpenAiError(503, "server_error", "overloaded now"));
  Result<LlmReply> reply = OpenAi()->Complete(RatingRequest());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("overloaded now"), std::string::npos);
  EXPECT_EQ(ledger_->Records().at(0).outcome, CallOutcome::kFailed);
}

TEST_F(ProvidersTest, ABadKeyIsAnInvalidArgumentNotRetried) {
  LlmConfig config = Config("openai", "gpt-4o-mini");
  config.api_key = "sk-wrong";
  Result<LlmReply> reply = NewOpenAiChatProvider(config, Context())->Complete(RatingRequest());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reply.status().message().find("Incorrect API key"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(ProvidersTest, ASlowProviderTimesOut) {
  RetryOptions once;
  once.max_attempts = 1;
  HttpRetrier retrier(http_.get(), &clock_, once);
  FakeLlmServer::Reply slow = testing::ChatReply(R"({"rating":5,"mood":"positive"})");
  slow.delay = milliseconds(3000);
  server_.Enqueue(kChat, slow);
  LlmConfig config = Config("openai", "gpt-4o-mini");
  config.timeout = milliseconds(200);
  ProviderContext context = Context();
  context.http = &retrier;
  Result<LlmReply> reply = NewOpenAiChatProvider(config, context)->Complete(RatingRequest());
  EXPECT_EQ(reply.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(ledger_->Records().at(0).outcome, CallOutcome::kTimeout);
}

// ---- Anthropic ----

TEST_F(ProvidersTest, AnthropicExtractsThroughAForcedToolCall) {
  server_.Enqueue(kMessages, testing::AnthropicToolReply("review_rating", R"({"mood":"positive","rating":5})", 100, 10));
  Result<LlmReply> reply = Anthropic()->Complete(RatingRequest());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->fields["rating"].number, 5);
  FakeLlmServer::Received received = server_.requests().at(0);
  EXPECT_EQ(FindHeader(received.headers, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(FindHeader(received.headers, "x-api-key"), FakeLlmServer::kApiKey);
  EXPECT_NE(received.body.find(R"("system":"Extraiga la calificación.")"), std::string::npos);
  EXPECT_NE(received.body.find(R"("tool_choice":{"type":"tool","name":"review_rating"})"), std::string::npos);
  EXPECT_EQ(ledger_->Records().at(0).cost_micro_usd, 300 + 150);
}

TEST_F(ProvidersTest, AnthropicTextAnswersAndErrors) {
  server_.Enqueue(kMessages, testing::AnthropicTextReply("¡Hola!"));
  LlmRequest request = RatingRequest();
  request.schema.reset();
  Result<LlmReply> reply = Anthropic()->Complete(request);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->text, "¡Hola!");

  server_.Enqueue(kMessages, testing::AnthropicToolReply("review_rating", R"({"rating":"cinco","mood":"positive"})"));
  EXPECT_EQ(Anthropic()->Complete(RatingRequest()).status().code(), StatusCode::kBadResponse);

  server_.Enqueue(kMessages, testing::AnthropicError(529, "overloaded_error", "Overloaded"));
  server_.Enqueue(kMessages, testing::AnthropicToolReply("review_rating", R"({"rating":2,"mood":"negative"})"));
  EXPECT_TRUE(Anthropic()->Complete(RatingRequest()).ok());
}

// ---- Speech-to-text ----

TEST_F(ProvidersTest, TranscribesAnOggVoiceNoteSentAsIs) {
  server_.Enqueue(kTranscriptions, testing::TranscriptionReply("le doy un cinco", 14, 8));
  SttRequest request;
  request.conversation = "conv-1";
  request.audio = std::string("OggS\0\x02opus-bytes\xff", 17);
  Result<SttReply> reply =
      NewOpenAiSttProvider(Config("openai", "gpt-4o-mini-transcribe"), Context())->Transcribe(request);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->text, "le doy un cinco");
  std::string body = server_.requests().at(0).body;
  EXPECT_NE(body.find("filename=\"audio.ogg\"\r\nContent-Type: audio/ogg\r\n\r\n" + request.audio), std::string::npos);
  EXPECT_NE(body.find("name=\"language\"\r\n\r\nes\r\n"), std::string::npos);
  EXPECT_EQ(ledger_->Records().at(0).cost_micro_usd, 18 + 40);  // 14·1.25 → 17.5, 8·5; rounded up
}

TEST_F(ProvidersTest, SpeechToTextRefusesAudioTheEndpointCannotTake) {
  SttRequest request;
  request.audio = "AMR bytes";
  request.content_type = "audio/amr";
  auto stt = NewOpenAiSttProvider(Config("openai", "whisper-1"), Context());
  EXPECT_EQ(stt->Transcribe(request).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

// ---- Budgets ----

TEST_F(ProvidersTest, ConversationTokenCapRefusesFurtherCalls) {
  UseCaps({/*tokens_per_conversation=*/40, 0, 0, 0});
  for (int i = 0; i < 2; ++i) server_.Enqueue(kChat, testing::ChatReply(R"({"rating":5,"mood":"positive"})", 20, 5));
  EXPECT_TRUE(OpenAi()->Complete(RatingRequest()).ok());
  EXPECT_TRUE(OpenAi()->Complete(RatingRequest()).ok());  // 25 < 40 before it
  Result<LlmReply> refused = OpenAi()->Complete(RatingRequest());
  EXPECT_TRUE(IsBudgetRefusal(refused.status())) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("conv-1"), std::string::npos);
  EXPECT_EQ(server_.request_count(kChat), 2u);
  EXPECT_EQ(ledger_->Records().back().outcome, CallOutcome::kRefused);

  LlmRequest other = RatingRequest();
  other.conversation = "conv-2";
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":1,"mood":"negative"})"));
  EXPECT_TRUE(OpenAi()->Complete(other).ok());  // another conversation has its own budget
}

TEST_F(ProvidersTest, DailyMoneyCapRefusesUntilTheNextDay) {
  UseCaps({0, 0, 0, /*micro_usd_per_day=*/100});
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":5,"mood":"positive"})", 1000, 0));  // 150 µUSD
  EXPECT_TRUE(OpenAi()->Complete(RatingRequest()).ok());
  EXPECT_TRUE(IsBudgetRefusal(OpenAi()->Complete(RatingRequest()).status()));
  EXPECT_EQ(ledger_->DayTotals(clock_.Now()).micro_usd, 150);
  clock_.Advance(std::chrono::hours(24));
  server_.Enqueue(kChat, testing::ChatReply(R"({"rating":5,"mood":"positive"})"));
  EXPECT_TRUE(OpenAi()->Complete(RatingRequest()).ok());
}

// ---- Pure pieces ----

TEST(RenderJsonSchema, RequiresEveryFieldAndClosesTheObject) {
  EXPECT_EQ(RenderJsonSchema(RatingSchema()),
            R"({"type":"object","additionalProperties":false,"required":["rating","mood"],)"
            R"("properties":{"rating":{"type":["integer","null"],"description":"De 1 a 5. Range: min 1 max 5. null when not stated."},)"
            R"("mood":{"type":"string","enum":["positive","neutral","negative"]}}})");
}

TEST(CostMicroUsd, PricesTokensAndAudioRoundingUp) {
  PriceTable prices{{"m", {150000, 600000, 6000}}};
  EXPECT_EQ(CostMicroUsd(prices, "m", 0, 0), 0);
  EXPECT_EQ(CostMicroUsd(prices, "m", 1, 0), 1);          // 0.15 rounds up
  EXPECT_EQ(CostMicroUsd(prices, "m", 1000000, 0), 150000);
  EXPECT_EQ(CostMicroUsd(prices, "m", 0, 10), 6);
  EXPECT_EQ(CostMicroUsd(prices, "m", 0, 0, 30), 3000);  // half a minute
  EXPECT_EQ(CostMicroUsd(prices, "unknown", 1000, 1000), 0);
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

TEST(FakeLlmProvider, ChecksScriptedAnswersAgainstTheSchemaLikeARealProvider) {
  testing::FakeLlmProvider llm;
  llm.EnqueueText(R"({"rating":5,"mood":"positive"})");
  llm.EnqueueText(R"({"rating":"cinco","mood":"positive"})");
  Result<LlmReply> good = llm.Complete(RatingRequest());
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->fields["rating"].number, 5);
  EXPECT_EQ(llm.Complete(RatingRequest()).status().code(), StatusCode::kBadResponse);
  EXPECT_EQ(llm.Complete(RatingRequest()).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(llm.requests().size(), 3u);
}

}  // namespace
}  // namespace bot
