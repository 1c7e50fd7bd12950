// Embeddings: OpenAiEmbedder over real HTTP against a fake /embeddings server on 127.0.0.1 that
// checks requests as the real API does and lists its vectors out of order; FakeEmbedder; and
// hybrid search (BM25 fused with cosine) over the fixture catalogue with FakeEmbedder.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "bot/providers.h"
#include "bot/sqlite_knowledge.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/fake_embedder.h"
#include "bot/text.h"
#include "support/temp_dir.h"
#include "support/test_http_server.h"
#include "util/json.h"

namespace bot {
namespace {

namespace http = boost::beast::http;
using testing::FakeEmbedder;
using testing::TestHttpServer;

constexpr const char* kApiKey = "sk-test-embeddings";
constexpr const char* kNumber = "whatsapp:+14155238886";
const std::string kCatalogue = std::string(BOT_SOURCE_DIR) + "/fixtures/offers/cdmx.csv";

// POST /v1/embeddings as OpenAI answers it: Bearer auth (else 401), a JSON body with a string
// "model" and a non-empty "input" array of strings (else 400); data items listed last input
// first, each with its index; usage counts one token per word. `fail_with` answers every
// request with that status instead.
class FakeEmbeddingsServer {
 public:
  FakeEmbeddingsServer()
      : server_([this](const TestHttpServer::Request& req) { return Answer(req); }) {}

  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1";
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  void FailWith(int status, std::string body) {
    std::lock_guard lock(mu_);
    fail_status_ = status;
    fail_body_ = std::move(body);
  }

 private:
  static TestHttpServer::Answer Error(http::status status, const std::string& type,
                                      const std::string& message) {
    TestHttpServer::Answer answer;
    answer.response = TestHttpServer::Json(
        status, R"({"error":{"message":")" + message + R"(","type":")" + type + R"("}})");
    return answer;
  }

  TestHttpServer::Answer Answer(const TestHttpServer::Request& req) {
    {
      std::lock_guard lock(mu_);
      bodies_.push_back(req.body());
      if (fail_status_ != 0) {
        TestHttpServer::Answer answer;
        answer.response = TestHttpServer::Json(static_cast<http::status>(fail_status_), fail_body_);
        return answer;
      }
    }
    if (req.method() != http::verb::post || req.target() != "/v1/embeddings") {
      return Error(http::status::not_found, "invalid_request_error", "unknown path");
    }
    if (req[http::field::authorization] != std::string("Bearer ") + kApiKey) {
      return Error(http::status::unauthorized, "invalid_api_key", "Incorrect API key provided");
    }
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view model;
    simdjson::dom::array input;
    if (parser.parse(req.body()).get(root) || root["model"].get(model) ||
        root["input"].get(input) || input.size() == 0) {
      return Error(http::status::bad_request, "invalid_request_error",
                   "'input' must be a non-empty array of strings and 'model' a string");
    }
    std::vector<std::string> texts;
    for (simdjson::dom::element item : input) {
      std::string_view text;
      if (item.get(text)) {
        return Error(http::status::bad_request, "invalid_request_error", "input must be strings");
      }
      texts.emplace_back(text);
    }
    std::string body = R"({"object":"list","data":[)";
    int64_t tokens = 0;
    for (size_t n = 0; n < texts.size(); ++n) {
      const size_t i = texts.size() - 1 - n;  // out of order: clients must use `index`
      if (n > 0) body += ',';
      body += R"({"object":"embedding","index":)" + std::to_string(i) + R"(,"embedding":[)";
      const std::vector<float> vector = FakeEmbedder::Vector(texts[i]);
      for (size_t d = 0; d < vector.size(); ++d) {
        if (d > 0) body += ',';
        body += std::to_string(vector[d]);
      }
      body += "]}";
      std::istringstream words(texts[i]);
      for (std::string w; words >> w;) ++tokens;
    }
    body += R"(],"model":")" + std::string(model) + R"(","usage":{"prompt_tokens":)" +
            std::to_string(tokens) + R"(,"total_tokens":)" + std::to_string(tokens) + "}}";
    TestHttpServer::Answer answer;
    answer.response = TestHttpServer::Json(http::status::ok, body);
    return answer;
  }

  mutable std::mutex mu_;
  std::vector<std::string> bodies_;  // Guarded by mu_
  int fail_status_ = 0;              // Guarded by mu_
  std::string fail_body_;            // Guarded by mu_
  TestHttpServer server_;            // last: stopped before the state its handler uses goes away
};

class OpenAiEmbedderTest : public ::testing::Test {
 protected:
  OpenAiEmbedderTest()
      : http_(NewCurlHttpClient()),
        retrier_(
            http_.get(), &clock_, Once(),
            [this](std::chrono::milliseconds d) { clock_.Advance(d); }, [] { return 0.0; }),
        ledger_(NewMemoryUsageLedger({})) {}

  static RetryOptions Once() {
    RetryOptions options;
    options.max_attempts = 2;
    return options;
  }
  OpenAiEmbedder Embedder(int dimensions = 0, std::string key = kApiKey) {
    LlmConfig config;
    config.provider = "openai";
    config.base_url = server_.base_url();
    config.api_key = std::move(key);
    config.model = "text-embedding-3-small";
    return OpenAiEmbedder(config, ProviderContext{&retrier_, &clock_, ledger_.get(), {}},
                          dimensions);
  }

  FakeEmbeddingsServer server_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpClient> http_;
  HttpRetrier retrier_;
  std::unique_ptr<UsageLedger> ledger_;
};

TEST_F(OpenAiEmbedderTest, ReturnsOneVectorPerTextInTheOrderGivenWhateverTheServerOrder) {
  const std::vector<std::string> texts = {"Departamento con cochera", "acepta mascotas",
                                          "alberca y gimnasio \"techado\""};
  OpenAiEmbedder embedder = Embedder(256);
  auto vectors = embedder.Embed(texts);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  ASSERT_EQ(vectors->size(), 3u);
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float> expected = FakeEmbedder::Vector(texts[i]);
    ASSERT_EQ((*vectors)[i].size(), expected.size());
    for (size_t d = 0; d < expected.size(); ++d) EXPECT_NEAR((*vectors)[i][d], expected[d], 1e-5);
  }
  EXPECT_EQ(embedder.model(), "text-embedding-3-small");

  const std::string body = server_.bodies().at(0);
  EXPECT_NE(body.find(R"("model":"text-embedding-3-small")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("encoding_format":"float")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("dimensions":256)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"(\"techado\")"), std::string::npos) << body;

  ASSERT_EQ(ledger_->Records().size(), 1u);
  const UsageRecord record = ledger_->Records()[0];
  EXPECT_EQ(record.purpose, "embeddings");
  EXPECT_EQ(record.outcome, CallOutcome::kOk);
  EXPECT_EQ(record.tokens_in, 9);  // the fake's count: one per word
}

TEST_F(OpenAiEmbedderTest, LeavesDimensionsOutUnlessAskedAndSendsNothingForNoTexts) {
  OpenAiEmbedder embedder = Embedder();
  ASSERT_TRUE(embedder.Embed({"cochera"}).ok());
  EXPECT_EQ(server_.bodies().at(0).find("dimensions"), std::string::npos);
  auto none = embedder.Embed({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(server_.bodies().size(), 1u);
}

TEST_F(OpenAiEmbedderTest, AnswersAsynchronouslyOnAnotherThread) {
  OpenAiEmbedder embedder = Embedder();
  std::promise<std::pair<std::thread::id, size_t>> answered;
  embedder.EmbedAsync({"uno", "dos"}, [&](Result<std::vector<std::vector<float>>> r) {
    answered.set_value({std::this_thread::get_id(), r.ok() ? r->size() : 0});
  });
  auto [thread, count] = answered.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());
  EXPECT_EQ(count, 2u);
}

TEST_F(OpenAiEmbedderTest, AWrongKeyIsAnInvalidArgumentWithTheProvidersMessage) {
  auto vectors = Embedder(0, "sk-wrong").Embed({"cochera"});
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(vectors.status().message().find("Incorrect API key"), std::string::npos)
      << vectors.status().message();
  ASSERT_EQ(ledger_->Records().size(), 1u);
  EXPECT_EQ(ledger_->Records()[0].outcome, CallOutcome::kFailed);
}

TEST_F(OpenAiEmbedderTest, AServerErrorIsRetriedThenUnavailable) {
  server_.FailWith(503, R"({"error":{"message":"overloaded"}})");
  auto vectors = Embedder().Embed({"cochera"});
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_.bodies().size(), 2u);  // both attempts
}

TEST_F(OpenAiEmbedderTest, AnAnswerItCannotUseIsABadResponse) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"object":"list","data":[{"object":"embedding","embedding":[0.1]}]})", "valid index"},
      {R"({"object":"list","data":[{"index":0,"embedding":"AAAA"}]})", "array of floats"},
      {R"({"object":"list","data":[]})", "0 vectors for 1 texts"},
      {R"({"object":"list","data":[{"index":0,"embedding":[]}]})", "empty embedding"},
      {R"(not json)", "embeddings answer"},
  };
  for (const auto& [body, reason] : cases) {
    server_.FailWith(200, body);
    auto vectors = Embedder().Embed({"cochera"});
    ASSERT_FALSE(vectors.ok()) << body;
    EXPECT_EQ(vectors.status().code(), StatusCode::kBadResponse) << body;
    EXPECT_NE(vectors.status().message().find(reason), std::string::npos)
        << body << " -> " << vectors.status().message();
  }
}

TEST_F(OpenAiEmbedderTest, TooManyTextsForOneRequestAreRefusedBeforeSending) {
  auto vectors = Embedder().Embed(std::vector<std::string>(2049, "x"));
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.bodies().empty());
}

TEST(FakeEmbedder, IsDeterministicNormalisedAndSeesSynonymsAsOneWord) {
  FakeEmbedder embedder;
  auto a = embedder.Embed({"¿Tiene estacionamiento?", "tiene cochera", "acepta mascotas"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0], FakeEmbedder::Vector("¿Tiene estacionamiento?"));
  double norm = 0;
  for (float x : (*a)[0]) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ((*a)[0], (*a)[1]);
  EXPECT_NE((*a)[0], (*a)[2]);
  EXPECT_EQ(embedder.calls(), 1u);
  EXPECT_EQ(embedder.texts_embedded(), 3u);
}

// ---- Hybrid search over the fixture catalogue ----

class HybridSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kb = SqliteKnowledgeBase::Open(dir_.File("bot.db"), &embedder_);
    ASSERT_TRUE(kb.ok()) << kb.status().ToString();
    kb_ = std::move(*kb);
    auto report = kb_->ImportOffers(kNumber, kCatalogue);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->errors.empty());
    offers_ = report->added;
  }
  Result<SearchResult> Hybrid(const std::string& question, OfferQuery query = {}) {
    query.text = question;
    query.embedding = FakeEmbedder::Vector(question);
    return kb_->Search(kNumber, query);
  }
  static bool Mentions(const Offer& offer, const std::string& word) {
    std::string all = offer.title + " " + offer.description;
    for (const std::string& f : offer.features) all += " " + f;
    return Normalize(all).find(word) != std::string::npos;
  }

  testing::TempDir dir_;
  FakeEmbedder embedder_;
  std::unique_ptr<SqliteKnowledgeBase> kb_;
  int offers_ = 0;
};

TEST_F(HybridSearchTest, EmbedsEachOfferAtImportAndOnlyChangedOnesAfterwards) {
  EXPECT_EQ(embedder_.texts_embedded(), static_cast<size_t>(offers_));
  auto again = kb_->ImportOffers(kNumber, kCatalogue);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, offers_);
  EXPECT_EQ(embedder_.texts_embedded(), static_cast<size_t>(offers_));

  // One offer's title changes: only it is embedded again.
  std::ifstream in(kCatalogue);
  std::stringstream text;
  text << in.rdbuf();
  std::string csv = text.str();
  const size_t at = csv.find("Departamento en Polanco con terraza");
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, 35, "Departamento en Polanco con terraza y vista");
  std::ofstream(dir_.File("changed.csv")) << csv;
  auto changed = kb_->ImportOffers(kNumber, dir_.File("changed.csv"));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->updated, 1);
  EXPECT_EQ(embedder_.texts_embedded(), static_cast<size_t>(offers_) + 1);
}

TEST_F(HybridSearchTest, FindsOffersWithTheFeatureAskedForAndKeepsTheFilters) {
  auto found = Hybrid("¿alguno tiene alberca?");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_FALSE(found->passages.empty());
  EXPECT_TRUE(found->supported);
  EXPECT_TRUE(Mentions(found->passages[0].offer, "alberca"));

  OfferQuery renta;
  renta.operation = "renta";
  found = Hybrid("acepta mascotas", renta);
  ASSERT_TRUE(found.ok());
  ASSERT_FALSE(found->passages.empty());
  for (const Passage& p : found->passages) EXPECT_EQ(p.offer.operation, "renta") << p.offer.id;
  EXPECT_TRUE(Mentions(found->passages[0].offer, "mascota"));
}

TEST_F(HybridSearchTest, AQuestionTheCatalogueCannotAnswerIsNotSupportedEvenWithNeighbours) {
  // Cosine always has nearest neighbours; they must not make an answer.
  auto found = Hybrid("¿aceptan pagos con criptomonedas?");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->supported);
}

TEST_F(HybridSearchTest, TheFusedTopHitHasWhatTheQuestionAsksFor) {
  const std::pair<const char*, const char*> cases[] = {
      {"departamento amueblado", "amueblad"},
      {"¿cual tiene roof garden?", "roof garden"},
      {"tienen gym?", "gimnasio"},
      {"tiene estacionamiento?", "cochera"},
  };
  for (const auto& [question, word] : cases) {
    auto hybrid = Hybrid(question);
    ASSERT_TRUE(hybrid.ok()) << hybrid.status().ToString();
    ASSERT_FALSE(hybrid->passages.empty()) << question;
    EXPECT_TRUE(Mentions(hybrid->passages[0].offer, word))
        << question << ": " << hybrid->passages[0].offer.id;
    EXPECT_TRUE(hybrid->supported) << question;
  }
}

}  // namespace
}  // namespace bot
