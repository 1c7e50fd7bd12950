// Campaigns (bot/campaigns.h): the CSV, validation, local times, and the scheduler handing due
// recipients to the dialog through the outbox, on a real SQLite file with the fake clock.
#include "bot/campaigns.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "campaigns/appointment_time.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::FakeClock;
using testing::TempDir;

constexpr const char* kNumber = "whatsapp:+14155238886";
constexpr const char* kAna = "whatsapp:+593987654321";

TimePoint At(const char* iso) { return *campaigns::ParseAppointment(iso, "UTC"); }

std::shared_ptr<const DialogSet> Dialogs() {
  auto set = LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return *set;
}

CampaignImport EcuadorImport(bool skip_invalid = false) {
  CampaignImport import;
  import.number = kNumber;
  import.region = "EC";
  import.source = "clinic.csv";
  import.skip_invalid = skip_invalid;
  return import;
}

// ---- CSV ----

TEST(CampaignCsv, ReadsQuotedFieldsCrlfAndBom) {
  auto rows = ParseCsv(
      "\xEF\xBB\xBFphone,name\r\n\"0987654321\",\"Pérez, "
      "\"\"Ana\"\"\"\r\n\r\n1,\"two\nlines\"\n3,");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"phone", "name"}));
  EXPECT_EQ((*rows)[1].fields[1], "Pérez, \"Ana\"");
  EXPECT_EQ((*rows)[2].line, 4);  // the blank line 3 is skipped
  EXPECT_EQ((*rows)[2].fields[1], "two\nlines");
  EXPECT_EQ((*rows)[3].line, 6);  // a record starts on the line after a quoted line break
  EXPECT_EQ((*rows)[3].fields, (std::vector<std::string>{"3", ""}));
}

TEST(CampaignCsv, RefusesBrokenQuotesWithTheirLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"a,b\n\"open,2\n", "line 2: a quoted field is never closed"},
      {"a,b\n\"x\"y,2\n", "line 2: text after a closing quote"},
      {"a,b\nx\"y,2\n", "line 2: a quote inside an unquoted field"},
  };
  for (const Case& c : cases) {
    auto rows = ParseCsv(c.text);
    ASSERT_FALSE(rows.ok()) << c.text;
    EXPECT_NE(rows.status().message().find(c.error), std::string::npos) << rows.status().message();
  }
}

// ---- Local times ----

TEST(CampaignTime, AllowedHoursMoveAcrossADayChangeInTheRecipientsZone) {
  const AllowedHours hours;  // 08:00-20:00
  struct Case {
    const char* due;
    const char* zone;
    const char* expected;
  } cases[] = {
      // Ecuador (UTC-5, no DST): 21:30 local is after hours -> 08:00 the next day.
      {"2026-01-02T02:30:00Z", "America/Guayaquil", "2026-01-02T13:00:00Z"},
      // 06:00 local -> 08:00 the same day.
      {"2026-01-02T11:00:00Z", "America/Guayaquil", "2026-01-02T13:00:00Z"},
      // Inside the hours: unchanged.
      {"2026-01-02T15:00:00Z", "America/Guayaquil", "2026-01-02T15:00:00Z"},
      // Mexico City (UTC-6 in winter; in summer it depends on ICU's data: Debian 12's ICU 72 may
      // predate the 2022 end of Mexico's DST): 20:00 local is already outside.
      {"2026-01-03T02:00:00Z", "America/Mexico_City", "2026-01-03T14:00:00Z"},
      // New Year's Eve 23:00 local in Mexico -> 1 January 08:00.
      {"2027-01-01T05:00:00Z", "America/Mexico_City", "2027-01-01T14:00:00Z"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ToUnixMillis(IntoAllowedHours(At(c.due), c.zone, hours)),
              ToUnixMillis(At(c.expected)))
        << c.due << " in " << c.zone;
  }
}

TEST(CampaignTime, ZonesComeFromTheCountry) {
  EXPECT_EQ(RegionTimeZone("EC"), "America/Guayaquil");
  EXPECT_EQ(RegionTimeZone("MX"), "America/Mexico_City");
  EXPECT_EQ(RegionTimeZone("GT"), "America/Guatemala");  // from ICU's list
  EXPECT_EQ(PhoneRegion("whatsapp:+593987654321"), "EC");
  AllowedHours hours;
  EXPECT_TRUE(ParseAllowedHours("09:30-18:00", &hours));
  EXPECT_EQ(hours.start_minute, 570);
  EXPECT_FALSE(ParseAllowedHours("18:00-09:00", &hours));
}

// ---- Import ----

class CampaignImportTest : public ::testing::Test {
 protected:
  Result<CampaignImportReport> Import(const std::string& csv, CampaignImport import) {
    return ImportCampaign(db_, *dialogs_->Find("review_rating"), import, csv, clock_.Now());
  }
  TempDir dir_;
  std::string db_ = dir_.File("bot.db");
  std::shared_ptr<const DialogSet> dialogs_ = Dialogs();
  FakeClock clock_{At("2026-01-02T12:00:00Z")};  // 07:00 in Ecuador
};

TEST_F(CampaignImportTest, ReportsEveryRefusedRowWithItsLineAndStoresNothing) {
  const std::string csv =
      "phone,name,doctor,appointment,consent\n"
      "0987654321,Ana,Dra. Pérez,2026-01-02 09:00,sí\n"
      "0987654321,Ana otra vez,,2026-01-02 09:00,sí\n"
      "12345,Beto,,,sí\n"
      "0987654323,Carla,,,no\n"
      "0987654324,,,,sí\n"
      "0987654325,Dora,,mañana,sí\n"
      "0987654326,Eva,,,sí,extra\n";
  auto report = Import(csv, EcuadorImport());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->campaign_id, 0);
  ASSERT_EQ(report->refused.size(), 6u);
  EXPECT_EQ(report->refused[0].line, 3);
  EXPECT_EQ(report->refused[0].reason, "duplicate of line 2");
  EXPECT_EQ(report->refused[1].line, 4);
  EXPECT_NE(report->refused[1].reason.find("not a valid number"), std::string::npos);
  EXPECT_EQ(report->refused[2].reason, "no consent ('no')");
  EXPECT_EQ(report->refused[3].reason, "'name' is empty");
  EXPECT_NE(report->refused[4].reason.find("appointment 'mañana'"), std::string::npos);
  EXPECT_EQ(report->refused[5].reason, "6 fields, the header has 5");
  auto status = CampaignStatus(db_, 1);
  EXPECT_EQ(status.status().code(), StatusCode::kNotFound);  // all or nothing

  auto skipped = Import(csv, EcuadorImport(/*skip_invalid=*/true));
  ASSERT_TRUE(skipped.ok());
  EXPECT_NE(skipped->campaign_id, 0);
  EXPECT_EQ(skipped->scheduled, 1);
  // Ana's appointment 09:00 local + 2 h = 11:00 local = 16:00 UTC.
  EXPECT_EQ(ToUnixMillis(*skipped->first_due), ToUnixMillis(At("2026-01-02T16:00:00Z")));
}

TEST_F(CampaignImportTest, RefusesUnknownColumnsAndAMissingConsentColumn) {
  auto report = Import("phone,name,favourite_colour\n0987654321,Ana,azul\n", EcuadorImport(true));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->campaign_id, 0);  // a header problem refuses the file even with skip_invalid
  ASSERT_EQ(report->refused.size(), 2u);
  EXPECT_EQ(report->refused[0].line, 1);
  EXPECT_NE(report->refused[0].reason.find("unknown column 'favourite_colour'"), std::string::npos);
  EXPECT_EQ(report->refused[1].reason, "no 'consent' column");
}

TEST_F(CampaignImportTest, RefusesAPatientWhoOptedOut) {
  {
    auto store = OpenSqliteStore(db_);
    ASSERT_TRUE(store.ok());
    auto contact = (*store)->GetOrCreateContact(kNumber, kAna);
    ASSERT_TRUE(contact.ok());
    TurnCommit opt_out;
    opt_out.contact = *contact;
    opt_out.contact.opted_out = true;
    opt_out.contact.opted_out_at = clock_.Now();
    opt_out.now = clock_.Now();
    ASSERT_TRUE((*store)->CommitTurn(opt_out).ok());
  }
  auto report =
      Import("phone,name,consent\n0987654321,Ana,sí\n0987654322,Luis,sí\n", EcuadorImport());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->campaign_id, 0);
  ASSERT_EQ(report->refused.size(), 1u);
  EXPECT_EQ(report->refused[0].line, 2);
  EXPECT_EQ(report->refused[0].reason, "the contact opted out");
}

TEST_F(CampaignImportTest, TracksTheReviewLinkOnlyWithABaseUrlAndOnlyHttpTargets) {
  const std::string csv =
      "phone,name,review_link,consent\n0987654321,Ana,,sí\n0987654322,Beto,https://x.test/b,sí\n";
  CampaignImport import = EcuadorImport();
  import.link_base_url = "https://bot.example.test/";
  auto report = Import(csv, import);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->scheduled, 2);
  // Each recipient's link is a redirect of its own; the target is the column or the default.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT json_extract(vars, '$.review_link') FROM "
                               "campaign_recipients ORDER BY line",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  const std::string kTargets[] = {"https://g.page/r/EXAMPLE/review", "https://x.test/b"};
  const std::string prefix = "https://bot.example.test/r/";
  std::vector<std::string> tokens;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const std::string link = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
    tokens.push_back(link.substr(prefix.size()));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  ASSERT_EQ(tokens.size(), 2u);
  const LinkClick click{clock_.Now(), "Mozilla/5.0"};
  for (size_t i = 0; i < 2; ++i) {
    auto target = FollowTrackedLink(db_, tokens[i], i == 0 ? &click : nullptr);
    ASSERT_TRUE(target.ok() && target->has_value());
    EXPECT_EQ(**target, kTargets[i]);
  }
  auto ana = FollowTrackedLink(db_, "AAAAAAAAAAAAAAAAAAAAAA", nullptr);
  ASSERT_TRUE(ana.ok());
  EXPECT_FALSE(ana->has_value()) << "an unknown token has no target";
  auto none = FollowTrackedLink(db_, "../../etc/passwd", nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto counted = CampaignReportFor(db_, report->campaign_id);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(counted->links, 2);
  EXPECT_EQ(counted->clicks, 1);  // a lookup without a click (HEAD) is not counted
  EXPECT_EQ(counted->clicked, 1);

  // Without a base URL nothing is tracked; a tracked value that is no http(s) link is refused.
  import.link_base_url.clear();
  auto untracked = Import("phone,name,consent\n0987654329,Eva,sí\n", import);
  ASSERT_TRUE(untracked.ok());
  EXPECT_EQ(CampaignReportFor(db_, untracked->campaign_id)->links, 0);
  import.link_base_url = "https://bot.example.test";
  auto refused = Import("phone,name,review_link,consent\n0987654328,Fe,javascript:x,sí\n", import);
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->refused.size(), 1u);
  EXPECT_EQ(refused->refused[0].reason, "'review_link' ('javascript:x') is not an http(s) link");
  EXPECT_TRUE(IsLinkToken(NewLinkToken()));
  EXPECT_NE(NewLinkToken(), NewLinkToken());
}

// ---- Scheduling ----

// A server's parts around one database: reopened to simulate a restart.
struct Runtime {
  Runtime(const std::string& db, const Clock* clock, std::shared_ptr<const DialogSet> dialogs) {
    auto opened = OpenSqliteStore(db);
    EXPECT_TRUE(opened.ok());
    store = std::move(*opened);
    bot = std::make_unique<Bot>(dialogs, store.get(), clock);
    source = std::make_unique<CampaignSource>(db, bot.get());
    scheduler = std::make_unique<Scheduler>(clock, std::vector<ScheduledSource*>{source.get()});
  }
  std::vector<StoredMessage> Outgoing(const std::string& address) {
    auto contact = store->FindContact(kNumber, address);
    if (!contact.ok() || !*contact) return {};
    std::vector<StoredMessage> out;
    auto all = store->ListMessages((*contact)->id);
    for (StoredMessage& m : *all) {
      if (m.direction == "out") out.push_back(std::move(m));
    }
    return out;
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<Bot> bot;
  std::unique_ptr<CampaignSource> source;
  std::unique_ptr<Scheduler> scheduler;
};

std::map<std::string, int64_t> Counts(const std::string& db, int64_t id) {
  auto status = CampaignStatus(db, id);
  EXPECT_TRUE(status.ok()) << status.status().ToString();
  return std::map<std::string, int64_t>(status->by_status.begin(), status->by_status.end());
}

TEST_F(CampaignImportTest, SendsTheOpeningTemplateAtTheLocalTimeAndNeverTwiceAcrossARestart) {
  // Appointment 19:00 in Ecuador: + 2 h = 21:00, after hours -> 08:00 the next day (13:00 UTC).
  auto report = Import(
      "phone,name,doctor,appointment,consent\n0987654321,Ana,Dra. Pérez,2026-01-02 19:00,sí\n",
      EcuadorImport());
  ASSERT_TRUE(report.ok());
  ASSERT_NE(report->campaign_id, 0);
  EXPECT_EQ(ToUnixMillis(*report->first_due), ToUnixMillis(At("2026-01-03T13:00:00Z")));
  {
    Runtime run(db_, &clock_, dialogs_);
    clock_.Set(At("2026-01-03T12:59:00Z"));
    EXPECT_EQ(*run.scheduler->RunOnce(), 0);
    EXPECT_TRUE(run.Outgoing(kAna).empty());
    EXPECT_EQ(ToUnixMillis(**run.source->NextDue()), ToUnixMillis(At("2026-01-03T13:00:00Z")));
  }
  clock_.Set(At("2026-01-03T13:00:00Z"));
  // The server stopped between scheduling and sending; a new one starts and finds it due.
  Runtime restarted(db_, &clock_, dialogs_);
  EXPECT_EQ(*restarted.scheduler->RunOnce(), 1);
  auto out = restarted.Outgoing(kAna);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].text.find("Hola Ana"), std::string::npos) << out[0].text;
  auto due = restarted.store->DueOutbound(clock_.Now(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].content_sid, "HX00000000000000000000000000000001");
  EXPECT_EQ((*due)[0].content_variables, R"({"1":"Ana","2":"Dra. Pérez"})");
  EXPECT_EQ(Counts(db_, report->campaign_id), (std::map<std::string, int64_t>{{"sent", 1}}));

  // Another run (a second restart, a stale read): nothing is sent twice.
  Runtime again(db_, &clock_, dialogs_);
  EXPECT_EQ(*again.scheduler->RunOnce(), 0);
  EXPECT_EQ(again.Outgoing(kAna).size(), 1u);
}

TEST_F(CampaignImportTest, RemindsOnceThenClosesAsNoResponse) {
  auto report = Import("phone,name,consent\n0987654321,Ana,sí\n", EcuadorImport());
  ASSERT_TRUE(report.ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));  // 08:00 in Ecuador
  Runtime run(db_, &clock_, dialogs_);
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  clock_.Advance(hours(19));
  EXPECT_EQ(*run.scheduler->RunOnce(), 0);  // follow_up_after is 20 h
  clock_.Advance(hours(1));
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  auto out = run.Outgoing(kAna);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[1].text.find("¿nos ayuda con un minuto?"), std::string::npos) << out[1].text;
  EXPECT_EQ(Counts(db_, report->campaign_id), (std::map<std::string, int64_t>{{"reminded", 1}}));
  clock_.Advance(hours(24));
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_EQ(Counts(db_, report->campaign_id), (std::map<std::string, int64_t>{{"no_response", 1}}));
  auto contact = run.store->FindContact(kNumber, kAna);
  auto session = run.store->LatestSession((*contact)->id);
  EXPECT_EQ((*session)->status, SessionStatus::kNoResponse);
  EXPECT_FALSE(run.source->NextDue()->has_value());
}

TEST_F(CampaignImportTest, AButtonPressAnswersTheRatingAndNoReminderFollows) {
  auto report = Import("phone,name,consent\n0987654321,Ana,sí\n", EcuadorImport());
  ASSERT_TRUE(report.ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));
  Runtime run(db_, &clock_, dialogs_);
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  clock_.Advance(minutes(5));
  InboundMessage press;  // the webhook turns ButtonPayload "5" into the message's text
  press.channel = kNumber;
  press.from = kAna;
  press.provider_id = "SM00000000000000000000000000000099";
  press.text = "5";
  press.dialog_id = "review_rating";
  press.received_at = clock_.Now();
  auto turn = run.bot->Handle(press);
  ASSERT_TRUE(turn.ok()) << turn.status().ToString();
  ASSERT_FALSE(turn->replies.empty());
  EXPECT_NE(turn->replies[0].find("calificación de 5"), std::string::npos) << turn->replies[0];
  clock_.Advance(hours(20));
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_EQ(Counts(db_, report->campaign_id), (std::map<std::string, int64_t>{{"replied", 1}}));
  EXPECT_EQ(run.Outgoing(kAna).size(), 2u);  // the opening and the thanks: no reminder
}

TEST_F(CampaignImportTest, SkipsAContactWhoOptedOutAfterTheImport) {
  auto report = Import("phone,name,consent\n0987654321,Ana,sí\n", EcuadorImport());
  ASSERT_TRUE(report.ok());
  Runtime run(db_, &clock_, dialogs_);
  auto contact = run.store->GetOrCreateContact(kNumber, kAna);
  TurnCommit opt_out;
  opt_out.contact = *contact;
  opt_out.contact.opted_out = true;
  opt_out.contact.opted_out_at = clock_.Now();
  opt_out.now = clock_.Now();
  ASSERT_TRUE(run.store->CommitTurn(opt_out).ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_TRUE(run.Outgoing(kAna).empty());
  EXPECT_EQ(Counts(db_, report->campaign_id), (std::map<std::string, int64_t>{{"skipped", 1}}));
}

}  // namespace
}  // namespace bot
