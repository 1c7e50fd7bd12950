// A tenant's data as a whole (bot/tenant_data.h, `botrunner tenant`): two clinics on one SQLite
// file, one patient writing to both. Clinic A's export holds its contacts, sessions, messages and
// records and nothing of clinic B's; erasing clinic A leaves clinic B's data as it was.
#include "bot/tenant_data.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "config/config.h"
#include "support/cli_run.h"
#include "support/stored_turn.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

constexpr char kNumberA[] = "whatsapp:+593991000001";
constexpr char kNumberB[] = "whatsapp:+593991000002";
constexpr char kAna[] = "whatsapp:+593987650001";
constexpr char kBeto[] = "whatsapp:+593987650002";
constexpr char kEva[] = "whatsapp:+593987650003";  // a patient of both clinics

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class TenantDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenSqliteStore(db_);
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

  std::string Export(const std::vector<std::string>& numbers, TenantExportCounts* counts) {
    std::ostringstream out;
    auto exported = ExportTenantData(db_, numbers, out);
    EXPECT_TRUE(exported.ok()) << exported.status().ToString();
    if (exported.ok()) *counts = *exported;
    return out.str();
  }

  std::string Config() {
    const std::string path = dir_.File("botrunner.yaml");
    std::ofstream(path) << "database: " << db_ << "\n"
                        << "numbers:\n"
                        << "  - {to: \"" << kNumberA
                        << "\", dialog: review_rating, tenant: norte}\n"
                        << "  - {to: \"" << kNumberB << "\", dialog: review_rating, tenant: sur}\n";
    return path;
  }

  testing::TempDir dir_;
  const std::string db_ = dir_.File("bot.db");
  testing::FakeClock clock_{FromUnixMillis(1767355200000)};
};

TEST_F(TenantDataTest, AnExportHoldsEveryRowOfTheTenantsNumbersAndNothingOfAnothers) {
  TenantExportCounts counts;
  const std::string a = Export({kNumberA}, &counts);
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
    if (table != "records") continue;
    ++records;
    std::string_view rating;
    EXPECT_EQ(row["row"]["data"]["rating"].get(rating), simdjson::SUCCESS) << line;
  }
  EXPECT_EQ(records, 2);
  EXPECT_EQ(total, counts.contacts + counts.sessions + counts.messages + counts.records +
                       counts.documents + counts.audit_events + counts.campaigns +
                       counts.campaign_recipients);

  const std::string b = Export({kNumberB}, &counts);
  EXPECT_TRUE(Has(b, "Eva escribe a Sur"));
  EXPECT_FALSE(Has(b, "Norte")) << b;
  EXPECT_FALSE(ExportTenantData(db_, {}, std::cout).ok());
}

TEST_F(TenantDataTest, ErasingATenantLeavesTheOtherTenantsDataAsItWas) {
  TenantExportCounts counts;
  const std::string b_before = Export({kNumberB}, &counts);
  auto erased = EraseTenantData(db_, {kNumberA}, "dpo@norte", clock_);
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->contacts, 2);
  EXPECT_EQ(erased->records, 2);
  const std::string a = Export({kNumberA}, &counts);
  EXPECT_EQ(counts.contacts, 2);  // the rows stay, anonymous
  EXPECT_FALSE(Has(a, "Norte")) << a;
  EXPECT_FALSE(Has(a, "Ana Torres")) << a;
  EXPECT_FALSE(Has(a, kEva)) << a;
  EXPECT_EQ(Export({kNumberB}, &counts), b_before);  // Eva on clinic B keeps her data there
  EXPECT_EQ(EraseTenantData(db_, {kNumberA}, "dpo@norte", clock_)->contacts, 0);  // done already
  EXPECT_FALSE(EraseTenantData(db_, {kNumberA}, "", clock_).ok());
}

TEST_F(TenantDataTest, TheCommandExportsAndErasesATenantOfTheConfig) {
  const std::string config = Config();
  const std::string file = dir_.File("norte.jsonl");
  testing::CliRun exported =
      testing::RunBotrunner({"tenant", "export", "norte", "--out", file, "--config", config});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(Has(exported.err, "tenant norte (1 number): 2 contacts, 2 sessions, 4 messages"))
      << exported.err;
  std::stringstream written;
  written << std::ifstream(file).rdbuf();
  EXPECT_TRUE(Has(written.str(), "Eva escribe a Norte"));
  EXPECT_FALSE(Has(written.str(), "Sur"));

  testing::CliRun unknown =
      testing::RunBotrunner({"tenant", "export", "oeste", "--config", config});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Has(unknown.err, "belongs to tenant 'oeste'")) << unknown.err;

  testing::CliRun unsure = testing::RunBotrunner({"tenant", "erase", "norte", "--config", config});
  EXPECT_EQ(unsure.exit_code, 1);
  EXPECT_TRUE(Has(unsure.err, "add --yes")) << unsure.err;
  TenantExportCounts counts;
  EXPECT_TRUE(Has(Export({kNumberA}, &counts), "Ana Torres")) << "nothing erased without --yes";

  testing::CliRun erased = testing::RunBotrunner(
      {"tenant", "erase", "norte", "--yes", "--actor", "dpo", "--config", config});
  EXPECT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_TRUE(Has(erased.out, "erased tenant norte: 2 contacts")) << erased.out;
  EXPECT_FALSE(Has(Export({kNumberA}, &counts), "Ana Torres"));
  EXPECT_TRUE(Has(Export({kNumberB}, &counts), "Beto Zambrano"));

  // On PostgreSQL the command refuses, and makes no file of the URI.
  const std::string pg = dir_.File("pg.yaml");
  std::ofstream(pg) << "database: \"postgresql:///bot?host=" << dir_.path() << "\"\n"
                    << "numbers:\n  - {to: \"" << kNumberA
                    << "\", dialog: review_rating, tenant: norte}\n";
  testing::CliRun on_pg = testing::RunBotrunner({"tenant", "export", "norte", "--config", pg});
  EXPECT_EQ(on_pg.exit_code, 1);
  EXPECT_TRUE(Has(on_pg.err, "botrunner tenant works on a SQLite database only")) << on_pg.err;
}

}  // namespace
}  // namespace bot
