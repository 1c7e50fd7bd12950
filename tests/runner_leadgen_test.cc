// The two ways a real-estate lead arrives, through the real botrunner: a Meta lead form (the
// leadgen webhook: handshake, X-Hub-Signature-256, durable before 200, the lead fetched from a
// fake Graph API, the conversation started bot-first with a template) and a click-to-WhatsApp
// ad (Twilio's Referral* parameters name the ad, the engine finds its offer).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "bot/lead_inbox.h"
#include "bot/sqlite_knowledge.h"
#include "bot/webhooks.h"
#include "leadgen/lead_forms.h"
#include "support/fake_graph.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace bot::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAppSecret = "meta-app-secret";
constexpr const char* kVerifyToken = "verify-me";
constexpr const char* kPage = "153125381133";

template <typename F>
bool Eventually(F condition, std::chrono::milliseconds limit = 10s) {
  for (auto waited = 0ms; waited < limit; waited += 10ms) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

// Meta's notification for one lead; ids as JSON numbers, as Meta's sample sends them.
std::string Notification(const std::string& leadgen_id, const std::string& page = kPage) {
  return R"({"object":"page","entry":[{"id":)" + page +
         R"(,"time":1438292065,"changes":[)"
         R"({"field":"leadgen","value":{"leadgen_id":)" +
         leadgen_id + R"(,"page_id":)" + page +
         R"(,"form_id":12312312312,"adgroup_id":12312312312,"ad_id":120210000000003,)"
         R"("created_time":1440120384}}]}]})";
}

class RunnerLeadgenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kb = SqliteKnowledgeBase::Open(h_.database());
    ASSERT_TRUE(kb.ok());
    ASSERT_TRUE((*kb)
                    ->ImportOffers(RunnerHarness::kBotNumber,
                                   std::string(BOT_SOURCE_DIR) + "/fixtures/offers/cdmx.csv")
                    .ok());
    std::string base = h_.BaseYaml(twilio_, "lead_qualification", "{}", "rest");
    // Outside the 24 h window (a lead never wrote): the number's approved template.
    const std::string vars = "vars: {}}";
    base.replace(base.find(vars), vars.size(), "vars: {}, template: {content_sid: HXleadform01}}");
    yaml_ = base +
            "meta_leadgen:\n  verify_token_env: META_VERIFY\n  app_secret_env: META_SECRET\n"
            "  access_token_env: META_TOKEN\n  graph_base_url: \"" +
            graph_.base_url() + "\"\n  pages:\n    \"" + kPage + "\": {number: \"" +
            RunnerHarness::kBotNumber + "\", region: MX}\n";
  }

  ::testing::AssertionResult Start() {
    return h_.Start(yaml_, [](const std::string& name) -> std::optional<std::string> {
      if (name == "META_VERIFY") return std::string(kVerifyToken);
      if (name == "META_SECRET") return std::string(kAppSecret);
      if (name == "META_TOKEN") return std::string(FakeGraph::kToken);
      return std::nullopt;
    });
  }

  HttpReply Notify(const std::string& body, const std::string& signature) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!signature.empty()) headers.emplace_back("X-Hub-Signature-256", signature);
    return HttpExchange(h_.server().port(), "POST", "/meta/leadgen", body, headers);
  }
  HttpReply NotifySigned(const std::string& body) {
    return Notify(body, MetaSignature(kAppSecret, body));
  }

  std::vector<LeadNotification> Leads() {
    auto inbox = SqliteLeadInbox::Open(h_.database());
    EXPECT_TRUE(inbox.ok());
    auto list = (*inbox)->List(100);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<LeadNotification>{};
  }

  FakeTwilio twilio_;
  FakeGraph graph_;
  RunnerHarness h_{"leadgen"};
  std::string yaml_;
};

TEST_F(RunnerLeadgenTest, TheSubscriptionHandshake) {
  ASSERT_TRUE(Start());
  HttpReply ok = HttpExchange(h_.server().port(), "GET",
                              "/meta/leadgen?hub.mode=subscribe&hub.verify_token=verify-me&"
                              "hub.challenge=1158201444");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  HttpReply bad = HttpExchange(h_.server().port(), "GET",
                               "/meta/leadgen?hub.mode=subscribe&hub.verify_token=nope&"
                               "hub.challenge=1158201444");
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.body.find("1158201444"), std::string::npos);
}

TEST_F(RunnerLeadgenTest, AForgedNotificationIsRefusedAndNothingIsStored) {
  ASSERT_TRUE(Start());
  const std::string body = Notification("123123123123");
  EXPECT_EQ(Notify(body, "").status, 401);
  EXPECT_EQ(Notify(body, MetaSignature("wrong-secret", body)).status, 401);
  EXPECT_EQ(Notify(body + " ", MetaSignature(kAppSecret, body)).status, 401);
  EXPECT_EQ(NotifySigned("not json").status, 400);
  EXPECT_TRUE(Leads().empty());
  EXPECT_EQ(graph_.requests(), 0);
}

TEST_F(RunnerLeadgenTest, ALeadFormStartsTheConversationOnceWithATemplate) {
  graph_.AddLead("123123123123", {{"full_name", "Ana López"},
                                  {"email", "ana@example.com"},
                                  {"phone_number", "55 1234 5678"},
                                  {"presupuesto", "2 a 3 millones"}});
  graph_.FailNext(2, 500);  // the Graph API fails twice, then answers
  ASSERT_TRUE(Start());
  const std::string body = Notification("123123123123");
  EXPECT_EQ(NotifySigned(body).status, 200);
  EXPECT_EQ(NotifySigned(body).status, 200) << "Meta retries: acknowledged, not started again";
  ASSERT_TRUE(Eventually([&] { return twilio_.messages().size() == 1; }));
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(twilio_.messages().size(), 1u);
  FakeTwilio::Message sent = twilio_.messages()[0];
  EXPECT_EQ(sent.content_sid, "HXleadform01");
  EXPECT_NE(sent.to.find("5512345678"), std::string::npos) << sent.to;
  EXPECT_EQ(graph_.requests(), 3);

  ASSERT_TRUE(Eventually([&] { return !Leads().empty() && Leads()[0].status == "started"; }));
  LeadNotification lead = Leads()[0];
  EXPECT_EQ(lead.leadgen_id, "123123123123");
  EXPECT_EQ(lead.ad_id, "120210000000003");
  // The form's answers are the session's variables; the name greets the lead.
  Contact contact = h_.ContactOf(sent.to);
  auto session = h_.server().store().LatestSession(contact.id);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->state, "form_greeting");
  EXPECT_EQ((*session)->vars["name"], "Ana López");
  EXPECT_EQ((*session)->vars["email"], "ana@example.com");
  EXPECT_EQ((*session)->vars["presupuesto"], "2 a 3 millones");
  EXPECT_EQ((*session)->vars["leadgen_id"], "123123123123");
}

TEST_F(RunnerLeadgenTest, ALeadWithoutAValidPhoneFailsWithItsReason) {
  graph_.AddLead("999", {{"full_name", "Sin Teléfono"}, {"phone_number", "12"}});
  ASSERT_TRUE(Start());
  EXPECT_EQ(NotifySigned(Notification("999")).status, 200);
  ASSERT_TRUE(Eventually([&] { return !Leads().empty() && Leads()[0].status == "failed"; }));
  EXPECT_NE(Leads()[0].reason.find("phone"), std::string::npos) << Leads()[0].reason;
  EXPECT_TRUE(twilio_.messages().empty());
  // A page nobody configured: stored, ignored, answered 200 so Meta stops retrying.
  EXPECT_EQ(NotifySigned(Notification("1000", "777")).status, 200);
  ASSERT_TRUE(Eventually([&] { return Leads().size() == 2 && Leads()[0].status == "ignored"; }));
}

TEST_F(RunnerLeadgenTest, ALeadAcceptedBeforeARestartIsStartedAfterIt) {
  graph_.AddLead("4242", {{"full_name", "Beto"}, {"phone_number", "+52 55 8765 4321"}});
  graph_.FailNext(1000, 503);
  ASSERT_TRUE(Start());
  EXPECT_EQ(NotifySigned(Notification("4242")).status, 200);
  h_.Stop();  // while the Graph API is still failing
  ASSERT_EQ(Leads().size(), 1u);
  EXPECT_EQ(Leads()[0].status, "accepted") << Leads()[0].reason;
  graph_.FailNext(0, 200);
  ASSERT_TRUE(Start());
  ASSERT_TRUE(Eventually([&] { return twilio_.messages().size() == 1; }));
  EXPECT_NE(twilio_.messages()[0].to.find("5587654321"), std::string::npos);
  ASSERT_TRUE(Eventually([&] { return Leads()[0].status == "started"; }));
}

TEST_F(RunnerLeadgenTest, AClickToWhatsAppAdNamesTheOfferTheLeadSaw) {
  ASSERT_TRUE(Start());
  const std::string from = "whatsapp:+5215544443333";
  FormParams params = h_.client().Text(RunnerHarness::kBotNumber, from, "Hola, me interesa");
  params.emplace_back("ReferralSourceId", "120210000000003");
  params.emplace_back("ReferralHeadline", "Loft en la Condesa");
  params.emplace_back("ReferralSourceType", "ad");
  params.emplace_back("ReferralCtwaClid", "ARAkLkA8rmlFeiCktEJQ");
  ASSERT_EQ(h_.client().Post("/twilio/inbound", params).status, 200);
  ASSERT_TRUE(Eventually([&] { return !twilio_.messages().empty(); }));
  auto session = h_.server().store().LatestSession(h_.ContactOf(from).id);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->vars["ad_id"], "120210000000003");
  EXPECT_EQ((*session)->vars["ad_click_id"], "ARAkLkA8rmlFeiCktEJQ");
  EXPECT_EQ((*session)->vars["offer_id"], "CO-201");
  EXPECT_EQ((*session)->vars["offer_title"], "Loft en la Condesa");
}

TEST(LeadForms, ReadsMetasFieldData) {
  auto fields = runner::LeadForms::ReadLead(
      R"({"created_time":"2015-02-28T08:49:14+0000","id":"1","field_data":[)"
      R"({"name":"first_name","values":["Joe"]},{"name":"last_name","values":["Example"]},)"
      R"({"name":"phone_number","values":["+1 650 555 1234"]},)"
      R"({"name":"¿Cuándo te mudas?","values":["En 3 meses"]}]})",
      "MX");
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  EXPECT_EQ(fields->address, "whatsapp:+16505551234");
  EXPECT_EQ(fields->vars["name"], "Joe Example");
  EXPECT_FALSE(runner::LeadForms::ReadLead(R"({"id":"1"})", "MX").ok());
}

}  // namespace
}  // namespace bot::testing
