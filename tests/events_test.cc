// Events: Standard Webhooks signatures against the spec's vectors, Meta's X-Hub-Signature-256,
// the delivery queue (fan-out once, order per conversation, retry, dead letter, revive), and
// the bodies the event worker sends.
#include <gtest/gtest.h>

#include "bot/event_queue.h"
#include "bot/sqlite_store.h"
#include "bot/webhooks.h"
#include "events/event_worker.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

using namespace std::chrono_literals;

TEST(StandardWebhooks, SignsTheSpecVector) {
  const std::string body = R"({"test": 2432232314})";
  EXPECT_EQ(StandardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                     "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // Without the prefix, the same key.
  EXPECT_EQ(StandardWebhookSignature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                     "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_EQ(StandardWebhookSignature("whsec_not base64!", "m", 1, body), "");
}

TEST(StandardWebhooks, VerifiesLikeAReceiver) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek", body = R"({"test": 2432232314})";
  const std::string good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  EXPECT_TRUE(VerifyStandardWebhook(secret, id, "1614265330", good, body, 1614265330));
  // Several signatures (key rotation): one good one is enough; other versions are skipped.
  EXPECT_TRUE(VerifyStandardWebhook(
      secret, id, "1614265330", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,abc " + good,
      body, 1614265330));
  EXPECT_FALSE(VerifyStandardWebhook(secret, id, "1614265330",
                                     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", body,
                                     1614265330));
  EXPECT_FALSE(VerifyStandardWebhook(secret, id, "1614265330", "v1,", body, 1614265330));
  EXPECT_FALSE(
      VerifyStandardWebhook(secret, id, "1614265330", "v2," + good.substr(3), body, 1614265330));
  // Too old or from the future: replay protection.
  EXPECT_FALSE(VerifyStandardWebhook(secret, id, "1614265330", good, body, 1614265330 + 301));
  EXPECT_FALSE(VerifyStandardWebhook(secret, id, "1614265330", good, body, 1614265330 - 301));
  EXPECT_FALSE(VerifyStandardWebhook(secret, id, "16142653x0", good, body, 1614265330));
}

TEST(StandardWebhooks, UnpaddedSecretsWork) {
  // Secrets whose base64 lacks its '=' padding (one and two missing), as the reference
  // libraries accept.
  for (const char* secret :
       {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr"}) {
    const std::string sig = StandardWebhookSignature(secret, "m", 1, "{}");
    ASSERT_FALSE(sig.empty()) << secret;
    EXPECT_TRUE(VerifyStandardWebhook(secret, "m", "1", sig, "{}", 1));
  }
}

TEST(MetaSignature, XHubSignature256) {
  // HMAC-SHA256 of "hello" with key "key", as OpenSSL's dgst prints it.
  EXPECT_EQ(MetaSignature("key", "hello"),
            "sha256=9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b");
  EXPECT_TRUE(VerifyMetaSignature("key", MetaSignature("key", "hello"), "hello"));
  EXPECT_FALSE(VerifyMetaSignature("key", MetaSignature("key", "hello"), "hellO"));
  EXPECT_FALSE(VerifyMetaSignature("other", MetaSignature("key", "hello"), "hello"));
}

class EventQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenSqliteStore(dir_.File("bot.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto queue = SqliteEventQueue::Open(dir_.File("bot.db"));
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(*queue);
  }
  // Commits a bot-first turn for `address` that stores `types` as events.
  void Emit(const std::string& address, std::vector<std::string> types) {
    auto contact = store_->GetOrCreateContact("whatsapp:+14155238886", address);
    ASSERT_TRUE(contact.ok());
    TurnCommit commit;
    commit.contact = *contact;
    commit.now = now_;
    for (const std::string& type : types) commit.events.push_back({type, "{\"n\":1}"});
    ASSERT_TRUE(store_->CommitTurn(commit).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SqliteEventQueue> queue_;
  TimePoint now_ = FromUnixMillis(1'800'000'000'000);
};

TEST_F(EventQueueTest, FansOutOnceAndDeliversInOrderPerConversation) {
  Emit("whatsapp:+521", {"message.received", "lead.qualified"});
  Emit("whatsapp:+522", {"lead.qualified"});
  auto added = queue_->Fanout("crm", {"lead.qualified"}, now_);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 2);
  EXPECT_EQ(*queue_->Fanout("crm", {"lead.qualified"}, now_), 0) << "exactly once";
  EXPECT_EQ(*queue_->Fanout("all", {"*"}, now_), 3);

  Emit("whatsapp:+521", {"lead.qualified"});  // a later event of the first conversation
  ASSERT_EQ(*queue_->Fanout("crm", {"lead.qualified"}, now_), 1);
  auto due = queue_->Due("crm", now_, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u) << "one per conversation: the later one waits";
  // The first conversation's oldest fails: its later event still waits behind it.
  const Delivery first = (*due)[0];
  ASSERT_TRUE(queue_->MarkRetry(first.id, now_ + 10s, "HTTP 500").ok());
  ASSERT_TRUE(queue_->MarkDelivered((*due)[1].id, now_).ok());
  due = queue_->Due("crm", now_ + 1s, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  // The next due is the retry's time: the event behind it does not count (no busy polling).
  auto next = queue_->NextDue("crm");
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, now_ + 10s);
  // Dead: the conversation moves on; revived: it is due again with its attempts reset.
  ASSERT_TRUE(queue_->MarkDead(first.id, "HTTP 410").ok());
  due = queue_->Due("crm", now_ + 1s, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_NE((*due)[0].id, first.id);
  auto dead = queue_->List("dead", "crm", 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 2);
  EXPECT_EQ((*dead)[0].last_error, "HTTP 410");
  EXPECT_EQ(*queue_->Retry(first.id, now_ + 2s), 1);
  EXPECT_EQ(*queue_->Retry(first.id, now_ + 2s), 0) << "only dead deliveries are revived";
  auto revived = queue_->List("pending", "crm", 10);
  ASSERT_TRUE(revived.ok());
  bool found = false;
  for (const Delivery& d : *revived) found = found || (d.id == first.id && d.attempts == 0);
  EXPECT_TRUE(found);
}

TEST_F(EventQueueTest, AnErasedContactsEventsAreNeverDelivered) {
  Emit("whatsapp:+5215512345678", {"lead.qualified"});
  ASSERT_EQ(*queue_->Fanout("crm", {"*"}, now_), 1);
  SystemClock clock;
  ASSERT_TRUE(
      EraseContactData(dir_.File("bot.db"), "", "whatsapp:+5215512345678", "dpo", clock).ok());
  EXPECT_TRUE(queue_->Due("crm", now_, 10)->empty());
  auto dead = queue_->List("dead", "", 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, "erased");
  EXPECT_EQ((*dead)[0].event.data_json, "{}");
  EXPECT_EQ(*queue_->Retry(std::nullopt, now_), 0) << "an erased delivery stays dead";
}

TEST(EventRequest, CloudEventsAndWebhookBodies) {
  Delivery d;
  d.event_id = 42;
  d.contact_id = 7;
  d.event = {"lead.qualified", R"({"score":85})"};
  d.event_time = FromUnixMillis(1'700'000'000'123);
  runner::EventSinkConfig sink;
  runner::EventWorkerOptions options;
  options.source = "urn:test";
  options.type_prefix = "mx.example";
  runner::EventRequest ce = runner::BuildEventRequest(sink, d, options);
  EXPECT_EQ(ce.webhook_id, "evt_42");
  EXPECT_EQ(ce.content_type, "application/cloudevents+json; charset=UTF-8");
  EXPECT_EQ(
      ce.body,
      R"({"specversion":"1.0","id":"evt_42","source":"urn:test","type":"mx.example.lead.qualified",)"
      R"("time":"2023-11-14T22:13:20.123Z","subject":"contact/7","datacontenttype":"application/json",)"
      R"("data":{"score":85}})");
  sink.format = runner::EventSinkConfig::Format::kWebhook;
  runner::EventRequest hook = runner::BuildEventRequest(sink, d, options);
  EXPECT_EQ(hook.content_type, "application/json");
  EXPECT_EQ(
      hook.body,
      R"({"type":"lead.qualified","timestamp":"2023-11-14T22:13:20.123Z","data":{"score":85}})");
}

}  // namespace
}  // namespace bot
