// Tenants (bot/tenant_data.h, bot/postgres_store.h, `botrunner tenant`): two clinics on one
// database, one patient writing to both, on SQLite and on PostgreSQL. Every contact carries its
// number's tenant; clinic A's export holds its contacts, sessions, messages and records and
// nothing of clinic B's; a number whose contacts are another tenant's is refused; erasing clinic
// A leaves clinic B's data as it was.
#include "bot/tenant_data.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "bot/postgres_store.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"
#include "support/cli_run.h"
#include "support/stored_turn.h"
#include "support/temp_dir.h"
#include "support/test_postgres.h"

namespace bot {
namespace {

constexpr char kNumberA[] = "whatsapp:+593991000001";
constexpr char kNumberB[] = "whatsapp:+593991000002";
constexpr char kNumberC[] = "whatsapp:+593991000003";  // in no tenant's list
constexpr char kAna[] = "whatsapp:+593987650001";
constexpr char kBeto[] = "whatsapp:+593987650002";
constexpr char kEva[] = "whatsapp:+593987650003";  // a patient of both clinics

const NumberTenants kTenants = {{kNumberA, "norte"}, {kNumberB, "sur"}};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  testing::TempDir dir;
  const std::string db = dir.File("bot.db");

  Result<std::unique_ptr<Store>> Open(const NumberTenants& tenants) {
    return OpenSqliteStore(db, {.number_tenants = tenants});
  }
  Result<TenantExportCounts> Export(const std::string& tenant, std::ostream& out) {
    return ExportTenantData(db, tenant, out);
  }
  Result<ErasureReport> Erase(const std::string& tenant, const std::string& actor,
                              const Clock& clock) {
    return EraseTenantData(db, tenant, actor, clock);
  }
  // As a database written before tenants were recorded.
  void ForgetTenants() {
    ASSERT_TRUE(sqlite::WithDatabase<bool>(db, [](sqlite3* handle) -> Result<bool> {
                  if (Status s = sqlite::Exec(handle, "UPDATE contacts SET tenant = ''"); !s.ok())
                    return s;
                  return true;
                }).ok());
  }
  std::string DatabaseYaml() { return "database: " + db + "\n"; }
  std::vector<std::string> DbArgs() { return {"--db", db}; }
};

struct PostgresBackend {
  static constexpr const char* kName = "Postgres";
  testing::TestSchemas schemas;
  const std::string schema = schemas.NewName();

  NumberTenants tenants = kTenants;  // the last ones a store was opened with, as a config's

  Result<std::unique_ptr<Store>> Open(const NumberTenants& given) {
    if (!given.empty()) tenants = given;
    return OpenPostgresStore(testing::TestPostgresConninfo(),
                             {.schema = schema, .number_tenants = given});
  }
  Result<TenantExportCounts> Export(const std::string& tenant, std::ostream& out) {
    return ExportPostgresTenantData(testing::TestPostgresConninfo(),
                                    {.schema = schema, .number_tenants = tenants}, tenant, out);
  }
  Result<ErasureReport> Erase(const std::string& tenant, const std::string& actor,
                              const Clock& clock) {
    return ErasePostgresTenantData(testing::TestPostgresConninfo(),
                                   {.schema = schema, .number_tenants = tenants}, tenant, actor,
                                   clock);
  }
  void ForgetTenants() {
    PGconn* conn = PQconnectdb(testing::TestPostgresConninfo().c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    const std::string sql = "UPDATE " + schema + ".contacts SET tenant = ''";
    PGresult* result = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
  }
  std::vector<std::string> DbArgs() {
    return {"--db", testing::TestPostgresUri(), "--schema", schema};
  }
  std::string DatabaseYaml() {
    return "database: \"" + testing::TestPostgresUri() + "\"\npostgres: {schema: " + schema + "}\n";
  }
};

template <typename Backend>
class TenantData : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = backend_.Open(kTenants);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Say(**store, kNumberA, kAna, "Ana Torres", "A1", "Me atendió la Dra. Pérez en Norte", "5");
    Say(**store, kNumberA, kEva, "Eva Ruiz", "A2", "Eva escribe a Norte", "4");
    Say(**store, kNumberB, kBeto, "Beto Zambrano", "B1", "Beto escribe a Sur", "2");
    Say(**store, kNumberB, kEva, "Eva Ruiz", "B2", "Eva escribe a Sur", "3");
  }

  static void Say(Store& store, const char* number, const char* from, const char* name,
                  const char* sid, const char* text, const char* rating) {
    testing::StoredTurn turn;
    turn.channel = number;
    turn.from = from;
    turn.name = name;
    turn.message_sid = std::string("SM") + sid;
    turn.text = text;
    turn.dialog_id = "review_rating";
    turn.state = "thanks";
    turn.replies = {std::string("Gracias, ") + name};
    turn.records = {{"review", {{"rating", rating}, {"feedback", text}}}};
    turn.at = FromUnixMillis(1767268800000);
    ASSERT_TRUE(testing::StoreTurn(store, turn).ok());
  }

  std::string Export(const std::string& tenant, TenantExportCounts* counts) {
    std::ostringstream out;
    auto exported = backend_.Export(tenant, out);
    EXPECT_TRUE(exported.ok()) << exported.status().ToString();
    if (exported.ok()) *counts = *exported;
    return out.str();
  }

  std::string TenantOf(Store& store, const char* number, const char* address) {
    auto contact = store.FindContact(number, address);
    EXPECT_TRUE(contact.ok() && contact->has_value()) << number << " " << address;
    return contact.ok() && contact->has_value() ? (*contact)->tenant : "missing";
  }

  std::string Config() {
    const std::string path = dir_.File("botrunner.yaml");
    std::ofstream(path) << backend_.DatabaseYaml() << "numbers:\n"
                        << "  - {to: \"" << kNumberA
                        << "\", dialog: review_rating, tenant: norte}\n"
                        << "  - {to: \"" << kNumberB << "\", dialog: review_rating, tenant: sur}\n";
    return path;
  }

  Backend backend_;
  testing::TempDir dir_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(TenantData, Backends, BackendNames);

TYPED_TEST(TenantData, EveryContactCarriesTheTenantOfItsNumber) {
  auto store = this->backend_.Open(kTenants);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(this->TenantOf(**store, kNumberA, kAna), "norte");
  EXPECT_EQ(this->TenantOf(**store, kNumberA, kEva), "norte");
  EXPECT_EQ(this->TenantOf(**store, kNumberB, kEva), "sur");  // the same person, another tenant
  ASSERT_TRUE((*store)->GetOrCreateContact(kNumberC, kAna).ok());
  EXPECT_EQ(this->TenantOf(**store, kNumberC, kAna), kDefaultTenant);
  // The turn's contact says it too.
  auto accepted = (*store)->AcceptInbound({.channel = kNumberB,
                                           .from = kBeto,
                                           .provider_id = "SMB3",
                                           .text = "otra vez",
                                           .dialog_id = "review_rating",
                                           .received_at = FromUnixMillis(1767268900000)});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  auto turn = (*store)->LoadTurn(accepted->message_id);
  ASSERT_TRUE(turn.ok()) << turn.status().ToString();
  EXPECT_EQ(turn->contact.tenant, "sur");
}

TYPED_TEST(TenantData, AnExportHoldsEveryRowOfTheTenantAndNothingOfAnothers) {
  TenantExportCounts counts;
  const std::string a = this->Export("norte", &counts);
  EXPECT_EQ(counts.contacts, 2);
  EXPECT_EQ(counts.sessions, 2);
  EXPECT_EQ(counts.messages, 4);  // each patient's message and its reply
  EXPECT_EQ(counts.records, 2);
  EXPECT_TRUE(Has(a, "Me atendió la Dra. Pérez en Norte")) << a;
  EXPECT_TRUE(Has(a, "Eva escribe a Norte"));
  EXPECT_FALSE(Has(a, "Sur")) << "clinic B's words: " << a;
  EXPECT_FALSE(Has(a, "Beto"));
  EXPECT_FALSE(Has(a, kBeto));
  EXPECT_FALSE(Has(a, kNumberB));

  // Every line is one JSON object naming its table; JSON columns are JSON, not strings of it.
  simdjson::dom::parser parser;
  std::istringstream lines(a);
  std::string line;
  int records = 0;
  int total = 0;
  while (std::getline(lines, line)) {
    ++total;
    simdjson::dom::element row;
    ASSERT_EQ(parser.parse(line).get(row), simdjson::SUCCESS) << line;
    std::string_view table;
    ASSERT_EQ(row["table"].get(table), simdjson::SUCCESS) << line;
    if (table == "contacts") {
      std::string_view tenant;
      EXPECT_EQ(row["row"]["tenant"].get(tenant), simdjson::SUCCESS) << line;
      EXPECT_EQ(tenant, "norte");
    }
    if (table != "records") continue;
    ++records;
    std::string_view rating;
    EXPECT_EQ(row["row"]["data"]["rating"].get(rating), simdjson::SUCCESS) << line;
  }
  EXPECT_EQ(records, 2);
  EXPECT_EQ(total, counts.contacts + counts.sessions + counts.messages + counts.records +
                       counts.documents + counts.audit_events + counts.campaigns +
                       counts.campaign_recipients);

  const std::string b = this->Export("sur", &counts);
  EXPECT_EQ(counts.contacts, 2);
  EXPECT_TRUE(Has(b, "Eva escribe a Sur"));
  EXPECT_FALSE(Has(b, "Norte")) << b;
  EXPECT_EQ(this->Export("oeste", &counts), "");  // no such tenant: nothing
  EXPECT_FALSE(this->backend_.Export("", std::cout).ok());
}

TYPED_TEST(TenantData, ContactsStoredBeforeTenantsGetTheirNumbersTenantAtOpen) {
  this->backend_.ForgetTenants();
  {
    auto untold = this->backend_.Open({});  // a store told no tenants changes nothing
    ASSERT_TRUE(untold.ok()) << untold.status().ToString();
    EXPECT_EQ(this->TenantOf(**untold, kNumberA, kAna), "");
  }
  auto store = this->backend_.Open(kTenants);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(this->TenantOf(**store, kNumberA, kAna), "norte");
  EXPECT_EQ(this->TenantOf(**store, kNumberB, kEva), "sur");
  TenantExportCounts counts;
  EXPECT_FALSE(Has(this->Export("norte", &counts), "Sur"));
  EXPECT_EQ(counts.contacts, 2);
}

TYPED_TEST(TenantData, ANumberWhoseContactsAreAnotherTenantsIsRefusedAtOpen) {
  auto moved = this->backend_.Open({{kNumberA, "sur"}, {kNumberB, "sur"}});
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(moved.status().message(), std::string("number ") + kNumberA +
                                                " is tenant \"sur\"'s but 2 contact(s) on it "
                                                "belong to tenant \"norte\""))
      << moved.status().message();
  // Nothing changed: the numbers still answer for their tenants.
  auto store = this->backend_.Open(kTenants);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(this->TenantOf(**store, kNumberA, kAna), "norte");
}

TYPED_TEST(TenantData, TheCommandExportsATenantOfTheDatabase) {
  const std::string config = this->Config();
  const std::string file = this->dir_.File("norte.jsonl");
  testing::CliRun exported =
      testing::RunBotrunner({"tenant", "export", "norte", "--out", file, "--config", config});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(Has(exported.err,
                  "tenant norte (1 number in the config): 2 contacts, 2 sessions, 4 messages"))
      << exported.err;
  std::stringstream written;
  written << std::ifstream(file).rdbuf();
  EXPECT_TRUE(Has(written.str(), "Eva escribe a Norte"));
  EXPECT_FALSE(Has(written.str(), "Sur"));
}

TYPED_TEST(TenantData, ErasingATenantLeavesTheOtherTenantsDataAsItWas) {
  TenantExportCounts counts;
  const std::string b_before = this->Export("sur", &counts);
  testing::FakeClock clock(FromUnixMillis(1767355200000));
  auto erased = this->backend_.Erase("norte", "dpo@norte", clock);
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->contacts, 2);
  EXPECT_EQ(erased->messages, 4);
  EXPECT_EQ(erased->records, 2);
  const std::string a = this->Export("norte", &counts);
  EXPECT_EQ(counts.contacts, 2);  // the rows stay, anonymous
  EXPECT_FALSE(Has(a, "Norte")) << a;
  EXPECT_FALSE(Has(a, "Ana Torres")) << a;
  EXPECT_FALSE(Has(a, kEva)) << a;
  EXPECT_TRUE(Has(a, "\"kind\":\"erasure\"")) << "audited: " << a;
  EXPECT_EQ(this->Export("sur", &counts), b_before);  // Eva on clinic B keeps her data there
  EXPECT_EQ(this->backend_.Erase("norte", "dpo@norte", clock)->contacts, 0);  // done already
  EXPECT_FALSE(this->backend_.Erase("norte", "", clock).ok());

  // Erased, clinic A's number may go to clinic B: its new conversations are B's.
  auto store = this->backend_.Open({{kNumberA, "sur"}, {kNumberB, "sur"}});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  this->Say(**store, kNumberA, kAna, "Ana Torres", "A9", "Ana escribe a Sur por el número viejo",
            "5");
  EXPECT_EQ(this->TenantOf(**store, kNumberA, kAna), "sur");
  EXPECT_FALSE(Has(this->Export("norte", &counts), "Ana"));
}

TYPED_TEST(TenantData, TheCommandErasesATenantOfTheDatabase) {
  const std::string config = this->Config();
  testing::CliRun unsure = testing::RunBotrunner({"tenant", "erase", "norte", "--config", config});
  EXPECT_EQ(unsure.exit_code, 1);
  EXPECT_TRUE(Has(unsure.err, "add --yes")) << unsure.err;
  TenantExportCounts counts;
  EXPECT_TRUE(Has(this->Export("norte", &counts), "Ana Torres")) << "nothing erased without --yes";

  testing::CliRun erased = testing::RunBotrunner(
      {"tenant", "erase", "norte", "--yes", "--actor", "dpo", "--config", config});
  EXPECT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_TRUE(Has(erased.out, "erased tenant norte (1 number in the config): 2 contacts"))
      << erased.out;
  EXPECT_FALSE(Has(this->Export("norte", &counts), "Ana Torres"));
  EXPECT_TRUE(Has(this->Export("sur", &counts), "Beto Zambrano"));
}

TYPED_TEST(TenantData, TheEraseCommandErasesOnePersonOnOneTenantsNumber) {
  std::vector<std::string> args = {"erase", kEva, "--channel", kNumberA, "--actor", "dpo"};
  for (const std::string& arg : this->backend_.DbArgs()) args.push_back(arg);
  testing::CliRun erased = testing::RunBotrunner(args);
  EXPECT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_TRUE(Has(erased.out, std::string("erased ") + kEva + " (1 contact): 2 messages"))
      << erased.out;
  TenantExportCounts counts;
  const std::string a = this->Export("norte", &counts);
  EXPECT_FALSE(Has(a, "Eva")) << a;
  EXPECT_TRUE(Has(a, "Ana Torres"));
  EXPECT_TRUE(Has(this->Export("sur", &counts), "Eva escribe a Sur"));  // her other clinic's
  testing::CliRun again = testing::RunBotrunner(args);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Has(again.err, "not_found")) << again.err;
}

// The CLI lists work on SQLite files.
using SqliteTenantData = TenantData<SqliteBackend>;

TEST_F(SqliteTenantData, TheCliListsNarrowToATenant) {
  {
    auto store = backend_.Open(kTenants);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const char* number : {kNumberA, kNumberB}) {  // each clinic's reply to Eva fails
      auto eva = (*store)->FindContact(number, kEva);
      ASSERT_TRUE(eva.ok() && eva->has_value());
      auto messages = (*store)->ListMessages((**eva).id);
      ASSERT_TRUE(messages.ok());
      ASSERT_EQ(messages->back().direction, "out");
      ASSERT_TRUE(
          (*store)->MarkOutboundFailed(messages->back().id, "failed", "63016", "window").ok());
    }
  }
  testing::CliRun all = testing::RunBotrunner({"outbox", "failed", "--db", backend_.db});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(Has(all.out, kNumberA) && Has(all.out, kNumberB)) << all.out;
  testing::CliRun sur =
      testing::RunBotrunner({"outbox", "failed", "--tenant", "sur", "--db", backend_.db});
  EXPECT_EQ(sur.exit_code, 0) << sur.err;
  EXPECT_TRUE(Has(sur.out, kNumberB)) << sur.out;
  EXPECT_FALSE(Has(sur.out, kNumberA)) << sur.out;
}

}  // namespace
}  // namespace bot
