// botrunner with providers, end to end: the config's `providers:` section read from YAML, the
// real server on 127.0.0.1, signed webhooks, media downloaded from the fake Twilio, and the
// fake OpenAI-compatible server as LLM and speech-to-text. Usage is read back from the
// database the way an operator would.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "server/providers.h"
#include "support/fake_llm_server.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace runner {
namespace {

using bot::testing::FakeLlmServer;
using bot::testing::FakeTwilio;
using bot::testing::ReadWholeFile;
using bot::testing::RunnerHarness;
using namespace std::chrono_literals;

constexpr const char* kRosa = "whatsapp:+5215512345678";
constexpr const char* kChat = "/v1/chat/completions";
constexpr const char* kStt = "/v1/audio/transcriptions";

// Prompts of dialogs/review_rating.yaml and prompts/es/common.yaml the tests expect.
constexpr const char* kIntro = "¡Hola! Soy el asistente virtual de la Dra. Andrade.";
constexpr const char* kThanksFive = "¡Muchas gracias por su calificación de 5! ⭐";
constexpr const char* kRatingHelp = "Para calificar responda con un número del 1 al 5";
constexpr const char* kVoiceUnavailable = "Disculpe, en este momento no pude escuchar su nota";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

class RunnerProvidersTest : public ::testing::Test {
 protected:
  // The YAML an operator would write, with `providers` appended (indented by two spaces).
  std::string Yaml(const std::string& providers) const {
    std::string yaml =
        h_.BaseYaml(twilio_, "review_rating",
                    "{doctor: la Dra. Andrade, review_link: \"https://g.page/r/A/review\"}");
    if (!providers.empty()) yaml += "providers:\n" + providers;
    return yaml;
  }

  // LLM and STT on the fake server; prices that make costs easy to check by hand.
  std::string Providers(const std::string& extra = "", int llm_timeout_ms = 2000,
                        int breaker_failures = 100) const {
    std::string base = "\"" + llm_.base_url() + "\"";
    return "  llm: {base_url: " + base + ", model: gpt-4o-mini, api_key_env: OPENAI_API_KEY, " +
           "timeout_ms: " + std::to_string(llm_timeout_ms) +
           ", headers: {X-Title: Clinica Andrade}}\n" + "  stt: {base_url: " + base +
           ", model: whisper-1, api_key_env: OPENAI_API_KEY}\n" +
           "  prices:\n"
           "    gpt-4o-mini: {input_per_mtok: \"1.00\", output_per_mtok: \"2.00\"}\n"
           "    whisper-1: {input_per_mtok: 3, output_per_mtok: 3}\n"
           "  retry: {max_attempts: 3, base_delay_ms: 5, max_delay_ms: 20, breaker_failures: " +
           std::to_string(breaker_failures) + ", breaker_cooldown_ms: 600000}\n" + extra;
  }

  void Start(const std::string& yaml) {
    EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "OPENAI_API_KEY") return std::string(FakeLlmServer::kApiKey);
      return std::nullopt;
    };
    ASSERT_TRUE(h_.Start(yaml, env));
  }
  void StopServer() { h_.Stop(); }

  std::vector<std::string> Say(const std::string& from, const std::string& text) {
    return h_.Say(from, text);
  }
  std::vector<std::string> SendVoiceNote(const std::string& from, const std::string& bytes) {
    return h_.SendMedia(twilio_, from, bytes, "audio/ogg");
  }
  std::vector<bot::StoredMessage> Inbound(const std::string& from) { return h_.Inbound(from); }

  // The usage rows in the database, read through a second connection as a report would.
  std::vector<bot::UsageRecord> Usage() {
    auto ledger = bot::OpenSqliteUsageLedger(h_.database(), {});
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? (*ledger)->Records() : std::vector<bot::UsageRecord>{};
  }

  FakeTwilio twilio_;
  FakeLlmServer llm_;
  RunnerHarness h_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
};

TEST_F(RunnerProvidersTest, AVoiceNoteIsDownloadedTranscribedAndAnswersTheRating) {
  Start(Yaml(Providers()));
  std::vector<std::string> hello = Say(kRosa, "Hola");
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_TRUE(StartsWith(hello[0], kIntro)) << hello[0];

  std::string ogg =
      ReadWholeFile(std::string(BOT_SOURCE_DIR) + "/fixtures/transcripts/review_rating_providers/" +
                    "nota_de_voz.ogg");
  ASSERT_FALSE(ogg.empty());
  llm_.Enqueue(kStt, bot::testing::TranscriptionReply("Le doy un cinco.", 21, 6));
  std::vector<std::string> replies = SendVoiceNote(kRosa, ogg);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(StartsWith(replies[0], kThanksFive)) << replies[0];

  // The provider got the bytes the fake Twilio served, read from the downloaded file.
  auto stt = llm_.requests();
  ASSERT_EQ(llm_.request_count(kStt), 1u);
  EXPECT_NE(stt.back().body.find(ogg), std::string::npos);
  std::vector<bot::StoredMessage> inbound = Inbound(kRosa);
  ASSERT_EQ(inbound.size(), 2u);
  ASSERT_EQ(inbound[1].media.size(), 1u);
  EXPECT_EQ(ReadWholeFile(inbound[1].media[0].path), ogg);
  EXPECT_EQ(inbound[1].transcript, "Le doy un cinco.");

  std::vector<bot::UsageRecord> usage = Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].provider, "openai");
  EXPECT_EQ(usage[0].model, "whisper-1");
  EXPECT_EQ(usage[0].purpose, "stt");
  EXPECT_EQ(usage[0].conversation, kRosa);
  EXPECT_EQ(usage[0].tokens_in, 21);
  EXPECT_EQ(usage[0].tokens_out, 6);
  EXPECT_EQ(usage[0].cost_micro_usd, 21 * 3 + 6 * 3);
  EXPECT_EQ(usage[0].outcome, bot::CallOutcome::kOk);
}

TEST_F(RunnerProvidersTest, AnAnswerOnlyTheLlmUnderstandsIsMappedAndCosted) {
  Start(Yaml(Providers()));
  Say(kRosa, "Hola");
  llm_.Enqueue(kChat, bot::testing::ChatReply("{\"value\":\"5\"}", 118, 7));
  std::vector<std::string> replies = Say(kRosa, "pues la verdad excelente, nada que decir");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(StartsWith(replies[0], kThanksFive)) << replies[0];

  ASSERT_EQ(llm_.request_count(kChat), 1u);
  const FakeLlmServer::Received request = llm_.requests().back();
  const std::string& body = request.body;
  EXPECT_EQ(bot::FindHeader(request.headers, "X-Title"), "Clinica Andrade");
  EXPECT_EQ(bot::FindHeader(request.headers, "Authorization"),
            std::string("Bearer ") + FakeLlmServer::kApiKey)
      << "the key came from OPENAI_API_KEY";
  EXPECT_NE(body.find("pues la verdad excelente, nada que decir"), std::string::npos);
  EXPECT_NE(body.find("\"strict\":true"), std::string::npos) << body;

  std::vector<bot::UsageRecord> usage = Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].model, "gpt-4o-mini");
  EXPECT_EQ(usage[0].purpose, "slot:rating");
  EXPECT_EQ(usage[0].tokens_in, 118);
  EXPECT_EQ(usage[0].tokens_out, 7);
  EXPECT_EQ(usage[0].cost_micro_usd, 118 * 1 + 7 * 2);
}

TEST_F(RunnerProvidersTest, AParserAnswerNeverCallsTheLlm) {
  Start(Yaml(Providers()));
  Say(kRosa, "Hola");
  std::vector<std::string> replies = Say(kRosa, "le doy un 5");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(StartsWith(replies[0], kThanksFive)) << replies[0];
  EXPECT_EQ(llm_.requests().size(), 0u);
  EXPECT_TRUE(Usage().empty());
}

// A provider that keeps failing, or never answers, gets the user a polite reply at once (not
// silence), the message stays stored, and the conversation goes on when the user writes again.
TEST_F(RunnerProvidersTest, AFailingProviderGetsAPoliteReplyAndLosesNothing) {
  struct Case {
    const char* name;
    std::vector<FakeLlmServer::Reply> script;  // for the chat endpoint
    bot::CallOutcome outcome;
  };
  FakeLlmServer::Reply slow = bot::testing::ChatReply("{\"value\":\"5\"}");
  slow.delay = 5s;  // past timeout_ms 300: every attempt times out
  FakeLlmServer::Reply error = bot::testing::OpenAiError(500, "server_error", "boom");
  const Case kCases[] = {
      {"500 after retries", {error, error, error}, bot::CallOutcome::kFailed},
      {"timeouts", {slow, slow, slow}, bot::CallOutcome::kTimeout},
  };
  Start(Yaml(Providers("", /*llm_timeout_ms=*/300)));
  int contact = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    std::string from = "whatsapp:+52155000000" + std::to_string(++contact);
    Say(from, "Hola");
    for (const auto& reply : c.script) llm_.Enqueue(kChat, reply);
    size_t before = llm_.request_count(kChat);
    std::vector<std::string> replies = Say(from, "pues la verdad excelente");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(StartsWith(replies[0], kRatingHelp)) << replies[0];
    EXPECT_EQ(llm_.request_count(kChat) - before, 3u) << "three attempts";
    std::vector<bot::StoredMessage> inbound = Inbound(from);
    ASSERT_EQ(inbound.size(), 2u);
    EXPECT_EQ(inbound[1].text, "pues la verdad excelente");
    EXPECT_EQ(inbound[1].status, "processed");
    std::vector<bot::UsageRecord> usage = Usage();
    ASSERT_FALSE(usage.empty());
    EXPECT_EQ(usage.back().outcome, c.outcome);
    EXPECT_EQ(usage.back().conversation, from);

    std::vector<std::string> next = Say(from, "5");
    ASSERT_EQ(next.size(), 1u);
    EXPECT_TRUE(StartsWith(next[0], kThanksFive)) << next[0];
  }
}

TEST_F(RunnerProvidersTest, AFailedTranscriptionAsksForTextAndTheNoteIsKept) {
  Start(Yaml(Providers()));
  Say(kRosa, "Hola");
  for (int i = 0; i < 3; ++i) {
    llm_.Enqueue(kStt, bot::testing::OpenAiError(503, "server_error", "overloaded"));
  }
  std::vector<std::string> replies = SendVoiceNote(kRosa, "OggS fake voice note");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(StartsWith(replies[0], kVoiceUnavailable)) << replies[0];
  EXPECT_EQ(llm_.request_count(kStt), 3u);
  std::vector<bot::StoredMessage> inbound = Inbound(kRosa);
  ASSERT_EQ(inbound.size(), 2u);
  ASSERT_EQ(inbound[1].media.size(), 1u);
  EXPECT_EQ(ReadWholeFile(inbound[1].media[0].path), "OggS fake voice note");
  EXPECT_EQ(inbound[1].status, "processed");
  EXPECT_TRUE(StartsWith(Say(kRosa, "cinco").at(0), kThanksFive));
}

// Past a budget, or with the endpoint's circuit breaker open, the LLM is not called at all: the
// next user still gets the deterministic answer, and the refusal is a usage row.
TEST_F(RunnerProvidersTest, CallsThatNeverLeaveTheProcessStillGetAPoliteReply) {
  struct Case {
    const char* name;
    std::string providers_extra;
    int breaker_failures;
    std::vector<FakeLlmServer::Reply> first;  // the first contact's LLM answers
    const char* first_reply;
    bot::CallOutcome refused_outcome;
    const char* detail;
  };
  FakeLlmServer::Reply error = bot::testing::OpenAiError(500, "server_error", "boom");
  const Case kCases[] = {
      {"daily token budget",
       "  budgets: {tokens_per_day: 100}\n",
       100,
       {bot::testing::ChatReply("{\"value\":\"5\"}", 118, 7)},
       kThanksFive,
       bot::CallOutcome::kRefused,
       "budget:"},
      {"open circuit breaker",
       "",
       3,
       {error, error, error},
       kRatingHelp,
       bot::CallOutcome::kFailed,
       "circuit breaker open"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    h_.UseDatabase(std::string(c.name) + ".db");  // a fresh server, breakers and ledger per case
    Start(Yaml(Providers(c.providers_extra, 2000, c.breaker_failures)));
    size_t before = llm_.request_count(kChat);
    Say(kRosa, "Hola");
    for (const auto& reply : c.first) llm_.Enqueue(kChat, reply);
    EXPECT_TRUE(StartsWith(Say(kRosa, "excelente la verdad").at(0), c.first_reply));
    size_t calls = llm_.request_count(kChat);
    EXPECT_EQ(calls - before, c.first.size());

    const std::string other = "whatsapp:+5215598765432";
    Say(other, "Hola");
    std::vector<std::string> replies = Say(other, "excelente la verdad");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(StartsWith(replies[0], kRatingHelp)) << replies[0];
    EXPECT_EQ(llm_.request_count(kChat), calls) << "the call never left the process";
    std::vector<bot::UsageRecord> usage = Usage();
    ASSERT_EQ(usage.size(), 2u);
    EXPECT_EQ(usage[1].outcome, c.refused_outcome);
    EXPECT_EQ(usage[1].conversation, other);
    EXPECT_NE(usage[1].detail.find(c.detail), std::string::npos) << usage[1].detail;
    StopServer();
  }
}

TEST_F(RunnerProvidersTest, WithoutASpeechProviderAVoiceNoteStillGetsAnAnswer) {
  Start(Yaml(""));
  Say(kRosa, "Hola");
  std::vector<std::string> replies = SendVoiceNote(kRosa, "OggS fake voice note");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_FALSE(StartsWith(replies[0], kThanksFive));
  EXPECT_EQ(llm_.requests().size(), 0u);
  std::vector<bot::StoredMessage> inbound = Inbound(kRosa);
  ASSERT_EQ(inbound.size(), 2u);
  EXPECT_FALSE(inbound[1].media.at(0).path.empty()) << "downloaded even so";
}

TEST_F(RunnerProvidersTest, AProviderThatCannotBeBuiltStopsTheStartWithAClearError) {
  EnvLookup env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  bot::Result<RunnerConfig> config = ParseConfig(
      Yaml("  ocr: {kind: tesseract, language: zzz, datapath: " + h_.dir().string() + "}\n"),
      "test.yaml", env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto created =
      Server::Create(std::move(*config), ServerOptions{nullptr, false, LogLevel::kError});
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("providers.ocr (tesseract)"), std::string::npos)
      << created.status().message();
}

TEST(RunnerProvidersDescribe, NamesWhatIsConfiguredButNeverAKeyOrCredential) {
  RunnerHarness h("describe");
  ProvidersConfig config;
  config.llm.emplace();
  config.llm->llm.provider = "openai";
  config.llm->llm.base_url = "https://api.openai.com/v1";
  config.llm->llm.model = "gpt-4o-mini";
  config.llm->llm.api_key = "sk-live-secret";
  config.bureau.emplace();
  config.bureau->options.url = "https://user:pw-secret@buro.example.mx/v1/score?key=q-secret";
  config.bureau->options.api_key = "bureau-secret";
  bot::SystemClock clock;
  auto providers = RunnerProviders::Create(config, h.database(), &clock);
  ASSERT_TRUE(providers.ok()) << providers.status().ToString();
  std::string line = (*providers)->Describe();
  EXPECT_NE(line.find("llm openai/gpt-4o-mini at https://api.openai.com/v1"), std::string::npos)
      << line;
  EXPECT_NE(line.find("bureau at https://buro.example.mx/v1/score"), std::string::npos) << line;
  EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  bot::BotProviders view = (*providers)->view();
  EXPECT_NE(view.llm, nullptr);
  EXPECT_NE(view.bureau, nullptr);
  EXPECT_EQ(view.stt, nullptr);
  EXPECT_EQ(view.ocr, nullptr);
  EXPECT_EQ(view.data_keys, nullptr);
}

}  // namespace
}  // namespace runner
