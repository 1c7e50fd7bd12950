// botrunner on PostgreSQL (`database: postgresql://…`): the real server in-process (and, to
// share one database, real botrunner child processes), signed webhooks over HTTP, the
// conversation store on the test PostgreSQL server (a schema per test, `postgres: {schema}`),
// the fake Twilio REST API for the replies.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/postgres_store.h"
#include "bot/testing/fake_clock.h"
#include "config/config.h"
#include "server/server.h"
#include "support/child_botrunner.h"
#include "support/eventually.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"
#include "support/test_postgres.h"
#include "support/webhook_client.h"

namespace runner {
namespace {

using bot::testing::Eventually;
using bot::testing::FakeTwilio;
using bot::testing::RunnerHarness;
using bot::testing::TestSchemas;
using namespace std::chrono_literals;

constexpr const char* kBot = RunnerHarness::kBotNumber;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.starts_with(prefix); }

class RunnerPostgresTest : public ::testing::Test {
 protected:
  // The harness's config with `database:` on the test server, in this test's schema, and
  // `postgres_options` (YAML flow-map entries) added to `postgres:`.
  std::string Yaml(const std::string& reply_mode, const std::string& dialog = "review_rating",
                   const std::string& postgres_options = "") const {
    std::string yaml = harness_.BaseYaml(twilio_, dialog, "{}", reply_mode);
    const std::string line = "database: " + harness_.database() + "\n";
    yaml.replace(yaml.find(line), line.size(),
                 "database: \"" + bot::testing::TestPostgresUri() +
                     "\"\npostgres: {schema: " + schema_ + postgres_options + "}\n");
    return yaml;
  }

  ::testing::AssertionResult Start(const std::string& yaml) {
    return harness_.Start(yaml, ProcessEnv());
  }

  // The first column of the first row of `sql` in this test's schema, read over a connection
  // of its own ("" when there is no row).
  std::string Query(const std::string& sql) const {
    PGconn* conn = PQconnectdb(bot::testing::TestPostgresConninfo().c_str());
    PQclear(PQexec(conn, ("SET search_path TO " + schema_).c_str()));
    PGresult* result = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(conn);
    std::string out = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    PQfinish(conn);
    return out;
  }

  std::vector<FakeTwilio::Message> SentTo(const std::string& to) const {
    std::vector<FakeTwilio::Message> sent;
    for (FakeTwilio::Message& m : twilio_.messages()) {
      if (m.to == to) sent.push_back(std::move(m));
    }
    return sent;
  }

  std::vector<bot::StoredMessage> Stored(const std::string& from) {
    auto messages = harness_.server().store().ListMessages(harness_.ContactOf(from).id);
    return messages.ok() ? *messages : std::vector<bot::StoredMessage>{};
  }

  // Declared first, so destroyed last: the schema is dropped once the server has stopped.
  TestSchemas schemas_;
  const std::string schema_ = schemas_.NewName();
  FakeTwilio twilio_;
  RunnerHarness harness_{"postgres"};
};

TEST_F(RunnerPostgresTest, RestModeRunsTheReviewRatingConversationThroughTheOutbox) {
  ASSERT_TRUE(Start(Yaml("rest")));
  const std::string user = "whatsapp:+593987650001";
  EXPECT_TRUE(harness_.Say(user, "Hola").empty()) << "rest mode acknowledges empty";
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  EXPECT_TRUE(harness_.Say(user, "2").empty());
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  EXPECT_TRUE(harness_.Say(user, "la espera fue larga").empty());
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));

  std::vector<FakeTwilio::Message> sent = SentTo(user);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola! Soy el asistente")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "Lamentamos")) << sent[1].body;
  EXPECT_TRUE(StartsWith(sent[2].body, "Gracias por sus comentarios")) << sent[2].body;
  EXPECT_EQ(sent[0].from, kBot);
  EXPECT_EQ(sent[0].status_callback, std::string(RunnerHarness::kBase) + "/twilio/status");
  ASSERT_TRUE(Eventually([&] {
    std::vector<bot::StoredMessage> stored = Stored(user);
    return stored.size() == 6 && stored[5].status == "sent" && stored[5].provider_id == sent[2].sid;
  }));

  // Status callbacks land on the PostgreSQL rows and never move a message back.
  auto callback = [&](const std::string& status) {
    const bot::FormParams params = {{"AccountSid", FakeTwilio::kAccountSid},
                                    {"From", kBot},
                                    {"To", user},
                                    {"MessageSid", sent[0].sid},
                                    {"MessageStatus", status}};
    return harness_.client().Post("/twilio/status", params).status;
  };
  ASSERT_EQ(callback("delivered"), 200);
  ASSERT_EQ(callback("sent"), 200);
  EXPECT_EQ(Stored(user)[1].status, "delivered");

  // All of it is in this test's schema, and no SQLite file was made.
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), "6");
  EXPECT_EQ(Query("SELECT status FROM messages WHERE direction = 'out' AND provider_id = '" +
                  sent[0].sid + "'"),
            "delivered");
  EXPECT_EQ(Query("SELECT count(*) FROM sessions"), "1");
  EXPECT_FALSE(std::filesystem::exists(harness_.database()));
  EXPECT_EQ(harness_.server().metrics().turns(), 3u);
}

TEST_F(RunnerPostgresTest, TwimlModeAnswersInTheWebhookResponse) {
  ASSERT_TRUE(Start(Yaml("twiml")));
  const std::string user = "whatsapp:+593987650002";
  std::vector<std::string> hello = harness_.Say(user, "Hola");
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_TRUE(StartsWith(hello[0], "¡Hola! Soy el asistente")) << hello[0];
  std::vector<std::string> rating = harness_.Say(user, "5");
  ASSERT_EQ(rating.size(), 1u);
  EXPECT_TRUE(StartsWith(rating[0], "¡Muchas gracias por su calificación de 5")) << rating[0];
  EXPECT_EQ(twilio_.message_requests(), 0u);
  EXPECT_EQ(Query("SELECT string_agg(status, ',' ORDER BY id) FROM messages"),
            "processed,inline,processed,inline");
}

// Two processes behind a load balancer, twiml mode: the next message of a conversation reaches
// this process while another (here: the test's own connection) still holds the conversation for
// a moment. This process waits for the hold and answers the webhook with the turn's reply,
// instead of leaving the message to the holder and answering an empty <Response>.
TEST_F(RunnerPostgresTest, TwimlModeWaitsForAHoldThatIsLetGoSoonAndAnswersInTheResponse) {
  ASSERT_TRUE(Start(Yaml("twiml")));
  const std::string user = "whatsapp:+593987650008";
  ASSERT_EQ(harness_.Say(user, "Hola").size(), 1u);
  auto other = bot::OpenPostgresStore(bot::testing::TestPostgresUri(), {.schema = schema_});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto contact = (*other)->FindContact(kBot, user);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  ASSERT_TRUE(*(*other)->TryHoldConversation((*contact)->id));
  std::thread let_go([&] {
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE((*other)->ReleaseConversation((*contact)->id).ok());
  });
  std::vector<std::string> rating = harness_.Say(user, "2");
  let_go.join();
  ASSERT_EQ(rating.size(), 1u) << "answered in the webhook's response";
  EXPECT_TRUE(StartsWith(rating[0], "Lamentamos")) << rating[0];
  EXPECT_EQ(twilio_.message_requests(), 0u);
}

TEST_F(RunnerPostgresTest, ARetriedWebhookIsAnsweredOnce) {
  ASSERT_TRUE(Start(Yaml("rest")));
  const std::string user = "whatsapp:+593987650003";
  const bot::FormParams hello = harness_.client().Text(kBot, user, "Hola");
  EXPECT_TRUE(harness_.Post(hello).empty());
  EXPECT_TRUE(harness_.Post(hello).empty()) << "Twilio retried: acknowledged, not run again";
  // The next turn's reply leaves after anything the retry could have caused.
  EXPECT_TRUE(harness_.Say(user, "4").empty());
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  ASSERT_TRUE(
      Eventually([&] { return Stored(user).size() == 4 && Stored(user)[3].status == "sent"; }));
  std::vector<FakeTwilio::Message> sent = SentTo(user);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola! Soy el asistente")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "¡Muchas gracias")) << sent[1].body;
  // Counted when the retry's turn lane gets to it, which may be after the next reply left.
  EXPECT_TRUE(Eventually([&] { return harness_.server().metrics().duplicates() == 1; }));
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE direction = 'in'"), "2");
}

// What a previous run left: a reply committed but not sent, and a message accepted but not
// processed. The server sends the one and runs the other before it listens, in order.
TEST_F(RunnerPostgresTest, StartRecoversPendingRepliesAndUnprocessedMessages) {
  const std::string user = "whatsapp:+593987650004";
  {
    auto store = bot::OpenPostgresStore(bot::testing::TestPostgresUri(), {.schema = schema_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto dialogs = bot::LoadDialogDir(std::string(BOT_SOURCE_DIR) + "/dialogs",
                                      std::string(BOT_SOURCE_DIR) + "/prompts");
    ASSERT_TRUE(dialogs.ok());
    bot::SystemClock clock;
    bot::Bot engine(*dialogs, store->get(), &clock);
    bot::InboundMessage m;
    m.channel = kBot;
    m.from = user;
    m.provider_id = "SMbefore00000000000000000000000001";
    m.text = "Hola";
    m.dialog_id = "review_rating";
    m.received_at = clock.Now();
    ASSERT_TRUE(engine.Handle(m, bot::ReplyMode::kOutbox).ok());
    m.provider_id = "SMbefore00000000000000000000000002";
    m.text = "2";
    auto accepted = engine.Accept(m);
    ASSERT_TRUE(accepted.ok());
    ASSERT_FALSE(accepted->duplicate);
  }
  EXPECT_EQ(Query("SELECT string_agg(status, ',' ORDER BY id) FROM messages"),
            "processed,pending,accepted");

  ASSERT_TRUE(Start(Yaml("rest")));
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  std::vector<FakeTwilio::Message> sent = SentTo(user);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "Lamentamos")) << sent[1].body;
  EXPECT_TRUE(harness_.Say(user, "la recepción fue lenta").empty());
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));
  EXPECT_TRUE(StartsWith(SentTo(user)[2].body, "Gracias por sus comentarios"));
  EXPECT_EQ(SentTo(user).size(), 3u);
}

TEST_F(RunnerPostgresTest, SectionsThatNeedSqliteAreRefusedAndNoFileIsMadeForTheUri) {
  const std::string yaml =
      Yaml("rest") + "event_sinks:\n  - {name: crm, url: \"http://127.0.0.1:9/events\"}\n";
  auto config = ParseConfig(yaml, "test.yaml", ProcessEnv());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto server = Server::Create(std::move(*config));
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("event_sinks: needs a SQLite database for now"),
            std::string::npos)
      << server.status().ToString();

  // `postgres:` only goes with a PostgreSQL database.
  const std::string sqlite =
      harness_.BaseYaml(twilio_, "review_rating") + "postgres: {schema: x}\n";
  auto refused = ParseConfig(sqlite, "test.yaml", ProcessEnv());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'postgres' needs a postgresql:// database"),
            std::string::npos)
      << refused.status().ToString();
  // The store's pool has at least one connection.
  auto no_pool =
      ParseConfig(Yaml("rest", "review_rating", ", connections: 0"), "test.yaml", ProcessEnv());
  ASSERT_FALSE(no_pool.ok());
  EXPECT_NE(no_pool.status().message().find("connections"), std::string::npos)
      << no_pool.status().ToString();

  // A server on PostgreSQL opens no SQLite file, not even one named after the URI.
  ASSERT_TRUE(Start(Yaml("rest")));
  EXPECT_EQ(bot::testing::HttpExchange(harness_.server().port(), "GET", "/r/AAAAAAAAAAAAAAAAAAAAAA")
                .status,
            404)
      << "no tracked links on PostgreSQL";
  harness_.Stop();
  for (const std::filesystem::path& dir : {std::filesystem::current_path(), harness_.dir()}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      EXPECT_FALSE(entry.path().filename().string().starts_with("postgres"))
          << entry.path() << " was created";
    }
  }
}

// ---- several processes on one database ----

// A message accepted by a process that died holding its conversation (here the test's own
// store, whose connection closes) is run by the orphan sweep of a live process, in order.
TEST_F(RunnerPostgresTest, MessagesLeftByAProcessThatDiedHoldingTheirConversationAreRunOnce) {
  ASSERT_TRUE(Start(Yaml("rest", "review_rating", ", orphan_sweep_ms: 50")));
  const std::string user = "whatsapp:+593987650005";
  {
    auto store = bot::OpenPostgresStore(bot::testing::TestPostgresUri(), {.schema = schema_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto dialogs = bot::LoadDialogDir(std::string(BOT_SOURCE_DIR) + "/dialogs",
                                      std::string(BOT_SOURCE_DIR) + "/prompts");
    ASSERT_TRUE(dialogs.ok());
    bot::SystemClock clock;
    bot::Bot engine(*dialogs, store->get(), &clock);
    bot::InboundMessage m;
    m.channel = kBot;
    m.from = user;
    m.dialog_id = "review_rating";
    m.received_at = clock.Now();
    int64_t contact_id = 0;
    for (const char* text : {"Hola", "2", "nadie contestó el teléfono"}) {
      m.provider_id = std::string("SMdied") + text[0] + "0000000000000000000000000";
      m.text = text;
      auto accepted = engine.Accept(m);
      ASSERT_TRUE(accepted.ok());
      if (contact_id == 0) {
        auto contact = (*store)->FindContact(kBot, user);
        ASSERT_TRUE(contact.ok() && contact->has_value());
        contact_id = (*contact)->id;
        ASSERT_TRUE(*(*store)->TryHoldConversation(contact_id));  // then it "dies"
      }
    }
  }
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));
  std::vector<FakeTwilio::Message> sent = SentTo(user);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "Lamentamos")) << sent[1].body;
  EXPECT_TRUE(StartsWith(sent[2].body, "Gracias por sus comentarios")) << sent[2].body;
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE status = 'accepted'"), "0");
}

// Child processes a failed assertion must not leave running: killed and reaped at the end.
struct Children {
  std::vector<pid_t> pids;
  pid_t Add(pid_t pid) {
    pids.push_back(pid);
    return pid;
  }
  // Stops `pid` with `signal` and reaps it.
  void End(pid_t pid, int signal) {
    ::kill(pid, signal);
    EXPECT_EQ(::waitpid(pid, nullptr, 0), pid);
    std::erase(pids, pid);
  }
  ~Children() {
    for (pid_t pid : pids) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Two botrunner processes on one database and one fake Twilio, the webhooks of one conversation
// posted to each in turn: every reply once, in order. Then a third process that accepts a
// conversation's messages is killed (SIGKILL); the second finishes them. The killed process
// cannot reach Twilio (its api_origin is a closed port), so no send of its own can be in flight
// when it dies: the one duplicate a crash can cause (docs/runner.md, the duplicate-send window)
// is not what this test looks for.
TEST_F(RunnerPostgresTest, TwoProcessesAnswerAConversationInOrderOnceAndFinishWhatAKilledOneTook) {
  auto config_file = [&](const std::string& name, int port, const std::string& api_origin) {
    std::string yaml = Yaml("rest", "bench_review",
                            ", outbox_lease_ms: 1000, orphan_sweep_ms: 50, connections: 2");
    yaml.replace(yaml.find("port: 0"), 7, "port: " + std::to_string(port));
    yaml.replace(yaml.find(twilio_.origin()), twilio_.origin().size(), api_origin);
    const std::string path = (harness_.dir() / (name + ".yaml")).string();
    std::ofstream(path) << yaml;
    return path;
  };
  auto healthy = [](int port) {
    return Eventually([port] {
      return bot::testing::HttpExchange(port, "GET", "/healthz", "", {}).status == 200;
    });
  };
  const int ports[3] = {bot::testing::FreePort(), bot::testing::FreePort(),
                        bot::testing::FreePort()};
  // One after the other: the first applies the migrations.
  Children children;
  const pid_t first =
      children.Add(bot::testing::SpawnBotrunner(config_file("first", ports[0], twilio_.origin())));
  ASSERT_TRUE(healthy(ports[0]));
  const pid_t second =
      children.Add(bot::testing::SpawnBotrunner(config_file("second", ports[1], twilio_.origin())));
  ASSERT_TRUE(healthy(ports[1]));

  // One client makes the MessageSids (unique); each posts to its own process.
  bot::testing::WebhookClient clients[2] = {
      {ports[0], RunnerHarness::kBase, FakeTwilio::kAuthToken},
      {ports[1], RunnerHarness::kBase, FakeTwilio::kAuthToken}};
  const std::string ana = "whatsapp:+593987650006";
  const std::vector<std::string> burst = {"Hola", "2", "mal servicio", "Hola", "cinco",
                                          "Hola", "x"};
  for (size_t i = 0; i < burst.size(); ++i) {
    ASSERT_EQ(clients[i % 2].Post("/twilio/inbound", clients[0].Text(kBot, ana, burst[i])).status,
              200);
  }
  ASSERT_TRUE(twilio_.WaitForMessages(burst.size(), 10s));
  const std::vector<std::string> expected = {"¡Hola María!", "Lamentamos",      "Gracias por sus",
                                             "¡Hola María!", "¡Muchas gracias", "¡Hola María!",
                                             "No entendí"};
  std::vector<FakeTwilio::Message> sent = SentTo(ana);
  ASSERT_EQ(sent.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(StartsWith(sent[i].body, expected[i])) << i << ": " << sent[i].body;
  }
  children.End(first, SIGTERM);

  // The third process accepts Beto's messages, then is killed before it could send a reply.
  const pid_t third = children.Add(bot::testing::SpawnBotrunner(config_file(
      "third", ports[2], "http://127.0.0.1:" + std::to_string(bot::testing::FreePort()))));
  ASSERT_TRUE(healthy(ports[2]));
  bot::testing::WebhookClient to_third(ports[2], RunnerHarness::kBase, FakeTwilio::kAuthToken);
  const std::string beto = "whatsapp:+593987650007";
  for (const char* text : {"Hola", "2", "la espera"}) {
    ASSERT_EQ(to_third.Post("/twilio/inbound", clients[0].Text(kBot, beto, text)).status, 200);
  }
  children.End(third, SIGKILL);

  ASSERT_TRUE(twilio_.WaitForMessages(burst.size() + 3, 10s));
  sent = SentTo(beto);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola María!")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "Lamentamos")) << sent[1].body;
  EXPECT_TRUE(StartsWith(sent[2].body, "Gracias por sus")) << sent[2].body;
  ASSERT_TRUE(Eventually([&] {
    return Query("SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'sent'") ==
           std::to_string(burst.size() + 3);
  }));
  children.End(second, SIGTERM);
  EXPECT_EQ(SentTo(ana).size(), burst.size());
  EXPECT_EQ(SentTo(beto).size(), 3u);
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE status IN ('accepted', 'pending')"), "0");
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE direction = 'in'"),
            std::to_string(burst.size() + 3));
}

}  // namespace
}  // namespace runner
