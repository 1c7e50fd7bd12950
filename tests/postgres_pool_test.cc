// The PostgreSQL store's connection pool (PostgresOptions::connections): a store call that waits
// on a lock does not stop the store's other calls, and conversation holds stay on the connection
// that took them whatever else the store runs. No timing: a call is made to wait by a row lock a
// test connection holds, seen waiting in pg_stat_activity; a bounded wait only keeps a broken
// pool from hanging the test.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "bot/postgres_store.h"
#include "support/eventually.h"
#include "support/test_postgres.h"

namespace bot {
namespace {

using testing::Eventually;
using testing::TestPostgresConninfo;
using testing::TestSchemas;

const std::string kChannel = "whatsapp:+14155238886";
const std::string kAna = "whatsapp:+593995000001";
const std::string kBeto = "whatsapp:+593995000002";
const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);
// Far longer than any of these calls takes; reached only when the pool lets a call wait forever.
constexpr auto kHangGuard = std::chrono::seconds(30);

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

// A libpq connection of the test's own: it holds row locks in an open transaction.
class Sql {
 public:
  explicit Sql(const std::string& schema) : conn_(PQconnectdb(TestPostgresConninfo().c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    Exec("SET search_path TO " + schema);
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

}  // namespace
}  // namespace bot
