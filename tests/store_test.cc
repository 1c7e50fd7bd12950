// The Store contract, run against both the SQLite store (real temporary files) and the in-memory
// fake, then what only SQLite has: files that survive a reopen, migrations, the schema, rollback.
#include "bot/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bot/sqlite_store.h"
#include "bot/testing/memory_store.h"
#include "store/migrations.h"
#include "store/sqlite_checkpointer.h"
#include "store/sqlite_wal_vfs.h"
#include "support/temp_dir.h"
#include "support/test_postgres.h"

namespace bot {
namespace {

const std::string kChannel = "whatsapp:+14155238886";
const std::string kUser = "whatsapp:+593987654321";
// Every contract store is told that kChannel is tenant "clinic"'s; other numbers are no one's.
const NumberTenants kTenants = {{kChannel, "clinic"}};
const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

TimePoint At(int seconds) { return kT0 + std::chrono::seconds(seconds); }

using testing::TempDir;

struct SqliteFactory {
  static constexpr const char* kName = "Sqlite";
  TempDir dir;
  std::unique_ptr<Store> Make() {
    auto store = OpenSqliteStore(dir.File("bot.db"), {.number_tenants = kTenants});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
};

// The same contract holds with group commit: a connection reads its own uncommitted writes.
struct GroupedSqliteFactory {
  static constexpr const char* kName = "SqliteGrouped";
  TempDir dir;
  std::unique_ptr<Store> Make() {
    auto store = OpenSqliteStore(
        dir.File("bot.db"),
        {.group_commit = true, .background_checkpoint = true, .number_tenants = kTenants});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
};

// PostgreSQL (the fixture's server, a fresh schema per test); and with outbox claims, which the
// single-store contract cannot tell apart.
struct PostgresFactory {
  static constexpr const char* kName = "Postgres";
  testing::TestSchemas schemas;
  std::unique_ptr<Store> Make() { return schemas.OpenEmpty({.number_tenants = kTenants}); }
};

struct LeasedPostgresFactory {
  static constexpr const char* kName = "PostgresLeased";
  testing::TestSchemas schemas;
  std::unique_ptr<Store> Make() {
    return schemas.OpenEmpty(
        {.schema = "", .outbox_lease = std::chrono::seconds(30), .number_tenants = kTenants});
  }
};

struct MemoryFactory {
  static constexpr const char* kName = "Memory";
  std::unique_ptr<Store> Make() { return testing::NewMemoryStore(kTenants); }
};

InboundMessage Inbound(const std::string& sid, const std::string& text, int at_seconds = 0) {
  InboundMessage m;
  m.channel = kChannel;
  m.from = kUser;
  m.provider_id = sid;
  m.profile_name = "Ana";
  m.text = text;
  m.raw = "Body=" + text + "&MessageSid=" + sid;
  m.dialog_id = "review_rating";
  m.received_at = At(at_seconds);
  return m;
}

Session NewSession(const std::string& state) {
  Session s;
  s.dialog_id = "review_rating";
  s.dialog_version = 1;
  s.state = state;
  s.vars = {{"name", "Ana"}, {"doctor", "Dra. Pérez"}};
  s.started_at = At(0);
  s.updated_at = At(0);
  return s;
}

template <typename Factory>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.Make();
    ASSERT_NE(store_, nullptr);
  }

  // Accepts `text` as a new inbound message and loads its turn.
  TurnContext Receive(const std::string& sid, const std::string& text, int at_seconds = 0) {
    auto accepted = store_->AcceptInbound(Inbound(sid, text, at_seconds));
    EXPECT_TRUE(accepted.ok()) << accepted.status().ToString();
    EXPECT_FALSE(accepted->duplicate);
    auto turn = store_->LoadTurn(accepted->message_id);
    EXPECT_TRUE(turn.ok()) << turn.status().ToString();
    return *turn;
  }

  // A turn answering `turn` with `replies` and the session moved to `state`.
  TurnCommit Answer(const TurnContext& turn, const std::string& state,
                    std::vector<std::string> replies, int at_seconds = 1) {
    TurnCommit commit;
    commit.inbound_id = turn.message_id;
    commit.contact = turn.contact;
    commit.session = turn.session ? *turn.session : NewSession(state);
    commit.session->state = state;
    commit.session->updated_at = At(at_seconds);
    commit.replies = std::move(replies);
    commit.now = At(at_seconds);
    return commit;
  }

  CommittedTurn Commit(const TurnCommit& commit) {
    auto committed = store_->CommitTurn(commit);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    return committed.ok() ? *committed : CommittedTurn{};
  }

  std::vector<StoredMessage> Messages(int64_t contact_id) {
    auto messages = store_->ListMessages(contact_id);
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    return messages.ok() ? *messages : std::vector<StoredMessage>{};
  }

  // Sends one pending reply through the outbox as provider message `sid`.
  int64_t SentReply(const std::string& sid) {
    TurnContext turn = this->Receive("SM-in-" + sid, "hola");
    CommittedTurn committed = this->Commit(this->Answer(turn, "ask_rating", {"¿Qué nota?"}));
    EXPECT_TRUE(store_->MarkOutboundSent(committed.outbound_ids[0], sid, At(2)).ok());
    return committed.outbound_ids[0];
  }

  std::string OutboundStatus(int64_t id) {
    for (const StoredMessage& m : Messages(1)) {
      if (m.id == id) return m.status + (m.error_code.empty() ? "" : ":" + m.error_code);
    }
    return "missing";
  }

  Factory factory_;
  std::unique_ptr<Store> store_;
};

struct FactoryNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
using Factories = ::testing::Types<SqliteFactory, GroupedSqliteFactory, MemoryFactory,
                                   PostgresFactory, LeasedPostgresFactory>;
TYPED_TEST_SUITE(StoreContract, Factories, FactoryNames);

TYPED_TEST(StoreContract, AcceptInboundCreatesTheContactWithProfileNameAndTime) {
  auto accepted = this->store_->AcceptInbound(Inbound("SM1", "Hola", 5));
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_FALSE(accepted->duplicate);
  EXPECT_NE(accepted->message_id, 0);
  auto contact = this->store_->FindContact(kChannel, kUser);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  EXPECT_EQ((*contact)->name, "Ana");
  EXPECT_EQ((*contact)->last_inbound_at, At(5));
  EXPECT_FALSE((*contact)->opted_out);
}

TYPED_TEST(StoreContract, AContactCarriesTheTenantOfTheNumberItBeganOn) {
  TurnContext turn = this->Receive("SM1", "hola");
  EXPECT_EQ(turn.contact.tenant, "clinic");
  auto found = this->store_->FindContact(kChannel, kUser);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->tenant, "clinic");
  auto other = this->store_->GetOrCreateContact("whatsapp:+14155230000", kUser);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->tenant, kDefaultTenant);  // a number no tenant owns
  EXPECT_NE(other->id, turn.contact.id);
}

TYPED_TEST(StoreContract, SameProviderIdTwiceIsStoredOnceAndReportedDuplicate) {
  auto first = this->store_->AcceptInbound(Inbound("SM1", "Hola"));
  InboundMessage again = Inbound("SM1", "Hola", 30);
  again.profile_name = "Otra";
  auto second = this->store_->AcceptInbound(again);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->message_id, first->message_id);
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->name, "Ana");  // nothing changed
  EXPECT_EQ((*contact)->last_inbound_at, At(0));
  EXPECT_EQ(this->Messages((*contact)->id).size(), 1u);
}

TYPED_TEST(StoreContract, SameProviderIdOnAnotherChannelIsANewMessage) {
  InboundMessage other = Inbound("SM1", "Hola");
  other.channel = "whatsapp:+15550000000";
  auto first = this->store_->AcceptInbound(Inbound("SM1", "Hola"));
  auto second = this->store_->AcceptInbound(other);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->duplicate);
  EXPECT_NE(second->message_id, first->message_id);
}

TYPED_TEST(StoreContract, AnEmptyProfileNameKeepsTheKnownName) {
  ASSERT_TRUE(this->store_->AcceptInbound(Inbound("SM1", "Hola")).ok());
  InboundMessage nameless = Inbound("SM2", "5", 60);
  nameless.profile_name = "";
  ASSERT_TRUE(this->store_->AcceptInbound(nameless).ok());
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->name, "Ana");
  EXPECT_EQ((*contact)->last_inbound_at, At(60));
}

TYPED_TEST(StoreContract, AProfileNameNeverOverwritesAKnownName) {
  ASSERT_TRUE(this->store_->AcceptInbound(Inbound("SM1", "Hola")).ok());
  InboundMessage renamed = Inbound("SM2", "otra vez", 60);
  renamed.profile_name = "Ana Perfil Nuevo";
  ASSERT_TRUE(this->store_->AcceptInbound(renamed).ok());
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->name, "Ana");
}

TYPED_TEST(StoreContract, ANameTheDialogSavedSurvivesLaterProfileNames) {
  TurnContext turn = this->Receive("SM1", "Ana María López");
  TurnCommit commit = this->Answer(turn, "ask_amount", {"Gracias"});
  commit.contact.name = "Ana María López";  // set_name
  this->Commit(commit);
  ASSERT_TRUE(this->store_->AcceptInbound(Inbound("SM2", "5000", 60)).ok());
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->name, "Ana María López");
}

TYPED_TEST(StoreContract, AProfileNameFillsANameNotKnownYet) {
  auto created = this->store_->GetOrCreateContact(kChannel, kUser);  // bot-first: no name
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->name, "");
  ASSERT_TRUE(this->store_->AcceptInbound(Inbound("SM1", "Hola")).ok());
  EXPECT_EQ((*this->store_->FindContact(kChannel, kUser))->name, "Ana");
}

TYPED_TEST(StoreContract, LoadTurnReturnsTheMessageItsContactAndNoSessionYet) {
  InboundMessage m = Inbound("SM1", "foto 📷 \"adjunta\"", 3);
  m.media = {{"https://api.twilio.com/m/1", "image/jpeg", "/tmp/m1.jpg", 2048, "ab12"},
             {"https://api.twilio.com/m/2", "audio/ogg", "", 0, ""}};
  m.vars = {{"doctor", "Dr. Ruiz"}};
  auto accepted = this->store_->AcceptInbound(m);
  ASSERT_TRUE(accepted.ok());
  auto turn = this->store_->LoadTurn(accepted->message_id);
  ASSERT_TRUE(turn.ok()) << turn.status().ToString();
  EXPECT_EQ(turn->message_id, accepted->message_id);
  EXPECT_EQ(turn->message.text, m.text);
  EXPECT_EQ(turn->message.channel, kChannel);
  EXPECT_EQ(turn->message.from, kUser);
  EXPECT_EQ(turn->message.provider_id, "SM1");
  EXPECT_EQ(turn->message.raw, m.raw);
  EXPECT_EQ(turn->message.dialog_id, "review_rating");
  EXPECT_EQ(turn->message.vars, m.vars);
  EXPECT_EQ(turn->message.received_at, At(3));
  ASSERT_EQ(turn->message.media.size(), 2u);
  EXPECT_EQ(turn->message.media[0].url, "https://api.twilio.com/m/1");
  EXPECT_EQ(turn->message.media[0].content_type, "image/jpeg");
  EXPECT_EQ(turn->message.media[0].path, "/tmp/m1.jpg");
  EXPECT_EQ(turn->message.media[0].size, 2048);
  EXPECT_EQ(turn->message.media[0].sha256, "ab12");
  EXPECT_EQ(turn->message.media[1].content_type, "audio/ogg");
  EXPECT_FALSE(turn->processed);
  EXPECT_EQ(turn->contact.address, kUser);
  EXPECT_EQ(turn->contact.name, "Ana");
  EXPECT_FALSE(turn->session.has_value());
}

TYPED_TEST(StoreContract, LoadTurnOfAnUnknownIdIsNotFound) {
  auto turn = this->store_->LoadTurn(4242);
  ASSERT_FALSE(turn.ok());
  EXPECT_EQ(turn.status().code(), StatusCode::kNotFound);
}

TYPED_TEST(StoreContract, CommitTurnStoresTheSessionAndRepliesInOrder) {
  TurnContext turn = this->Receive("SM1", "Hola");
  TurnCommit commit = this->Answer(turn, "ask_rating", {"Hola Ana 👋", "¿Qué nota nos da?"});
  commit.session->slots = {{"rating", Value::Int(4)},
                           {"amount", Value::Money(350050)},
                           {"ok", Value::Bool(true)},
                           {"feedback", Value::Text("todo \"bien\"\n😀")},
                           {"unset", Value()}};
  commit.session->attempts = 2;
  CommittedTurn committed = this->Commit(commit);
  EXPECT_NE(committed.session_id, 0);
  ASSERT_EQ(committed.outbound_ids.size(), 2u);
  EXPECT_LT(committed.outbound_ids[0], committed.outbound_ids[1]);

  auto again = this->store_->LoadTurn(turn.message_id);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->processed);
  ASSERT_TRUE(again->session.has_value());
  const Session& s = *again->session;
  EXPECT_EQ(s.id, committed.session_id);
  EXPECT_EQ(s.dialog_id, "review_rating");
  EXPECT_EQ(s.dialog_version, 1);
  EXPECT_EQ(s.state, "ask_rating");
  EXPECT_EQ(s.status, SessionStatus::kActive);
  EXPECT_EQ(s.attempts, 2);
  EXPECT_EQ(s.vars, (VarMap{{"name", "Ana"}, {"doctor", "Dra. Pérez"}}));
  SlotMap expected = commit.session->slots;
  expected.erase("unset");
  EXPECT_EQ(s.slots, expected);
  EXPECT_EQ(s.started_at, At(0));
  EXPECT_EQ(s.updated_at, At(1));

  std::vector<StoredMessage> messages = this->Messages(turn.contact.id);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].direction, "in");
  EXPECT_EQ(messages[0].status, "processed");
  EXPECT_EQ(messages[1].direction, "out");
  EXPECT_EQ(messages[1].id, committed.outbound_ids[0]);
  EXPECT_EQ(messages[1].text, "Hola Ana 👋");
  EXPECT_EQ(messages[1].status, "pending");
  EXPECT_EQ(messages[1].created_at, At(1));
  EXPECT_EQ(messages[2].text, "¿Qué nota nos da?");
}

TYPED_TEST(StoreContract, CommittingTheSameInboundTwiceIsAlreadyExistsAndWritesNothing) {
  TurnContext turn = this->Receive("SM1", "Hola");
  this->Commit(this->Answer(turn, "ask_rating", {"¿Qué nota?"}));
  TurnCommit replay = this->Answer(turn, "thanks", {"otra vez"});
  replay.session->id = 0;  // would insert a second session
  replay.records = {{"review", {{"rating", "5"}}}};
  replay.audit = {{"restart", ""}};
  auto second = this->store_->CommitTurn(replay);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(this->Messages(turn.contact.id).size(), 2u);
  EXPECT_TRUE(this->store_->ListRecords(turn.contact.id)->empty());
  EXPECT_TRUE(this->store_->ListAudit(turn.contact.id)->empty());
  auto session = this->store_->LatestSession(turn.contact.id);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->state, "ask_rating");
  EXPECT_EQ(*this->store_->OutboxDepth(), 1);
}

TYPED_TEST(StoreContract, ANextTurnUpdatesTheSameSession) {
  TurnContext first = this->Receive("SM1", "Hola");
  CommittedTurn c1 = this->Commit(this->Answer(first, "ask_rating", {"¿Qué nota?"}));
  TurnContext second = this->Receive("SM2", "5", 60);
  ASSERT_TRUE(second.session.has_value());
  EXPECT_EQ(second.session->id, c1.session_id);
  TurnCommit commit = this->Answer(second, "thanks", {"¡Gracias!"}, 61);
  commit.session->slots["rating"] = Value::Int(5);
  commit.session->status = SessionStatus::kDone;
  CommittedTurn c2 = this->Commit(commit);
  EXPECT_EQ(c2.session_id, c1.session_id);
  auto latest = this->store_->LatestSession(first.contact.id);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->state, "thanks");
  EXPECT_EQ((*latest)->status, SessionStatus::kDone);
  EXPECT_EQ((*latest)->slots.at("rating"), Value::Int(5));
}

TYPED_TEST(StoreContract, AClosedSessionIsSavedAndTheNewOneIsLatest) {
  TurnContext first = this->Receive("SM1", "Hola");
  CommittedTurn c1 = this->Commit(this->Answer(first, "ask_rating", {"¿Qué nota?"}));
  TurnContext later = this->Receive("SM2", "hola de nuevo", 90000);
  TurnCommit commit = this->Answer(later, "ask_rating", {"¿Qué nota?"}, 90001);
  commit.closed = *later.session;
  commit.closed->status = SessionStatus::kExpired;
  commit.session = NewSession("ask_rating");
  CommittedTurn c2 = this->Commit(commit);
  EXPECT_NE(c2.session_id, c1.session_id);
  auto latest = this->store_->LatestSession(first.contact.id);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, c2.session_id);
  EXPECT_EQ((*latest)->status, SessionStatus::kActive);
}

TYPED_TEST(StoreContract, OptOutKeepsItsFirstTimeUntilAnOptInClearsIt) {
  TurnContext turn = this->Receive("SM1", "BAJA");
  TurnCommit commit = this->Answer(turn, "ask_rating", {"Listo, no le escribiremos más."});
  commit.contact.opted_out = true;  // no time given: the turn's
  commit.audit = {{"optout", "BAJA"}};
  this->Commit(commit);
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_TRUE((*contact)->opted_out);
  EXPECT_EQ((*contact)->opted_out_at, At(1));

  TurnContext silent = this->Receive("SM1b", "hola?", 50);  // opted out: no time given again
  this->Commit(this->Answer(silent, "ask_rating", {}, 50));
  EXPECT_EQ(this->store_->FindContact(kChannel, kUser)->value().opted_out_at, At(1));

  TurnContext optin = this->Receive("SM2", "ALTA", 100);
  EXPECT_TRUE(optin.contact.opted_out);
  TurnCommit back = this->Answer(optin, "ask_rating", {"¡Bienvenido de vuelta!"}, 101);
  back.contact.opted_out = false;
  back.contact.opted_out_at.reset();
  this->Commit(back);
  contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_FALSE((*contact)->opted_out);
  EXPECT_FALSE((*contact)->opted_out_at.has_value());
  auto audit = this->store_->ListAudit(turn.contact.id);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].event.kind, "optout");
  EXPECT_EQ((*audit)[0].event.detail, "BAJA");
  EXPECT_EQ((*audit)[0].created_at, At(1));
}

TYPED_TEST(StoreContract, RecordsAreListedWithTheirSession) {
  TurnContext turn = this->Receive("SM1", "3");
  TurnCommit commit = this->Answer(turn, "done", {"Gracias"});
  commit.records = {{"review", {{"rating", "3"}, {"feedback", "la espera \"eterna\" 😤"}}},
                    {"note", {}}};
  CommittedTurn committed = this->Commit(commit);
  auto records = this->store_->ListRecords(turn.contact.id);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].record.kind, "review");
  EXPECT_EQ((*records)[0].record.fields.at("feedback"), "la espera \"eterna\" 😤");
  EXPECT_EQ((*records)[0].session_id, committed.session_id);
  EXPECT_EQ((*records)[0].contact_id, turn.contact.id);
  EXPECT_EQ((*records)[0].created_at, At(1));
  EXPECT_EQ((*records)[1].record.kind, "note");
  EXPECT_LT((*records)[0].id, (*records)[1].id);
}

Document Ine(const std::string& path, const std::string& name) {
  return {"ine", "ine", path, "sha-" + path, "image/jpeg",
          {{"full_name", name}, {"curp", "PEGA800101MDFRRN09"}}, "SM-" + path};
}

TYPED_TEST(StoreContract, DocumentsAreStoredWithTheTurnAndListedOldestFirst) {
  TurnContext turn = this->Receive("SM1", "");
  TurnCommit commit = this->Answer(turn, "ask_address", {"Gracias"});
  commit.documents = {Ine("/media/ine1.jpg", "ANA PEREZ"),
                      {"proof_of_address", "domicilio", "/media/cfe.pdf", "sha-cfe",
                       "application/pdf", {}, "SM1"}};
  CommittedTurn committed = this->Commit(commit);
  auto documents = this->store_->ListDocuments(turn.contact.id);
  ASSERT_TRUE(documents.ok()) << documents.status().ToString();
  ASSERT_EQ(documents->size(), 2u);
  const StoredDocument& ine = (*documents)[0];
  EXPECT_NE(ine.id, 0);
  EXPECT_EQ(ine.contact_id, turn.contact.id);
  EXPECT_EQ(ine.session_id, committed.session_id);
  EXPECT_EQ(ine.document.kind, "ine");
  EXPECT_EQ(ine.document.slot, "ine");
  EXPECT_EQ(ine.document.path, "/media/ine1.jpg");
  EXPECT_EQ(ine.document.sha256, "sha-/media/ine1.jpg");
  EXPECT_EQ(ine.document.content_type, "image/jpeg");
  EXPECT_EQ(ine.document.fields.at("full_name"), "ANA PEREZ");
  EXPECT_EQ(ine.document.fields.at("curp"), "PEGA800101MDFRRN09");
  EXPECT_EQ(ine.document.message_id, "SM-/media/ine1.jpg");
  EXPECT_EQ(ine.created_at, At(1));
  EXPECT_FALSE(ine.replaced_at.has_value());
  EXPECT_EQ((*documents)[1].document.kind, "proof_of_address");
  EXPECT_TRUE((*documents)[1].document.fields.empty());
  EXPECT_FALSE((*documents)[1].replaced_at.has_value());
}

TYPED_TEST(StoreContract, ANewDocumentMarksThePreviousOneOfItsKindReplacedAndKeepsIt) {
  TurnContext first = this->Receive("SM1", "");
  TurnCommit commit = this->Answer(first, "ask_address", {"Gracias"});
  commit.documents = {Ine("/media/ine1.jpg", "ANA PEREZ"),
                      {"proof_of_address", "domicilio", "/media/cfe.pdf", "s", "image/png", {},
                       "SM1"}};
  this->Commit(commit);
  TurnContext second = this->Receive("SM2", "", 10);
  TurnCommit again = this->Answer(second, "ask_amount", {"Listo"}, 11);
  again.documents = {Ine("/media/ine2.jpg", "ANA PEREZ GARCIA")};
  this->Commit(again);

  auto documents = this->store_->ListDocuments(first.contact.id);
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 3u);
  EXPECT_EQ((*documents)[0].document.path, "/media/ine1.jpg");
  EXPECT_EQ((*documents)[0].replaced_at, At(11));
  EXPECT_FALSE((*documents)[1].replaced_at.has_value());  // another kind: untouched
  EXPECT_EQ((*documents)[2].document.path, "/media/ine2.jpg");
  EXPECT_FALSE((*documents)[2].replaced_at.has_value());
}

TYPED_TEST(StoreContract, AnotherContactsDocumentIsNotReplaced) {
  TurnContext ana = this->Receive("SM1", "");
  TurnCommit commit = this->Answer(ana, "ask_address", {});
  commit.documents = {Ine("/media/ana.jpg", "ANA")};
  this->Commit(commit);
  InboundMessage other = Inbound("SM2", "", 5);
  other.from = "whatsapp:+5215512345678";
  auto accepted = this->store_->AcceptInbound(other);
  ASSERT_TRUE(accepted.ok());
  auto turn = this->store_->LoadTurn(accepted->message_id);
  ASSERT_TRUE(turn.ok());
  TurnCommit theirs = this->Answer(*turn, "ask_address", {}, 6);
  theirs.documents = {Ine("/media/luis.jpg", "LUIS")};
  this->Commit(theirs);
  auto documents = this->store_->ListDocuments(ana.contact.id);
  ASSERT_EQ(documents->size(), 1u);
  EXPECT_FALSE((*documents)[0].replaced_at.has_value());
  EXPECT_EQ(this->store_->ListDocuments(turn->contact.id)->size(), 1u);
}

TYPED_TEST(StoreContract, SealedReportsKeepTheirBinaryBlobKeyAndSummary) {
  TurnContext turn = this->Receive("SM1", "");
  TurnCommit commit = this->Answer(turn, "decide", {});
  const std::string blob("\x01k1\0\xff\x80 sealed \0 bytes", 21);
  commit.reports = {{"bureau", "k1", blob, "score=712"}, {"bureau", "k2", "x", "score=650"}};
  CommittedTurn committed = this->Commit(commit);
  auto reports = this->store_->ListReports(turn.contact.id);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].report.kind, "bureau");
  EXPECT_EQ((*reports)[0].report.key_id, "k1");
  EXPECT_EQ((*reports)[0].report.blob, blob);
  EXPECT_EQ((*reports)[0].report.summary, "score=712");
  EXPECT_EQ((*reports)[0].session_id, committed.session_id);
  EXPECT_EQ((*reports)[0].created_at, At(1));
  EXPECT_EQ((*reports)[1].report.key_id, "k2");
  EXPECT_TRUE(this->store_->ListReports(turn.contact.id + 1)->empty());
}

TYPED_TEST(StoreContract, ARefusedCommitStoresNoDocumentOrReport) {
  TurnContext turn = this->Receive("SM1", "");
  this->Commit(this->Answer(turn, "ask_address", {}));
  TurnCommit again = this->Answer(turn, "otra", {});
  again.documents = {Ine("/media/ine.jpg", "ANA")};
  again.reports = {{"bureau", "k1", "blob", "score=1"}};
  auto result = this->store_->CommitTurn(again);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(this->store_->ListDocuments(turn.contact.id)->empty());
  EXPECT_TRUE(this->store_->ListReports(turn.contact.id)->empty());
}

TYPED_TEST(StoreContract, ABotFirstTurnNeedsNoInboundMessage) {
  auto contact = this->store_->GetOrCreateContact(kChannel, kUser);
  ASSERT_TRUE(contact.ok());
  auto same = this->store_->GetOrCreateContact(kChannel, kUser);
  EXPECT_EQ(same->id, contact->id);
  EXPECT_FALSE(contact->last_inbound_at.has_value());
  TurnCommit commit;
  commit.contact = *contact;
  commit.session = NewSession("ask_rating");
  commit.replies = {"Hola Ana, ¿cómo calificaría su visita?"};
  commit.now = At(0);
  CommittedTurn committed = this->Commit(commit);
  EXPECT_NE(committed.session_id, 0);
  EXPECT_EQ(committed.outbound_ids.size(), 1u);
  auto latest = this->store_->LatestSession(contact->id);
  EXPECT_EQ((*latest)->id, committed.session_id);
}

TYPED_TEST(StoreContract, CommitTurnRejectsUnknownContactsSessionsAndMessages) {
  TurnContext turn = this->Receive("SM1", "Hola");
  TurnCommit unknown_contact = this->Answer(turn, "x", {"r"});
  unknown_contact.contact.id = 999;
  TurnCommit unknown_session = this->Answer(turn, "x", {"r"});
  unknown_session.session->id = 999;
  TurnCommit unknown_inbound = this->Answer(turn, "x", {"r"});
  unknown_inbound.inbound_id = 999;
  for (const TurnCommit& commit : {unknown_contact, unknown_session, unknown_inbound}) {
    auto result = this->store_->CommitTurn(commit);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kNotFound) << result.status().ToString();
  }
  TurnCommit bad_status = this->Answer(turn, "x", {"r"});
  bad_status.reply_status = "sent";
  EXPECT_EQ(this->store_->CommitTurn(bad_status).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Messages(turn.contact.id).size(), 1u);
  EXPECT_FALSE(this->store_->LatestSession(turn.contact.id)->has_value());
}

TYPED_TEST(StoreContract, InlineRepliesNeverEnterTheOutbox) {
  TurnContext turn = this->Receive("SM1", "Hola");
  TurnCommit commit = this->Answer(turn, "ask_rating", {"¿Qué nota?"});
  commit.reply_status = "inline";
  this->Commit(commit);
  EXPECT_EQ(*this->store_->OutboxDepth(), 0);
  EXPECT_TRUE(this->store_->DueOutbound(At(100), 10)->empty());
  EXPECT_EQ(this->Messages(turn.contact.id)[1].status, "inline");
}

TYPED_TEST(StoreContract, DueOutboundReturnsPendingDueMessagesOldestFirstWithTheAddress) {
  TurnContext turn = this->Receive("SM1", "Hola");
  CommittedTurn c = this->Commit(this->Answer(turn, "ask_rating", {"uno", "dos", "tres"}, 10));
  EXPECT_TRUE(this->store_->DueOutbound(At(9), 10)->empty());
  auto due = this->store_->DueOutbound(At(10), 2);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, c.outbound_ids[0]);
  EXPECT_EQ((*due)[1].id, c.outbound_ids[1]);
  EXPECT_EQ((*due)[0].text, "uno");
  EXPECT_EQ((*due)[0].channel, kChannel);
  EXPECT_EQ((*due)[0].to, kUser);
  EXPECT_EQ((*due)[0].contact_id, turn.contact.id);
  EXPECT_EQ((*due)[0].status, "pending");
  EXPECT_EQ((*due)[0].attempts, 0);
  EXPECT_EQ((*due)[0].next_attempt_at, At(10));
  EXPECT_EQ(*this->store_->OutboxDepth(), 3);
  EXPECT_TRUE(this->store_->DueOutbound(At(10), 0)->empty());
}

TYPED_TEST(StoreContract, ASentMessageLeavesTheOutboxWithItsProviderId) {
  const int64_t id = this->SentReply("SMout1");
  EXPECT_EQ(*this->store_->OutboxDepth(), 0);
  EXPECT_TRUE(this->store_->DueOutbound(At(100), 10)->empty());
  const StoredMessage out = this->Messages(1).back();
  EXPECT_EQ(out.id, id);
  EXPECT_EQ(out.status, "sent");
  EXPECT_EQ(out.provider_id, "SMout1");
}

TYPED_TEST(StoreContract, ARetryCountsTheAttemptAndWaitsUntilItsTime) {
  TurnContext turn = this->Receive("SM1", "Hola");
  CommittedTurn c = this->Commit(this->Answer(turn, "ask_rating", {"¿Qué nota?"}));
  ASSERT_TRUE(this->store_->MarkOutboundRetry(c.outbound_ids[0], At(60), "HTTP 503").ok());
  EXPECT_TRUE(this->store_->DueOutbound(At(59), 10)->empty());
  auto due = this->store_->DueOutbound(At(60), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].next_attempt_at, At(60));
  EXPECT_EQ(*this->store_->OutboxDepth(), 1);
}

TYPED_TEST(StoreContract, APermanentFailureKeepsItsStatusAndCode) {
  TurnContext turn = this->Receive("SM1", "Hola");
  CommittedTurn c = this->Commit(this->Answer(turn, "ask_rating", {"uno", "dos"}));
  ASSERT_TRUE(this->store_->MarkOutboundFailed(c.outbound_ids[0], "failed", "63016", "x").ok());
  ASSERT_TRUE(
      this->store_->MarkOutboundFailed(c.outbound_ids[1], "not_sendable", "", "window").ok());
  EXPECT_EQ(this->OutboundStatus(c.outbound_ids[0]), "failed:63016");
  EXPECT_EQ(this->OutboundStatus(c.outbound_ids[1]), "not_sendable");
  EXPECT_EQ(*this->store_->OutboxDepth(), 0);
  EXPECT_EQ(this->store_->MarkOutboundFailed(c.outbound_ids[0], "sent", "", "").code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(StoreContract, MarkingAnUnknownOrInboundMessageIsNotFound) {
  TurnContext turn = this->Receive("SM1", "Hola");
  for (int64_t id : {turn.message_id, int64_t{999}}) {
    EXPECT_EQ(this->store_->MarkOutboundSent(id, "SMx", At(1)).code(), StatusCode::kNotFound);
    EXPECT_EQ(this->store_->MarkOutboundRetry(id, At(1), "e").code(), StatusCode::kNotFound);
    EXPECT_EQ(this->store_->MarkOutboundFailed(id, "failed", "1", "e").code(),
              StatusCode::kNotFound);
  }
}

TYPED_TEST(StoreContract, DeliveryCallbacksOnlyMoveAMessageForward) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> callbacks;  // status, error code
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"queued", ""}}, "sent"},
      {{{"sent", ""}}, "sent"},
      {{{"delivered", ""}}, "delivered"},
      {{{"delivered", ""}, {"read", ""}}, "read"},
      {{{"read", ""}, {"delivered", ""}}, "read"},
      {{{"delivered", ""}, {"sending", ""}, {"sent", ""}}, "delivered"},
      {{{"failed", "30008"}}, "failed:30008"},
      {{{"undelivered", "30003"}, {"delivered", ""}}, "undelivered:30003"},
      {{{"delivered", ""}, {"undelivered", "30005"}}, "undelivered:30005"},
      {{{"failed", "30008"}, {"undelivered", "30003"}}, "failed:30008"},
      {{{"delivered", "123"}}, "delivered"},  // only final statuses keep a code
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string sid = "SMout" + std::to_string(++n);
    const int64_t id = this->SentReply(sid);
    for (const auto& [status, code] : c.callbacks) {
      EXPECT_TRUE(this->store_->UpdateDeliveryStatus(sid, status, code).ok());
    }
    EXPECT_EQ(this->OutboundStatus(id), c.expected) << "case " << n;
  }
}

TYPED_TEST(StoreContract, CallbacksForUnknownIdsAreIgnoredAndUnknownStatusesRejected) {
  const int64_t id = this->SentReply("SMout1");
  EXPECT_TRUE(this->store_->UpdateDeliveryStatus("SMnobody", "delivered", "").ok());
  EXPECT_TRUE(this->store_->UpdateDeliveryStatus("SM-in-SMout1", "delivered", "").ok());
  EXPECT_EQ(this->store_->UpdateDeliveryStatus("SMout1", "exploded", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->OutboundStatus(id), "sent");
  EXPECT_EQ(this->Messages(1).front().status, "processed");
}

// Issue 16: permanent Twilio errors about the contact stop every later send to it.
TYPED_TEST(StoreContract, AnInvalidNumberMarksTheContactAndItsOtherMessagesFailUnsent) {
  TurnContext turn = this->Receive("SM1", "Hola");
  CommittedTurn c = this->Commit(this->Answer(turn, "ask_rating", {"uno", "dos", "tres"}));
  ASSERT_TRUE(
      this->store_
          ->MarkOutboundFailed(c.outbound_ids[0], "failed", "21211", "not a valid phone number")
          .ok());
  auto contact = this->store_->FindContact(kChannel, kUser);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  EXPECT_EQ((*contact)->unreachable_code, "21211");
  EXPECT_EQ((*contact)->unreachable_reason, "invalid number (21211)");
  EXPECT_TRUE((*contact)->unreachable_at.has_value());
  EXPECT_FALSE((*contact)->opted_out);  // an invalid number did not opt out

  EXPECT_TRUE(this->store_->DueOutbound(At(100), 10)->empty());
  EXPECT_EQ(this->OutboundStatus(c.outbound_ids[1]), "failed:21211");
  EXPECT_EQ(this->OutboundStatus(c.outbound_ids[2]), "failed:21211");
  EXPECT_EQ(*this->store_->OutboxDepth(), 0);
  auto audit = this->store_->ListAudit(turn.contact.id);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].event.kind, "contact_unreachable");
  EXPECT_EQ((*audit)[0].event.detail, "code=21211 message=" + std::to_string(c.outbound_ids[0]) +
                                          " reason=invalid number (21211)");
}

TYPED_TEST(StoreContract, OutsideTheWindowFailsOnlyThatMessage) {
  TurnContext turn = this->Receive("SM1", "Hola");
  CommittedTurn c = this->Commit(this->Answer(turn, "ask_rating", {"uno", "dos"}));
  ASSERT_TRUE(this->store_->MarkOutboundFailed(c.outbound_ids[0], "failed", "63016", "x").ok());
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->unreachable_code, "");
  auto due = this->store_->DueOutbound(At(100), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, c.outbound_ids[1]);
  EXPECT_TRUE(this->store_->ListAudit(turn.contact.id)->empty());
}

TYPED_TEST(StoreContract, AnUnsubscribedCallbackOptsTheContactOutUntilItOptsInAgain) {
  const int64_t id = this->SentReply("SMout1");
  ASSERT_TRUE(this->store_->UpdateDeliveryStatus("SMout1", "undelivered", "21610").ok());
  EXPECT_EQ(this->OutboundStatus(id), "undelivered:21610");
  // The same code again changes nothing and is audited once.
  ASSERT_TRUE(this->store_->UpdateDeliveryStatus("SMout1", "failed", "21610").ok());
  TurnContext turn = this->Receive("SM2", "hola otra vez", 10);
  EXPECT_EQ(turn.contact.unreachable_code, "21610");
  EXPECT_TRUE(turn.contact.opted_out);

  // A message the user's turn queued is failed, not sent.
  TurnCommit quiet = this->Answer(turn, "ask_rating", {"¿sigues ahí?"}, 11);
  CommittedTurn c = this->Commit(quiet);
  EXPECT_TRUE(this->store_->DueOutbound(At(100), 10)->empty());
  EXPECT_EQ(this->OutboundStatus(c.outbound_ids[0]), "failed:21610");

  // The user opts in again (START): the mark goes with the opt-out.
  TurnContext again = this->Receive("SM3", "START", 20);
  TurnCommit optin = this->Answer(again, "ask_rating", {"¡Listo!"}, 21);
  optin.contact.opted_out = false;
  optin.contact.opted_out_at.reset();
  optin.audit = {{"optin", ""}};
  CommittedTurn after = this->Commit(optin);
  auto contact = this->store_->FindContact(kChannel, kUser);
  EXPECT_EQ((*contact)->unreachable_code, "");
  EXPECT_FALSE((*contact)->opted_out);
  auto due = this->store_->DueOutbound(At(100), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, after.outbound_ids[0]);
  int unreachable_events = 0;
  auto audit = this->store_->ListAudit(turn.contact.id);
  for (const StoredAudit& a : *audit) {
    unreachable_events += a.event.kind == "contact_unreachable";
  }
  EXPECT_EQ(unreachable_events, 1);
}

TYPED_TEST(StoreContract, UnprocessedInboundListsAcceptedMessagesOldestFirst) {
  TurnContext a = this->Receive("SM1", "uno");
  TurnContext b = this->Receive("SM2", "dos");
  TurnContext c = this->Receive("SM3", "tres");
  this->Commit(this->Answer(b, "ask_rating", {}));
  auto ids = this->store_->UnprocessedInbound();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int64_t>{a.message_id, c.message_id}));
}

TYPED_TEST(StoreContract, AFailedInboundMessageIsAuditedAndNoLongerUnprocessed) {
  TurnContext a = this->Receive("SM1", "uno");
  TurnContext b = this->Receive("SM2", "dos");
  ASSERT_TRUE(
      this->store_->MarkInboundFailed(a.message_id, "message 1: bad vars JSON", At(3)).ok());
  EXPECT_EQ(*this->store_->UnprocessedInbound(), std::vector<int64_t>{b.message_id});
  EXPECT_EQ(this->Messages(a.contact.id).front().status, "failed");
  auto audit = this->store_->ListAudit(a.contact.id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->back().event.kind, "inbound_failed");
  EXPECT_EQ(audit->back().event.detail, "message SM1: message 1: bad vars JSON");
  // Only an accepted inbound message can fail: not twice, not a processed one.
  EXPECT_EQ(this->store_->MarkInboundFailed(a.message_id, "again", At(4)).code(),
            StatusCode::kNotFound);
  this->Commit(this->Answer(b, "ask_rating", {}));
  EXPECT_EQ(this->store_->MarkInboundFailed(b.message_id, "late", At(5)).code(),
            StatusCode::kNotFound);
}

TYPED_TEST(StoreContract, ReleaseHandoffReactivatesTheSessionInTheSameState) {
  TurnContext turn = this->Receive("SM1", "asesor");
  TurnCommit commit = this->Answer(turn, "ask_feedback", {"Le comunico con una persona."});
  commit.session->status = SessionStatus::kHandoff;
  this->Commit(commit);
  ASSERT_TRUE(this->store_->ReleaseHandoff(turn.contact.id, At(500)).ok());
  auto session = this->store_->LatestSession(turn.contact.id);
  EXPECT_EQ((*session)->status, SessionStatus::kActive);
  EXPECT_EQ((*session)->state, "ask_feedback");
  EXPECT_EQ((*session)->updated_at, At(500));
  EXPECT_EQ(this->store_->ReleaseHandoff(turn.contact.id, At(501)).code(), StatusCode::kNotFound);
}

TYPED_TEST(StoreContract, FindContactOfAStrangerIsEmpty) {
  auto contact = this->store_->FindContact(kChannel, "whatsapp:+10000000000");
  ASSERT_TRUE(contact.ok());
  EXPECT_FALSE(contact->has_value());
  EXPECT_TRUE(this->store_->Ping().ok());
}

TYPED_TEST(StoreContract, ConcurrentDeliveriesOfTheSameMessagesAreStoredOnce) {
  constexpr int kThreads = 4;
  constexpr int kMessages = 25;
  std::vector<std::vector<int64_t>> fresh(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &fresh] {
      for (int i = 0; i < kMessages; ++i) {
        auto accepted = this->store_->AcceptInbound(Inbound("SM" + std::to_string(i), "hola"));
        if (accepted.ok() && !accepted->duplicate) fresh[t].push_back(accepted->message_id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> ids;
  for (const auto& list : fresh) ids.insert(list.begin(), list.end());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(this->store_->UnprocessedInbound()->size(), static_cast<size_t>(kMessages));
}

// What only the SQLite store has: a file, a schema, migrations and real transactions.
class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(SqliteOptions options = {}) {
    auto store = OpenSqliteStore(path_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // The single integer `sql` returns, read through a connection of the test's own.
  int64_t Query(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    int64_t value = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    EXPECT_NE(value, -1) << sql << ": " << sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

  // Stores a received "Hola", a first turn and a review record; returns the contact id.
  int64_t ConverseOnce(Store& store, const std::string& sid) {
    auto accepted = store.AcceptInbound(Inbound(sid, "Hola"));
    EXPECT_TRUE(accepted.ok());
    auto turn = store.LoadTurn(accepted->message_id);
    EXPECT_TRUE(turn.ok());
    TurnCommit commit;
    commit.inbound_id = turn->message_id;
    commit.contact = turn->contact;
    commit.session = NewSession("ask_rating");
    commit.replies = {"¿Qué nota?"};
    commit.records = {{"review", {{"rating", "5"}, {"feedback", "excelente 😀"}}}};
    commit.now = At(1);
    EXPECT_TRUE(store.CommitTurn(commit).ok());
    return turn->contact.id;
  }

  TempDir dir_;
  std::string path_ = dir_.File("bot.db");
};

TEST_F(SqliteStoreTest, DataSurvivesClosingAndReopeningTheFile) {
  int64_t contact_id = 0;
  {
    auto store = Open();
    contact_id = ConverseOnce(*store, "SM1");
  }
  auto store = Open();
  auto contact = store->FindContact(kChannel, kUser);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  EXPECT_EQ((*contact)->id, contact_id);
  EXPECT_EQ((*contact)->name, "Ana");
  EXPECT_EQ(store->LatestSession(contact_id)->value().state, "ask_rating");
  EXPECT_EQ(*store->OutboxDepth(), 1);
  EXPECT_EQ(store->ListRecords(contact_id)->size(), 1u);
  EXPECT_TRUE(store->AcceptInbound(Inbound("SM1", "Hola"))->duplicate);
}

// Schema 6 keys inbound de-duplication by contact instead of by channel: a database of schema 5
// migrates, and a late retry of a message stored before the migration is still a duplicate.
TEST_F(SqliteStoreTest, AMessageStoredBeforeSchema6IsStillFoundAsADuplicateAfterIt) {
  {
    auto store = Open();
    ConverseOnce(*store, "SM-old");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "DROP INDEX messages_inbound_provider_id; "
                   "CREATE UNIQUE INDEX messages_inbound_provider_id ON messages "
                   "(channel, provider_id) WHERE direction = 'in' AND provider_id IS NOT NULL; "
                   // Schema 7's tables did not exist at schema 5 either.
                   "DROP TABLE offers_fts; DROP TABLE offers; DROP TABLE deliveries; "
                   "DROP TABLE sink_cursors; DROP TABLE events; "
                   "DROP TABLE lead_notifications; "
                   // Nor schema 8's.
                   "DROP TABLE claims; ALTER TABLE messages DROP COLUMN agent; "
                   "ALTER TABLE messages DROP COLUMN author; "
                   // Nor schema 13's (the contact's tenant).
                   "DROP INDEX contacts_by_tenant; ALTER TABLE contacts DROP COLUMN tenant; "
                   // Nor schema 12's (tracked campaign links).
                   "DROP TABLE link_clicks; DROP TABLE tracked_links; "
                   // Nor schema 11's.
                   "DROP INDEX messages_held; DROP TABLE credit_ledger; "
                   "DROP TABLE credit_balances; "
                   // Nor schema 10's.
                   "DROP TABLE loan_reminders; DROP TABLE loan_allocations; "
                   "DROP TABLE loan_transactions; ALTER TABLE loan_payments DROP COLUMN paid; "
                   "ALTER TABLE loan_payments DROP COLUMN paid_at; DROP INDEX messages_failed; "
                   "DROP INDEX contacts_unreachable; "
                   "ALTER TABLE contacts DROP COLUMN unreachable_code; "
                   "ALTER TABLE contacts DROP COLUMN unreachable_reason; "
                   "ALTER TABLE contacts DROP COLUMN unreachable_at; "
                   // Nor schema 9's.
                   "DROP TABLE campaign_recipients; DROP TABLE campaigns; "
                   "ALTER TABLE messages DROP COLUMN content_variables; "
                   "ALTER TABLE messages DROP COLUMN content_sid; "
                   "PRAGMA user_version = 5;",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto store = Open();
  EXPECT_EQ(Query("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(Query("SELECT count(*) FROM sqlite_schema WHERE name = "
                  "'messages_inbound_provider_id' AND sql LIKE '%contact_id, provider_id%'"),
            1);
  EXPECT_TRUE(store->AcceptInbound(Inbound("SM-old", "Hola"))->duplicate);
  EXPECT_FALSE(store->AcceptInbound(Inbound("SM-new", "Hola"))->duplicate);
}

TEST_F(SqliteStoreTest, MigrationsRunOnceAndReopeningIsANoOp) {
  Open();
  EXPECT_EQ(Query("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  const int64_t objects = Query("SELECT count(*) FROM sqlite_schema");
  Open();
  Open();
  EXPECT_EQ(Query("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(Query("SELECT count(*) FROM sqlite_schema"), objects);
}

TEST_F(SqliteStoreTest, TheSchemaHasItsTablesIndexesAndView) {
  Open();
  for (const char* table :
       {"contacts", "sessions", "messages", "records", "audit_events", "usage_records", "documents",
        "sealed_reports", "loans", "loan_payments", "application_decisions", "claims"}) {
    EXPECT_EQ(Query(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name = '") +
                    table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(Query("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND "
                  "name = 'review_results'"),
            1);
  EXPECT_EQ(Query("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                  "name = 'messages_inbound_provider_id' AND sql LIKE '%UNIQUE%'"),
            1);
  EXPECT_EQ(Query("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                  "name = 'messages_outbox'"),
            1);
}

TEST_F(SqliteStoreTest, OpensInWalModeWithTheRequestedSynchronousLevel) {
  auto store = Open({.synchronous = "full"});
  EXPECT_EQ(Query("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
  EXPECT_FALSE(OpenSqliteStore(path_, {.synchronous = "sometimes"}).ok());
}

TEST_F(SqliteStoreTest, ReviewResultsAreQueryableWithPlainSql) {
  auto store = Open();
  ConverseOnce(*store, "SM1");
  EXPECT_EQ(Query("SELECT rating FROM review_results WHERE contact = '" + kUser + "'"), 5);
  EXPECT_EQ(Query("SELECT count(*) FROM review_results WHERE feedback = 'excelente 😀' "
                  "AND name = 'Ana' AND created_at = " +
                  std::to_string(ToUnixMillis(At(1)))),
            1);
}

TEST_F(SqliteStoreTest, AFailedCommitRollsBackRowsWrittenBeforeTheFailure) {
  auto store = Open();
  const int64_t contact_id = ConverseOnce(*store, "SM1");
  const int64_t message_id = Query("SELECT min(id) FROM messages");
  const std::string counts =
      "SELECT (SELECT count(*) FROM sessions) * 1000000 + (SELECT count(*) FROM messages) * "
      "10000 + (SELECT count(*) FROM records) * 100 + (SELECT count(*) FROM audit_events)";
  const int64_t before = Query(counts);
  // The new session and the contact update come before the processed check that fails.
  TurnCommit again;
  again.inbound_id = message_id;
  again.contact = *store->FindContact(kChannel, kUser)->operator->();
  again.contact.name = "Cambiado";
  again.contact.opted_out = true;
  again.session = NewSession("otra");
  again.replies = {"uno", "dos"};
  again.records = {{"review", {{"rating", "1"}}}};
  again.audit = {{"optout", ""}};
  again.now = At(2);
  auto result = store->CommitTurn(again);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Query(counts), before);
  EXPECT_EQ(Query("SELECT count(*) FROM contacts WHERE name = 'Ana' AND opted_out_at IS NULL "
                  "AND id = " +
                  std::to_string(contact_id)),
            1);
  // And the connection is usable afterwards.
  EXPECT_TRUE(store->AcceptInbound(Inbound("SM2", "otra")).ok());
}

// Group commit: writes are invisible to other connections (and would be lost in a crash) until
// Flush(); WhenDurable callers are told then, in order, and not before.
TEST_F(SqliteStoreTest, GroupedWritesBecomeDurableTogetherAtFlush) {
  auto store = Open({.group_commit = true});
  std::vector<std::string> told;
  store->WhenDurable([&](const Status& s) { told.push_back("idle:" + s.ToString()); });
  ASSERT_EQ(told.size(), 1u);  // nothing was waiting: at once
  ConverseOnce(*store, "SM1");
  store->WhenDurable([&](const Status& s) { told.push_back("first:" + s.ToString()); });
  ASSERT_TRUE(store->AcceptInbound(Inbound("SM2", "otra")).ok());
  store->WhenDurable([&](const Status& s) { told.push_back("second:" + s.ToString()); });
  EXPECT_EQ(told.size(), 1u);
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), 0);  // another connection sees nothing yet
  // The store itself reads its own writes.
  EXPECT_TRUE(store->AcceptInbound(Inbound("SM1", "Hola"))->duplicate);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(told, (std::vector<std::string>{"idle:ok", "first:ok", "second:ok"}));
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), 3);  // 2 inbound + 1 reply
  ASSERT_TRUE(store->Flush().ok());                      // nothing open: a no-op
}

TEST_F(SqliteStoreTest, AFailedCallInAGroupRollsBackOnlyItsOwnRows) {
  auto store = Open({.group_commit = true});
  ConverseOnce(*store, "SM1");
  const int64_t message_id = 1;
  TurnCommit again;  // the same message committed twice: refused, its rows rolled back
  again.inbound_id = message_id;
  again.contact = *store->FindContact(kChannel, kUser)->operator->();
  again.contact.name = "Cambiado";
  again.session = NewSession("otra");
  again.replies = {"uno", "dos"};
  again.now = At(2);
  EXPECT_EQ(store->CommitTurn(again).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(store->AcceptInbound(Inbound("SM2", "sigue")).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Query("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE direction = 'out'"), 1);
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE direction = 'in'"), 2);
  EXPECT_EQ(Query("SELECT count(*) FROM contacts WHERE name = 'Ana'"), 1);
}

TEST_F(SqliteStoreTest, DueOutboundCommitsTheGroupBeforeReadingSoNoReplyLeavesUncommitted) {
  auto store = Open({.group_commit = true});
  bool told = false;
  ConverseOnce(*store, "SM1");
  store->WhenDurable([&](const Status& s) { told = s.ok(); });
  auto due = store->DueOutbound(At(10), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_TRUE(told);
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE status = 'pending'"), 1);
}

TEST_F(SqliteStoreTest, ClosingAGroupedStoreCommitsWhatItHolds) {
  bool told = false;
  {
    auto store = Open({.group_commit = true});
    ConverseOnce(*store, "SM1");
    store->WhenDurable([&](const Status& s) { told = s.ok(); });
  }
  EXPECT_TRUE(told);
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), 2);
}

// The background checkpointer replaces SQLite's automatic checkpoints: the WAL must still be
// copied back into the database file (it grows) while the store stays open.
TEST_F(SqliteStoreTest, WithTheBackgroundCheckpointerTheWalStillReachesTheDatabase) {
  auto store = Open({.group_commit = true, .background_checkpoint = true});
  const auto empty_size = std::filesystem::file_size(path_);
  const std::string text(3000, 'x');  // about a page per message
  for (int i = 0; i < 3000; ++i) {  // past the checkpoint interval, 4000 frames
    ASSERT_TRUE(store->AcceptInbound(Inbound("SM" + std::to_string(i), text)).ok());
    if (i % 50 == 49) {
      ASSERT_TRUE(store->Flush().ok());
    }
  }
  ASSERT_TRUE(store->Flush().ok());
  // The checkpoint runs on its own thread: wait for it (bounded), not for a fixed time.
  for (int i = 0; i < 500 && std::filesystem::file_size(path_) < empty_size + 1'000'000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(std::filesystem::file_size(path_), empty_size + 1'000'000);
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), 3000);
}

// The store's VFS writes a transaction's WAL frames in one piece when its commit frame is
// appended (store/sqlite_wal_vfs.h). A group far larger than one write (the unix VFS takes at
// most 128 KiB per call) and than the VFS's buffer, spilled from a small page cache before the
// commit, with one call rolled back in the middle, must reach another connection whole.
TEST_F(SqliteStoreTest, AGroupLargerThanTheWalBufferReachesOtherConnectionsWhole) {
  {
    auto store = Open({.group_commit = true, .cache_kib = 256});
    ConverseOnce(*store, "SM-first");  // message 1, and its reply
    const std::string text(3000, 'y');
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(store->AcceptInbound(Inbound("SM" + std::to_string(i), text)).ok());
      if (i == 1000) {
        TurnCommit again;  // message 1 committed twice: refused, its rows rolled back
        again.inbound_id = 1;
        again.contact = *store->FindContact(kChannel, kUser)->operator->();
        again.session = NewSession("otra");
        again.replies = std::vector<std::string>(200, text);
        again.now = At(2);
        EXPECT_EQ(store->CommitTurn(again).status().code(), StatusCode::kAlreadyExists);
      }
    }
    ASSERT_TRUE(store->Flush().ok());
    EXPECT_EQ(Query("SELECT count(*) FROM messages"), 2002);
    EXPECT_EQ(Query("SELECT sum(length(text)) FROM messages WHERE text = '" + text + "'"),
              2000 * 3000);
    EXPECT_EQ(Query("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
  }
  // Reopened, the WAL is read back from the file alone.
  auto reopened = Open();
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), 2002);
}

// The VFS holds a transaction's frames until its commit frame. A transaction that spilled frames
// and then rolled back never commits: those frames must be dropped, not written later over
// frames another connection has committed since.
TEST_F(SqliteStoreTest, FramesOfARolledBackTransactionNeverOverwriteAnotherConnectionsCommit) {
  Open();  // creates and migrates the file
  sqlite3* ours = nullptr;
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &ours, SQLITE_OPEN_READWRITE,
                            sqlite::WalBatchingVfs()),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  const auto exec = [](sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  };
  exec(ours, "PRAGMA cache_size = 20; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  // A transaction far larger than the page cache: it spills frames to the WAL, then rolls back.
  // (On an empty WAL, so that the rollback reloads pages from the database file alone.)
  exec(ours, "PRAGMA wal_checkpoint(TRUNCATE)");
  exec(ours, "BEGIN");
  for (int i = 0; i < 200; ++i) {
    exec(ours, "INSERT INTO t (v) VALUES (printf('%.3000c', 'a'))");
  }
  exec(ours, "ROLLBACK");
  exec(other, "INSERT INTO t (v) VALUES ('theirs')");  // commits frames after the WAL's end
  exec(ours, "INSERT INTO t (v) VALUES ('ours')");
  sqlite3_close(ours);
  sqlite3_close(other);
  EXPECT_EQ(Query("SELECT count(*) FROM t WHERE v IN ('theirs', 'ours')"), 2);
  EXPECT_EQ(Query("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(Query("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

// Under steady writes a background checkpoint never finds the WAL idle: the writer appends while
// it copies, and only the writer can start the WAL over, once every frame is copied. Without help
// the WAL would start over only at the writer's takeover mark (32000 frames, 128 MiB). So past
// the start-over mark (16000 frames), after a background checkpoint that left few frames, the
// writer's next commit copies them itself, and its next transaction starts the WAL over. Below
// the mark it does not: each start-over makes a commit wait for three fsyncs, milliseconds
// during which no turn commits.
//
// Which frames a checkpoint leaves is made certain here, not left to the speed of two threads: a
// reader on another connection holds a snapshot, which no checkpoint copies past. The WAL index
// (the -shm file, sqlite.org/walformat.html) tells the frames the WAL holds and those copied.
class SqliteWalTest : public SqliteStoreTest {
 protected:
  std::uint32_t WalIndexWord(std::size_t offset) const {
    std::ifstream shm(path_ + "-shm", std::ios::binary);
    std::uint32_t word = 0;  // native byte order
    shm.seekg(static_cast<std::streamoff>(offset));
    shm.read(reinterpret_cast<char*>(&word), sizeof word);
    return word;
  }
  std::uint32_t WalFrames() const { return WalIndexWord(16); }     // mxFrame
  std::uint32_t CopiedFrames() const { return WalIndexWord(96); }  // nBackfill

  // One message of about a page, committed.
  void CommitOne(Store& store) {
    ASSERT_TRUE(
        store.AcceptInbound(Inbound("SM" + std::to_string(sent_++), std::string(3000, 'z'))).ok());
    ASSERT_TRUE(store.Flush().ok());
  }

  // A read transaction on a connection of its own: no checkpoint copies past its snapshot, and
  // the WAL cannot start over while it lasts.
  class Reader {
   public:
    explicit Reader(const std::string& path) {
      EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
      EXPECT_EQ(
          sqlite3_exec(db_, "BEGIN; SELECT count(*) FROM messages", nullptr, nullptr, nullptr),
          SQLITE_OK);
    }
    ~Reader() { End(); }
    void End() {
      if (db_ == nullptr) return;
      EXPECT_EQ(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
      sqlite3_close(db_);
      db_ = nullptr;
    }

   private:
    sqlite3* db_ = nullptr;
  };

  // Fills the WAL to `frames` frames, then lets one background checkpoint copy all but the last
  // hundred or so. Returns the frames copied, once that checkpoint is over.
  std::uint32_t FillLeavingAFewUncopied(Store& store, std::uint32_t frames) {
    CommitOne(store);
    Reader early(path_);  // while the WAL fills, checkpoints copy nothing
    while (WalFrames() < frames - 100) CommitOne(store);
    Reader late(path_);
    const std::uint32_t snapshot = WalFrames();
    while (WalFrames() < frames) CommitOne(store);
    early.End();
    CommitOne(store);  // starts a background checkpoint, which copies up to `late`'s snapshot
    EXPECT_LE(WalFrames() - snapshot, std::uint32_t{sqlite::Checkpointer::kCatchUpFrames});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (CopiedFrames() < snapshot && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(CopiedFrames(), snapshot);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // its last passes end
    return snapshot;
  }

  static constexpr std::uint32_t kEvery = sqlite::Checkpointer::kEveryFrames;
  static constexpr std::uint32_t kStartOverMark = sqlite::Checkpointer::kStartsOverAt * kEvery;
  int sent_ = 0;
};

TEST_F(SqliteWalTest, PastItsMarkTheWriterCopiesWhatACheckpointLeftAndTheWalStartsOver) {
  auto store = Open({.group_commit = true, .background_checkpoint = true});
  const std::uint32_t copied = FillLeavingAFewUncopied(*store, kStartOverMark);
  ASSERT_FALSE(HasFailure());

  // No background checkpoint is due for another 4000 frames; the writer copies the frames left,
  // and the WAL starts over (its frame count falls back to a few).
  const std::uint32_t before = WalFrames();
  for (int i = 0; i < 100 && WalFrames() >= before; ++i) {
    CommitOne(*store);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(WalFrames(), copied);
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), sent_);
}

TEST_F(SqliteWalTest, BelowItsMarkTheWalGoesOnGrowing) {
  auto store = Open({.group_commit = true, .background_checkpoint = true});
  FillLeavingAFewUncopied(*store, kEvery);
  ASSERT_FALSE(HasFailure());
  for (int i = 0; i < 20; ++i) {
    const std::uint32_t before = WalFrames();
    CommitOne(*store);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_GT(WalFrames(), before) << "the WAL started over at commit " << i;
  }
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), sent_);
}

// botrunner outbox failed | retry: a retry to a contact marked unreachable needs --force.
TEST_F(SqliteStoreTest, FailedOutboundIsListedAndRetriedButNotToAnUnreachableContact) {
  auto store = Open();
  const int64_t contact = ConverseOnce(*store, "SM1");
  auto due = store->DueOutbound(At(2), 10);
  ASSERT_EQ(due->size(), 1u);
  const int64_t id = (*due)[0].id;
  ASSERT_TRUE(store->MarkOutboundFailed(id, "failed", "21610", "unsubscribed").ok());

  auto failed = ListFailedOutbound(path_);
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].id, id);
  EXPECT_EQ((*failed)[0].error_code, "21610");
  EXPECT_EQ((*failed)[0].unreachable_code, "21610");

  EXPECT_EQ(RetryFailedOutbound(path_, id, false, "", At(3)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RetryFailedOutbound(path_, 999, false, "ana", At(3)).status().code(),
            StatusCode::kNotFound);
  auto refused = RetryFailedOutbound(path_, 0, false, "ana", At(3));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->queued, 0);
  EXPECT_EQ(refused->refused, 1);
  EXPECT_NE(refused->refusal.find("unsubscribed (21610)"), std::string::npos);
  EXPECT_TRUE(store->DueOutbound(At(4), 10)->empty());

  auto forced = RetryFailedOutbound(path_, id, true, "ana", At(5));
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->queued, 1);
  due = store->DueOutbound(At(5), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, id);
  EXPECT_EQ((*due)[0].attempts, 0);
  EXPECT_EQ((*store->FindContact(kChannel, kUser))->unreachable_code, "");
  EXPECT_TRUE(ListFailedOutbound(path_)->empty());
  std::vector<std::string> kinds;
  auto audit = store->ListAudit(contact);
  for (const StoredAudit& a : *audit) kinds.push_back(a.event.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"contact_unreachable", "contact_reachable",
                                             "outbound_retry"}));
}

TEST_F(SqliteStoreTest, ADatabaseFromANewerVersionIsRefused) {
  Open();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("99"), std::string::npos);
}

TEST_F(SqliteStoreTest, AnUnopenablePathIsAnError) {
  auto store = OpenSqliteStore(dir_.File("missing/dir/bot.db"));
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace bot
