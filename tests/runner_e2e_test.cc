// botrunner end to end: the real server on 127.0.0.1 (port 0, in-process), signed webhooks over
// real HTTP, the SQLite store, and the fake Twilio REST API for the replies sent in rest mode.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "bot/twilio.h"
#include "config/config.h"
#include "server/server.h"
#include "support/fake_twilio.h"
#include "support/webhook_client.h"

namespace runner {
namespace {

using bot::testing::FakeTwilio;
using namespace std::chrono_literals;

constexpr const char* kBot = "whatsapp:+14155238886";
constexpr const char* kBase = "https://bot.example.test";  // behind a TLS-terminating proxy

using Reply = bot::testing::HttpReply;
using bot::testing::HttpExchange;
using bot::testing::TwimlMessages;
bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Polls `condition` (the server works on other threads) for up to 10 s.
template <typename F>
bool Eventually(F condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

class RunnerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("runner_e2e_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }

  RunnerConfig Config(ReplyChannel mode, const std::string& dialog = "bench_review") {
    RunnerConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.public_base_url = kBase;
    c.database = (dir_ / "bot.db").string();
    c.media_dir = (dir_ / "media").string();
    c.dialogs_dir = std::string(BOT_SOURCE_DIR) + "/dialogs";
    c.prompts_dir = std::string(BOT_SOURCE_DIR) + "/prompts";
    c.reply_mode = mode;
    c.accounts["main"] = AccountConfig{"main", FakeTwilio::kAccountSid, FakeTwilio::kAuthToken,
                                       twilio_.origin()};
    NumberConfig number;
    number.to = kBot;
    number.dialog = dialog;
    number.account = "main";
    c.numbers.push_back(number);
    c.outbox_poll = 50ms;
    c.retry_base = 20ms;
    c.retry_cap = 100ms;
    return c;
  }

  void StartServer(RunnerConfig config, const bot::Clock* clock = nullptr) {
    ServerOptions options;
    options.clock = clock;
    options.log_level = log_level_;
    options.log_sink = log_sink_;
    auto created = Server::Create(std::move(config), options);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(*created);
    bot::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    port_ = server_->port();
    thread_ = std::thread([this] { server_->Run(); });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
    server_.reset();
  }

  static bot::FormParams Params(const std::string& from, const std::string& body,
                                const std::string& sid) {
    return {{"SmsMessageSid", sid}, {"NumMedia", "0"},        {"ProfileName", "María"},
            {"MessageType", "text"}, {"SmsSid", sid},         {"WaId", from.substr(10)},
            {"SmsStatus", "received"}, {"Body", body},        {"To", kBot},
            {"NumSegments", "1"},    {"MessageSid", sid},     {"AccountSid", FakeTwilio::kAccountSid},
            {"From", from},          {"ApiVersion", "2010-04-01"}};
  }

  Reply PostSigned(const std::string& path, const bot::FormParams& params,
                   const std::string& token = FakeTwilio::kAuthToken) {
    std::string signature = bot::ComputeTwilioSignature(token, std::string(kBase) + path, params);
    return HttpExchange(port_, "POST", path, bot::FormEncode(params),
                    {{"X-Twilio-Signature", signature}});
  }

  Reply Say(const std::string& from, const std::string& body) {
    return PostSigned("/twilio/inbound", Params(from, body, NextSid()));
  }

  std::string NextSid() {
    char buf[40];
    std::snprintf(buf, sizeof buf, "SM%032d", ++sid_counter_);
    return buf;
  }

  std::vector<bot::StoredMessage> StoredMessages(const std::string& from) {
    auto contact = server_->store().FindContact(kBot, from);
    if (!contact.ok() || !contact->has_value()) return {};
    auto messages = server_->store().ListMessages((*contact)->id);
    return messages.ok() ? *messages : std::vector<bot::StoredMessage>{};
  }

  std::vector<std::string> SentTo(const std::string& to) {
    std::vector<std::string> bodies;
    for (const auto& m : twilio_.messages()) {
      if (m.to == to) bodies.push_back(m.body);
    }
    return bodies;
  }

  std::filesystem::path dir_;
  LogLevel log_level_ = LogLevel::kError;
  runner::Logger::Sink log_sink_;  // default: stderr
  FakeTwilio twilio_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> sid_counter_{0};
};

TEST_F(RunnerE2eTest, TwimlModeRunsTheReviewRatingConversationInline) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml, "review_rating")));
  const std::string user = "whatsapp:+593987654321";
  Reply hello = Say(user, "Hola");
  ASSERT_EQ(hello.status, 200);
  EXPECT_NE(hello.content_type.find("text/xml"), std::string::npos);
  ASSERT_EQ(TwimlMessages(hello.body).size(), 1u);
  EXPECT_TRUE(StartsWith(TwimlMessages(hello.body)[0], "¡Hola! Soy el asistente")) << hello.body;

  Reply rating = Say(user, "dos");
  ASSERT_EQ(TwimlMessages(rating.body).size(), 1u);
  EXPECT_TRUE(StartsWith(TwimlMessages(rating.body)[0], "Lamentamos")) << rating.body;

  Reply feedback = Say(user, "Esperé <1 hora> & nadie me atendió");
  ASSERT_EQ(TwimlMessages(feedback.body).size(), 1u);
  EXPECT_TRUE(StartsWith(TwimlMessages(feedback.body)[0], "Gracias por sus comentarios"));

  EXPECT_EQ(twilio_.message_requests(), 0u) << "twiml mode never uses the REST API";
  std::vector<bot::StoredMessage> stored = StoredMessages(user);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[4].text, "Esperé <1 hora> & nadie me atendió");
  EXPECT_EQ(stored[5].status, "inline");
  EXPECT_EQ(server_->metrics().turns(), 3u);
}

TEST_F(RunnerE2eTest, RestModeAcknowledgesEmptyAndSendsThroughTheApi) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest, "review_rating")));
  const std::string user = "whatsapp:+593987654322";
  Reply hello = Say(user, "Hola");
  ASSERT_EQ(hello.status, 200);
  EXPECT_TRUE(TwimlMessages(hello.body).empty()) << hello.body;
  EXPECT_NE(hello.body.find("<Response></Response>"), std::string::npos);
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));

  Reply rating = Say(user, "5");
  EXPECT_TRUE(TwimlMessages(rating.body).empty());
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));

  std::vector<FakeTwilio::Message> sent = twilio_.messages();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(StartsWith(sent[0].body, "¡Hola! Soy el asistente")) << sent[0].body;
  EXPECT_TRUE(StartsWith(sent[1].body, "¡Muchas gracias por su calificación de 5")) << sent[1].body;
  EXPECT_EQ(sent[1].to, user);
  EXPECT_EQ(sent[1].from, kBot);
  EXPECT_EQ(sent[1].status_callback, std::string(kBase) + "/twilio/status");
  ASSERT_TRUE(Eventually([&] {
    auto stored = StoredMessages(user);
    return stored.size() == 4 && stored[3].status == "sent" && stored[3].provider_id == sent[1].sid;
  }));
}

TEST_F(RunnerE2eTest, DuplicateDeliveryIsAnsweredOnceInBothModes) {
  for (ReplyChannel mode : {ReplyChannel::kTwiml, ReplyChannel::kRest}) {
    ASSERT_NO_FATAL_FAILURE(StartServer(Config(mode)));
    const std::string user =
        mode == ReplyChannel::kTwiml ? "whatsapp:+593900000001" : "whatsapp:+593900000002";
    bot::FormParams params = Params(user, "Hola", NextSid());
    Reply first = PostSigned("/twilio/inbound", params);
    Reply again = PostSigned("/twilio/inbound", params);
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(again.status, 200);
    EXPECT_TRUE(TwimlMessages(again.body).empty()) << again.body;
    if (mode == ReplyChannel::kTwiml) {
      EXPECT_EQ(TwimlMessages(first.body).size(), 1u);
    } else {
      // The next turn's reply proves the duplicate's turn (if any) would have been sent first.
      Say(user, "4");
      ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
      std::vector<std::string> sent = SentTo(user);
      ASSERT_EQ(sent.size(), 2u);
      EXPECT_TRUE(StartsWith(sent[0], "¡Hola María!"));
      EXPECT_TRUE(StartsWith(sent[1], "¡Muchas gracias"));
    }
    EXPECT_EQ(server_->metrics().duplicates(), 1u);
    EXPECT_EQ(StoredMessages(user).size(), mode == ReplyChannel::kTwiml ? 2u : 4u);
    StopServer();
  }
}

TEST_F(RunnerE2eTest, BurstFromOneSenderIsAnsweredInArrivalOrder) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  const std::string user = "whatsapp:+593911111111";
  // Each webhook waits only for its acknowledgement, so the turns queue up behind each other.
  const std::vector<std::string> burst = {"Hola", "2", "mal servicio", "Hola", "cinco", "Hola", "x"};
  for (const std::string& text : burst) ASSERT_EQ(Say(user, text).status, 200);
  ASSERT_TRUE(twilio_.WaitForMessages(burst.size(), 10s));
  std::vector<std::string> sent = SentTo(user);
  const std::vector<std::string> expected = {"¡Hola María!",  "Lamentamos",    "Gracias por sus",
                                             "¡Hola María!",  "¡Muchas gracias", "¡Hola María!",
                                             "No entendí"};
  ASSERT_EQ(sent.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(StartsWith(sent[i], expected[i])) << i << ": " << sent[i];
  }
}

TEST_F(RunnerE2eTest, ManySendersAtOnceEachGetTheirOwnConversation) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  constexpr int kUsers = 24;
  std::atomic<int> correct{0};
  std::vector<std::thread> users;
  for (int u = 0; u < kUsers; ++u) {
    users.emplace_back([this, u, &correct] {
      std::string user = "whatsapp:+5939200000" + std::to_string(10 + u);
      bool happy = u % 2 == 0;
      std::vector<std::string> a = TwimlMessages(Say(user, "Hola").body);
      std::vector<std::string> b = TwimlMessages(Say(user, happy ? "5" : "1").body);
      bool ok = a.size() == 1 && StartsWith(a[0], "¡Hola María!") && b.size() == 1 &&
                StartsWith(b[0], happy ? "¡Muchas gracias por su calificación de 5" : "Lamentamos");
      if (ok) ++correct;
    });
  }
  for (std::thread& t : users) t.join();
  EXPECT_EQ(correct.load(), kUsers);
  EXPECT_EQ(server_->metrics().turns(), 2u * kUsers);
}

// The count `sql` returns (with ?1 = `address`), read by a connection of the test's own: it sees
// only committed rows, as another process or the server after a crash would.
int64_t CommittedCount(const std::filesystem::path& db_path, const std::string& sql,
                       const std::string& address) {
  sqlite3* db = nullptr;
  int64_t count = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, address.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

// Group commit must not answer early: the moment a webhook is answered, what it acknowledges is
// committed. TwiML: the processed message and its reply. REST: the accepted message. Checked
// from another connection for many senders at once (so the turns share groups), in both modes,
// and with group_commit off.
TEST_F(RunnerE2eTest, AWebhookIsAnsweredOnlyOnceWhatItAcknowledgesIsCommitted) {
  const std::string kInbound =
      "SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
      "WHERE c.address = ?1 AND m.direction = 'in'";
  const std::string kProcessedAndReplied =
      "SELECT (SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
      "WHERE c.address = ?1 AND m.direction = 'in' AND m.status = 'processed') * 100 + "
      "(SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
      "WHERE c.address = ?1 AND m.direction = 'out')";
  struct Case {
    ReplyChannel mode;
    bool group_commit;
  };
  int round = 0;
  for (Case c : {Case{ReplyChannel::kTwiml, true}, Case{ReplyChannel::kRest, true},
                 Case{ReplyChannel::kTwiml, false}}) {
    SCOPED_TRACE(::testing::Message() << "rest=" << (c.mode == ReplyChannel::kRest)
                                      << " group_commit=" << c.group_commit);
    RunnerConfig config = Config(c.mode);
    config.group_commit = c.group_commit;
    ASSERT_NO_FATAL_FAILURE(StartServer(config));
    constexpr int kUsers = 16;
    std::atomic<int> committed{0};
    std::vector<std::thread> users;
    for (int u = 0; u < kUsers; ++u) {
      users.emplace_back([&, u] {
        std::string user = "whatsapp:+5939300" + std::to_string(round) + std::to_string(1000 + u);
        bool ok = true;
        for (int turn = 1; turn <= 2; ++turn) {
          Reply reply = Say(user, turn == 1 ? "Hola" : "5");
          ok = ok && reply.status == 200;
          if (c.mode == ReplyChannel::kRest) {
            ok = ok && CommittedCount(dir_ / "bot.db", kInbound, user) == turn;
          } else {
            ok = ok && CommittedCount(dir_ / "bot.db", kProcessedAndReplied, user) == 101 * turn;
          }
        }
        if (ok) ++committed;
      });
    }
    for (std::thread& t : users) t.join();
    EXPECT_EQ(committed.load(), kUsers);
    StopServer();
    ++round;
  }
}

TEST_F(RunnerE2eTest, ForgedOrUnsignedWebhooksGet403AndNothingIsStored) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  const std::string user = "whatsapp:+593933333333";
  bot::FormParams params = Params(user, "Hola", NextSid());
  std::string good = bot::ComputeTwilioSignature(FakeTwilio::kAuthToken,
                                                 std::string(kBase) + "/twilio/inbound", params);
  bot::FormParams tampered = params;
  for (auto& [k, v] : tampered) {
    if (k == "Body") v = "BAJA";
  }
  struct Case {
    const char* what;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const Case kCases[] = {
      {"missing header", bot::FormEncode(params), {}},
      {"random signature", bot::FormEncode(params), {{"X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}},
      {"tampered body", bot::FormEncode(tampered), {{"X-Twilio-Signature", good}}},
      {"wrong token", bot::FormEncode(params),
       {{"X-Twilio-Signature",
         bot::ComputeTwilioSignature("wrong", std::string(kBase) + "/twilio/inbound", params)}}},
      {"signed for another URL", bot::FormEncode(params),
       {{"X-Twilio-Signature",
         bot::ComputeTwilioSignature(FakeTwilio::kAuthToken, "https://evil.test/twilio/inbound",
                                     params)}}},
  };
  for (const Case& c : kCases) {
    Reply reply = HttpExchange(port_, "POST", "/twilio/inbound", c.body, c.headers);
    EXPECT_EQ(reply.status, 403) << c.what;
    EXPECT_TRUE(TwimlMessages(reply.body).empty()) << c.what;
  }
  auto contact = server_->store().FindContact(kBot, user);
  ASSERT_TRUE(contact.ok());
  EXPECT_FALSE(contact->has_value()) << "a forged webhook created a contact";
  EXPECT_EQ(server_->metrics().signature_failures(), std::size(kCases));
  EXPECT_EQ(server_->metrics().turns(), 0u);
  // The genuine one still works.
  EXPECT_EQ(HttpExchange(port_, "POST", "/twilio/inbound", bot::FormEncode(params),
                     {{"X-Twilio-Signature", good}})
                .status,
            200);
}

// Two messages whose media never arrives: as many as there are workers. The downloads hold no
// worker, so another conversation is answered and /healthz and /metrics answer while both are
// still waiting (before, both workers waited for the downloads: 59 s for /healthz).
TEST_F(RunnerE2eTest, HangingMediaDownloadsHoldNoWorker) {
  RunnerConfig config = Config(ReplyChannel::kTwiml);
  ASSERT_EQ(config.workers, 2);
  config.media_timeout = 4s;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(config)));
  bot::testing::FakeTwilio::MediaOptions hang;
  hang.hang = true;
  std::vector<std::thread> senders;
  std::atomic<int> media_answers{0};
  for (const char* user : {"whatsapp:+593955500001", "whatsapp:+593955500002"}) {
    bot::FormParams params = Params(user, "", NextSid());
    params.emplace_back("NumMedia", "1");
    params.emplace_back("MediaUrl0", twilio_.AddMedia("jpeg bytes", "image/jpeg", hang));
    params.emplace_back("MediaContentType0", "image/jpeg");
    std::erase_if(params, [](const auto& p) { return p.first == "NumMedia" && p.second == "0"; });
    senders.emplace_back([this, params, &media_answers] {
      if (PostSigned("/twilio/inbound", params).status == 200) ++media_answers;
    });
  }
  // Both downloads are on the wire (the fake saw the redirect to its CDN and the CDN request).
  ASSERT_TRUE(Eventually([&] {
    size_t cdn = 0;
    for (const auto& r : twilio_.requests()) cdn += r.target.rfind("/cdn/", 0) == 0;
    return cdn == 2;
  }));
  Reply hola = Say("whatsapp:+593955500003", "Hola");
  EXPECT_EQ(hola.status, 200);
  EXPECT_FALSE(TwimlMessages(hola.body).empty()) << hola.body;
  EXPECT_EQ(HttpExchange(port_, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(HttpExchange(port_, "GET", "/metrics", "").status, 200);
  EXPECT_EQ(media_answers.load(), 0) << "the downloads were over before the others were answered";
  for (std::thread& t : senders) t.join();
  // The downloads timed out: the messages go on without their files.
  EXPECT_EQ(media_answers.load(), 2);
  for (const char* user : {"whatsapp:+593955500001", "whatsapp:+593955500002"}) {
    std::vector<bot::StoredMessage> stored = StoredMessages(user);
    ASSERT_FALSE(stored.empty()) << user;
    ASSERT_EQ(stored.front().media.size(), 1u);
    EXPECT_TRUE(stored.front().media[0].path.empty());
  }
}

// Every answer names its request (the caller's X-Request-Id, else a new one), the log lines of
// that request carry it, and no line shows a phone number in clear.
TEST_F(RunnerE2eTest, LogLinesAreJsonWithTheRequestIdAndMaskedNumbers) {
  std::mutex mu;
  std::vector<std::string> lines;
  log_level_ = LogLevel::kInfo;
  log_sink_ = [&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  };
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  const std::string user = "whatsapp:+593933333335";
  bot::FormParams params = Params(user, "Hola", NextSid());
  Reply forged = HttpExchange(port_, "POST", "/twilio/inbound", bot::FormEncode(params),
                              {{"X-Twilio-Signature", "AAAA"}, {"X-Request-Id", "lb-7.a_b"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.request_id, "lb-7.a_b");
  Reply fine = Say(user, "Hola");
  ASSERT_EQ(fine.status, 200);
  const std::string generated = fine.request_id;
  EXPECT_EQ(generated.size(), 16u) << generated;
  Reply bad_id =
      HttpExchange(port_, "GET", "/healthz", "", {{"X-Request-Id", "no spaces allowed"}});
  EXPECT_NE(bad_id.request_id, "no spaces allowed");
  StopServer();

  std::lock_guard lock(mu);
  bool named = false;
  for (const std::string& line : lines) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.find("+593933333335"), std::string::npos) << line;
    EXPECT_EQ(line.find(kBot), std::string::npos) << line;
    if (line.find("X-Twilio-Signature") != std::string::npos) {
      EXPECT_NE(line.find("\"request_id\":\"lb-7.a_b\""), std::string::npos) << line;
      named = true;
    }
  }
  EXPECT_TRUE(named) << "no line about the forged webhook";
}

// "asesor" hands the conversation to a person; `botrunner handoff list|release` (these
// functions) show it and give it back, audited, beside the running server; the bot answers again.
TEST_F(RunnerE2eTest, TheDeskReleasesAHandoffAndTheBotAnswersAgain) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml, "review_rating")));
  const std::string db = (dir_ / "bot.db").string();
  const std::string user = "whatsapp:+593984321098";
  EXPECT_FALSE(TwimlMessages(Say(user, "ASESOR").body).empty());
  EXPECT_TRUE(TwimlMessages(Say(user, "es sobre mi factura").body).empty()) << "silent";
  auto handoffs = bot::ListHandoffs(db);
  ASSERT_TRUE(handoffs.ok()) << handoffs.status().ToString();
  ASSERT_EQ(handoffs->size(), 1u);
  EXPECT_EQ(handoffs->front().address, user);
  EXPECT_EQ(handoffs->front().dialog_id, "review_rating");
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(bot::ReleaseHandoffAs(db, kBot, user, "", now).code(),
            bot::StatusCode::kInvalidArgument);
  bot::Status released = bot::ReleaseHandoffAs(db, kBot, user, "mesa@clinica.ec", now);
  ASSERT_TRUE(released.ok()) << released.ToString();
  EXPECT_EQ(bot::ReleaseHandoffAs(db, kBot, user, "mesa@clinica.ec", now).code(),
            bot::StatusCode::kNotFound);
  EXPECT_TRUE(bot::ListHandoffs(db)->empty());
  EXPECT_FALSE(TwimlMessages(Say(user, "5").body).empty()) << "the bot answers again";
  auto contact = server_->store().FindContact(kBot, user);
  auto audit = server_->store().ListAudit((*contact)->id);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(std::any_of(audit->begin(), audit->end(), [](const bot::StoredAudit& a) {
    return a.event.kind == "handoff_released" && a.event.detail.find("actor=mesa@clinica.ec") == 0;
  }));
}

// An account's `sid` is optional; a genuine webhook for a number no one configured is still a
// 404 (and a forged one still a 403), with or without it.
TEST_F(RunnerE2eTest, AGenuineWebhookToAnUnknownNumberGets404) {
  for (bool with_sid : {true, false}) {
    RunnerConfig config = Config(ReplyChannel::kTwiml);
    if (!with_sid) config.accounts["main"].sid.clear();
    ASSERT_NO_FATAL_FAILURE(StartServer(std::move(config)));
    bot::FormParams params = Params("whatsapp:+593933333334", "Hola", NextSid());
    for (auto& [k, v] : params) {
      if (k == "To") v = "whatsapp:+15550009999";
    }
    EXPECT_EQ(PostSigned("/twilio/inbound", params).status, 404) << with_sid;
    EXPECT_EQ(PostSigned("/twilio/inbound", params, "wrong").status, 403) << with_sid;
    StopServer();
  }
}

TEST_F(RunnerE2eTest, OversizedMalformedAndMisroutedRequestsAreRefused) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  struct Case {
    const char* method;
    std::string target;
    std::string body;
    int status;
  };
  const Case kCases[] = {
      {"POST", "/twilio/inbound", "Body=" + std::string(100 * 1024, 'a'), 413},
      {"POST", "/twilio/inbound", "Body=%G1&From=x", 400},
      {"POST", "/twilio/status", "MessageSid=%", 400},
      {"GET", "/twilio/inbound", "", 405},
      {"POST", "/healthz", "", 405},
      {"GET", "/nope", "", 404},
      {"GET", "/healthz", "", 200},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(HttpExchange(port_, c.method, c.target, c.body).status, c.status) << c.target;
  }
  Reply metrics = HttpExchange(port_, "GET", "/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("botrunner_http_requests_total{route=\"inbound\",status=\"413\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("botrunner_outbox_depth 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("botrunner_turn_latency_seconds_bucket{le=\"+Inf\"} 0"),
            std::string::npos);
}

TEST_F(RunnerE2eTest, StatusCallbacksNeverMoveAMessageBack) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  const std::string user = "whatsapp:+593944444444";
  Say(user, "Hola");
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  std::string sid = twilio_.messages()[0].sid;
  ASSERT_TRUE(Eventually([&] {
    auto stored = StoredMessages(user);
    return stored.size() == 2 && stored[1].status == "sent";
  }));
  auto callback = [&](const std::string& status) {
    bot::FormParams p = {{"AccountSid", FakeTwilio::kAccountSid}, {"From", kBot}, {"To", user},
                         {"MessageSid", sid}, {"SmsSid", sid}, {"SmsStatus", status},
                         {"MessageStatus", status}};
    return PostSigned("/twilio/status", p).status;
  };
  struct Step {
    const char* callback;
    const char* stored;
  };
  const Step kSteps[] = {{"delivered", "delivered"}, {"sent", "delivered"}, {"queued", "delivered"},
                         {"read", "read"},           {"delivered", "read"}};
  for (const Step& s : kSteps) {
    ASSERT_EQ(callback(s.callback), 200) << s.callback;
    EXPECT_EQ(StoredMessages(user)[1].status, s.stored) << "after " << s.callback;
  }
  bot::FormParams forged = {{"MessageSid", sid}, {"MessageStatus", "failed"}};
  EXPECT_EQ(PostSigned("/twilio/status", forged, "wrong-token").status, 403);
  EXPECT_EQ(StoredMessages(user)[1].status, "read");
}

TEST_F(RunnerE2eTest, RateLimitsAndServerErrorsAreRetriedUntilSent) {
  twilio_.FailNextWithTooManyRequests(1, 0);
  twilio_.FailNextWithServerError(2);
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  const std::string user = "whatsapp:+593955555555";
  Say(user, "Hola");
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  EXPECT_EQ(twilio_.message_requests(), 4u);
  EXPECT_EQ(SentTo(user).size(), 1u);
  ASSERT_TRUE(Eventually([&] { return server_->metrics().sends(SendOutcomeKind::kSent) == 1; }));
  EXPECT_EQ(server_->metrics().sends(SendOutcomeKind::kRetry), 3u);
  ASSERT_TRUE(Eventually([&] { return StoredMessages(user)[1].status == "sent"; }));
}

TEST_F(RunnerE2eTest, PermanentErrorIsRecordedWithTwiliosCode) {
  twilio_.FailNextWithError(1, 63003, "Channel could not find To address");
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  const std::string user = "whatsapp:+593966666666";
  Say(user, "Hola");
  ASSERT_TRUE(Eventually([&] {
    auto stored = StoredMessages(user);
    return stored.size() == 2 && stored[1].status == "failed";
  }));
  EXPECT_EQ(StoredMessages(user)[1].error_code, "63003");
  EXPECT_EQ(twilio_.message_requests(), 1u) << "a permanent error is not retried";
  EXPECT_EQ(twilio_.message_count(), 0u);
}

// An accepted message whose stored row cannot be read (here: its variables are not JSON) must
// not stop the server from starting, nor be retried at every start: recovery marks it failed,
// audited; `botrunner inbound retry` accepts it again.
TEST_F(RunnerE2eTest, AnUnreadableAcceptedMessageIsMarkedFailedAndTheServerStarts) {
  const std::string user = "whatsapp:+593977777778";
  const std::string db = (dir_ / "bot.db").string();
  {
    auto store = bot::OpenSqliteStore(db);
    ASSERT_TRUE(store.ok());
    bot::InboundMessage m;
    m.channel = kBot;
    m.from = user;
    m.provider_id = NextSid();
    m.text = "Hola";
    m.dialog_id = "bench_review";
    m.vars = {{"doctor", "Dra. Pérez"}};
    m.received_at = std::chrono::system_clock::now();
    ASSERT_TRUE((*store)->AcceptInbound(m).ok());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "UPDATE messages SET vars = '{\"doctor\": \"Cl\xed' || 'nica' "
                         "WHERE direction = 'in'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  EXPECT_EQ(Say("whatsapp:+593977777779", "Hola").status, 200) << "the server answers others";
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  EXPECT_TRUE(SentTo(user).empty());
  auto contact = server_->store().FindContact(kBot, user);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  auto audit = server_->store().ListAudit((*contact)->id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().event.kind, "inbound_failed");
  EXPECT_NE(audit->front().event.detail.find("bad vars JSON"), std::string::npos);
  StopServer();

  auto failed = bot::ListFailedInbound(db);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(failed->front().address, user);
  auto retried = bot::RetryFailedInbound(db, failed->front().id, std::chrono::system_clock::now());
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(*retried, 1);
  EXPECT_TRUE(bot::ListFailedInbound(db)->empty());
  EXPECT_EQ(*bot::RetryFailedInbound(db, failed->front().id, std::chrono::system_clock::now()), 0);
}

TEST_F(RunnerE2eTest, RestartKeepsTheConversationAndProcessesWhatWasOnlyAccepted) {
  const std::string user = "whatsapp:+593977777777";
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  Say(user, "Hola");
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));
  StopServer();

  // A crash after the webhook was acknowledged but before its turn ran: accepted, unprocessed.
  {
    auto store = bot::OpenSqliteStore((dir_ / "bot.db").string());
    ASSERT_TRUE(store.ok());
    auto dialogs = bot::LoadDialogDir(std::string(BOT_SOURCE_DIR) + "/dialogs",
                                      std::string(BOT_SOURCE_DIR) + "/prompts");
    ASSERT_TRUE(dialogs.ok());
    bot::SystemClock clock;
    bot::Bot engine(*dialogs, store->get(), &clock);
    bot::InboundMessage m;
    m.channel = kBot;
    m.from = user;
    m.provider_id = NextSid();
    m.text = "2";
    m.dialog_id = "bench_review";
    m.received_at = clock.Now();
    auto accepted = engine.Accept(m);
    ASSERT_TRUE(accepted.ok());
    ASSERT_FALSE(accepted->duplicate);
  }

  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));  // recovery runs before it listens
  ASSERT_TRUE(twilio_.WaitForMessages(2, 10s));
  EXPECT_TRUE(StartsWith(SentTo(user)[1], "Lamentamos")) << "the accepted '2' was processed";
  Say(user, "la recepción fue lenta");
  ASSERT_TRUE(twilio_.WaitForMessages(3, 10s));
  EXPECT_TRUE(StartsWith(SentTo(user)[2], "Gracias por sus comentarios"));
  EXPECT_EQ(SentTo(user).size(), 3u);
}

TEST_F(RunnerE2eTest, OutsideThe24HourWindowTheTemplateIsSentOrTheMessageIsNotSendable) {
  bot::testing::FakeClock clock;
  for (bool with_template : {false, true}) {
    RunnerConfig config = Config(ReplyChannel::kRest, "review_rating");
    if (with_template) config.numbers[0].template_message = TemplateConfig{"HX00000000000000000000000000000001", R"({"1":"Ana"})"};
    ASSERT_NO_FATAL_FAILURE(StartServer(std::move(config), &clock));
    const std::string user = with_template ? "whatsapp:+593988888881" : "whatsapp:+593988888882";
    size_t before = twilio_.message_count();
    Say(user, "Hola");
    ASSERT_TRUE(twilio_.WaitForMessages(before + 1, 10s));
    clock.Advance(25h);
    // The practice writes first a day later: the reply waits in the outbox for the worker.
    auto dialogs = bot::LoadDialogDir(std::string(BOT_SOURCE_DIR) + "/dialogs",
                                      std::string(BOT_SOURCE_DIR) + "/prompts");
    ASSERT_TRUE(dialogs.ok());
    bot::Bot engine(*dialogs, &server_->store(), &clock);
    auto started = engine.Start(kBot, user, "review_rating", {{"name", "Ana"}});
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    ASSERT_TRUE(Eventually([&] {
      auto stored = StoredMessages(user);
      return !stored.empty() && stored.back().status != "pending";
    }));
    if (with_template) {
      ASSERT_TRUE(twilio_.WaitForMessages(before + 2, 10s));
      FakeTwilio::Message sent = twilio_.messages().back();
      EXPECT_EQ(sent.content_sid, "HX00000000000000000000000000000001");
      EXPECT_EQ(sent.content_variables, R"({"1":"Ana"})");
      EXPECT_EQ(sent.body, "");
    } else {
      EXPECT_EQ(StoredMessages(user).back().status, "not_sendable");
      EXPECT_EQ(twilio_.message_count(), before + 1);
    }
    StopServer();
  }
}

TEST_F(RunnerE2eTest, InboundMediaIsDownloadedAndStoredWithTheMessage) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  const std::string user = "whatsapp:+593912121212";
  std::string url = twilio_.AddMedia(std::string(2048, 'x'), "image/jpeg");
  bot::FormParams params = Params(user, "", NextSid());
  for (auto& [k, v] : params) {
    if (k == "NumMedia") v = "1";
  }
  params.emplace_back("MediaUrl0", url);
  params.emplace_back("MediaContentType0", "image/jpeg");
  Reply reply = PostSigned("/twilio/inbound", params);
  ASSERT_EQ(reply.status, 200);
  std::vector<bot::StoredMessage> stored = StoredMessages(user);
  ASSERT_FALSE(stored.empty());
  ASSERT_EQ(stored[0].media.size(), 1u);
  const bot::Media& media = stored[0].media[0];
  EXPECT_EQ(media.url, url);
  EXPECT_EQ(media.content_type, "image/jpeg");
  EXPECT_EQ(media.size, 2048);
  ASSERT_FALSE(media.path.empty());
  EXPECT_TRUE(std::filesystem::exists(media.path));
  EXPECT_EQ(std::filesystem::path(media.path).parent_path(), dir_ / "media");
}

TEST_F(RunnerE2eTest, ARetriedDeliveryWithMediaIsNotDownloadedAgain) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kTwiml)));
  const std::string user = "whatsapp:+593912121213";
  std::string url = twilio_.AddMedia(std::string(4096, 'x'), "image/jpeg",
                                     {.redirect = false});
  bot::FormParams params = Params(user, "", NextSid());
  for (auto& [k, v] : params) {
    if (k == "NumMedia") v = "1";
  }
  params.emplace_back("MediaUrl0", url);
  params.emplace_back("MediaContentType0", "image/jpeg");
  ASSERT_EQ(PostSigned("/twilio/inbound", params).status, 200);
  Reply retry = PostSigned("/twilio/inbound", params);  // Twilio delivers it again
  ASSERT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body.find("<Message>"), std::string::npos);  // and it is not answered again
  const std::string path = url.substr(url.find("/2010-04-01/"));
  size_t downloads = 0;
  for (const bot::testing::FakeTwilio::Request& r : twilio_.requests()) {
    if (r.method == "GET" && r.target == path) ++downloads;
  }
  EXPECT_EQ(downloads, 1u);
  EXPECT_EQ(StoredMessages(user).size(), 2u);  // the message and its one reply
}

TEST_F(RunnerE2eTest, ShutdownFinishesAcceptedTurnsBeforeClosingTheStore) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Config(ReplyChannel::kRest)));
  const std::vector<std::string> users = {"whatsapp:+593990000001", "whatsapp:+593990000002",
                                          "whatsapp:+593990000003"};
  for (const std::string& u : users) ASSERT_EQ(Say(u, "Hola").status, 200);
  StopServer();  // turns acknowledged above are finished before Run() returns
  auto store = bot::OpenSqliteStore((dir_ / "bot.db").string());
  ASSERT_TRUE(store.ok());
  auto unprocessed = (*store)->UnprocessedInbound();
  ASSERT_TRUE(unprocessed.ok());
  EXPECT_TRUE(unprocessed->empty());
}

}  // namespace
}  // namespace runner
