// lead_qualification through the real botrunner: a lead asks about the offers in the middle of
// its qualification, is scored hot, and its lead.qualified event reaches the fake CRM signed
// per Standard Webhooks, exactly once, through failed attempts and a restart of the server.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "bot/event_queue.h"
#include "bot/sqlite_knowledge.h"
#include "support/fake_crm.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace bot::testing {
namespace {

using namespace std::chrono_literals;

template <typename F>
bool Eventually(F condition, std::chrono::milliseconds limit = 20s) {
  for (auto waited = 0ms; waited < limit; waited += 10ms) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

std::string Joined(const std::vector<std::string>& replies) {
  std::string out;
  for (const std::string& r : replies) out += r + "\n";
  return out;
}

class RunnerLeadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The number's catalogue, imported as an operator would before serving.
    auto kb = SqliteKnowledgeBase::Open(h_.database());
    ASSERT_TRUE(kb.ok()) << kb.status().ToString();
    auto report = (*kb)->ImportOffers(RunnerHarness::kBotNumber,
                                      std::string(BOT_SOURCE_DIR) + "/fixtures/offers/cdmx.csv");
    ASSERT_TRUE(report.ok() && report->errors.empty());
    yaml_ = h_.BaseYaml(twilio_, "lead_qualification") +
            "events_poll_ms: 20\nevents_retry_base_ms: 50\n"
            "event_sinks:\n"
            "  - {name: crm, url: \"" +
            crm_.url() +
            "\", format: webhook, "
            "secret_env: BOT_CRM_SECRET, types: [lead.qualified], max_attempts: 20}\n"
            "  - {name: pipeline, url: \"" +
            pipeline_.url() + "\", secret_env: BOT_CRM_SECRET}\n";
  }

  ::testing::AssertionResult Start() {
    return h_.Start(yaml_, [](const std::string& name) -> std::optional<std::string> {
      if (name == "BOT_CRM_SECRET") return std::string(FakeCrm::kSecret);
      return std::nullopt;
    });
  }

  // A whole hot qualification; returns the replies to the question asked in the middle.
  std::string QualifyHotLead(const std::string& from) {
    h_.Say(from, "Hola, vi su anuncio");
    h_.Say(from, "Ana López");
    std::string answer = Joined(h_.Say(from, "¿tienen algo con alberca en santa fe?"));
    for (const char* text : {"comprar", "un depa", "Santa Fe", "entre 6 y 8 millones", "2",
                             "lo antes posible", "de contado"}) {
      h_.Say(from, text);
    }
    std::string last = Joined(h_.Say(from, "ana.lopez@example.com"));
    EXPECT_NE(last.find("un asesor"), std::string::npos) << last;
    return answer;
  }

  FakeTwilio twilio_;
  FakeCrm crm_;
  FakeCrm pipeline_;
  RunnerHarness h_{"leads"};
  std::string yaml_;
};

TEST_F(RunnerLeadsTest, AHotLeadReachesTheCrmOnceThroughFailuresAndARestart) {
  ASSERT_TRUE(Start());
  crm_.FailNext(2, 500);
  const std::string answer = QualifyHotLead("whatsapp:+5215511111111");
  // The question in the middle was answered from the catalogue, naming the offers.
  EXPECT_NE(answer.find("Departamento en Santa Fe con alberca"), std::string::npos) << answer;
  EXPECT_NE(answer.find("¿Buscas *comprar* o *rentar*?"), std::string::npos) << answer;

  ASSERT_TRUE(Eventually([&] { return crm_.accepted().size() == 1; }));
  FakeCrm::Received first = crm_.accepted()[0];
  EXPECT_EQ(crm_.attempts(first.webhook_id), 3) << "two failures, then delivered";
  EXPECT_EQ(first.content_type, "application/json");
  EXPECT_NE(first.body.find("\"type\":\"lead.qualified\""), std::string::npos) << first.body;
  EXPECT_NE(first.body.find("\"score\":85"), std::string::npos) << first.body;
  EXPECT_NE(first.body.find("\"status\":\"hot\""), std::string::npos);
  EXPECT_NE(first.body.find("\"financing\":\"contado\""), std::string::npos);
  EXPECT_NE(first.body.find("\"budget_max\":\"8000000.00\""), std::string::npos) << first.body;
  // The conversation travels with the lead, the question included.
  EXPECT_NE(first.body.find("¿tienen algo con alberca en santa fe?"), std::string::npos);
  EXPECT_EQ(crm_.bad_signatures(), 0);

  // A second lead while the CRM is down; the server stops before it is delivered.
  crm_.FailNext(1000, 503, 1);
  QualifyHotLead("whatsapp:+5215522222222");
  ASSERT_TRUE(Eventually([&] { return crm_.requests() >= 4; }));
  h_.Stop();
  crm_.FailNext(0, 200);
  ASSERT_TRUE(Start());
  ASSERT_TRUE(Eventually([&] { return crm_.accepted().size() == 2; }));
  std::this_thread::sleep_for(300ms);  // nothing else may arrive
  std::vector<FakeCrm::Received> accepted = crm_.accepted();
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_NE(accepted[0].webhook_id, accepted[1].webhook_id);
  EXPECT_NE(accepted[1].body.find("5215522222222"), std::string::npos);

  // Both deliveries are recorded as delivered; the pipeline sink got every event type.
  h_.Stop();
  auto queue = SqliteEventQueue::Open(h_.database());
  ASSERT_TRUE(queue.ok());
  auto crm_deliveries = (*queue)->List("", "crm", 100);
  ASSERT_TRUE(crm_deliveries.ok());
  ASSERT_EQ(crm_deliveries->size(), 2u);
  for (const Delivery& d : *crm_deliveries) EXPECT_EQ(d.status, "delivered") << d.last_error;
}

TEST_F(RunnerLeadsTest, ThePipelineGetsEveryEventAsCloudEventsInOrderPerConversation) {
  ASSERT_TRUE(Start());
  QualifyHotLead("whatsapp:+5215533333333");
  ASSERT_TRUE(Eventually([&] {
    for (const auto& r : pipeline_.accepted()) {
      if (r.body.find("com.libbot.lead.qualified") != std::string::npos) return true;
    }
    return false;
  }));
  std::vector<std::string> types;
  for (const auto& r : pipeline_.accepted()) {
    EXPECT_EQ(r.content_type, "application/cloudevents+json; charset=UTF-8");
    EXPECT_NE(r.body.find("\"specversion\":\"1.0\""), std::string::npos);
    size_t at = r.body.find("\"type\":\"com.libbot.");
    ASSERT_NE(at, std::string::npos) << r.body;
    at += 19;
    types.push_back(r.body.substr(at, r.body.find('"', at) - at));
  }
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[0], "conversation.started");
  EXPECT_EQ(types[1], "message.received");
  EXPECT_EQ(types[2], "message.sent");
  auto scored = std::find(types.begin(), types.end(), "lead.scored");
  auto qualified = std::find(types.begin(), types.end(), "lead.qualified");
  ASSERT_NE(scored, types.end());
  EXPECT_EQ(qualified, scored + 1);
  // The CRM sink takes only lead.qualified.
  ASSERT_TRUE(Eventually([&] { return crm_.accepted().size() == 1; }));
}

}  // namespace
}  // namespace bot::testing
