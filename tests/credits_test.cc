// Message credits and the daily cap per tenant (bot/message_credits.h): campaigns on a real
// SQLite file with the fake clock, the outbox as the worker reads it, and `botrunner credits`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>

#include "bot/campaigns.h"
#include "bot/dialog_loader.h"
#include "bot/message_credits.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "campaigns/appointment_time.h"
#include "config/config.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

using std::chrono::hours;
using testing::FakeClock;
using testing::TempDir;

constexpr const char* kNumber = "whatsapp:+14155238886";
constexpr const char* kTenant = "clinica-norte";

TimePoint At(const char* iso) { return *campaigns::ParseAppointment(iso, "UTC"); }

std::shared_ptr<const DialogSet> Dialogs() {
  auto set = LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return *set;
}

CreditsPolicy Policy(int64_t daily_cap = 0,
                     TenantCredits::Charge charge = TenantCredits::Charge::kBusinessInitiated) {
  CreditsPolicy policy;
  policy.tenants[kTenant] = TenantCredits{charge, daily_cap, "America/Guayaquil"};
  policy.number_tenants[kNumber] = kTenant;
  return policy;
}

// A server's parts around one database, charging by `policy`: reopened to simulate a restart.
struct Runtime {
  Runtime(const std::string& db, const Clock* clock, const CreditsPolicy& policy) {
    SqliteOptions options;
    options.credits = policy;
    auto opened = OpenSqliteStore(db, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(*opened);
    bot = std::make_unique<Bot>(Dialogs(), store.get(), clock);
    campaigns = std::make_unique<CampaignSource>(db, bot.get());
    cap = std::make_unique<CapReleaseSource>(db, policy);
    scheduler = std::make_unique<Scheduler>(
        clock, std::vector<ScheduledSource*>{campaigns.get(), cap.get()});
  }
  // What the outbox worker sends now: marked sent, so a later poll does not see them again.
  std::vector<int64_t> Send(TimePoint now) {
    auto due = store->DueOutbound(now, 100);
    EXPECT_TRUE(due.ok());
    std::vector<int64_t> ids;
    for (const OutboundMessage& m : *due) {
      EXPECT_TRUE(store->MarkOutboundSent(m.id, "SM" + std::to_string(m.id), now).ok());
      ids.push_back(m.id);
    }
    return ids;
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<Bot> bot;
  std::unique_ptr<CampaignSource> campaigns;
  std::unique_ptr<CapReleaseSource> cap;
  std::unique_ptr<Scheduler> scheduler;
};

int64_t QueryInt(const std::string& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(conn);
  return value;
}

class CreditsTest : public ::testing::Test {
 protected:
  // `n` Ecuadorian patients without an appointment: due at 08:00 in Ecuador (13:00 UTC).
  void ImportPatients(int n) {
    std::string csv = "phone,name,consent\n";
    for (int i = 0; i < n; ++i) csv += "09876543" + std::to_string(10 + i) + ",Ana,sí\n";
    CampaignImport import;
    import.tenant = kTenant;
    import.number = kNumber;
    import.region = "EC";
    import.source = "clinic.csv";
    auto report = ImportCampaign(db_, *Dialogs()->Find("review_rating"), import, csv, clock_.Now());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->scheduled, n);
  }
  int64_t Held(const std::string& status) {
    return QueryInt(db_, "SELECT count(*) FROM messages WHERE status = '" + status + "'");
  }
  int64_t LedgerSum() {
    return QueryInt(db_, "SELECT coalesce(sum(delta), 0) FROM credit_ledger WHERE tenant = '" +
                             std::string(kTenant) + "'");
  }
  TempDir dir_;
  std::string db_ = dir_.File("bot.db");
  FakeClock clock_{At("2026-01-02T12:00:00Z")};  // 07:00 in Ecuador
};

TEST_F(CreditsTest, CreditsRunOutAndComeBackWithNothingSentTwice) {
  const CreditsPolicy policy = Policy();
  ImportPatients(5);
  ASSERT_TRUE(AddCredits(db_, policy, kTenant, 3, "first pack", "ana", clock_.Now()).ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));
  Runtime run(db_, &clock_, policy);
  EXPECT_EQ(*run.scheduler->RunOnce(), 5);
  // Three openings paid for and sent; two wait for credits, never handed to the worker.
  std::vector<int64_t> sent = run.Send(clock_.Now());
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_EQ(Held("no_credits"), 2);
  EXPECT_TRUE(run.Send(clock_.Now() + hours(1)).empty());
  auto held = ListHeldOutbound(db_, policy);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 2u);
  EXPECT_EQ((*held)[0].tenant, kTenant);
  EXPECT_TRUE((*held)[0].business_initiated);

  clock_.Advance(hours(2));
  auto added = AddCredits(db_, policy, kTenant, 10, "top-up", "ana", clock_.Now());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->released, 2);
  EXPECT_EQ(added->balance, 8);
  EXPECT_EQ(Held("no_credits"), 0);
  std::vector<int64_t> later = run.Send(clock_.Now());
  EXPECT_EQ(later.size(), 2u);
  std::set<int64_t> all(sent.begin(), sent.end());
  all.insert(later.begin(), later.end());
  EXPECT_EQ(all.size(), 5u);  // each opening once
  EXPECT_TRUE(run.Send(clock_.Now()).empty());

  // Every movement is a row: the ledger sums to the balance, each message paid for once.
  EXPECT_EQ(LedgerSum(), 8);
  EXPECT_EQ(QueryInt(db_,
                     "SELECT count(DISTINCT message_id) FROM credit_ledger "
                     "WHERE message_id IS NOT NULL"),
            5);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM credit_ledger"), 2 + 5);
  auto shown = ShowCredits(db_, policy, kTenant, clock_.Now());
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->balance, 8);
  EXPECT_EQ(shown->today, 5);
  EXPECT_TRUE(shown->held.empty());
  ASSERT_FALSE(shown->recent.empty());
  ASSERT_EQ(shown->recent.size(), 7u);  // newest first
  EXPECT_EQ(shown->recent[0].reason, "template");
  EXPECT_EQ(shown->recent[2].reason, "top-up");
  EXPECT_EQ(shown->recent[2].actor, "ana");
}

TEST_F(CreditsTest, TheDailyCapHoldsTheRestUntilTheNextLocalMidnightAcrossARestart) {
  const CreditsPolicy policy = Policy(3);
  ImportPatients(5);
  ASSERT_TRUE(AddCredits(db_, policy, kTenant, 100, "pack", "ana", clock_.Now()).ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));  // 08:00 on 2 January in Guayaquil
  {
    Runtime run(db_, &clock_, policy);
    EXPECT_EQ(*run.scheduler->RunOnce(), 5);
    EXPECT_EQ(run.Send(clock_.Now()).size(), 3u);
    EXPECT_EQ(Held("over_cap"), 2);
    // Midnight in Guayaquil (UTC-5) is 05:00 UTC.
    EXPECT_EQ(ToUnixMillis(**run.cap->NextDue()), ToUnixMillis(At("2026-01-03T05:00:00Z")));
  }
  // The server stops; the one that starts later finds them due at the day start.
  clock_.Set(At("2026-01-03T04:59:00Z"));
  Runtime restarted(db_, &clock_, policy);
  EXPECT_EQ(*restarted.cap->RunDue(clock_.Now()), 0);
  EXPECT_TRUE(restarted.Send(clock_.Now()).empty());
  clock_.Set(At("2026-01-03T05:00:00Z"));
  EXPECT_EQ(*restarted.cap->RunDue(clock_.Now()), 2);
  EXPECT_EQ(restarted.Send(clock_.Now()).size(), 2u);
  EXPECT_EQ(Held("over_cap"), 0);
  EXPECT_FALSE(restarted.cap->NextDue()->has_value());
  auto shown = ShowCredits(db_, policy, kTenant, clock_.Now());
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->day, "2026-01-03");
  EXPECT_EQ(shown->today, 2);  // the new day's count
  EXPECT_EQ(shown->balance, 95);
  EXPECT_EQ(LedgerSum(), 95);
}

TEST_F(CreditsTest, TheCapReleaseHoldsAgainWhenTheNewDayIsFull) {
  const CreditsPolicy policy = Policy(1);
  ImportPatients(3);
  ASSERT_TRUE(AddCredits(db_, policy, kTenant, 100, "pack", "ana", clock_.Now()).ok());
  clock_.Set(At("2026-01-02T13:00:00Z"));
  Runtime run(db_, &clock_, policy);
  EXPECT_EQ(*run.scheduler->RunOnce(), 3);
  EXPECT_EQ(Held("over_cap"), 2);
  clock_.Set(At("2026-01-03T05:00:00Z"));
  EXPECT_EQ(*run.cap->RunDue(clock_.Now()), 1);
  EXPECT_EQ(Held("over_cap"), 1);
  EXPECT_EQ(ToUnixMillis(**run.cap->NextDue()), ToUnixMillis(At("2026-01-04T05:00:00Z")));
}

TEST_F(CreditsTest, EveryMessageChargesRepliesAndHoldsThemWithoutCredits) {
  Runtime run(db_, &clock_, Policy(0, TenantCredits::Charge::kEveryMessage));
  ASSERT_TRUE(AddCredits(db_, Policy(), kTenant, 1, "pack", "ana", clock_.Now()).ok());
  auto contact = run.store->GetOrCreateContact(kNumber, "whatsapp:+593987654310");
  ASSERT_TRUE(contact.ok());
  TurnCommit turn;
  turn.contact = *contact;
  turn.replies = {"uno", "dos"};
  turn.now = clock_.Now();
  auto committed = run.store->CommitTurn(turn);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  ASSERT_EQ(committed->outbound_ids.size(), 2u);
  EXPECT_EQ(committed->held_ids, std::vector<int64_t>{committed->outbound_ids[1]});
  EXPECT_EQ(run.Send(clock_.Now()), std::vector<int64_t>{committed->outbound_ids[0]});
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM credit_ledger WHERE reason = 'reply'"), 1);
  // An inline (TwiML) reply is already on its way: charged past zero, never held.
  turn.replies = {"tres"};
  turn.reply_status = "inline";
  auto inline_turn = run.store->CommitTurn(turn);
  ASSERT_TRUE(inline_turn.ok());
  EXPECT_TRUE(inline_turn->held_ids.empty());
  EXPECT_EQ(LedgerSum(), -1);
}

TEST_F(CreditsTest, RepliesAreFreeWhenOnlyBusinessInitiatedMessagesAreCharged) {
  Runtime run(db_, &clock_, Policy());
  auto contact = run.store->GetOrCreateContact(kNumber, "whatsapp:+593987654310");
  TurnCommit turn;
  turn.contact = *contact;
  turn.replies = {"uno"};
  turn.now = clock_.Now();
  auto committed = run.store->CommitTurn(turn);
  ASSERT_TRUE(committed.ok());
  EXPECT_TRUE(committed->held_ids.empty());
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM credit_ledger"), 0);
}

TEST_F(CreditsTest, ATenantWithoutCreditsIsNeverHeld) {
  CreditsPolicy policy = Policy(1);
  policy.number_tenants[kNumber] = "another-clinic";  // not in `tenants`: credits off
  ImportPatients(3);
  clock_.Set(At("2026-01-02T13:00:00Z"));
  Runtime run(db_, &clock_, policy);
  EXPECT_EQ(*run.scheduler->RunOnce(), 3);
  EXPECT_EQ(run.Send(clock_.Now()).size(), 3u);
  EXPECT_EQ(Held("no_credits") + Held("over_cap"), 0);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM credit_ledger"), 0);
  EXPECT_FALSE(AddCredits(db_, policy, "another-clinic", 5, "pack", "ana", clock_.Now()).ok());
}

TEST_F(CreditsTest, NoFollowUpWhileTheOpeningIsHeld) {
  const CreditsPolicy policy = Policy();
  ImportPatients(1);
  clock_.Set(At("2026-01-02T13:00:00Z"));
  Runtime run(db_, &clock_, policy);
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_EQ(Held("no_credits"), 1);
  clock_.Advance(hours(20));  // follow_up_after: the reminder would be due
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM messages WHERE direction = 'out'"), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM campaign_recipients WHERE status = 'sent'"), 1);
  ASSERT_TRUE(AddCredits(db_, policy, kTenant, 5, "pack", "ana", clock_.Now()).ok());
  EXPECT_EQ(run.Send(clock_.Now()).size(), 1u);
  clock_.Advance(hours(20));
  EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM messages WHERE direction = 'out'"), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM campaign_recipients WHERE status = 'reminded'"), 1);
}

// ---- botrunner credits ----

using testing::CliRun;

CliRun RunCredits(std::vector<std::string> args) {
  args.insert(args.begin(), "credits");
  return testing::RunBotrunner(args);
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(CreditsTest, CommandAddsCreditsReleasesHeldMessagesAndShowsTheLedger) {
  const std::string config = dir_.File("botrunner.yaml");
  std::ofstream(config) << "database: " << db_ << "\n"
                        << "numbers:\n"
                        << "  - {to: \"" << kNumber
                        << "\", dialog: review_rating, tenant: " << kTenant << "}\n"
                        << "tenants:\n"
                        << "  " << kTenant << ": {credits: true, daily_cap: 1000}\n";
  auto parsed = runner::LoadConfigFile(config, runner::ProcessEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const CreditsPolicy policy = parsed->CreditsPolicy();
  // The cap's day defaults to the zone of the first number's country (+1 415: the US).
  EXPECT_EQ(policy.Find(kTenant)->time_zone, "America/New_York");
  ImportPatients(1);
  clock_.Set(At("2026-01-02T13:00:00Z"));
  {
    Runtime run(db_, &clock_, policy);
    EXPECT_EQ(*run.scheduler->RunOnce(), 1);
  }
  EXPECT_EQ(Held("no_credits"), 1);

  CliRun add = RunCredits(
      {"add", kTenant, "5", "--reason", "first pack", "--actor", "ana", "--config", config});
  EXPECT_EQ(add.exit_code, 0) << add.out;
  EXPECT_TRUE(Has(add.out, "balance 4; 1 held message(s) released")) << add.out;
  EXPECT_EQ(Held("no_credits"), 0);

  CliRun show = RunCredits({"show", kTenant, "--config", config});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_TRUE(Has(show.out, "tenant clinica-norte: balance 4;")) << show.out;
  EXPECT_TRUE(Has(show.out, "of 1000 (daily cap)")) << show.out;
  EXPECT_TRUE(Has(show.out, "\t+5\t5\tfirst pack\tana\t-\n")) << show.out;
  EXPECT_TRUE(Has(show.out, "\t-1\t4\ttemplate\tbot\t")) << show.out;

  for (const std::vector<std::string>& refused : std::vector<std::vector<std::string>>{
           {"add", "nobody", "5", "--reason", "x"},  // no credits: true
           {"add", kTenant, "0", "--reason", "x"},
           {"add", kTenant, "5"},  // no reason
       }) {
    std::vector<std::string> args = refused;
    for (const char* more : {"--actor", "ana", "--config"}) args.push_back(more);
    args.push_back(config);
    EXPECT_NE(RunCredits(args).exit_code, 0) << refused[1];
  }
  EXPECT_EQ(QueryInt(db_, "SELECT balance FROM credit_balances"), 4);
}

TEST(CreditsConfig, RefusesABadChargeAnUnknownKeyAndAnUnknownZone) {
  const std::string numbers =
      "numbers:\n  - {to: \"whatsapp:+14155238886\", dialog: review_rating, tenant: t}\n";
  const auto parse = [&](const std::string& tenants) {
    return runner::ParseConfig(numbers + "tenants:\n" + tenants, "test.yaml",
                               [](const std::string&) { return std::nullopt; });
  };
  EXPECT_TRUE(parse("  t: {credits: true, charge: every_message, time_zone: UTC}\n").ok());
  EXPECT_FALSE(parse("  t: {credits: true, charge: sometimes}\n").ok());
  EXPECT_FALSE(parse("  t: {credits: true, dialy_cap: 5}\n").ok());
  EXPECT_FALSE(parse("  t: {credits: true, time_zone: Mars/Olympus}\n").ok());
  // Credits off (the default): the tenant is never charged.
  auto off = parse("  t: {daily_cap: 5}\n");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->CreditsPolicy().empty());
}

}  // namespace
}  // namespace bot
