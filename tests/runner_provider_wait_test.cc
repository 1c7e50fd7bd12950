// Turns waiting for a provider hold no thread (issue 14): through the real server, in REST mode,
// with one worker and the fake LLM holding its answers until the test lets them go. Nothing here
// sleeps to decide an outcome: each test waits for an event (a request reaching the fake, a
// message reaching the fake Twilio) and the held answers are released by the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bot/sqlite_store.h"
#include "support/child_botrunner.h"
#include "support/fake_llm_server.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"
#include "support/webhook_client.h"

namespace {

using bot::testing::FakeLlmServer;
using bot::testing::FakeTwilio;
using bot::testing::RunnerHarness;
using runner::EnvLookup;
using namespace std::chrono_literals;

constexpr const char* kRosa = "whatsapp:+5215512345678";
constexpr const char* kLuis = "whatsapp:+5215587654321";
constexpr const char* kChat = "/v1/chat/completions";
constexpr const char* kUnsure = "pues la verdad excelente, nada que decir";

constexpr const char* kIntro = "¡Hola! Soy el asistente virtual de la Dra. Andrade.";
constexpr const char* kThanksFive = "¡Muchas gracias por su calificación de 5! ⭐";
constexpr const char* kRatingHelp = "Para calificar responda con un número del 1 al 5";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Waits for `done` for at most 10 s (a failure, not an outcome: the event must happen).
template <typename Fn>
bool WaitFor(Fn done) {
  auto end = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The LLM's answers wait for the gate: closed, a call stays pending.
struct Gate {
  std::shared_ptr<std::atomic<bool>> open = std::make_shared<std::atomic<bool>>(false);
  std::function<bool()> ready() const {
    return [open = open] { return open->load(); };
  }
  void Open() { open->store(true); }
};

FakeLlmServer::Reply HeldFive(const Gate& gate) {
  FakeLlmServer::Reply reply = bot::testing::ChatReply("{\"value\":\"5\"}", 50, 5);
  reply.ready = gate.ready();
  return reply;
}

std::string YamlFor(const RunnerHarness& h, const FakeTwilio& twilio, const FakeLlmServer& llm,
                    const std::string& llm_extra = "") {
  std::string yaml =
      h.BaseYaml(twilio, "review_rating",
                 "{doctor: la Dra. Andrade, review_link: \"https://g.page/r/A/review\"}", "rest");
  yaml += "workers: 1\n";
  yaml += "providers:\n  llm: {base_url: \"" + llm.base_url() +
          "\", model: gpt-4o-mini, api_key_env: OPENAI_API_KEY" + llm_extra + "}\n";
  yaml += "  retry: {max_attempts: 2, base_delay_ms: 5, max_delay_ms: 20}\n";
  return yaml;
}

EnvLookup Env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "OPENAI_API_KEY") return std::string(FakeLlmServer::kApiKey);
    return std::nullopt;
  };
}

// The bodies FakeTwilio received for `to`, in order.
std::vector<std::string> SentTo(const FakeTwilio& twilio, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& m : twilio.messages()) {
    if (m.to == to) out.push_back(m.body);
  }
  return out;
}

class ProviderWaitTest : public ::testing::Test {
 protected:
  void Start(const std::string& llm_extra = "") {
    ASSERT_TRUE(h_.Start(YamlFor(h_, twilio_, llm_, llm_extra), Env()));
  }
  // Posts a message; REST mode answers once it is stored, whatever the turn does.
  void Post(const bot::FormParams& params) {
    bot::testing::HttpReply r = h_.client().Post("/twilio/inbound", params);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void Say(const std::string& from, const std::string& text) {
    Post(h_.client().Text(RunnerHarness::kBotNumber, from, text));
  }
  // Says "Hola" and waits for the greeting.
  void Greeted(const std::string& from) {
    size_t before = SentTo(twilio_, from).size();
    Say(from, "Hola");
    ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, from).size() > before; }));
    EXPECT_TRUE(StartsWith(SentTo(twilio_, from).back(), kIntro));
  }

  FakeTwilio twilio_;
  FakeLlmServer llm_;
  Gate gate_;
  RunnerHarness h_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
};

TEST_F(ProviderWaitTest, ATurnWaitingForTheLlmHoldsNoWorker) {
  Start();
  Greeted(kRosa);
  llm_.Enqueue(kChat, HeldFive(gate_));
  Say(kRosa, kUnsure);
  ASSERT_TRUE(WaitFor([&] { return llm_.request_count(kChat) == 1; }));

  // The only worker is free: another conversation is answered while Rosa's call is pending.
  Greeted(kLuis);
  EXPECT_EQ(SentTo(twilio_, kRosa).size(), 1u) << "Rosa's turn is still waiting";

  gate_.Open();
  ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, kRosa).size() == 2; }));
  EXPECT_TRUE(StartsWith(SentTo(twilio_, kRosa)[1], kThanksFive)) << SentTo(twilio_, kRosa)[1];
}

TEST_F(ProviderWaitTest, ASecondMessageIsStoredAtOnceAndAnsweredAfterThePendingTurn) {
  Start();
  Greeted(kRosa);
  llm_.Enqueue(kChat, HeldFive(gate_));
  Say(kRosa, kUnsure);
  ASSERT_TRUE(WaitFor([&] { return llm_.request_count(kChat) == 1; }));

  Say(kRosa, "Hola");  // answered 200 once stored, while the first turn still waits
  EXPECT_EQ(h_.Inbound(kRosa).size(), 3u);
  EXPECT_EQ(SentTo(twilio_, kRosa).size(), 1u);

  gate_.Open();
  ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, kRosa).size() == 3; }));
  std::vector<std::string> sent = SentTo(twilio_, kRosa);
  EXPECT_TRUE(StartsWith(sent[1], kThanksFive)) << "the pending turn answers first: " << sent[1];
  EXPECT_TRUE(StartsWith(sent[2], kIntro)) << "then the message that waited: " << sent[2];
  EXPECT_EQ(llm_.request_count(kChat), 1u);
}

TEST_F(ProviderWaitTest, ARedeliveryWhileTheCallIsPendingIsAnsweredOnce) {
  Start();
  Greeted(kRosa);
  llm_.Enqueue(kChat, HeldFive(gate_));
  bot::FormParams unsure = h_.client().Text(RunnerHarness::kBotNumber, kRosa, kUnsure);
  Post(unsure);
  ASSERT_TRUE(WaitFor([&] { return llm_.request_count(kChat) == 1; }));
  Post(unsure);  // Twilio delivers the same MessageSid again

  gate_.Open();
  ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, kRosa).size() >= 2; }));
  h_.Stop();  // finishes everything accepted: a second reply would be sent by now
  EXPECT_EQ(SentTo(twilio_, kRosa).size(), 2u);
  EXPECT_EQ(llm_.request_count(kChat), 1u);
}

TEST_F(ProviderWaitTest, AProviderThatNeverAnswersGetsAPoliteReplyAndLosesNothing) {
  Start(", timeout_ms: 200");
  Greeted(kRosa);
  for (int i = 0; i < 2; ++i) llm_.Enqueue(kChat, HeldFive(gate_));  // never released
  Say(kRosa, kUnsure);
  ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, kRosa).size() == 2; }));
  EXPECT_TRUE(StartsWith(SentTo(twilio_, kRosa)[1], kRatingHelp)) << SentTo(twilio_, kRosa)[1];
  EXPECT_EQ(llm_.request_count(kChat), 2u) << "both attempts timed out";
  std::vector<bot::StoredMessage> inbound = h_.Inbound(kRosa);
  ASSERT_EQ(inbound.size(), 2u);
  EXPECT_EQ(inbound[1].text, kUnsure);
  auto ledger = bot::OpenSqliteUsageLedger(h_.database(), {});
  ASSERT_TRUE(ledger.ok());
  std::vector<bot::UsageRecord> usage = (*ledger)->Records();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].outcome, bot::CallOutcome::kTimeout);
  gate_.Open();
}

TEST_F(ProviderWaitTest, MetricsShowTheCallInFlightThenItsOutcome) {
  Start();
  Greeted(kRosa);
  llm_.Enqueue(kChat, HeldFive(gate_));
  Say(kRosa, kUnsure);
  ASSERT_TRUE(WaitFor([&] { return llm_.request_count(kChat) == 1; }));
  auto metrics = [&] {
    return bot::testing::HttpExchange(h_.server().port(), "GET", "/metrics").body;
  };
  std::string page = metrics();
  EXPECT_NE(page.find("botrunner_provider_in_flight{provider=\"llm\"} 1\n"), std::string::npos)
      << page;
  EXPECT_NE(page.find("botrunner_provider_queued{provider=\"llm\"} 0\n"), std::string::npos);

  gate_.Open();
  ASSERT_TRUE(WaitFor([&] { return SentTo(twilio_, kRosa).size() == 2; }));
  page = metrics();
  EXPECT_NE(page.find("botrunner_provider_in_flight{provider=\"llm\"} 0\n"), std::string::npos);
  EXPECT_NE(page.find("botrunner_provider_calls_total{provider=\"llm\",outcome=\"ok\"} 1\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("botrunner_provider_latency_seconds_count{provider=\"llm\"} 1\n"),
            std::string::npos);
}

// TwiML mode: a turn still waiting when the budget passes is answered with an empty
// <Response/>, and its replies leave through the REST outbox once it is done.
TEST_F(ProviderWaitTest, TwimlPastTheBudgetAnswersEmptyAndTheReplyGoesThroughTheOutbox) {
  std::string yaml = YamlFor(h_, twilio_, llm_);
  yaml.replace(yaml.find("reply_mode: rest"), 16, "reply_mode: twiml\ntwiml_budget_ms: 300");
  ASSERT_TRUE(h_.Start(yaml, Env()));
  std::vector<std::string> greeting = h_.Say(kRosa, "Hola");
  ASSERT_EQ(greeting.size(), 1u);
  EXPECT_TRUE(StartsWith(greeting[0], kIntro)) << "answered inline, within the budget";

  llm_.Enqueue(kChat, HeldFive(gate_));
  bot::testing::HttpReply late = h_.client().Post(
      "/twilio/inbound", h_.client().Text(RunnerHarness::kBotNumber, kRosa, kUnsure));
  EXPECT_EQ(late.status, 200);
  EXPECT_TRUE(bot::testing::TwimlMessages(late.body).empty()) << late.body;
  EXPECT_EQ(llm_.request_count(kChat), 1u) << "the call is still pending";
  EXPECT_EQ(twilio_.message_count(), 0u);

  gate_.Open();
  ASSERT_TRUE(WaitFor([&] { return twilio_.message_count() == 1; }));
  EXPECT_TRUE(StartsWith(SentTo(twilio_, kRosa)[0], kThanksFive)) << SentTo(twilio_, kRosa)[0];
}

// ---- a real botrunner process killed while calls are pending ----

pid_t Spawn(const std::string& config) {
  return bot::testing::SpawnBotrunner(config, {{"OPENAI_API_KEY", FakeLlmServer::kApiKey}});
}

TEST(ProviderWaitCrash, KilledWithCallsPendingEveryTurnCompletesOnceAfterRestart) {
  FakeTwilio twilio;
  FakeLlmServer llm;
  RunnerHarness h("provider_wait_crash");
  const int port = bot::testing::FreePort();
  std::string yaml = YamlFor(h, twilio, llm);
  yaml.replace(yaml.find("port: 0"), 7, "port: " + std::to_string(port));
  const std::string config = (h.dir() / "botrunner.yaml").string();
  std::ofstream(config) << yaml;
  bot::testing::WebhookClient client(port, RunnerHarness::kBase, FakeTwilio::kAuthToken);
  auto healthy = [&] {
    return bot::testing::HttpExchange(port, "GET", "/healthz", "", {}).status == 200;
  };

  pid_t pid = Spawn(config);
  ASSERT_TRUE(WaitFor(healthy));
  const std::vector<std::string> users = {"whatsapp:+5215500000001", "whatsapp:+5215500000002",
                                          "whatsapp:+5215500000003"};
  Gate never;
  for (const std::string& user : users) {
    ASSERT_EQ(
        client.Post("/twilio/inbound", client.Text(RunnerHarness::kBotNumber, user, "Hola")).status,
        200);
    llm.Enqueue(kChat, HeldFive(never));
  }
  ASSERT_TRUE(WaitFor([&] { return twilio.message_count() == users.size(); }));
  for (const std::string& user : users) {
    ASSERT_EQ(client.Post("/twilio/inbound", client.Text(RunnerHarness::kBotNumber, user, kUnsure))
                  .status,
              200);
  }
  ASSERT_TRUE(WaitFor([&] { return llm.request_count(kChat) == users.size(); }));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);

  for (size_t i = 0; i < users.size(); ++i) {
    llm.Enqueue(kChat, bot::testing::ChatReply("{\"value\":\"5\"}", 50, 5));
  }
  pid = Spawn(config);
  ASSERT_TRUE(WaitFor(healthy));
  ASSERT_TRUE(WaitFor([&] { return twilio.message_count() == 2 * users.size(); }));
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  for (const std::string& user : users) {
    std::vector<std::string> sent = SentTo(twilio, user);
    ASSERT_EQ(sent.size(), 2u) << user;
    EXPECT_TRUE(StartsWith(sent[0], kIntro)) << sent[0];
    EXPECT_TRUE(StartsWith(sent[1], kThanksFive)) << sent[1];
  }
  EXPECT_EQ(llm.request_count(kChat), 2 * users.size()) << "each pending call made again once";
}

}  // namespace
