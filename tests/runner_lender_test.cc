// The lender through botrunner: a loan approved at the credit desk is reminded by the server's
// scheduler (`loan_reminders:`), on the fake clock, as templates posted to the fake Twilio on
// 127.0.0.1, until `botrunner credit pay` settles it; and the credit commands as the shell runs
// them (pay, loans, loan).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "bot/credit.h"
#include "bot/credit_desk.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "support/cli_run.h"
#include "support/eventually.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"
#include "support/stored_turn.h"
#include "support/temp_dir.h"

namespace runner {
namespace {

using bot::testing::CliRun;
using bot::testing::Eventually;
using bot::testing::FakeTwilio;
using bot::testing::RunBotrunner;
using bot::testing::RunnerHarness;
using namespace std::chrono;

constexpr const char* kAna = "whatsapp:+5215512345601";
constexpr const char* kName = "Ana María López";
constexpr const char* kBefore = "HX0000000000000000000000000000bef0";
constexpr const char* kDue = "HX0000000000000000000000000000d0e0";
constexpr const char* kOverdue = "HX00000000000000000000000000000e0d";

// `hour`:`minute` on `date` in Mexico City (UTC-6 all year since 2022).
bot::TimePoint MexicoCity(year_month_day date, int hour, int minute = 0) {
  return sys_days(date) + hours(hour + 6) + minutes(minute);
}

std::map<std::string, std::string> Application(const std::string& term) {
  return {{"status", "preapproved"}, {"name", kName},     {"amount", "5000.00"}, {"term", term},
          {"commission", "750.00"},  {"total", "5750.00"}};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A pre-approved application by Ana, stored in the database at `db` as the dialog records it,
// half an hour before `at`; its record id.
int64_t StoreApplication(const std::string& db, bot::TimePoint at, const std::string& term) {
  auto store = bot::OpenSqliteStore(db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return 0;
  bot::testing::StoredTurn turn;
  turn.channel = RunnerHarness::kBotNumber;
  turn.from = kAna;
  turn.name = kName;
  turn.message_sid = "SM00000000000000000000000000000001";
  turn.records = {{"application", Application(term)}};
  turn.at = at - minutes(30);
  EXPECT_TRUE(bot::testing::StoreTurn(**store, turn).ok());
  auto records = (*store)->ListRecords((*(*store)->FindContact(turn.channel, kAna))->id);
  return records.ok() && !records->empty() ? records->back().id : 0;
}

class LoanRemindersTest : public ::testing::Test {
 protected:
  std::string Yaml() const {
    return h_.BaseYaml(twilio_, "credit_application", "{}", "rest") +
           "scheduler_poll_ms: 20\n"
           "loan_reminders:\n"
           "  number: \"" +
           RunnerHarness::kBotNumber +
           "\"\n"
           "  content_sid: {before: " +
           kBefore + ", due: " + kDue + ", overdue: " + kOverdue +
           "}\n"
           "  hour: 9\n"
           "  time_zone: America/Mexico_City\n";
  }

  void StartServer() {
    ASSERT_TRUE(h_.Start(
        Yaml(), [](const std::string&) { return std::nullopt; }, &clock_));
  }

  // Moves the clock to `t` and waits until the server's scheduler has run the loan reminders
  // at `t`: whatever is due then is in the outbox.
  ::testing::AssertionResult RunScheduler(bot::TimePoint t) {
    clock_.Set(t);
    const bool ran = Eventually([&] {
      return h_.server().metrics().scheduler_last_run_ms(ScheduledSourceKind::kLoanReminders) >=
             bot::ToUnixMillis(t);
    });
    if (ran) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "the scheduler did not run the loan reminders";
  }

  // What the desk and the scheduler put in Ana's outbox, oldest first.
  std::vector<bot::StoredMessage> Outbound() {
    std::vector<bot::StoredMessage> out;
    auto messages = h_.server().store().ListMessages(h_.ContactOf(kAna).id);
    if (!messages.ok()) return out;
    for (auto& m : *messages) {
      if (m.direction == "out") out.push_back(std::move(m));
    }
    return out;
  }

  // Waits for the fake Twilio's `n`th message and checks it is the `content_sid` template to
  // Ana for `amount` due on `date`.
  void ExpectReminder(size_t n, const char* content_sid, const std::string& amount,
                      const std::string& date) {
    ASSERT_TRUE(twilio_.WaitForMessages(n, seconds(20))) << "no message " << n;
    ASSERT_EQ(twilio_.message_count(), n) << "sent twice?";
    const FakeTwilio::Message sent = twilio_.messages()[n - 1];
    EXPECT_EQ(sent.to, kAna);
    EXPECT_EQ(sent.from, RunnerHarness::kBotNumber);
    EXPECT_EQ(sent.content_sid, content_sid);
    EXPECT_EQ(sent.content_variables, std::string("{\"1\":\"") + kName + "\",\"2\":\"" + amount +
                                          "\",\"3\":\"" + date + "\"}");
    EXPECT_EQ(sent.body, "");
  }

  // Runs `botrunner credit pay` against the server's database, as the cashier would.
  CliRun Pay(int64_t loan, const std::string& amount, const std::string& reference) {
    return RunBotrunner({"credit", "pay", std::to_string(loan), amount, "--ref", reference,
                         "--method", "spei", "--actor", "caja", "--db", h_.database()});
  }

  bot::testing::FakeClock clock_;
  FakeTwilio twilio_;
  RunnerHarness h_{"lender"};  // last: the server stops before the fake goes away
};

TEST_F(LoanRemindersTest, TheSchedulerRemindsEachInstalmentUntilItIsPaidAndNeverTwice) {
  // Monday 2 March 2026, 10:00: the desk approves 5,000 + 750 over 45 days: two payments of
  // $2,875.00, on Wednesday 1 April (30 days) and Thursday 16 April (45 days).
  const bot::TimePoint approved_at = MexicoCity(2026y / March / 2, 10);
  clock_.Set(approved_at);
  const int64_t record = StoreApplication(h_.database(), approved_at, "45");
  int64_t loan_id = 0;
  {
    auto desk = bot::CreditDesk::Open(h_.database(), &clock_);
    ASSERT_TRUE(desk.ok()) << desk.status().ToString();
    auto loan = (*desk)->Approve(record, "mesa@financiera.mx");
    ASSERT_TRUE(loan.ok()) << loan.status().ToString();
    ASSERT_EQ(loan->payments.size(), 2u);
    EXPECT_EQ(loan->payments[0].due_date, 2026y / April / 1);
    EXPECT_EQ(loan->payments[1].due_date, 2026y / April / 16);
    loan_id = loan->id;
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_TRUE(twilio_.WaitForMessages(1, seconds(20)));
  EXPECT_TRUE(twilio_.messages()[0].body.starts_with("¡Felicidades, Ana María López!"))
      << twilio_.messages()[0].body;

  // Three days before the first payment: nothing at 08:59, the "before" reminder at 09:00.
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / March / 29, 8, 59)));
  EXPECT_EQ(Outbound().size(), 1u) << "a reminder before 09:00";
  const bot::TimePoint before_at = MexicoCity(2026y / March / 29, 9);
  ASSERT_TRUE(RunScheduler(before_at));
  ExpectReminder(2, kBefore, "$2,875.00", "miércoles 1 de abril de 2026");
  ASSERT_EQ(Outbound().size(), 2u);
  EXPECT_EQ(Outbound()[1].created_at, before_at);

  // A restart later that day queues nothing again.
  h_.Stop();
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / March / 29, 12)));
  EXPECT_EQ(Outbound().size(), 2u) << "the restart queued the reminder again";

  // On the due date and the day after, unpaid: "due", then "overdue".
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 1, 9)));
  ExpectReminder(3, kDue, "$2,875.00", "miércoles 1 de abril de 2026");
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 2, 9)));
  ExpectReminder(4, kOverdue, "$2,875.00", "miércoles 1 de abril de 2026");

  // The first payment arrives; the second instalment's "before" reminder comes on 13 April.
  CliRun paid = Pay(loan_id, "2,875", "SPEI-0001");
  ASSERT_EQ(paid.exit_code, 0) << paid.err;
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 13, 9)));
  ExpectReminder(5, kBefore, "$2,875.00", "jueves 16 de abril de 2026");

  // A partial payment: the "due" reminder asks for what is still owed.
  paid = Pay(loan_id, "1000", "SPEI-0002");
  ASSERT_EQ(paid.exit_code, 0) << paid.err;
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 16, 9)));
  ExpectReminder(6, kDue, "$1,875.00", "jueves 16 de abril de 2026");

  // The rest is paid the same day: the loan is closed and no "overdue" reminder follows.
  paid = Pay(loan_id, "$1,875.00", "SPEI-0003");
  ASSERT_EQ(paid.exit_code, 0) << paid.err;
  EXPECT_TRUE(Contains(paid.out, "loan " + std::to_string(loan_id) + " (application " +
                                     std::to_string(record) + "): closed"))
      << paid.out;
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 17, 9)));
  ASSERT_TRUE(RunScheduler(MexicoCity(2026y / April / 18, 9)));
  EXPECT_EQ(Outbound().size(), 6u) << "a reminder after the loan was paid";
  EXPECT_EQ(twilio_.message_count(), 6u);
  EXPECT_EQ(h_.server().metrics().scheduled(ScheduledSourceKind::kLoanReminders), 4u)
      << "since the restart: due and overdue (1 April), before and due (16 April)";
}

// `botrunner credit` as the desk and the cashier use it, on a loan approved now (the commands
// read the system clock): instalments not yet due are pending or partial.
class CreditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    record_ = StoreApplication(db_, system_clock::now(), "45");
    CliRun approved = Run({"credit", "approve", std::to_string(record_), "--actor", "mesa"});
    ASSERT_EQ(approved.exit_code, 0) << approved.err;
    ASSERT_TRUE(Contains(approved.out,
                         "approved by mesa: loan 1, $5,000.00 + $750.00 = "
                         "$5,750.00 over 45 days"))
        << approved.out;
  }

  CliRun Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db_);
    return RunBotrunner(args);
  }
  CliRun Pay(const std::string& amount, const std::string& reference) {
    return Run(
        {"credit", "pay", "1", amount, "--ref", reference, "--method", "oxxo", "--actor", "caja"});
  }

  bot::testing::TempDir dir_{"credit_command"};
  std::string db_ = dir_.File("bot.db");
  int64_t record_ = 0;
};

TEST_F(CreditCommandTest, PayAllocatesToTheOldestInstalmentKeepsPartsAndIsOncePerReference) {
  CliRun partial = Pay("$1,000.50", "OXXO-1");
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_TRUE(partial.out.starts_with("recorded: payment 1, $1,000.50 (OXXO-1)\n")) << partial.out;
  EXPECT_TRUE(Contains(partial.out, "\t$2,875.00\t$1,000.50\tpartial\n")) << partial.out;
  EXPECT_TRUE(Contains(partial.out, "\t$2,875.00\t$0.00\tpending\n")) << partial.out;
  EXPECT_TRUE(Contains(partial.out, "\tOXXO-1\toxxo\t$1,000.50\t1:$1,000.50\tcaja\n"))
      << partial.out;

  // The same reference again is the same payment: nothing more is recorded.
  CliRun again = Pay("1000.50", "OXXO-1");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out.starts_with("already recorded: payment 1, $1,000.50 (OXXO-1)\n"))
      << again.out;
  EXPECT_TRUE(Contains(again.out, "\t$2,875.00\t$1,000.50\tpartial\n")) << again.out;
  // ... and with another amount it is refused.
  CliRun reused = Pay("20", "OXXO-1");
  EXPECT_EQ(reused.exit_code, 1);
  EXPECT_TRUE(Contains(reused.err, "OXXO-1")) << reused.err;

  // A payment past the first instalment goes on to the next.
  CliRun more = Pay("2,000", "OXXO-2");
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_TRUE(Contains(more.out, "\t$2,875.00\t$2,875.00\tpaid\n")) << more.out;
  EXPECT_TRUE(Contains(more.out, "\t$2,875.00\t$125.50\tpartial\n")) << more.out;
  EXPECT_TRUE(Contains(more.out, "\tOXXO-2\toxxo\t$2,000.00\t1:$1,874.50,2:$125.50\tcaja\n"))
      << more.out;

  // More than is owed ($2,749.50 now), or an amount that is not one, is refused and changes
  // nothing.
  CliRun over = Pay("2749.51", "OXXO-3");
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_TRUE(Contains(over.err, "loan 1 owes $2,749.50, less than $2,749.51")) << over.err;
  CliRun unreadable = Pay("1.234", "OXXO-4");
  EXPECT_EQ(unreadable.exit_code, 2);
  CliRun unknown =
      Run({"credit", "pay", "9", "10", "--ref", "X", "--method", "spei", "--actor", "caja"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Contains(unknown.err, "no loan with id 9")) << unknown.err;

  CliRun rest = Pay("2749.50", "OXXO-5");
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_TRUE(Contains(rest.out, "): closed, $5,750.00 to pay")) << rest.out;
  CliRun after = Pay("1", "OXXO-6");
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_TRUE(Contains(after.err, "loan 1 is closed (paid in full)")) << after.err;
}

TEST_F(CreditCommandTest, LoansListsByStatusAndLoanShowsInstalmentsAndPayments) {
  CliRun loans = Run({"credit", "loans"});
  ASSERT_EQ(loans.exit_code, 0) << loans.err;
  EXPECT_TRUE(
      loans.out.starts_with("loan\tapplication\tstatus\ttotal\tpaid\tnext_due\tcontact\tname\n"))
      << loans.out;
  EXPECT_TRUE(Contains(loans.out, "1\t" + std::to_string(record_) + "\tactive\t$5,750.00\t$0.00\t"))
      << loans.out;
  EXPECT_TRUE(Contains(loans.out, kName)) << loans.out;
  EXPECT_FALSE(Contains(loans.out, "12345601")) << "the borrower's number is masked";

  ASSERT_EQ(Pay("5750", "SPEI-ALL").exit_code, 0);
  CliRun closed = Run({"credit", "loans", "--status", "closed"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_TRUE(Contains(closed.out, "1\t" + std::to_string(record_) +
                                       "\tclosed\t$5,750.00\t"
                                       "$5,750.00\t-\t"))
      << closed.out;
  CliRun active = Run({"credit", "loans", "--status", "active"});
  ASSERT_EQ(active.exit_code, 0);
  EXPECT_EQ(active.out, "loan\tapplication\tstatus\ttotal\tpaid\tnext_due\tcontact\tname\n");

  CliRun loan = Run({"credit", "loan", "1"});
  ASSERT_EQ(loan.exit_code, 0) << loan.err;
  EXPECT_TRUE(loan.out.starts_with("loan 1 (application " + std::to_string(record_) +
                                   "): closed, $5,750.00 to pay, "))
      << loan.out;
  EXPECT_TRUE(Contains(loan.out, "number\tdue_date\tamount\tpaid\tstatus\n")) << loan.out;
  EXPECT_TRUE(Contains(loan.out, "\tSPEI-ALL\toxxo\t$5,750.00\t1:$2,875.00,2:$2,875.00\tcaja\n"))
      << loan.out;
  CliRun missing = Run({"credit", "loan", "7"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(Contains(missing.err, "no loan with id 7")) << missing.err;
}

}  // namespace
}  // namespace runner
