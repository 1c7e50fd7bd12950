// What only the PostgreSQL store has: several stores (connections, as several processes would
// have) on one database, its connection pool, versioned migrations, and reconnecting. The Store
// contract itself runs on PostgreSQL in store_test.cc. The server is the fixture's
// (scripts/test_postgres.sh).
#include "bot/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.h"
#include "support/test_postgres.h"

namespace bot {
namespace {

using testing::Eventually;
using testing::TestPostgresConninfo;
using testing::TestSchemas;

const std::string kChannel = "whatsapp:+14155238886";
const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);
const std::string kAna = "whatsapp:+593995000001";
const std::string kBeto = "whatsapp:+593995000002";

InboundMessage Inbound(const std::string& from, const std::string& sid) {
  InboundMessage m;
  m.channel = kChannel;
  m.from = from;
  m.provider_id = sid;
  m.text = "hola";
  m.dialog_id = "review_rating";
  m.received_at = kT0;
  return m;
}

// A plain libpq connection to the test database, for what the Store interface does not show.
class Sql {
 public:
  explicit Sql(const std::string& schema) : conn_(PQconnectdb(TestPostgresConninfo().c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    if (!schema.empty()) Exec("SET search_path TO " + schema);
  }
  ~Sql() { PQfinish(conn_); }
  // The first column of the first row, "" when there is none.
  std::string Exec(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        << sql << ": " << PQresultErrorMessage(result);
    std::string out = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return out;
  }

 private:
  PGconn* conn_;
};

// Two stores (two connections, as two processes would have) on the schema `options.schema`.
bool OpenTwo(TestSchemas& schemas, const PostgresOptions& options,
             std::unique_ptr<Store> (&stores)[2]) {
  for (auto& store : stores) store = schemas.Open(options);
  return stores[0] && stores[1];
}

// A turn answering `turn` with `replies`, the session new in state ask_rating.
TurnCommit ReplyTo(const TurnContext& turn, std::vector<std::string> replies) {
  TurnCommit commit;
  commit.inbound_id = turn.message_id;
  commit.contact = turn.contact;
  commit.session = Session{};
  commit.session->dialog_id = "review_rating";
  commit.session->state = "ask_rating";
  commit.replies = std::move(replies);
  commit.now = kT0;
  return commit;
}

// A reply turn for `from`'s message `sid`, committed through `store`: its outbound ids.
std::vector<int64_t> CommitReplies(Store& store, const std::string& from, int replies) {
  auto accepted = store.AcceptInbound(Inbound(from, "SM-" + from));
  EXPECT_TRUE(accepted.ok()) << accepted.status().ToString();
  auto turn = store.LoadTurn(accepted->message_id);
  EXPECT_TRUE(turn.ok()) << turn.status().ToString();
  std::vector<std::string> texts;
  for (int i = 0; i < replies; ++i) texts.push_back("respuesta " + std::to_string(i));
  auto committed = store.CommitTurn(ReplyTo(*turn, texts));
  EXPECT_TRUE(committed.ok()) << committed.status().ToString();
  return committed.ok() ? committed->outbound_ids : std::vector<int64_t>{};
}

TEST(PostgresStore, TwoStoresAcceptingTheSameMessagesAcceptEachExactlyOnce) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas, {.schema = schema}, stores));
  constexpr int kMessages = 60;
  std::vector<int64_t> fresh[2];
  std::vector<int64_t> duplicates[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kMessages; ++i) {
        // Five users, so that new contacts are created concurrently too.
        const std::string from = "whatsapp:+59399000000" + std::to_string(i % 5);
        auto accepted = stores[t]->AcceptInbound(Inbound(from, "SM" + std::to_string(i)));
        ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
        (accepted->duplicate ? duplicates[t] : fresh[t]).push_back(accepted->message_id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> ids(fresh[0].begin(), fresh[0].end());
  ids.insert(fresh[1].begin(), fresh[1].end());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(fresh[0].size() + fresh[1].size(), static_cast<size_t>(kMessages));
  // Each duplicate names the row the other store stored.
  for (int t = 0; t < 2; ++t) {
    for (int64_t id : duplicates[t]) EXPECT_TRUE(ids.contains(id)) << id;
  }
  EXPECT_EQ(stores[0]->UnprocessedInbound()->size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(Sql(schema).Exec("SELECT count(*) FROM contacts"), "5");
}

TEST(PostgresStore, TwoStoresCommittingOneTurnCommitItOnce) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas, {.schema = schema}, stores));
  for (int round = 0; round < 10; ++round) {
    const std::string from = "whatsapp:+5939900001" + std::to_string(round);
    auto accepted = stores[0]->AcceptInbound(Inbound(from, "SM1"));
    ASSERT_TRUE(accepted.ok());
    Result<CommittedTurn> outcomes[2] = {Status(StatusCode::kInternal, "not run"),
                                         Status(StatusCode::kInternal, "not run")};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        auto turn = stores[t]->LoadTurn(accepted->message_id);
        ASSERT_TRUE(turn.ok());
        outcomes[t] = stores[t]->CommitTurn(ReplyTo(*turn, {"¿Qué nota nos da?"}));
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_NE(outcomes[0].ok(), outcomes[1].ok()) << "round " << round;
    for (const auto& outcome : outcomes) {
      if (!outcome.ok()) {
        EXPECT_EQ(outcome.status().code(), StatusCode::kAlreadyExists);
      }
    }
    auto contact = stores[1]->FindContact(kChannel, from);
    ASSERT_TRUE(contact.ok() && contact->has_value());
    auto messages = stores[1]->ListMessages((*contact)->id);
    EXPECT_EQ(messages->size(), 2u) << "one inbound message and one reply";
  }
  EXPECT_EQ(Sql(schema).Exec("SELECT count(*) FROM sessions"), "10");
}

TEST(PostgresStore, TwoLeasedStoresNeverClaimTheSameOutboxRow) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  const PostgresOptions leased{.schema = schema, .outbox_lease = std::chrono::minutes(5)};
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas, leased, stores));
  constexpr int kUsers = 8;
  constexpr int kReplies = 10;
  std::set<int64_t> written;
  for (int u = 0; u < kUsers; ++u) {
    for (int64_t id :
         CommitReplies(*stores[0], "whatsapp:+59399100000" + std::to_string(u), kReplies)) {
      written.insert(id);
    }
  }
  ASSERT_EQ(written.size(), static_cast<size_t>(kUsers * kReplies));
  std::vector<int64_t> claimed[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto due = stores[t]->DueOutbound(kT0, 3);
        ASSERT_TRUE(due.ok()) << due.status().ToString();
        if (due->empty()) return;
        for (const OutboundMessage& m : *due) {
          claimed[t].push_back(m.id);
          EXPECT_EQ(m.next_attempt_at, kT0);  // the time it was due, not the lease's end
        }
        // Half are sent at once; the rest stay pending, claimed, as if their send were slow.
        if (due->size() > 1) {
          ASSERT_TRUE(
              stores[t]
                  ->MarkOutboundSent(due->front().id, "SMo" + std::to_string(due->front().id), kT0)
                  .ok());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all(claimed[0].begin(), claimed[0].end());
  all.insert(claimed[1].begin(), claimed[1].end());
  EXPECT_EQ(claimed[0].size() + claimed[1].size(), written.size()) << "a row claimed twice";
  EXPECT_EQ(all, written);
  // Pending rows whose lease ends are due again (their store died before sending them).
  auto after_lease = stores[1]->DueOutbound(kT0 + std::chrono::minutes(5), 1000);
  ASSERT_TRUE(after_lease.ok());
  EXPECT_EQ(static_cast<int64_t>(after_lease->size()), *stores[0]->OutboxDepth());
  EXPECT_FALSE(after_lease->empty());
}

// One store at a time holds a conversation; its process dying (the connection closing) ends the
// hold; schemas keep their holds apart.
TEST(PostgresStore, AConversationIsHeldByOneStoreAtATimeUntilReleasedOrItsConnectionCloses) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas, {.schema = schema}, stores));
  auto contact = stores[0]->GetOrCreateContact(kChannel, "whatsapp:+593990000101");
  ASSERT_TRUE(contact.ok());
  auto other = stores[0]->GetOrCreateContact(kChannel, "whatsapp:+593990000102");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(*stores[0]->TryHoldConversation(contact->id));
  EXPECT_FALSE(*stores[1]->TryHoldConversation(contact->id));
  EXPECT_TRUE(*stores[1]->TryHoldConversation(other->id)) << "another conversation is free";
  std::unique_ptr<Store> elsewhere = schemas.OpenEmpty();
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(*elsewhere->TryHoldConversation(contact->id)) << "another schema is free";
  ASSERT_TRUE(stores[0]->ReleaseConversation(contact->id).ok());
  EXPECT_TRUE(*stores[1]->TryHoldConversation(contact->id));
  EXPECT_FALSE(*stores[0]->TryHoldConversation(contact->id));
  stores[1].reset();  // its connection closes, as when its process is killed
  EXPECT_TRUE(Eventually([&] { return *stores[0]->TryHoldConversation(contact->id); }));
}

// Pool tests: far longer than any of their calls takes; reached only when the pool lets a call
// wait forever.
constexpr auto kHangGuard = std::chrono::seconds(30);

// The connection pool (PostgresOptions::connections): a store call that waits on a lock does not
// stop the store's other calls, and conversation holds stay on the connection that took them
// whatever else the store runs. No timing: a call is made to wait by a row lock a test
// connection holds, seen waiting in pg_stat_activity; a bounded wait only keeps a broken pool
// from hanging the test.
class PostgresPoolTest : public ::testing::Test {
 protected:
  // A store of `connections` connections on this test's schema, its connections named `app_`
  // so that pg_stat_activity tells them apart from the other tests'.
  std::unique_ptr<Store> Open(int connections) {
    auto store = OpenPostgresStore(TestPostgresConninfo() + " application_name=" + app_,
                                   {.schema = schema_, .connections = connections});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // True once one of the store's connections waits for a lock.
  bool AStoreCallWaitsForALock() {
    return Eventually([&] {
      return Sql(schema_).Exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" +
                               app_ + "' AND wait_event_type = 'Lock'") == "1";
    });
  }

  TestSchemas schemas_;
  const std::string schema_ = schemas_.NewName();
  const std::string app_ = "pool_" + schema_;
};

TEST_F(PostgresPoolTest, ACallWaitingForARowLockDoesNotStopTheStoresOtherCalls) {
  std::unique_ptr<Store> store = Open(2);
  ASSERT_TRUE(store);
  auto ana = store->AcceptInbound(Inbound(kAna, "SM1"));
  ASSERT_TRUE(ana.ok()) << ana.status().ToString();
  Sql locker(schema_);
  locker.Exec("BEGIN");
  locker.Exec("SELECT id FROM contacts WHERE address = '" + kAna + "' FOR UPDATE");
  // Ana's next message updates her contact row: its call waits for the test's lock.
  auto waiting =
      std::async(std::launch::async, [&] { return store->AcceptInbound(Inbound(kAna, "SM2")); });
  ASSERT_TRUE(AStoreCallWaitsForALock());
  // Meanwhile the store goes on with another conversation, on its other connection.
  auto other = std::async(std::launch::async, [&] {
    auto beto = store->AcceptInbound(Inbound(kBeto, "SM3"));
    if (!beto.ok()) return beto.status();
    auto turn = store->LoadTurn(beto->message_id);
    return turn.ok() ? Status::Ok() : turn.status();
  });
  const bool other_done = other.wait_for(kHangGuard) == std::future_status::ready;
  EXPECT_TRUE(other_done) << "the other conversation waited for the locked one";
  EXPECT_EQ(waiting.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the locked call finished while the lock was held";
  locker.Exec("COMMIT");
  if (other_done) EXPECT_TRUE(other.get().ok());
  auto accepted = waiting.get();
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_FALSE(accepted->duplicate);
  EXPECT_EQ(store->UnprocessedInbound()->size(), 3u);
}

// The hold is a session advisory lock: it must be released on the connection that took it,
// even when other calls ran in between and the pool lends the connections around.
TEST_F(PostgresPoolTest, AHoldIsReleasedWhateverConnectionsTheCallsInBetweenUsed) {
  std::unique_ptr<Store> store = Open(2);
  std::unique_ptr<Store> other = Open(1);  // another process's store
  ASSERT_TRUE(store && other);
  auto ana = store->AcceptInbound(Inbound(kAna, "SM1"));
  ASSERT_TRUE(ana.ok());
  auto contact = store->FindContact(kChannel, kAna);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  const int64_t id = (*contact)->id;
  ASSERT_TRUE(*store->TryHoldConversation(id));
  EXPECT_FALSE(*other->TryHoldConversation(id));
  // One call waits on a row lock with one connection; others run on the rest.
  Sql locker(schema_);
  locker.Exec("BEGIN");
  locker.Exec("SELECT id FROM contacts WHERE id = " + std::to_string(id) + " FOR UPDATE");
  auto waiting =
      std::async(std::launch::async, [&] { return store->AcceptInbound(Inbound(kAna, "SM2")); });
  ASSERT_TRUE(AStoreCallWaitsForALock());
  auto released = std::async(std::launch::async, [&] {
    EXPECT_TRUE(store->FindContact(kChannel, kAna).ok());
    EXPECT_TRUE(store->UnprocessedInboundOf(id).ok());
    return store->ReleaseConversation(id);
  });
  const bool release_done = released.wait_for(kHangGuard) == std::future_status::ready;
  EXPECT_TRUE(release_done) << "the release waited for the locked call";
  if (release_done) {
    EXPECT_TRUE(released.get().ok());
    EXPECT_TRUE(*other->TryHoldConversation(id)) << "the hold was not let go";
    EXPECT_FALSE(*store->TryHoldConversation(id));
  }
  locker.Exec("COMMIT");
  EXPECT_TRUE(waiting.get().ok());
}

TEST_F(PostgresPoolTest, APoolOfNoConnectionsIsRefused) {
  auto store = OpenPostgresStore(TestPostgresConninfo(), {.schema = schema_, .connections = 0});
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST(PostgresStore, UnprocessedInboundOfAContactIsItsAcceptedMessagesOldestFirst) {
  TestSchemas schemas;
  std::unique_ptr<Store> store = schemas.OpenEmpty();
  ASSERT_TRUE(store);
  const std::string from = "whatsapp:+593990000103";
  std::vector<int64_t> ids;
  for (const char* sid : {"SM-a", "SM-b", "SM-c"}) {
    auto accepted = store->AcceptInbound(Inbound(from, sid));
    ASSERT_TRUE(accepted.ok());
    ids.push_back(accepted->message_id);
  }
  ASSERT_TRUE(store->AcceptInbound(Inbound("whatsapp:+593990000104", "SM-d")).ok());
  auto turn = store->LoadTurn(ids[0]);
  ASSERT_TRUE(turn.ok());
  ASSERT_TRUE(store->CommitTurn(ReplyTo(*turn, {"hola"})).ok());
  auto pending = store->UnprocessedInboundOf(turn->contact.id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, (std::vector<int64_t>{ids[1], ids[2]}));
}

// With oldest_per_contact, a contact's next message is due only once the one before is no
// longer pending; a claim handed back is due again at once, for any store.
TEST(PostgresStore, OldestPerContactClaimsOneMessagePerContactAndReleasedClaimsAreDueAgain) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas,
                      {.schema = schema,
                       .outbox_lease = std::chrono::seconds(30),
                       .outbox_oldest_per_contact = true},
                      stores));
  const std::vector<int64_t> ana = CommitReplies(*stores[0], "whatsapp:+593990000105", 3);
  const std::vector<int64_t> beto = CommitReplies(*stores[0], "whatsapp:+593990000106", 2);
  ASSERT_EQ(ana.size(), 3u);
  ASSERT_EQ(beto.size(), 2u);
  auto ids = [](const Result<std::vector<OutboundMessage>>& due) {
    std::vector<int64_t> out;
    if (due.ok()) {
      for (const OutboundMessage& m : *due) out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(ids(stores[0]->DueOutbound(kT0, 10)), (std::vector<int64_t>{ana[0], beto[0]}));
  EXPECT_TRUE(ids(stores[1]->DueOutbound(kT0, 10)).empty()) << "claimed, and the rest wait";
  ASSERT_TRUE(stores[0]->ReleaseOutbound({beto[0]}).ok());
  EXPECT_EQ(ids(stores[1]->DueOutbound(kT0, 10)), (std::vector<int64_t>{beto[0]}));
  ASSERT_TRUE(stores[0]->MarkOutboundSent(ana[0], "SMout-1", kT0).ok());
  EXPECT_EQ(ids(stores[1]->DueOutbound(kT0, 10)), (std::vector<int64_t>{ana[1]}));
  // A claim not handed back is due again when its lease ends.
  EXPECT_EQ(ids(stores[0]->DueOutbound(kT0 + std::chrono::seconds(31), 10)),
            (std::vector<int64_t>{ana[1], beto[0]}));
}

TEST(PostgresStore, StatusCallbacksHandledByTwoStoresNeverMoveAMessageBack) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> stores[2];
  ASSERT_TRUE(OpenTwo(schemas, {.schema = schema}, stores));
  constexpr int kMessages = 30;
  std::vector<int64_t> ids = CommitReplies(*stores[0], "whatsapp:+593992000000", kMessages);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kMessages));
  for (int64_t id : ids) {
    ASSERT_TRUE(stores[0]->MarkOutboundSent(id, "SMo" + std::to_string(id), kT0).ok());
  }
  // Each store receives every callback of every message, in opposite orders: each message ends
  // at the most advanced status, whatever the interleaving.
  const std::vector<std::string> order = {"queued", "sent", "delivered", "read"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t id : ids) {
        for (size_t i = 0; i < order.size(); ++i) {
          const std::string& status = t == 0 ? order[i] : order[order.size() - 1 - i];
          EXPECT_TRUE(stores[t]->UpdateDeliveryStatus("SMo" + std::to_string(id), status, "").ok());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(Sql(schema).Exec("SELECT count(*) FROM messages WHERE direction = 'out' AND "
                             "status <> 'read'"),
            "0");
}

// Migration 9: a campaign's turn moves its recipient along and sends one templated message, in
// the turn's transaction; the same step run again (another process) fails and writes nothing.
TEST(PostgresStore, ACampaignTurnSendsItsTemplateAndMovesItsRecipientOnce) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::unique_ptr<Store> store = schemas.Open({.schema = schema});
  ASSERT_TRUE(store);
  Sql sql(schema);
  const std::string campaign = sql.Exec(
      "INSERT INTO campaigns (tenant, number, dialog_id, source, options, created_at) VALUES "
      "('t', '" +
      kChannel + "', 'review_rating', 'lista.csv', '{}', 0) RETURNING id");
  const std::string recipient = sql.Exec(
      "INSERT INTO campaign_recipients (campaign_id, address, vars, time_zone, line, due_at, "
      "status, updated_at) VALUES (" +
      campaign +
      ", 'whatsapp:+593990000001', '{}', 'America/Guayaquil', 2, 0, 'scheduled', 0) "
      "RETURNING id");
  auto contact = store->GetOrCreateContact(kChannel, "whatsapp:+593990000001");
  ASSERT_TRUE(contact.ok());
  TurnCommit turn;
  turn.contact = *contact;
  turn.session = Session{};
  turn.session->dialog_id = "review_rating";
  turn.session->state = "ask_rating";
  turn.replies = {"Hola Ana", "¿Cómo nos calificas?"};
  turn.content_sid = "HX123";
  turn.content_variables = R"({"1":"Ana"})";
  turn.campaign_step =
      CampaignStep{std::stoll(recipient), "scheduled", "sent", "", kT0 + std::chrono::hours(24)};
  turn.now = kT0;
  auto committed = store->CommitTurn(turn);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  ASSERT_EQ(committed->outbound_ids.size(), 1u);
  auto due = store->DueOutbound(kT0, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].text, "Hola Ana\n\n¿Cómo nos calificas?");
  EXPECT_EQ((*due)[0].content_sid, "HX123");
  EXPECT_EQ((*due)[0].content_variables, R"({"1":"Ana"})");
  EXPECT_EQ(sql.Exec("SELECT status || ':' || sent_at || ':' || due_at || ':' || "
                     "(session_id = " +
                     std::to_string(committed->session_id) +
                     ") FROM campaign_recipients WHERE id = " + recipient),
            "sent:" + std::to_string(ToUnixMillis(kT0)) + ":" +
                std::to_string(ToUnixMillis(kT0 + std::chrono::hours(24))) + ":true");

  turn.session->id = committed->session_id;
  EXPECT_EQ(store->CommitTurn(turn).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(sql.Exec("SELECT count(*) FROM messages"), "1");
}

TEST(PostgresStore, MigrationsAreRecordedOncePerVersionEvenWhenStoresOpenAtOnce) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  std::atomic<int> opened = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (schemas.Open({.schema = schema})) ++opened;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(opened, 4);
  Sql sql(schema);
  EXPECT_EQ(sql.Exec("SELECT string_agg(version::text, ',' ORDER BY version) "
                     "FROM schema_migrations"),
            "1,2,3,4,5,6,7,8,9,10,11");
  // Reopening applies nothing.
  ASSERT_NE(schemas.Open({.schema = schema}), nullptr);
  EXPECT_EQ(sql.Exec("SELECT count(*) FROM schema_migrations"), "11");
}

TEST(PostgresStore, ASchemaNewerThanTheBuildIsRefused) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  ASSERT_NE(schemas.Open({.schema = schema}), nullptr);
  Sql(schema).Exec("INSERT INTO schema_migrations (version) VALUES (99)");
  auto store = OpenPostgresStore(TestPostgresConninfo(), {.schema = schema});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("version 99 is newer"), std::string::npos)
      << store.status().ToString();
}

TEST(PostgresStore, SchemasKeepTheirRowsApart) {
  TestSchemas schemas;
  std::unique_ptr<Store> a = schemas.OpenEmpty();
  std::unique_ptr<Store> b = schemas.OpenEmpty();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->AcceptInbound(Inbound("whatsapp:+593993000000", "SM1")).ok());
  EXPECT_FALSE(b->FindContact(kChannel, "whatsapp:+593993000000")->has_value());
  EXPECT_TRUE(a->FindContact(kChannel, "whatsapp:+593993000000")->has_value());
}

TEST(PostgresStore, ALostConnectionFailsOneCallUnavailableThenReconnectsToItsSchema) {
  TestSchemas schemas;
  const std::string schema = schemas.NewName();
  const std::string app = "reconnect_" + schema;  // finds our connection among the tests'
  auto opened =
      OpenPostgresStore(TestPostgresConninfo() + " application_name=" + app, {.schema = schema});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  ASSERT_TRUE(store.AcceptInbound(Inbound("whatsapp:+593994000000", "SM1")).ok());
  EXPECT_EQ(Sql("").Exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         "WHERE application_name = '" +
                         app + "'"),
            "1");
  Status lost = store.Ping();
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  EXPECT_TRUE(store.Ping().ok());
  auto contact = store.FindContact(kChannel, "whatsapp:+593994000000");
  ASSERT_TRUE(contact.ok()) << contact.status().ToString();
  EXPECT_TRUE(contact->has_value()) << "the search_path is set again after reconnecting";
}

TEST(PostgresStore, AnUnreachableServerIsUnavailableWithLibpqsReason) {
  auto store = OpenPostgresStore("host=/nonexistent/socket-dir dbname=bot_test connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("cannot connect"), std::string::npos);
}

}  // namespace
}  // namespace bot
