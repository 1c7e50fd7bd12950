// Erasing a contact's personal data from a real SQLite file: two applicants go through the whole
// credit conversation (messages, a voice note, photos, documents, a sealed report, records, a
// desk decision, provider usage); one asks to be erased. Nothing that identifies her remains,
// in any column of any table or in the file's bytes; the other applicant is untouched; and the
// anonymous counts the business reports on are the same before and after.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "bot/credit_desk.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "bot/twilio.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

const std::string kChannel = "whatsapp:+14155238886";
const TimePoint kT0 = FromUnixMillis(1767268800000);

// One applicant's personal data, every piece of it unique to them, so a search finds it.
struct Person {
  std::string address;
  std::string name;
  std::string curp;
  std::string street;
};

const Person kAna = {"whatsapp:+5215512345678", "Ana María López Hernández",
                     "LOHA850312MDFPRN08", "Calle Durazno 123, Col. Roma"};
const Person kLuis = {"whatsapp:+5213398765432", "Luis Ángel Ramírez Soto",
                      "RASL900101HJCMTS05", "Av. Vallarta 456, Guadalajara"};

class EraseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto ledger = OpenSqliteUsageLedger(path_, {});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(*ledger);
  }
  void TearDown() override {
    CloseDb();
    ledger_.reset();
    store_.reset();
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // The whole conversation of `p` on `channel`; returns the application record id.
  int64_t Converse(const Person& p, const std::string& channel = kChannel) {
    const std::string tag = p.curp.substr(0, 4) + channel.substr(channel.size() - 4);
    const std::string photo = WriteFile(tag + "_ine.jpg", "JPEG of " + p.name);
    const std::string old_photo = WriteFile(tag + "_ine_old.jpg", "blurry JPEG of " + p.name);
    const std::string voice = WriteFile(tag + "_voice.ogg", "OGG of " + p.name);
    InboundMessage m;
    m.channel = channel;
    m.from = p.address;
    m.provider_id = "SM" + tag;
    m.profile_name = p.name;
    m.text = "Hola, soy " + p.name + ", vivo en " + p.street;
    m.raw = "From=" + p.address + "&Body=" + m.text + "&ProfileName=" + p.name;
    m.media = {{"https://api.twilio.com/" + tag + "/1", "image/jpeg", photo, 2048, "sha-photo"},
               {"https://api.twilio.com/" + tag + "/2", "audio/ogg", voice, 900, "sha-voice"}};
    m.dialog_id = "credit_application";
    m.vars = {{"name", p.name}};
    m.received_at = kT0;
    auto accepted = store_->AcceptInbound(m);
    EXPECT_TRUE(accepted.ok());
    auto turn = store_->LoadTurn(accepted->message_id);
    EXPECT_TRUE(turn.ok());
    TurnCommit commit;
    commit.inbound_id = turn->message_id;
    commit.contact = turn->contact;
    commit.session = Session{};
    commit.session->dialog_id = "credit_application";
    commit.session->dialog_version = 1;
    commit.session->state = "preapproved";
    commit.session->slots = {{"name", Value::Text(p.name)},
                             {"ine_curp", Value::Text(p.curp)},
                             {"amount", Value::Money(500000)}};
    commit.session->vars = {{"name", p.name}};
    commit.session->started_at = kT0;
    commit.session->updated_at = kT0;
    commit.replies = {"Gracias, " + p.name};
    commit.inbound_transcript = "me llamo " + p.name;
    commit.documents = {
        {"ine", "ine", old_photo, "sha-old", "image/jpeg", {{"full_name", p.name}}, m.provider_id},
        {"ine", "ine", photo, "sha-new", "image/jpeg",
         {{"full_name", p.name}, {"curp", p.curp}}, m.provider_id},
        {"proof_of_address", "address_proof", photo, "sha-cfe", "image/jpeg",
         {{"address", p.street}}, m.provider_id}};
    commit.reports = {{"bureau", "k1", "sealed report of " + p.curp, "score=712"}};
    commit.records = {
        {"application",
         {{"status", "preapproved"}, {"amount", "5000.00"}, {"term", "14"},
          {"commission", "750.00"}, {"total", "5750.00"}, {"bureau_score", "712"},
          {"name", p.name}, {"ine_full_name", p.name}, {"ine_curp", p.curp},
          {"ine_birth_date", "1985-03-12"}, {"address_proof_address", p.street},
          {"started_at", "2026-01-01T12:00:00Z"}, {"recorded_at", "2026-01-01T12:05:00Z"}}},
        {"consent",
         {{"prompt", "consent_bureau_v1"}, {"text_sha256", "ab12"}, {"message_id", m.provider_id},
          {"channel", channel}, {"address", p.address}, {"answer", "sí, " + p.name},
          {"accepted_at", "2026-01-01T12:01:00Z"}}},
        {"review", {{"rating", "5"}, {"feedback", "Muy bien, atte. " + p.name}}}};
    commit.now = kT0;
    EXPECT_TRUE(store_->CommitTurn(commit).ok());
    ledger_->Record({"openai", "gpt-4o-mini", "ocr:ine", p.address, kT0, 900, 1200, 80, 300,
                     CallOutcome::kOk, ""});
    return store_->ListRecords(turn->contact.id)->front().id;
  }

  sqlite3* Db() {
    if (db_ == nullptr) sqlite3_open(path_.c_str(), &db_);
    return db_;
  }
  void CloseDb() {
    sqlite3_close(db_);
    db_ = nullptr;
  }

  int64_t Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(Db(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    const int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return n;
  }

  // Every cell of every table whose text contains `needle`, as "table.column".
  std::vector<std::string> CellsContaining(const std::string& needle) {
    std::vector<std::string> hits;
    sqlite3_stmt* tables = nullptr;
    sqlite3_prepare_v2(Db(), "SELECT name FROM sqlite_schema WHERE type = 'table'", -1, &tables,
                       nullptr);
    while (sqlite3_step(tables) == SQLITE_ROW) {
      const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
      sqlite3_stmt* rows = nullptr;
      sqlite3_prepare_v2(Db(), ("SELECT * FROM " + table).c_str(), -1, &rows, nullptr);
      while (sqlite3_step(rows) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(rows); ++i) {
          const void* bytes = sqlite3_column_blob(rows, i);
          const std::string cell(bytes ? static_cast<const char*>(bytes) : "",
                                 bytes ? sqlite3_column_bytes(rows, i) : 0);
          if (cell.find(needle) != std::string::npos) {
            hits.push_back(table + "." + sqlite3_column_name(rows, i));
          }
        }
      }
      sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    return hits;
  }

  // The business's anonymous numbers, as one comparable text.
  std::string Counts() {
    return std::to_string(Query("SELECT count(*) FROM records WHERE kind = 'application' AND "
                                "json_extract(data, '$.status') = 'preapproved'")) +
           " applications, " +
           std::to_string(Query("SELECT sum(CAST(json_extract(data, '$.amount') AS REAL) * 100) "
                                "FROM records WHERE kind = 'application'")) +
           " centavos asked, " +
           std::to_string(Query("SELECT count(*) FROM records WHERE kind = 'review' AND "
                                "json_extract(data, '$.rating') = '5'")) +
           " five-star reviews, " +
           std::to_string(Query("SELECT count(*) FROM records WHERE kind = 'consent' AND "
                                "json_extract(data, '$.prompt') = 'consent_bureau_v1'")) +
           " consents, " + std::to_string(Query("SELECT count(*) FROM messages")) +
           " messages, " + std::to_string(Query("SELECT count(*) FROM documents")) +
           " documents, " + std::to_string(Query("SELECT count(*) FROM usage_records")) +
           " provider calls, " + std::to_string(Query("SELECT count(*) FROM contacts")) +
           " contacts";
  }

  testing::TempDir dir_{"erase_test"};
  std::string path_ = dir_.File("bot.db");
  sqlite3* db_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<UsageLedger> ledger_;
  testing::FakeClock clock_{kT0 + std::chrono::hours(48)};
};

TEST_F(EraseTest, LeavesNoPersonalDataInAnyTableAndKeepsTheOtherApplicant) {
  Converse(kAna);
  Converse(kLuis);
  for (const std::string& needle : {kAna.name, kAna.curp, kAna.street, kAna.address}) {
    ASSERT_FALSE(CellsContaining(needle).empty()) << "the setup stores " << needle;
  }
  auto report = EraseContactData(path_, kChannel, kAna.address, "dpo@financiera.mx", clock_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const std::string& needle : {kAna.name, kAna.curp, kAna.street, kAna.address,
                                    std::string("5215512345678"), std::string("López")}) {
    EXPECT_EQ(CellsContaining(needle), std::vector<std::string>{}) << needle;
  }
  for (const std::string& needle : {kLuis.name, kLuis.curp, kLuis.street, kLuis.address}) {
    EXPECT_FALSE(CellsContaining(needle).empty()) << needle;
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.File("RASL8886_ine.jpg")));
}

TEST_F(EraseTest, TheFileItselfNoLongerHoldsTheDeletedBytes) {
  Converse(kAna);
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  store_.reset();  // every connection closed: the WAL is checkpointed into the file
  ledger_.reset();
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(path_ + suffix, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 0u);
  EXPECT_EQ(bytes.find(kAna.curp), std::string::npos);
  EXPECT_EQ(bytes.find(kAna.street), std::string::npos);
}

TEST_F(EraseTest, AnonymousCountsAreTheSameAfterwards) {
  Converse(kAna);
  Converse(kLuis);
  const std::string before = Counts();
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  EXPECT_EQ(Counts(), before);
  EXPECT_EQ(before, "2 applications, 1000000 centavos asked, 2 five-star reviews, 2 consents, "
                    "4 messages, 6 documents, 2 provider calls, 2 contacts");
}

TEST_F(EraseTest, KeepsRowsTimesAndStatusesAndEmptiesTheRest) {
  const int64_t application = Converse(kAna);
  const int64_t contact = (*store_->FindContact(kChannel, kAna.address))->id;
  const std::vector<std::string> files = {dir_.File("LOHA8886_ine.jpg"),
                                          dir_.File("LOHA8886_ine_old.jpg"),
                                          dir_.File("LOHA8886_voice.ogg")};
  for (const std::string& file : files) ASSERT_TRUE(std::filesystem::exists(file)) << file;

  auto report = EraseContactData(path_, "", kAna.address, "dpo@financiera.mx", clock_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->contacts, 1);
  EXPECT_EQ(report->messages, 2);
  EXPECT_EQ(report->files_deleted, 3);
  EXPECT_EQ(report->documents, 3);
  EXPECT_EQ(report->reports, 1);
  EXPECT_EQ(report->sessions, 1);
  EXPECT_EQ(report->records, 3);
  EXPECT_EQ(report->usage_records, 1);
  for (const std::string& file : files) EXPECT_FALSE(std::filesystem::exists(file)) << file;

  const std::string erased = "erased:" + Sha256Hex(kAna.address).substr(0, 16);
  EXPECT_FALSE(store_->FindContact(kChannel, kAna.address)->has_value());
  auto anonymous = store_->FindContact(kChannel, erased);
  ASSERT_TRUE(anonymous->has_value());
  EXPECT_EQ((*anonymous)->id, contact);
  EXPECT_EQ((*anonymous)->name, "");
  EXPECT_EQ(ledger_->ConversationTotals(erased).calls, 1);

  auto messages = store_->ListMessages(contact);
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].direction, "in");
  EXPECT_EQ((*messages)[0].status, "processed");
  EXPECT_EQ((*messages)[0].created_at, kT0);
  EXPECT_EQ((*messages)[0].text, "");
  EXPECT_EQ((*messages)[0].transcript, "");
  ASSERT_EQ((*messages)[0].media.size(), 2u);
  EXPECT_EQ((*messages)[0].media[0].content_type, "image/jpeg");
  EXPECT_EQ((*messages)[0].media[0].size, 2048);
  EXPECT_EQ((*messages)[0].media[0].path, "");
  EXPECT_EQ((*messages)[0].media[0].url, "");
  EXPECT_EQ((*messages)[1].direction, "out");
  EXPECT_EQ((*messages)[1].status + ":" + (*messages)[1].error_code, "failed:erased");
  EXPECT_TRUE(store_->DueOutbound(kT0 + std::chrono::hours(1), 10)->empty());
  EXPECT_EQ((*messages)[1].text, "");
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE raw IS NOT NULL OR vars IS NOT NULL"), 0);

  auto documents = store_->ListDocuments(contact);
  ASSERT_EQ(documents->size(), 3u);
  EXPECT_EQ((*documents)[0].document.kind, "ine");
  EXPECT_TRUE((*documents)[0].replaced_at.has_value());  // the audit trail keeps its shape
  EXPECT_EQ((*documents)[0].document.path, "");
  EXPECT_EQ((*documents)[0].document.sha256, "");
  EXPECT_TRUE((*documents)[1].document.fields.empty());
  EXPECT_EQ((*documents)[2].document.kind, "proof_of_address");
  EXPECT_TRUE(store_->ListReports(contact)->empty());

  auto session = store_->LatestSession(contact);
  EXPECT_TRUE((*session)->slots.empty());
  EXPECT_TRUE((*session)->vars.empty());
  EXPECT_EQ((*session)->state, "preapproved");

  auto records = store_->ListRecords(contact);
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].id, application);
  EXPECT_EQ((*records)[0].record.fields,
            (std::map<std::string, std::string>{{"amount", "5000.00"},
                                                {"bureau_score", "712"},
                                                {"commission", "750.00"},
                                                {"recorded_at", "2026-01-01T12:05:00Z"},
                                                {"started_at", "2026-01-01T12:00:00Z"},
                                                {"status", "preapproved"},
                                                {"term", "14"},
                                                {"total", "5750.00"}}));
  EXPECT_EQ((*records)[1].record.fields,
            (std::map<std::string, std::string>{{"accepted_at", "2026-01-01T12:01:00Z"},
                                                {"prompt", "consent_bureau_v1"},
                                                {"text_sha256", "ab12"}}));
  EXPECT_EQ((*records)[2].record.fields, (std::map<std::string, std::string>{{"rating", "5"}}));
}

TEST_F(EraseTest, IsAuditedWithTheActorAndCountsOnly) {
  Converse(kAna);
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo@financiera.mx", clock_).ok());
  const int64_t contact =
      (*store_->FindContact(kChannel, "erased:" + Sha256Hex(kAna.address).substr(0, 16)))->id;
  auto audit = store_->ListAudit(contact);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].event.kind, "erasure");
  EXPECT_EQ((*audit)[0].created_at, clock_.Now());
  EXPECT_EQ((*audit)[0].event.detail,
            "actor=dpo@financiera.mx messages=2 files_deleted=3 documents=3 reports=1 "
            "sessions=1 records=3 usage_records=1 events=0");
}

TEST_F(EraseTest, ADeskDecisionLosesItsReasonButKeepsTheLoan) {
  const int64_t approved = Converse(kAna);
  auto desk = CreditDesk::Open(path_, &clock_);
  ASSERT_TRUE(desk.ok()) << desk.status().ToString();
  ASSERT_TRUE((*desk)->Approve(approved, "mesa").ok());
  ASSERT_EQ(sqlite3_exec(Db(), ("UPDATE application_decisions SET reason = 'llamó " + kAna.name +
                                "'").c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM application_decisions WHERE reason = ''"), 1);
  EXPECT_EQ(Query("SELECT total FROM loans"), 575000);
  EXPECT_EQ(Query("SELECT count(*) FROM loan_payments"), 1);
  EXPECT_EQ((*desk)->ListApplications("approved")->size(), 1u);
}

TEST_F(EraseTest, TheDeskCannotDecideForAnErasedApplicant) {
  const int64_t application = Converse(kAna);
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  auto desk = CreditDesk::Open(path_, &clock_);
  ASSERT_TRUE(desk.ok());
  auto approved = (*desk)->Approve(application, "mesa");
  EXPECT_EQ(approved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(approved.status().message().find("erased"), std::string::npos);
  EXPECT_EQ((*desk)->Reject(application, "mesa", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Query("SELECT count(*) FROM messages WHERE status = 'pending'"), 0);
}

TEST_F(EraseTest, AChannelLimitsTheErasureAndNoChannelErasesEveryOne) {
  const std::string other = "whatsapp:+15550001111";
  Converse(kAna);
  Converse(kAna, other);
  auto one = EraseContactData(path_, other, kAna.address, "dpo", clock_);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->contacts, 1);
  EXPECT_TRUE(store_->FindContact(kChannel, kAna.address)->has_value());
  EXPECT_FALSE(store_->FindContact(other, kAna.address)->has_value());
  // The usage rows are keyed by address only, so the first erasure re-keyed both.
  EXPECT_EQ(one->usage_records, 2);
  auto rest = EraseContactData(path_, "", kAna.address, "dpo", clock_);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->contacts, 1);
  EXPECT_EQ(CellsContaining(kAna.curp), std::vector<std::string>{});
}

TEST_F(EraseTest, ThePersonWritingAgainAndBeingErasedAgainGetsAnotherAnonymousAddress) {
  Converse(kAna);
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  InboundMessage again;
  again.channel = kChannel;
  again.from = kAna.address;
  again.provider_id = "SM-again";
  again.text = "hola de nuevo";
  again.received_at = kT0;
  ASSERT_TRUE(store_->AcceptInbound(again).ok());
  auto second = EraseContactData(path_, kChannel, kAna.address, "dpo", clock_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM contacts WHERE address LIKE 'erased:%'"), 2);
  EXPECT_EQ(CellsContaining("hola de nuevo"), std::vector<std::string>{});
}

TEST_F(EraseTest, RefusesUnknownContactsAndAnonymousRequests) {
  Converse(kAna);
  EXPECT_EQ(EraseContactData(path_, kChannel, kLuis.address, "dpo", clock_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EraseContactData(path_, kChannel, kAna.address, "", clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->FindContact(kChannel, kAna.address)->has_value());
  ASSERT_TRUE(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).ok());
  EXPECT_EQ(EraseContactData(path_, kChannel, kAna.address, "dpo", clock_).status().code(),
            StatusCode::kNotFound);  // already erased
}

TEST(AnonymousRecordFields, KeepCountsAndMoneyAndDropWhatIdentifies) {
  for (const char* kept : {"status", "amount", "term", "commission", "total", "bureau_score",
                           "rating", "started_at", "recorded_at"}) {
    EXPECT_TRUE(IsAnonymousRecordField(kept)) << kept;
  }
  for (const char* dropped : {"name", "ine_full_name", "ine_curp", "ine_birth_date",
                              "address_proof_address", "address", "feedback", "answer",
                              "message_id", "phone", "email"}) {
    EXPECT_FALSE(IsAnonymousRecordField(dropped)) << dropped;
  }
}

}  // namespace
}  // namespace bot
