// The admin HTTP API end to end: botrunner built from YAML with an `admin:` listener on
// 127.0.0.1, signed webhooks from a user, the fake Twilio receiving what the outbox sends (rest
// mode), a fake CRM receiving the handoff event, and the API called over real HTTP with bearer
// tokens whose SHA-256 is in the environment.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <list>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "admin/admin_auth.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "cli/commands.h"
#include "config/config.h"
#include "support/admin_tokens.h"
#include "support/eventually.h"
#include "support/fake_crm.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace runner {
namespace {

using bot::testing::Eventually;
using bot::testing::FakeCrm;
using bot::testing::FakeTwilio;
using bot::testing::HttpExchange;
using bot::testing::HttpReply;
using bot::testing::RunnerHarness;
using namespace std::chrono_literals;

constexpr const char* kAna = bot::testing::kAnaToken;    // agent
constexpr const char* kLuis = bot::testing::kLuisToken;  // agent
constexpr const char* kRoot = bot::testing::kRootToken;  // admin
constexpr char kUser[] = "whatsapp:+593987650001";

// The tokens' hashes (support/admin_tokens.h) and the CRM's secret.
std::optional<std::string> Env(const std::string& name) {
  if (name == "BOT_CRM_SECRET") return std::string(FakeCrm::kSecret);
  return bot::testing::AdminTokenEnv(name);
}

constexpr char kAdminYaml[] =
    "admin:\n"
    "  listen: {host: 127.0.0.1, port: 0}\n"
    "  tokens:\n"
    "    - {name: ana, role: agent, sha256_env: ADMIN_ANA}\n"
    "    - {name: luis, role: agent, sha256_env: ADMIN_LUIS}\n"
    "    - {name: root, role: admin, sha256_env: ADMIN_ROOT}\n";

std::string Str(simdjson::dom::element e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string("<not a string>");
}

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest()
      : h_(std::string("admin_") +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()) {}

  // `admin_extra`: more keys of the `admin:` section, indented by two spaces.
  void Start(const bot::Clock* clock = nullptr, const std::string& admin_extra = "") {
    std::string yaml = h_.BaseYaml(twilio_, "review_rating", "{}", "rest") + kAdminYaml +
                       admin_extra +
                       "events_poll_ms: 20\nevents_retry_base_ms: 50\nevent_sinks:\n"
                       "  - {name: desk, url: \"" +
                       crm_.url() +
                       "\", format: webhook, secret_env: BOT_CRM_SECRET, "
                       "types: [conversation.handoff]}\n" +
                       "scheduler_poll_ms: 20\n";
    ASSERT_TRUE(h_.Start(yaml, Env, clock));
    ASSERT_NE(h_.server().admin_port(), 0);
  }

  HttpReply Api(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return HttpExchange(h_.server().admin_port(), method, target, body, headers);
  }

  // The reply's JSON; fails the test when it is not JSON.
  simdjson::dom::element Json(const HttpReply& reply) {
    simdjson::dom::element root;
    auto error = parsers_.emplace_back().parse(reply.body).get(root);
    EXPECT_EQ(error, simdjson::SUCCESS) << reply.body;
    return root;
  }

  std::string Conversation(int64_t id) { return "/admin/api/conversations/" + std::to_string(id); }

  int64_t ContactId(const std::string& from) { return h_.ContactOf(from).id; }

  // The user writes; in rest mode the bot's replies go to the fake Twilio.
  void Say(const std::string& from, const std::string& text) {
    EXPECT_TRUE(h_.Say(from, text).empty());
  }

  // Hands `from`'s conversation to a person (review_rating: "asesor") and waits for the reply.
  void HandOff(const std::string& from) {
    const size_t before = twilio_.message_count();
    Say(from, "asesor");
    ASSERT_TRUE(twilio_.WaitForMessages(before + 1, 10s));
    ASSERT_TRUE(Eventually([&] {
      return h_.server().store().LatestSession(ContactId(from)).ok() &&
             h_.server().store().LatestSession(ContactId(from))->has_value() &&
             (*h_.server().store().LatestSession(ContactId(from)))->status ==
                 bot::SessionStatus::kHandoff;
    }));
  }

  // Whether the conversation's audit has an event `kind` whose detail starts with `detail`.
  bool Audited(int64_t id, const std::string& kind, const std::string& detail) {
    HttpReply r = Api("GET", Conversation(id), kRoot);
    for (simdjson::dom::element a : Json(r)["audit"].get_array()) {
      if (Str(a["kind"]) == kind && Str(a["detail"]).rfind(detail, 0) == 0) return true;
    }
    return false;
  }

  FakeTwilio twilio_;
  FakeCrm crm_;
  bot::testing::FakeClock clock_;  // for the tests that pass it; outlives the server
  RunnerHarness h_;
  std::list<simdjson::dom::parser> parsers_;  // each document lives as long as the test
};

TEST_F(AdminApiTest, EveryRequestNeedsAConfiguredBearerToken) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string list = "/admin/api/conversations";
  HttpReply none = Api("GET", list, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.www_authenticate.rfind("Bearer", 0), 0u) << none.www_authenticate;
  EXPECT_FALSE(Str(Json(none)["error"]).empty());
  HttpReply wrong = Api("GET", list, "agent-ana-token-0002");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.www_authenticate.find("invalid_token"), std::string::npos);
  // The hash itself is not a token.
  EXPECT_EQ(Api("GET", list, *Env("ADMIN_ANA")).status, 401);
  EXPECT_EQ(HttpExchange(h_.server().admin_port(), "GET", list, "",
                         {{"Authorization", std::string("Basic ") + kAna}})
                .status,
            401);
  HttpReply ok = Api("GET", list, kAna);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.content_type, "application/json; charset=utf-8");
  // Upper-case hex in the environment works as well (ADMIN_ROOT).
  EXPECT_EQ(Api("GET", list, kRoot).status, 200);
  // The admin API is not on the webhooks' listener.
  EXPECT_EQ(HttpExchange(h_.server().port(), "GET", list, "",
                         {{"Authorization", std::string("Bearer ") + kAna}})
                .status,
            404);
  EXPECT_EQ(Api("GET", "/admin/api/nothing", kAna).status, 404);
  EXPECT_EQ(Api("POST", list, kAna).status, 405);
  EXPECT_EQ(Api("GET", Conversation(1) + "/claim", kAna).status, 405);
  EXPECT_EQ(Api("GET", Conversation(999), kAna).status, 404);
  EXPECT_EQ(Api("POST", Conversation(999) + "/claim", kAna).status, 404);
}

// The whole desk: the user asks for a person, the desk is told (conversation.handoff), an agent
// claims it, answers through the outbox (the fake Twilio receives it), and gives it back; the
// bot answers the user's next message. Every action is audited with its actor.
TEST_F(AdminApiTest, AHandedOffConversationIsClaimedAnsweredAndReleasedToTheBot) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Say(kUser, "Hola");
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);

  ASSERT_TRUE(Eventually([&] { return crm_.accepted().size() == 1; }));
  simdjson::dom::element event = Json(HttpReply{200, crm_.accepted()[0].body});
  EXPECT_EQ(Str(event["type"]), "conversation.handoff");
  EXPECT_EQ(Str(event["data"]["contact"]), kUser);
  EXPECT_EQ(Str(event["data"]["dialog"]), "review_rating");
  EXPECT_EQ(Str(event["data"]["reason"]), "asesor");
  EXPECT_EQ(int64_t(event["data"]["contact_id"]), id);

  HttpReply waiting = Api("GET", "/admin/api/conversations?status=handoff", kAna);
  ASSERT_EQ(waiting.status, 200) << waiting.body;
  simdjson::dom::array rows = Json(waiting)["conversations"].get_array();
  ASSERT_EQ(rows.size(), 1u) << waiting.body;
  EXPECT_EQ(int64_t(rows.at(0)["id"]), id);
  EXPECT_EQ(Str(rows.at(0)["contact"]), kUser);
  EXPECT_EQ(Str(rows.at(0)["status"]), "handoff");
  EXPECT_TRUE(rows.at(0)["claimed_by"].is_null());

  // Nobody holds it yet: the first claim wins, the second agent is told who has it.
  EXPECT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  EXPECT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200) << "idempotent";
  HttpReply taken = Api("POST", Conversation(id) + "/claim", kLuis);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(Str(Json(taken)["claimed_by"]), "ana");
  EXPECT_EQ(Api("POST", Conversation(id) + "/messages", kLuis, R"({"text":"Soy Luis"})").status,
            409);
  EXPECT_EQ(Api("POST", Conversation(id) + "/release", kLuis).status, 409);

  EXPECT_EQ(Api("POST", Conversation(id) + "/messages", kAna, R"({"txt":"x"})").status, 400);
  EXPECT_EQ(Api("POST", Conversation(id) + "/messages", kAna, "not json").status, 400);
  const size_t before = twilio_.message_count();
  HttpReply sent = Api("POST", Conversation(id) + "/messages", kAna,
                       R"({"text":"Hola, soy Ana. ¿En qué le ayudo?"})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  ASSERT_TRUE(twilio_.WaitForMessages(before + 1, 10s));
  EXPECT_EQ(twilio_.messages().back().to, kUser);
  EXPECT_EQ(twilio_.messages().back().body, "Hola, soy Ana. ¿En qué le ayudo?");

  // An LLM call made for this user's turns, as the usage ledger records it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(h_.database().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_EQ(sqlite3_exec(db,
                         "INSERT INTO usage_records (provider, model, purpose, conversation, at, "
                         "latency_ms, tokens_in, tokens_out, cost_micro_usd, outcome, detail) "
                         "VALUES ('openai', 'gpt-4o-mini', 'slot:rating', "
                         "'whatsapp:+593987650001', 0, 90, 120, 30, 1000150, 'ok', '')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  HttpReply detail = Api("GET", Conversation(id), kAna);
  ASSERT_EQ(detail.status, 200) << detail.body;
  simdjson::dom::element d = Json(detail);
  EXPECT_EQ(Str(d["conversation"]["claimed_by"]), "ana");
  EXPECT_EQ(Str(d["claim"]["agent"]), "ana");
  EXPECT_EQ(Str(d["session"]["status"]), "handoff");
  EXPECT_EQ(Str(d["session"]["dialog"]), "review_rating");
  EXPECT_TRUE(bool(d["window_open"]));
  EXPECT_EQ(int64_t(d["usage"]["calls"]), 1);
  EXPECT_EQ(int64_t(d["usage"]["tokens_in"]), 120);
  EXPECT_EQ(int64_t(d["usage"]["tokens_out"]), 30);
  EXPECT_EQ(Str(d["usage"]["cost_usd"]), "1.000150");
  simdjson::dom::array messages = d["messages"].get_array();
  ASSERT_EQ(messages.size(), 5u) << detail.body;  // Hola, intro, asesor, confirm, Ana's
  EXPECT_EQ(Str(messages.at(0)["author"]), "user");
  EXPECT_EQ(Str(messages.at(0)["text"]), "Hola");
  EXPECT_EQ(Str(messages.at(1)["author"]), "bot");
  simdjson::dom::element mine = messages.at(4);
  EXPECT_EQ(Str(mine["author"]), "agent");
  EXPECT_EQ(Str(mine["agent"]), "ana");
  EXPECT_EQ(Str(mine["direction"]), "out");
  EXPECT_EQ(int64_t(mine["id"]), int64_t(Json(sent)["message_id"]));
  ASSERT_TRUE(Eventually([&] {
    return Str(Json(Api("GET", Conversation(id), kAna))["messages"].at(4)["status"]) == "sent";
  }));

  HttpReply released = Api("POST", Conversation(id) + "/release", kAna);
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_EQ(Api("POST", Conversation(id) + "/release", kAna).status, 409) << "not in handoff";
  d = Json(Api("GET", Conversation(id), kAna));
  EXPECT_EQ(Str(d["session"]["status"]), "active");
  EXPECT_EQ(Str(d["session"]["state"]), "intro");
  EXPECT_TRUE(d["claim"].is_null());

  // The bot answers again, where it was: the rating question.
  const size_t after_release = twilio_.message_count();
  Say(kUser, "5");
  ASSERT_TRUE(twilio_.WaitForMessages(after_release + 1, 10s));
  EXPECT_NE(twilio_.messages().back().body.find("g.page"), std::string::npos)
      << twilio_.messages().back().body;

  EXPECT_TRUE(Audited(id, "agent_claimed", "actor=ana"));
  EXPECT_TRUE(Audited(id, "agent_message", "actor=ana message="));
  EXPECT_TRUE(Audited(id, "handoff_released", "actor=ana state=intro"));
  EXPECT_FALSE(Audited(id, "agent_claimed", "actor=luis")) << "refusals change nothing";
}

TEST_F(AdminApiTest, OutsideThe24HourWindowNothingIsQueuedAndTheApiSaysATemplateIsNeeded) {
  bot::testing::FakeClock& clock = clock_;
  ASSERT_NO_FATAL_FAILURE(Start(&clock));
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  clock.Advance(23h);
  EXPECT_TRUE(bool(Json(Api("GET", Conversation(id), kAna))["window_open"]));
  clock.Advance(2h);
  EXPECT_FALSE(bool(Json(Api("GET", Conversation(id), kAna))["window_open"]));
  const size_t messages = Json(Api("GET", Conversation(id), kAna))["messages"].get_array().size();
  const size_t sent = twilio_.message_count();

  HttpReply late = Api("POST", Conversation(id) + "/messages", kAna, R"({"text":"¿Sigue ahí?"})");
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(Str(Json(late)["error"]).find("template"), std::string::npos) << late.body;
  EXPECT_EQ(Json(Api("GET", Conversation(id), kAna))["messages"].get_array().size(), messages);
  EXPECT_FALSE(Audited(id, "agent_message", "actor=ana"));
  std::this_thread::sleep_for(200ms);  // four outbox polls
  EXPECT_EQ(twilio_.message_count(), sent);

  // Once the user writes again the window is open. The handoff expired meanwhile
  // (session_timeout 24h): the bot greets them in a new session, and Ana's claim of the old one
  // holds nothing, so Luis takes it over.
  Say(kUser, "sigo aquí");
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kLuis).status, 200);
  HttpReply again = Api("POST", Conversation(id) + "/messages", kLuis, R"({"text":"¡Bien!"})");
  EXPECT_EQ(again.status, 202) << again.body;
  ASSERT_TRUE(twilio_.WaitForMessages(sent + 2, 10s));
  EXPECT_EQ(twilio_.messages().back().body, "¡Bien!");
}

// Outside the window a template still goes out: one of the dialog's (`templates:`, by name with
// its named variables) or any approved one (a ContentSid with numbered variables). Both reach
// the fake Twilio as ContentSid + ContentVariables, through the outbox.
TEST_F(AdminApiTest, OutsideThe24HourWindowAnAgentSendsAnApprovedTemplate) {
  ASSERT_NO_FATAL_FAILURE(Start(&clock_));
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  clock_.Advance(25h);
  simdjson::dom::element d = Json(Api("GET", Conversation(id), kAna));
  EXPECT_FALSE(bool(d["window_open"]));
  // The console offers the dialog's templates with their variables.
  simdjson::dom::array templates = d["templates"].get_array();
  ASSERT_EQ(templates.size(), 2u) << "review_rating: ask_rating, ask_rating_reminder";
  EXPECT_EQ(Str(templates.at(0)["name"]), "ask_rating");
  EXPECT_EQ(Str(templates.at(0)["content_sid"]), "HX00000000000000000000000000000001");
  EXPECT_EQ(Str(templates.at(0)["variables"].at(0)), "name");
  EXPECT_EQ(Str(templates.at(0)["variables"].at(1)), "doctor");
  EXPECT_NE(Str(templates.at(0)["text"]).find("{{doctor}}"), std::string::npos);

  const std::string messages = Conversation(id) + "/messages";
  EXPECT_EQ(Api("POST", messages, kAna, R"({"text":"¿Sigue ahí?"})").status, 409);
  struct Refused {
    std::string body;
    std::string error;
  } refused[] = {
      {R"({"template":"nope","variables":{}})", "no template 'nope'"},
      {R"({"template":"ask_rating","variables":{"name":"Ana"}})", "needs variable 'doctor'"},
      {R"({"template":"ask_rating","variables":{"name":"Ana","doctor":"x","age":"3"}})",
       "no variable 'age'"},
      {R"({"template":"ask_rating","variables":{"name":1}})", "must be a string"},
      {R"({"content_sid":"HX123","variables":{"1":"x"}})", "Content SID"},
      {R"({"content_sid":"HX00000000000000000000000000000009","template":"ask_rating"})",
       "not both"},
      {R"({"content_sid":"HX00000000000000000000000000000009","text":"hola"})", "no 'text'"},
  };
  for (const Refused& r : refused) {
    HttpReply reply = Api("POST", messages, kAna, r.body);
    EXPECT_EQ(reply.status, 400) << r.body << ": " << reply.body;
    EXPECT_NE(Str(Json(reply)["error"]).find(r.error), std::string::npos) << reply.body;
  }
  EXPECT_EQ(twilio_.message_count(), 1u) << "only the handoff's reply so far";

  HttpReply named = Api("POST", messages, kAna,
                        R"({"template":"ask_rating","variables":{"doctor":"Dra. Pérez",)"
                        R"("name":"Ana"}})");
  ASSERT_EQ(named.status, 202) << named.body;
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  FakeTwilio::Message sent = twilio_.messages().back();
  EXPECT_EQ(sent.to, kUser);
  EXPECT_EQ(sent.content_sid, "HX00000000000000000000000000000001");
  EXPECT_EQ(sent.content_variables, R"({"1":"Ana","2":"Dra. Pérez"})") << "in the dialog's order";
  EXPECT_TRUE(sent.body.empty());

  HttpReply raw = Api("POST", messages, kAna,
                      R"({"content_sid":"HXabcdef0123456789abcdef0123456789",)"
                      R"("variables":{"1":"Ana"}})");
  ASSERT_EQ(raw.status, 202) << raw.body;
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));
  sent = twilio_.messages().back();
  EXPECT_EQ(sent.content_sid, "HXabcdef0123456789abcdef0123456789");
  EXPECT_EQ(sent.content_variables, R"({"1":"Ana"})");

  // The transcript shows what the user read: the template's prompt with its variables.
  d = Json(Api("GET", Conversation(id), kAna));
  simdjson::dom::array transcript = d["messages"].get_array();
  const size_t n = transcript.size();
  ASSERT_GE(n, 2u);
  EXPECT_EQ(Str(transcript.at(n - 2)["author"]), "agent");
  EXPECT_EQ(Str(transcript.at(n - 2)["text"]).rfind("Hola Ana", 0), 0u)
      << Str(transcript.at(n - 2)["text"]);
  EXPECT_NE(Str(transcript.at(n - 2)["text"]).find("Dra. Pérez"), std::string::npos);
  EXPECT_NE(Str(transcript.at(n - 1)["text"]).find("HXabcdef"), std::string::npos);
  EXPECT_TRUE(Audited(id, "agent_message", "actor=ana message="));
}

// admin.on_duty: each handoff is announced once to the agent on duty, as an approved template
// through the outbox; the user writing while they wait is the same handoff, a new handoff after
// a release is another.
TEST_F(AdminApiTest, TheAgentOnDutyIsToldOfEachHandoffOnceByTemplate) {
  constexpr char kOnDuty[] = "whatsapp:+593999000111";
  ASSERT_NO_FATAL_FAILURE(
      Start(&clock_,
            "  on_duty: {number: \"+593999000111\", from: \"whatsapp:+14155238886\", "
            "content_sid: HX00000000000000000000000000000003, "
            "console_url: \"https://desk.example.test/admin/\"}\n"));
  auto notices = [&] {
    std::vector<FakeTwilio::Message> out;
    for (const FakeTwilio::Message& m : twilio_.messages()) {
      if (m.to == kOnDuty) out.push_back(m);
    }
    return out;
  };
  // The on_duty_notice audits of the on-duty contact: one per announced handoff.
  auto announced = [&] {
    std::vector<std::string> out;
    auto agent = h_.server().store().FindContact(RunnerHarness::kBotNumber, kOnDuty);
    if (!agent.ok() || !agent->has_value()) return out;
    auto audit = h_.server().store().ListAudit((*agent)->id);
    if (!audit.ok()) return out;
    for (const bot::StoredAudit& a : *audit) {
      if (a.event.kind == "on_duty_notice") out.push_back(a.event.detail);
    }
    return out;
  };

  const std::string first_at = std::to_string(bot::ToUnixMillis(clock_.Now()));
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);
  ASSERT_TRUE(Eventually([&] { return notices().size() == 1; }));
  const FakeTwilio::Message notice = notices()[0];
  EXPECT_EQ(notice.from, RunnerHarness::kBotNumber);
  EXPECT_EQ(notice.content_sid, "HX00000000000000000000000000000003");
  EXPECT_EQ(notice.content_variables,
            std::string(R"({"1":")") + kUser +
                R"(","2":"review_rating","3":"https://desk.example.test/admin/#conversation=)" +
                std::to_string(id) + "\"}");
  EXPECT_TRUE(notice.body.empty());

  clock_.Advance(1min);
  Say(kUser, "¿hay alguien?");  // waiting: the same handoff
  clock_.Advance(1min);
  ASSERT_EQ(Api("POST", Conversation(id) + "/release", kRoot).status, 200);
  clock_.Advance(1min);
  const std::string second_at = std::to_string(bot::ToUnixMillis(clock_.Now()));
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  // The notices are written in order in the on-duty number's lane: once the second handoff's
  // is there, any notice of the waiting message would be too.
  ASSERT_TRUE(Eventually([&] { return announced().size() >= 2; }));
  const std::vector<std::string> details = announced();
  ASSERT_EQ(details.size(), 2u);
  EXPECT_NE(details[0].find(" at=" + first_at), std::string::npos) << details[0];
  EXPECT_NE(details[1].find(" at=" + second_at), std::string::npos) << details[1];
  EXPECT_TRUE(Eventually([&] { return notices().size() == 2; }));
}

TEST_F(AdminApiTest, OnlyAnAdminOptsAContactOutAndAnAgentClosesWhatItHolds) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  HttpReply forbidden = Api("POST", Conversation(id) + "/optout", kAna);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_FALSE(Str(Json(forbidden)["error"]).empty());
  EXPECT_EQ(Api("POST", Conversation(id) + "/close", kLuis).status, 409) << "ana holds it";
  EXPECT_EQ(Api("POST", Conversation(id) + "/optout", kRoot).status, 200) << "an admin may";
  EXPECT_EQ(Api("POST", Conversation(id) + "/optout", kRoot).status, 409) << "already";
  EXPECT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 409);
  simdjson::dom::array out =
      Json(Api("GET", "/admin/api/conversations?status=opted_out", kAna))["conversations"]
          .get_array();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(int64_t(out.at(0)["id"]), id);
  EXPECT_TRUE(Audited(id, "agent_opted_out", "actor=root"));
  EXPECT_TRUE(h_.ContactOf(kUser).opted_out);

  const std::string other = "whatsapp:+593987650002";
  ASSERT_NO_FATAL_FAILURE(HandOff(other));
  const int64_t second = ContactId(other);
  ASSERT_EQ(Api("POST", Conversation(second) + "/claim", kLuis).status, 200);
  EXPECT_EQ(Api("POST", Conversation(second) + "/close", kLuis).status, 200);
  EXPECT_EQ(Api("POST", Conversation(second) + "/close", kLuis).status, 409) << "not open";
  EXPECT_EQ(Str(Json(Api("GET", Conversation(second), kLuis))["conversation"]["status"]), "done");
  EXPECT_TRUE(Audited(second, "agent_closed", "actor=luis"));
}

// Claiming a conversation the bot is having takes it over: the bot is silent until released,
// and a release may put it at another state of its dialog.
TEST_F(AdminApiTest, AClaimTakesOverFromTheBotAndAReleaseMayChooseTheState) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Say(kUser, "Hola");
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  const int64_t id = ContactId(kUser);
  EXPECT_EQ(Api("POST", Conversation(id) + "/messages", kAna, R"({"text":"hola"})").status, 409)
      << "the bot has it: claim first";
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  EXPECT_TRUE(Audited(id, "agent_claimed", "actor=ana took over from the bot in state intro"));
  Say(kUser, "3");
  HttpReply bad = Api("POST", Conversation(id) + "/release", kAna, R"({"state":"nowhere"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Str(Json(bad)["error"]).find("nowhere"), std::string::npos);
  EXPECT_EQ(twilio_.message_count(), 1u) << "silent while a person has it";
  ASSERT_EQ(Api("POST", Conversation(id) + "/release", kAna, R"({"state":"ask_feedback"})").status,
            200);
  EXPECT_TRUE(Audited(id, "handoff_released", "actor=ana state=ask_feedback"));
  Say(kUser, "La espera fue muy larga");
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  EXPECT_EQ(twilio_.message_count(), 2u) << "the \"3\" written during the handoff got no answer";
  EXPECT_TRUE(Eventually([&] {
    return Str(Json(Api("GET", Conversation(id), kAna))["session"]["status"]) == "done";
  }));
}

// `botrunner handoff release` (beside the server) drops the claim with the handoff: the next
// handoff of the same session is anybody's.
TEST_F(AdminApiTest, TheCommandLineReleaseDropsTheClaim) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  const int64_t id = ContactId(kUser);
  ASSERT_EQ(Api("POST", Conversation(id) + "/claim", kAna).status, 200);
  ASSERT_TRUE(bot::ReleaseHandoffAs(h_.database(), RunnerHarness::kBotNumber, kUser, "mesa",
                                    std::chrono::system_clock::now())
                  .ok());
  EXPECT_TRUE(Json(Api("GET", Conversation(id), kLuis))["claim"].is_null());
  EXPECT_TRUE(Json(Api("GET", Conversation(id), kLuis))["conversation"]["claimed_by"].is_null());
  ASSERT_NO_FATAL_FAILURE(HandOff(kUser));
  EXPECT_EQ(Api("POST", Conversation(id) + "/claim", kLuis).status, 200);
}

TEST_F(AdminApiTest, TheListIsNewestFirstFilteredSearchedAndPaged) {
  bot::testing::FakeClock& clock = clock_;
  ASSERT_NO_FATAL_FAILURE(Start(&clock));
  const char* users[] = {"whatsapp:+593987650011", "whatsapp:+593987650012",
                         "whatsapp:+593987650013"};
  const char* names[] = {"Ana", "Beatriz", "Carla"};
  for (int i = 0; i < 3; ++i) {
    clock.Advance(1min);
    h_.Post(h_.client().Text(RunnerHarness::kBotNumber, users[i],
                             i == 1 ? "Tengo una pregunta sobre mi factura" : "Hola", names[i]));
  }
  const size_t sent = 3;
  ASSERT_TRUE(twilio_.WaitForMessages(sent, 10s));

  const std::string list = "/admin/api/conversations";
  simdjson::dom::element first = Json(Api("GET", list + "?limit=2", kAna));
  simdjson::dom::array page = first["conversations"].get_array();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(Str(page.at(0)["contact"]), users[2]) << "newest activity first";
  EXPECT_EQ(Str(page.at(1)["contact"]), users[1]);
  const std::string cursor = Str(first["next_cursor"]);
  simdjson::dom::element second = Json(Api("GET", list + "?limit=2&cursor=" + cursor, kAna));
  ASSERT_EQ(second["conversations"].get_array().size(), 1u);
  EXPECT_EQ(Str(second["conversations"].at(0)["contact"]), users[0]);
  EXPECT_TRUE(second["next_cursor"].is_null());

  auto contacts = [&](const std::string& query) {
    std::vector<std::string> out;
    HttpReply r = Api("GET", list + query, kAna);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    if (r.status != 200) return out;
    for (simdjson::dom::element c : Json(r)["conversations"].get_array()) {
      out.push_back(Str(c["contact"]));
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(contacts("?q=beatriz"), V{users[1]}) << "name, any case";
  EXPECT_EQ(contacts("?q=650013"), V{users[2]}) << "phone";
  EXPECT_EQ(contacts("?q=factura"), V{users[1]}) << "message text";
  EXPECT_EQ(contacts("?q=100%25"), V{}) << "% is not a wildcard";
  EXPECT_EQ(contacts("?status=active&dialog=review_rating&number=%2B14155238886").size(), 3u);
  EXPECT_EQ(contacts("?status=handoff"), V{});
  EXPECT_EQ(contacts("?dialog=credit_application"), V{});
  EXPECT_EQ(contacts("?number=%2B5215500000000"), V{});
  EXPECT_EQ(Api("GET", list + "?status=waiting", kAna).status, 400);
  EXPECT_EQ(Api("GET", list + "?limit=0", kAna).status, 400);
  EXPECT_EQ(Api("GET", list + "?cursor=abc", kAna).status, 400);
  EXPECT_EQ(Api("GET", list + "?colour=red", kAna).status, 400);
}

// POST /admin/api/campaigns (docs/campaigns.md): admin role only, the CSV validated with its
// lines, and an imported campaign's opening leaving as a template at the patient's 08:00.
TEST_F(AdminApiTest, AnAdminImportsACampaignWhoseOpeningTemplateLeavesAtEightInTheMorning) {
  // 2026-01-01T12:00Z is 07:00 in Ecuador.
  ASSERT_NO_FATAL_FAILURE(Start(&clock_));
  const std::string path = "/admin/api/campaigns?number=%2B14155238886&source=lunes.csv";
  const std::string csv =
      "phone,name,doctor,consent\r\n+593987650001,Ana,\"Dra. Pérez, MD\",sí\r\n";
  EXPECT_EQ(Api("POST", path, "", csv).status, 401);
  EXPECT_EQ(Api("POST", path, kAna, csv).status, 403);
  EXPECT_EQ(Api("GET", path, kRoot).status, 405);
  HttpReply bad = Api("POST", path, kRoot, "phone,name,consent\n\"+593987650001,Ana,sí\n");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Str(Json(bad)["error"]).find("line 2"), std::string::npos) << bad.body;
  EXPECT_EQ(Api("POST", "/admin/api/campaigns", kRoot, csv).status, 400);  // no number
  HttpReply refused = Api("POST", path, kRoot, csv + "+593987650001,Ana,,sí\r\n");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(Json(refused)["refused"].at(0)["line"].get_int64().value(), 3);

  HttpReply created = Api("POST", path, kRoot, csv);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Str(Json(created)["first_due"]), "2026-01-01T13:00:00Z");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(twilio_.message_count(), 0u);  // not before 08:00 local
  clock_.Advance(1h);
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  const FakeTwilio::Message sent = twilio_.messages()[0];
  EXPECT_EQ(sent.to, "whatsapp:+593987650001");
  EXPECT_EQ(sent.content_sid, "HX00000000000000000000000000000001");
  EXPECT_EQ(sent.content_variables, R"({"1":"Ana","2":"Dra. Pérez, MD"})");
  EXPECT_TRUE(sent.body.empty());
}

// `botrunner campaign report <id> --db <file> [--format ...]`, in process: its stdout.
std::string RunCampaignReport(const std::string& db, int64_t id, const std::string& format) {
  CLI::App app;
  int exit_code = -1;
  AddCampaignCommand(app, &exit_code);
  std::vector<std::string> args = {"campaign", "report", std::to_string(id), "--db", db,
                                   "--format", format};
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  ::testing::internal::CaptureStdout();
  app.parse(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(exit_code, 0);
  return out;
}

// The CSV report's rows: metric -> value; fails the test on a row without exactly two fields.
std::map<std::string, std::string> CsvRows(const std::string& csv) {
  std::map<std::string, std::string> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "metric,value");
  while (std::getline(in, line)) {
    const size_t comma = line.find(',');
    EXPECT_TRUE(comma != std::string::npos && line.find(',', comma + 1) == std::string::npos)
        << line;
    if (comma != std::string::npos) rows[line.substr(0, comma)] = line.substr(comma + 1);
  }
  return rows;
}

// Issue 16's campaign report: three patients, the review link tracked through botrunner's
// /r/<token>; Ana rates 5 and clicks the link twice, Beto rates 2 and says why, Carla never
// answers and her opening fails (63016). The report, from the admin API and the command, in
// JSON and CSV, has exactly these figures.
TEST_F(AdminApiTest, ACampaignReportCountsDeliveryRatingsFeedbackAndReviewLinkClicks) {
  ASSERT_NO_FATAL_FAILURE(Start(&clock_));  // 07:00 in Ecuador
  constexpr char kBeto[] = "whatsapp:+593987650002";
  constexpr char kCarla[] = "whatsapp:+593987650003";
  HttpReply created =
      Api("POST", "/admin/api/campaigns?number=%2B14155238886&source=martes.csv", kRoot,
          "phone,name,consent\n+593987650001,Ana,sí\n+593987650002,Beto,sí\n"
          "+593987650003,Carla,sí\n");
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = Json(created)["campaign_id"].get_int64().value();
  clock_.Advance(1h);
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));
  Say(kUser, "5");
  Say(kBeto, "2");
  ASSERT_TRUE(twilio_.WaitForMessages(5, 10s));
  Say(kBeto, "La espera fue muy larga");
  ASSERT_TRUE(twilio_.WaitForMessages(6, 10s));
  ASSERT_TRUE(Eventually([&] { return *h_.server().store().OutboxDepth() == 0; }));

  std::map<std::string, std::string> opening;  // address -> the opening's MessageSid
  std::string link;
  for (const FakeTwilio::Message& m : twilio_.messages()) {
    if (!m.content_sid.empty()) opening[m.to] = m.sid;
    if (m.to == kUser && m.body.find("/r/") != std::string::npos) {
      link = m.body.substr(m.body.find(bot::testing::RunnerHarness::kBase));
    }
  }
  ASSERT_EQ(opening.size(), 3u);
  // The patient got botrunner's redirect, not the review page itself.
  const std::string prefix = std::string(bot::testing::RunnerHarness::kBase) + "/r/";
  ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
  const std::string token = link.substr(prefix.size(), 22);
  ASSERT_EQ(link.size(), prefix.size() + 22) << link;

  auto status = [&](const std::string& to, const std::string& value, const std::string& code) {
    bot::FormParams p = {{"AccountSid", FakeTwilio::kAccountSid},
                         {"From", bot::testing::RunnerHarness::kBotNumber},
                         {"MessageSid", opening[to]},
                         {"MessageStatus", value}};
    if (!code.empty()) p.emplace_back("ErrorCode", code);
    EXPECT_EQ(h_.client().Post("/twilio/status", p).status, 200);
  };
  status(kUser, "delivered", "");
  status(kUser, "read", "");
  status(kBeto, "delivered", "");
  status(kCarla, "failed", "63016");

  const int port = h_.server().port();
  const std::vector<std::pair<std::string, std::string>> browser = {{"User-Agent", "Mozilla/5.0"}};
  for (int i = 0; i < 2; ++i) {
    HttpReply click = HttpExchange(port, "GET", "/r/" + token, "", browser);
    EXPECT_EQ(click.status, 302);
    EXPECT_EQ(click.headers["location"], "https://g.page/r/EXAMPLE/review");
  }
  EXPECT_EQ(HttpExchange(port, "GET", "/r/AAAAAAAAAAAAAAAAAAAAAA").status, 404);
  EXPECT_EQ(HttpExchange(port, "GET", "/r/" + token + "x").status, 404);
  EXPECT_EQ(HttpExchange(port, "GET", "/r/https:%2F%2Fevil.example").status, 404);
  EXPECT_EQ(HttpExchange(port, "POST", "/r/" + token).status, 405);

  const std::string report = "/admin/api/campaigns/" + std::to_string(id) + "/report";
  EXPECT_EQ(Api("GET", report, "").status, 401);
  EXPECT_EQ(Api("GET", "/admin/api/campaigns/99/report", kRoot).status, 404);
  EXPECT_EQ(Api("GET", report + "?format=xml", kRoot).status, 400);
  HttpReply api_json = Api("GET", report, kAna);
  ASSERT_EQ(api_json.status, 200) << api_json.body;
  const std::string cli_json = RunCampaignReport(h_.database(), id, "json");
  for (const std::string& body : {api_json.body, cli_json}) {
    simdjson::dom::element r = Json(HttpReply{200, body});
    EXPECT_EQ(r["id"].get_int64().value(), id);
    EXPECT_EQ(Str(r["source"]), "martes.csv");
    EXPECT_EQ(r["recipients"]["total"].get_int64().value(), 3);
    EXPECT_EQ(r["messages"]["total"].get_int64().value(), 6) << body;
    EXPECT_EQ(r["messages"]["delivered"].get_int64().value(), 2);
    EXPECT_EQ(r["messages"]["read"].get_int64().value(), 1);
    EXPECT_EQ(r["messages"]["failed"].get_int64().value(), 1);
    EXPECT_EQ(r["messages"]["failed_by_code"]["63016"].get_int64().value(), 1);
    EXPECT_EQ(r["replied"].get_int64().value(), 2);
    for (int64_t rating = 1; rating <= 5; ++rating) {
      EXPECT_EQ(r["ratings"][std::to_string(rating)].get_int64().value(),
                rating == 5 || rating == 2 ? 1 : 0)
          << rating;
    }
    EXPECT_EQ(r["rated"].get_int64().value(), 2);
    EXPECT_EQ(r["share_4_5"].get_double().value(), 0.5);
    EXPECT_EQ(r["feedback"]["count"].get_int64().value(), 1);
    EXPECT_EQ(Str(r["feedback"]["texts"].at(0)["text"]), "La espera fue muy larga");
    EXPECT_EQ(r["feedback"]["texts"].at(0)["rating"].get_int64().value(), 2);
    EXPECT_EQ(r["links"]["tracked"].get_int64().value(), 3);
    EXPECT_EQ(r["links"]["recipients_clicked"].get_int64().value(), 1);
    EXPECT_EQ(r["links"]["clicks"].get_int64().value(), 2);
  }
  HttpReply api_csv = Api("GET", report + "?format=csv", kRoot);
  ASSERT_EQ(api_csv.status, 200);
  const std::string cli_csv = RunCampaignReport(h_.database(), id, "csv");
  EXPECT_EQ(api_csv.body, cli_csv);
  std::map<std::string, std::string> rows = CsvRows(cli_csv);
  const std::map<std::string, std::string> expected = {
      {"recipients", "3"}, {"messages", "6"}, {"delivered", "2"},
      {"read", "1"},       {"failed", "1"},   {"failed.63016", "1"},
      {"replied", "2"},    {"rating.1", "0"}, {"rating.2", "1"},
      {"rating.5", "1"},   {"rated", "2"},    {"share_4_5", "0.5"},
      {"feedback", "1"},   {"links", "3"},    {"recipients_clicked", "1"},
      {"clicks", "2"}};
  for (const auto& [metric, value] : expected) EXPECT_EQ(rows[metric], value) << metric;
}

TEST(AdminConfig, RefusesTokensThatAreNotHashesAndUnknownRolesWithTheLine) {
  auto parse = [](const std::string& tokens) {
    return ParseConfig(
        "numbers: [{to: \"whatsapp:+14155238886\", dialog: review_rating}]\n"
        "admin:\n  tokens:\n" +
            tokens,
        "bot.yaml", Env);
  };
  auto good = parse("    - {name: ana, role: agent, sha256_env: ADMIN_ANA}\n");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  ASSERT_TRUE(good->admin.has_value());
  EXPECT_EQ(good->admin->port, 8081);
  EXPECT_EQ(good->admin->tokens[0].sha256.size(), 32u);

  struct Case {
    std::string tokens;
    std::string error;
  } cases[] = {
      {"    - {name: ana, role: agent, sha256_env: BOT_CRM_SECRET}\n", "bot.yaml:4:"},
      {"    - {name: ana, role: agent, sha256_env: UNSET_VAR}\n", "UNSET_VAR"},
      {"    - {name: ana, role: boss, sha256_env: ADMIN_ANA}\n", "role agent or admin"},
      {"    - {name: ana, role: agent, token: abc}\n", "token"},
      {"    - {name: ana, role: agent, sha256_env: ADMIN_ANA}\n"
       "    - {name: ana, role: admin, sha256_env: ADMIN_ROOT}\n",
       "twice"},
      {"    - {name: ana, role: agent, sha256_env: ADMIN_ANA}\n"
       "    - {name: eva, role: admin, sha256_env: ADMIN_ANA}\n",
       "same hash"},
      {"    - {name: \"ana lópez\", role: agent, sha256_env: ADMIN_ANA}\n", "name"},
  };
  for (const Case& c : cases) {
    auto parsed = parse(c.tokens);
    ASSERT_FALSE(parsed.ok()) << c.tokens;
    EXPECT_NE(parsed.status().message().find(c.error), std::string::npos)
        << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("3ff1f122"), std::string::npos) << "no secret";
  }
  EXPECT_FALSE(ParseConfig("admin: {listen: {host: 127.0.0.1}}\n", "bot.yaml", Env).ok())
      << "no tokens";
}

TEST(AdminConfig, ReadsTokenTenantsAndTheOnDutyNoticeAndRefusesWhatCannotWork) {
  auto parse = [](const std::string& admin) {
    return ParseConfig(
        "accounts: {main: {sid: AC1, auth_token: t}, other: {sid: AC2, auth_token: u}}\n"
        "numbers:\n"
        "  - {to: \"whatsapp:+14155238886\", dialog: review_rating, account: main, "
        "tenant: clinic_a}\n"
        "  - {to: \"whatsapp:+14155238887\", dialog: review_rating, account: main, "
        "tenant: clinic_b}\n"
        "  - {to: \"whatsapp:+14155238888\", dialog: review_rating}\n"
        "admin:\n  listen: {host: 10.0.0.5, port: 8081}\n" +
            admin,
        "bot.yaml", Env);
  };
  const std::string ana = "  tokens: [{name: ana, role: agent, sha256_env: ADMIN_ANA";
  auto good = parse(ana +
                    ", tenants: [clinic_a, clinic_b]}]\n"
                    "  on_duty: {number: \"+593999000111\", from: \"+14155238886\", "
                    "content_sid: HX00000000000000000000000000000003}\n");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->admin->tokens[0].tenants, (std::vector<std::string>{"clinic_a", "clinic_b"}));
  ASSERT_TRUE(good->admin->on_duty.has_value());
  EXPECT_EQ(good->admin->on_duty->number, "whatsapp:+593999000111");
  EXPECT_EQ(good->admin->on_duty->from, "whatsapp:+14155238886");
  EXPECT_EQ(good->admin->on_duty->console_url, "http://10.0.0.5:8081/admin/");
  auto all = parse(ana + "}]\n");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(all->admin->tokens[0].tenants.empty()) << "no tenants: all of them";
  EXPECT_FALSE(all->admin->on_duty.has_value());

  struct Case {
    std::string admin;
    std::string error;
  } cases[] = {
      {ana + ", tenants: [clinic_c]}]\n", "no number has tenant 'clinic_c'"},
      {ana + ", tenants: []}]\n", "non-empty"},
      {ana + "}]\n  on_duty: {number: \"+593999000111\", from: \"+14155238888\", "
             "content_sid: HX00000000000000000000000000000003}\n",
       "with an account"},
      {ana + "}]\n  on_duty: {number: \"+593999000111\", from: \"+14155230000\", "
             "content_sid: HX00000000000000000000000000000003}\n",
       "one of the numbers"},
      {ana + "}]\n  on_duty: {number: \"+593999000111\", from: \"+14155238886\"}\n", "content_sid"},
      {ana + "}]\n  on_duty: {from: \"+14155238886\", "
             "content_sid: HX00000000000000000000000000000003}\n",
       "the agent's number"},
      {ana + "}]\n  on_duty: {number: \"+593999000111\", from: \"+14155238886\", "
             "content_sid: HX00000000000000000000000000000003, text: hola}\n",
       "text"},
  };
  for (const Case& c : cases) {
    auto parsed = parse(c.admin);
    ASSERT_FALSE(parsed.ok()) << c.admin;
    EXPECT_NE(parsed.status().message().find(c.error), std::string::npos)
        << parsed.status().message();
  }
}

TEST(AdminConfig, TheExampleConfigsAdminBlockIsValidOnceUncommented) {
  std::ifstream in(std::string(BOT_SOURCE_DIR) + "/runner/botrunner.example.yaml");
  std::string yaml, line;
  bool in_block = false;
  while (std::getline(in, line)) {
    in_block = in_block ? line.rfind("#", 0) == 0 : line == "# admin:";
    yaml += (in_block ? line.substr(2) : line) + "\n";
  }
  bot::Result<RunnerConfig> c =
      ParseConfig(yaml, "botrunner.example.yaml", [](const std::string& name) {
        return name.rfind("ADMIN_", 0) == 0 ? std::optional<std::string>(Sha256Hex(name))
                                            : std::nullopt;
      });
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->admin.has_value()) << "the example lost its admin block";
  EXPECT_EQ(c->admin->tokens.size(), 2u);
}

TEST(AdminAuth, HashesTheBearerTokenAndComparesItWithEveryConfiguredHash) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  AdminTokenConfig ana;
  ana.name = "ana";
  ana.sha256 = std::string(32, '\0');
  AdminTokenConfig root;
  root.name = "root";
  root.role = AdminTokenConfig::Role::kAdmin;
  const std::string hex = Sha256Hex("s3cret");
  for (size_t i = 0; i < 32; ++i) {
    root.sha256.push_back(static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16)));
  }
  AdminAuth auth({ana, root});
  const AdminTokenConfig* found = auth.Authenticate("Bearer s3cret");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "root");
  EXPECT_NE(auth.Authenticate("bearer s3cret"), nullptr) << "the scheme is case-insensitive";
  EXPECT_EQ(auth.Authenticate("Bearer s3cret "), nullptr);
  EXPECT_EQ(auth.Authenticate("Bearer "), nullptr);
  EXPECT_EQ(auth.Authenticate("s3cret"), nullptr);
  EXPECT_EQ(auth.Authenticate(""), nullptr);
}

}  // namespace
}  // namespace runner
