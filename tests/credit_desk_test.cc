// The credit desk over a real SQLite file: applications recorded by the dialog (through the
// Store, as the engine records them) are approved into loans with their schedule, or rejected;
// each decision queues one message to the applicant, is audited and happens only once.
#include "bot/credit_desk.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "bot/credit.h"
#include "bot/loan_reminder_source.h"
#include "bot/message_credits.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "support/stored_turn.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

using std::chrono::January;
using std::chrono::February;
using std::chrono::year_month_day;

constexpr std::chrono::year k2026{2026};
const std::string kChannel = "whatsapp:+14155238886";
// 2026-01-01T12:00:00Z: 06:00 in Mexico City, a Thursday.
const TimePoint kNoon = FromUnixMillis(1767268800000);

std::map<std::string, std::string> Preapproved() {
  return {{"status", "preapproved"}, {"name", "Ana María López"}, {"amount", "5000.00"},
          {"term", "14"},           {"commission", "750.00"},     {"total", "5750.00"},
          {"bureau_score", "712"},  {"ine_curp", "LOHA850312MDFPRN08"}};
}

CreditDeskOptions ZoneOptions(const std::string& zone) {
  CreditDeskOptions options;
  options.timezone = zone;
  return options;
}
CreditDeskOptions UtcOptions() { return ZoneOptions("UTC"); }
CreditDeskOptions RateOptions(int64_t rate_bp) {
  CreditDeskOptions options;
  options.commission_rate_bp = rate_bp;
  return options;
}

class CreditDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    desk_ = OpenDesk();
    ASSERT_NE(desk_, nullptr);
  }
  void TearDown() override {
    desk_.reset();
    store_.reset();
  }

  std::unique_ptr<CreditDesk> OpenDesk(CreditDeskOptions options = {}) {
    auto desk = CreditDesk::Open(path_, &clock_, std::move(options));
    EXPECT_TRUE(desk.ok()) << desk.status().ToString();
    return desk.ok() ? std::move(*desk) : nullptr;
  }

  // A conversation with `address` that ends recording one record of `kind`; its record id.
  int64_t Apply(const std::string& address, std::map<std::string, std::string> fields,
                const std::string& kind = "application") {
    testing::StoredTurn turn;
    turn.channel = kChannel;
    turn.from = address;
    turn.name = "Ana María López";
    turn.message_sid = "SM" + std::to_string(++sid_);
    turn.replies = {"¡Buenas noticias!"};
    turn.reply_status = "inline";
    turn.records = {{kind, std::move(fields)}};
    turn.at = kNoon;
    EXPECT_TRUE(testing::StoreTurn(*store_, turn).ok());
    auto records = store_->ListRecords(ContactOf(address));
    return records->back().id;
  }

  int64_t ContactOf(const std::string& address) {
    return (*store_->FindContact(kChannel, address))->id;
  }

  // The messages the desk queued: outbound, pending.
  std::vector<std::string> Queued(const std::string& address) {
    std::vector<std::string> texts;
    auto messages = store_->ListMessages(ContactOf(address));  // outlives the loop
    for (const StoredMessage& m : *messages) {
      if (m.direction == "out" && m.status == "pending") texts.push_back(m.text);
    }
    return texts;
  }

  std::vector<StoredAudit> Audit(const std::string& address) {
    return *store_->ListAudit(ContactOf(address));
  }

  int64_t Count(const std::string& table) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &stmt, nullptr);
    int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  // Every row the desk may write, as one number, to see that a refused decision wrote nothing.
  int64_t Footprint() {
    return Count("loans") * 1000000 + Count("loan_payments") * 10000 +
           Count("application_decisions") * 1000 + Count("messages") * 10 +
           Count("audit_events");
  }

  const std::string ana_ = "whatsapp:+5215512345678";
  const std::string luis_ = "whatsapp:+5213398765432";
  testing::FakeClock clock_{kNoon};
  testing::TempDir dir_{"credit_desk"};
  std::string path_ = dir_.File("bot.db");
  int sid_ = 0;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CreditDesk> desk_;
};

struct ScheduleCase {
  int64_t total;
  int term_days;
  std::vector<LoanPayment> payments;
};

TEST(RepaymentSchedule, OnePaymentUpToThirtyDaysThenMonthlyWithTheRemainderLast) {
  const year_month_day start = k2026 / January / 1;
  const ScheduleCase cases[] = {
      {575000, 7, {{1, k2026 / January / 8, 575000}}},
      {575000, 14, {{1, k2026 / January / 15, 575000}}},
      {575000, 30, {{1, k2026 / January / 31, 575000}}},
      {575000, 31, {{1, k2026 / January / 31, 287500}, {2, k2026 / February / 1, 287500}}},
      {1000, 45, {{1, k2026 / January / 31, 500}, {2, k2026 / February / 15, 500}}},
      {100001,
       90,
       {{1, k2026 / January / 31, 33333},
        {2, k2026 / std::chrono::March / 2, 33333},
        {3, k2026 / std::chrono::April / 1, 33335}}},
      {2, 90, {{1, k2026 / January / 31, 0}, {2, k2026 / std::chrono::March / 2, 0},
               {3, k2026 / std::chrono::April / 1, 2}}},
  };
  for (const ScheduleCase& c : cases) {
    SCOPED_TRACE(std::to_string(c.total) + " over " + std::to_string(c.term_days) + " days");
    auto schedule = RepaymentSchedule(c.total, c.term_days, start);
    ASSERT_TRUE(schedule.ok()) << schedule.status().ToString();
    ASSERT_EQ(schedule->size(), c.payments.size());
    int64_t sum = 0;
    for (size_t i = 0; i < c.payments.size(); ++i) {
      EXPECT_EQ((*schedule)[i].number, c.payments[i].number);
      EXPECT_EQ((*schedule)[i].due_date, c.payments[i].due_date) << i;
      EXPECT_EQ((*schedule)[i].amount, c.payments[i].amount) << i;
      sum += (*schedule)[i].amount;
    }
    EXPECT_EQ(sum, c.total);
  }
}

TEST(RepaymentSchedule, RefusesEmptyLoansAndBadDates) {
  const year_month_day start = k2026 / January / 1;
  EXPECT_FALSE(RepaymentSchedule(0, 14, start).ok());
  EXPECT_FALSE(RepaymentSchedule(-100, 14, start).ok());
  EXPECT_FALSE(RepaymentSchedule(1000, 0, start).ok());
  EXPECT_FALSE(RepaymentSchedule(1000, 14, k2026 / February / 30).ok());
}

TEST_F(CreditDeskTest, ListsApplicationsOldestFirstAndFiltersByStatus) {
  const int64_t ana = Apply(ana_, Preapproved());
  auto declined = Preapproved();
  declined["status"] = "declined";
  const int64_t luis = Apply(luis_, declined);
  Apply(luis_, {{"rating", "5"}}, "review");  // not an application

  auto all = desk_->ListApplications();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].record_id, ana);
  EXPECT_EQ((*all)[0].status, "preapproved");
  EXPECT_EQ((*all)[0].address, ana_);
  EXPECT_EQ((*all)[0].name, "Ana María López");
  EXPECT_EQ((*all)[0].fields.at("amount"), "5000.00");
  EXPECT_EQ((*all)[0].fields.at("bureau_score"), "712");
  EXPECT_EQ((*all)[0].created_at, kNoon);
  EXPECT_NE((*all)[0].session_id, 0);
  EXPECT_EQ((*all)[1].record_id, luis);
  EXPECT_EQ((*all)[1].status, "declined");

  auto waiting = desk_->ListApplications("preapproved");
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].record_id, ana);
  EXPECT_TRUE(desk_->ListApplications("approved")->empty());
}

TEST_F(CreditDeskTest, ApprovingOpensTheLoanQueuesTheConfirmationAndAudits) {
  const int64_t id = Apply(ana_, Preapproved());
  auto loan = desk_->Approve(id, "mesa.credito@financiera.mx");
  ASSERT_TRUE(loan.ok()) << loan.status().ToString();
  EXPECT_NE(loan->id, 0);
  EXPECT_EQ(loan->record_id, id);
  EXPECT_EQ(loan->contact_id, ContactOf(ana_));
  EXPECT_EQ(loan->amount, 500000);
  EXPECT_EQ(loan->commission, 75000);
  EXPECT_EQ(loan->total, 575000);
  EXPECT_EQ(loan->term_days, 14);
  EXPECT_EQ(loan->status, "active");
  EXPECT_EQ(loan->created_at, kNoon);
  ASSERT_EQ(loan->payments.size(), 1u);
  EXPECT_EQ(loan->payments[0].due_date, k2026 / January / 15);
  EXPECT_EQ(loan->payments[0].amount, 575000);

  auto stored = desk_->FindLoan(id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->id, loan->id);
  EXPECT_EQ(stored->total, 575000);
  ASSERT_EQ(stored->payments.size(), 1u);
  EXPECT_EQ(stored->payments[0].due_date, k2026 / January / 15);

  const auto queued = Queued(ana_);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_NE(queued[0].find("Ana María López"), std::string::npos) << queued[0];
  EXPECT_NE(queued[0].find("$5,000.00"), std::string::npos) << queued[0];
  EXPECT_NE(queued[0].find("$5,750.00"), std::string::npos) << queued[0];
  EXPECT_NE(queued[0].find("jueves 15 de enero de 2026"), std::string::npos) << queued[0];
  // The outbox worker sends it to the applicant.
  auto due = store_->DueOutbound(kNoon, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].to, ana_);
  EXPECT_EQ((*due)[0].channel, kChannel);

  const auto audit = Audit(ana_);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].event.kind, "application_approved");
  EXPECT_NE(audit[0].event.detail.find("mesa.credito@financiera.mx"), std::string::npos);
  EXPECT_NE(audit[0].event.detail.find("application=" + std::to_string(id)), std::string::npos);

  auto approved = desk_->ListApplications("approved");
  ASSERT_EQ(approved->size(), 1u);
  EXPECT_EQ((*approved)[0].decided_by, "mesa.credito@financiera.mx");
  EXPECT_TRUE(desk_->ListApplications("preapproved")->empty());
}

TEST_F(CreditDeskTest, TheLoanStartsOnTheApplicantsLocalDate) {
  const int64_t id = Apply(ana_, Preapproved());
  clock_.Set(FromUnixMillis(1767326400000));  // 2026-01-02T04:00Z = Jan 1, 22:00 in CDMX
  auto loan = desk_->Approve(id, "ana");
  ASSERT_TRUE(loan.ok()) << loan.status().ToString();
  EXPECT_EQ(loan->payments[0].due_date, k2026 / January / 15);

  auto utc = OpenDesk(UtcOptions());
  const int64_t other = Apply(luis_, Preapproved());
  auto utc_loan = utc->Approve(other, "ana");
  ASSERT_TRUE(utc_loan.ok());
  EXPECT_EQ(utc_loan->payments[0].due_date, k2026 / January / 16);
}

TEST_F(CreditDeskTest, ALongTermIsPaidMonthlyAndTheTextCanListTheSchedule) {
  auto fields = Preapproved();
  fields["amount"] = "10000.00";
  fields["term"] = "60";
  fields["commission"] = "3000.01";
  fields["total"] = "13000.01";
  const int64_t id = Apply(ana_, fields);
  CreditDeskOptions options;
  options.approved_text = "{{installments}} pagos:\n{{schedule}}\nÚltimo: {{due_date}}";
  auto loan = OpenDesk(options)->Approve(id, "ana");
  ASSERT_TRUE(loan.ok()) << loan.status().ToString();
  ASSERT_EQ(loan->payments.size(), 2u);
  EXPECT_EQ(loan->payments[0].amount, 650000);
  EXPECT_EQ(loan->payments[1].amount, 650001);
  EXPECT_EQ(Queued(ana_).at(0),
            "2 pagos:\n• sábado 31 de enero de 2026: $6,500.00\n"
            "• lunes 2 de marzo de 2026: $6,500.01\nÚltimo: lunes 2 de marzo de 2026");
}

TEST_F(CreditDeskTest, TheCommissionTheApplicantAcceptedWinsOverTheConfiguredRate) {
  auto accepted = Preapproved();
  accepted["commission"] = "1000.00";
  accepted["total"] = "6000.00";
  const int64_t with = Apply(ana_, accepted);
  auto without = Preapproved();
  without.erase("commission");
  without.erase("total");
  const int64_t rate_only = Apply(luis_, without);
  auto desk = OpenDesk(RateOptions(1000));
  EXPECT_EQ(desk->Approve(with, "ana")->commission, 100000);
  auto computed = desk->Approve(rate_only, "ana");
  ASSERT_TRUE(computed.ok()) << computed.status().ToString();
  EXPECT_EQ(computed->commission, 50000);
  EXPECT_EQ(computed->total, 550000);
}

TEST_F(CreditDeskTest, RejectingQueuesTheRefusalKeepsTheReasonAndAudits) {
  const int64_t id = Apply(ana_, Preapproved());
  ASSERT_TRUE(desk_->Reject(id, "luis", "comprobante de domicilio ilegible").ok());
  const auto queued = Queued(ana_);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_NE(queued[0].find("Ana María López"), std::string::npos) << queued[0];
  EXPECT_NE(queued[0].find("$5,000.00"), std::string::npos) << queued[0];
  EXPECT_EQ(queued[0].find("ilegible"), std::string::npos) << "the reason is internal";
  const auto audit = Audit(ana_);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].event.kind, "application_rejected");
  EXPECT_NE(audit[0].event.detail.find("luis"), std::string::npos);
  EXPECT_EQ(Count("application_decisions WHERE decision = 'rejected' AND "
                  "reason = 'comprobante de domicilio ilegible'"),
            1);
  EXPECT_EQ(desk_->FindLoan(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(desk_->ListApplications("rejected")->size(), 1u);
}

TEST_F(CreditDeskTest, ASecondDecisionFailsAndWritesNothing) {
  const int64_t approved = Apply(ana_, Preapproved());
  const int64_t rejected = Apply(luis_, Preapproved());
  ASSERT_TRUE(desk_->Approve(approved, "ana").ok());
  ASSERT_TRUE(desk_->Reject(rejected, "ana", "documentos").ok());
  const int64_t before = Footprint();
  for (int64_t id : {approved, rejected}) {
    SCOPED_TRACE(id);
    auto again = desk_->Approve(id, "luis");
    EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
    EXPECT_NE(again.status().message().find("already"), std::string::npos);
    EXPECT_EQ(desk_->Reject(id, "luis", "otra vez").code(), StatusCode::kAlreadyExists);
  }
  EXPECT_EQ(Footprint(), before);
}

TEST_F(CreditDeskTest, TwoDesksRacingForOneApplicationDecideItOnce) {
  const int64_t id = Apply(ana_, Preapproved());
  auto other = OpenDesk();
  Result<Loan> first = NotFound(""), second = NotFound("");
  std::thread a([&] { first = desk_->Approve(id, "ana"); });
  std::thread b([&] { second = other->Approve(id, "luis"); });
  a.join();
  b.join();
  EXPECT_NE(first.ok(), second.ok());
  const Status& loser = first.ok() ? second.status() : first.status();
  EXPECT_EQ(loser.code(), StatusCode::kAlreadyExists) << loser.ToString();
  EXPECT_EQ(Count("loans"), 1);
  EXPECT_EQ(Queued(ana_).size(), 1u);
}

TEST_F(CreditDeskTest, RefusedDecisionsSayWhyAndWriteNothing) {
  const int64_t good = Apply(ana_, Preapproved());
  auto declined = Preapproved();
  declined["status"] = "declined";
  const int64_t declined_id = Apply(luis_, declined);
  const int64_t review = Apply(luis_, {{"rating", "5"}}, "review");
  auto unreadable = Preapproved();
  unreadable["amount"] = "cinco mil";
  const int64_t bad_amount = Apply(luis_, unreadable);
  auto mismatch = Preapproved();
  mismatch["total"] = "5700.00";
  const int64_t bad_total = Apply(luis_, mismatch);
  const int64_t before = Footprint();

  const struct {
    int64_t id;
    std::string actor;
    StatusCode code;
  } cases[] = {
      {999, "ana", StatusCode::kNotFound},
      {review, "ana", StatusCode::kNotFound},
      {declined_id, "ana", StatusCode::kInvalidArgument},
      {bad_amount, "ana", StatusCode::kInvalidArgument},
      {bad_total, "ana", StatusCode::kInvalidArgument},
      {good, "", StatusCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(desk_->Approve(c.id, c.actor).status().code(), c.code);
  }
  EXPECT_EQ(desk_->Reject(good, "ana", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->Reject(declined_id, "ana", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint(), before);
  EXPECT_TRUE(desk_->Approve(good, "ana").ok());  // and the desk still works
}

TEST_F(CreditDeskTest, OpenRefusesBadOptions) {
  testing::FakeClock clock;
  EXPECT_FALSE(CreditDesk::Open(path_, nullptr).ok());
  EXPECT_FALSE(CreditDesk::Open(path_, &clock, ZoneOptions("Mars/Olympus")).ok());
  EXPECT_FALSE(CreditDesk::Open(path_, &clock, RateOptions(-1)).ok());
  CreditDeskOptions unknown;
  unknown.approved_text = "Hola {{curp}}";
  EXPECT_EQ(CreditDesk::Open(path_, &clock, unknown).status().code(),
            StatusCode::kInvalidArgument);
  CreditDeskOptions unclosed;
  unclosed.rejected_text = "Hola {{name";
  EXPECT_FALSE(CreditDesk::Open(path_, &clock, unclosed).ok());
  EXPECT_FALSE(CreditDesk::Open(dir_.File("missing/bot.db"), &clock).ok());
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

// ---- Issue 16: payments and reminders ----

// 2026-01-01 in Mexico City: 10,000.00 + 1,500.00 over 60 days, two instalments of 5,750.00
// due on 2026-01-31 and 2026-03-02.
class LoanTest : public CreditDeskTest {
 protected:
  void SetUp() override {
    CreditDeskTest::SetUp();
    auto fields = Preapproved();
    fields["amount"] = "10000.00";
    fields["term"] = "60";
    fields["commission"] = "1500.00";
    fields["total"] = "11500.00";
    auto loan = desk_->Approve(Apply(ana_, fields), "mesa");
    ASSERT_TRUE(loan.ok()) << loan.status().ToString();
    loan_id_ = loan->id;
  }

  Result<PaymentReceipt> Pay(int64_t centavos, const std::string& ref) {
    return desk_->RecordPayment({loan_id_, centavos, ref, "spei", "caja"});
  }

  std::string Instalments() {
    auto loan = desk_->LoadLoan(loan_id_);
    EXPECT_TRUE(loan.ok()) << loan.status().ToString();
    std::string out = loan->status;
    for (const LoanPayment& p : loan->payments) {
      out += " " + std::to_string(p.number) + ":" + FormatPesos(p.paid) + ":" + p.status;
    }
    return out;
  }

  // The text of column `column` of the newest outbound message.
  std::string LastOutbound(const std::string& column) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       ("SELECT coalesce(" + column +
                        ", '') FROM messages WHERE direction = 'out' ORDER BY id DESC LIMIT 1")
                           .c_str(),
                       -1, &stmt, nullptr);
    std::string text = sqlite3_step(stmt) == SQLITE_ROW
                           ? reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))
                           : "none";
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return text;
  }

  // `local` o'clock on `date` in Mexico City (UTC-6, no DST since 2022).
  static TimePoint MexicoCity(year_month_day date, int hour, int minute = 0) {
    return TimePoint(std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(hour + 6) +
                     std::chrono::minutes(minute));
  }

  LoanReminderOptions Reminders() {
    return {{{"before", "HXbefore"}, {"due", "HXdue"}, {"overdue", "HXoverdue"}}, 9};
  }

  int64_t loan_id_ = 0;
};

TEST_F(LoanTest, PaymentsGoToTheOldestInstalmentAndTheLastOneClosesTheLoan) {
  EXPECT_EQ(Instalments(), "active 1:$0.00:pending 2:$0.00:pending");
  ASSERT_TRUE(Pay(300000, "TX1").ok());
  EXPECT_EQ(Instalments(), "active 1:$3,000.00:partial 2:$0.00:pending");
  auto second = Pay(400000, "TX2");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  const std::vector<std::pair<int, int64_t>> split = {{1, 275000}, {2, 125000}};
  EXPECT_EQ(second->transaction.allocations, split);  // the overpayment goes on to the next
  EXPECT_EQ(Instalments(), "active 1:$5,750.00:paid 2:$1,250.00:partial");
  auto last = Pay(450000, "TX3");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->loan.status, "closed");
  EXPECT_EQ(Instalments(), "closed 1:$5,750.00:paid 2:$5,750.00:paid");
  EXPECT_EQ(Pay(100, "TX4").status().code(), StatusCode::kInvalidArgument);  // closed

  std::vector<std::string> audited;
  for (const StoredAudit& a : Audit(ana_)) {
    if (a.event.kind == "loan_payment") audited.push_back(a.event.detail);
  }
  ASSERT_EQ(audited.size(), 3u);
  EXPECT_EQ(audited[1], "loan=" + std::to_string(loan_id_) +
                            " reference=TX2 amount=$4,000.00 method=spei actor=caja "
                            "allocated=1:$2,750.00,2:$1,250.00");
  auto loan = desk_->LoadLoan(loan_id_);
  ASSERT_EQ(loan->transactions.size(), 3u);
  EXPECT_EQ(loan->transactions[1].reference, "TX2");
  EXPECT_EQ(loan->transactions[1].allocations, split);
}

TEST_F(LoanTest, TheSameReferenceTwiceIsOnePaymentAndAnotherAmountIsRefused) {
  auto first = Pay(100000, "SPEI-778");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  const int64_t footprint = Footprint() + Count("loan_transactions");
  auto again = Pay(100000, "SPEI-778");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->transaction.id, first->transaction.id);
  EXPECT_EQ(again->transaction.allocations, first->transaction.allocations);
  EXPECT_EQ(Pay(200000, "SPEI-778").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint() + Count("loan_transactions"), footprint);
  EXPECT_EQ(Instalments(), "active 1:$1,000.00:partial 2:$0.00:pending");
  // Another process (the desk reopened) sees the same.
  desk_ = OpenDesk();
  EXPECT_TRUE(Pay(100000, "SPEI-778")->duplicate);
}

TEST_F(LoanTest, RefusedPaymentsWriteNothing) {
  const int64_t footprint = Footprint();
  EXPECT_EQ(Pay(1150001, "TX").status().code(), StatusCode::kInvalidArgument);  // > owed
  EXPECT_EQ(Pay(0, "TX").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Pay(100, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->RecordPayment({loan_id_, 100, "TX", "", "caja"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->RecordPayment({999, 100, "TX", "spei", "caja"}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Footprint(), footprint);
  EXPECT_EQ(Count("loan_transactions"), 0);
}

TEST_F(LoanTest, AnInstalmentNotPaidByItsDueDateIsOverdueInTheLoansZone) {
  clock_.Set(MexicoCity({k2026, January, std::chrono::day(31)}, 23, 59));
  EXPECT_EQ(Instalments(), "active 1:$0.00:pending 2:$0.00:pending");
  clock_.Set(MexicoCity({k2026, February, std::chrono::day(1)}, 0, 0));
  EXPECT_EQ(Instalments(), "overdue 1:$0.00:overdue 2:$0.00:pending");
  EXPECT_EQ(desk_->ListLoans("overdue")->size(), 1u);
  EXPECT_TRUE(desk_->ListLoans("active")->empty());
  ASSERT_TRUE(Pay(575000, "TX1").ok());
  EXPECT_EQ(Instalments(), "active 1:$5,750.00:paid 2:$0.00:pending");
}

TEST_F(LoanTest, RemindersAreDueThreeDaysBeforeOnTheDayAndTheDayAfter) {
  auto loan = desk_->LoadLoan(loan_id_);
  ASSERT_TRUE(loan.ok());
  const year_month_day jan28{k2026, January, std::chrono::day(28)};
  struct Case {
    TimePoint at;
    std::string expected;  // number:kind of the due reminders
  };
  const std::vector<Case> cases = {
      {MexicoCity(jan28, 8, 59), ""},
      {MexicoCity(jan28, 9), "1:before"},
      {MexicoCity({k2026, January, std::chrono::day(30)}, 23), "1:before"},
      {MexicoCity({k2026, January, std::chrono::day(31)}, 9), "1:due"},
      {MexicoCity({k2026, February, std::chrono::day(1)}, 9), "1:overdue"},
      {MexicoCity({k2026, February, std::chrono::day(2)}, 9), ""},
      {MexicoCity({k2026, February, std::chrono::day(27)}, 10), "2:before"},
  };
  for (const Case& c : cases) {
    std::string got;
    for (const LoanReminder& r : DueLoanReminders(*loan, c.at, "America/Mexico_City")) {
      got += (got.empty() ? "" : " ") + std::to_string(r.number) + ":" + r.kind;
    }
    EXPECT_EQ(got, c.expected) << ToUnixMillis(c.at);
  }
}

TEST_F(LoanTest, RemindersAreQueuedOnceAsTemplatesUntilPaid) {
  const TimePoint before = MexicoCity({k2026, January, std::chrono::day(28)}, 9, 30);
  auto next = desk_->NextLoanReminderDue(kNoon, Reminders());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, MexicoCity({k2026, January, std::chrono::day(28)}, 9));

  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, Reminders()), 1);
  EXPECT_EQ(LastOutbound("content_sid"), "HXbefore");
  EXPECT_EQ(LastOutbound("content_variables"),
            "{\"1\":\"Ana María López\",\"2\":\"$5,750.00\",\"3\":\"sábado 31 de enero de "
            "2026\"}");
  EXPECT_EQ(LastOutbound("status"), "pending");
  // Never twice: again, and after a restart (a new desk on the same file).
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, Reminders()), 0);
  desk_ = OpenDesk();
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before + std::chrono::hours(1), Reminders()), 0);
  EXPECT_EQ(Count("loan_reminders"), 1);
  EXPECT_EQ(*desk_->NextLoanReminderDue(before, Reminders()),
            MexicoCity({k2026, January, std::chrono::day(31)}, 9));

  // Partly paid: the due-day reminder asks for what is left.
  ASSERT_TRUE(Pay(500000, "TX1").ok());
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(MexicoCity({k2026, January, std::chrono::day(31)}, 9),
                                            Reminders()),
            1);
  EXPECT_EQ(LastOutbound("content_sid"), "HXdue");
  EXPECT_EQ(LastOutbound("content_variables"),
            "{\"1\":\"Ana María López\",\"2\":\"$750.00\",\"3\":\"sábado 31 de enero de 2026\"}");

  // Paid: no overdue reminder; the next is the second instalment's.
  ASSERT_TRUE(Pay(75000, "TX2").ok());
  const TimePoint day_after = MexicoCity({k2026, February, std::chrono::day(1)}, 9);
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(day_after, Reminders()), 0);
  EXPECT_EQ(*desk_->NextLoanReminderDue(day_after, Reminders()),
            MexicoCity({k2026, February, std::chrono::day(27)}, 9));

  // All paid: nothing is left to remind.
  ASSERT_TRUE(Pay(575000, "TX3").ok());
  EXPECT_EQ(*desk_->NextLoanReminderDue(day_after, Reminders()), std::nullopt);
  EXPECT_EQ(Count("loan_reminders"), 2);
}

TEST_F(LoanTest, RemindersKeepToTheLoansOfTheirBotNumber) {
  const TimePoint before = MexicoCity({k2026, January, std::chrono::day(28)}, 9, 30);
  LoanReminderOptions other = Reminders();
  other.channel = "whatsapp:+5215500000000";  // another lender's number
  EXPECT_EQ(*desk_->NextLoanReminderDue(before, other), std::nullopt);
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, other), 0);
  EXPECT_EQ(Count("loan_reminders"), 0);
  LoanReminderOptions ours = Reminders();
  ours.channel = kChannel;
  EXPECT_EQ(desk_->LoadLoan(loan_id_)->channel, kChannel);
  EXPECT_EQ(*desk_->NextLoanReminderDue(before, ours), before);
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, ours), 1);
}

TEST(CheckLoanReminderSetup, NeedsEveryTemplateAnHourOfTheDayAndAKnownZone) {
  const LoanReminderOptions good = {{{"before", "HXb"}, {"due", "HXd"}, {"overdue", "HXo"}}, 9, ""};
  EXPECT_TRUE(CheckLoanReminderSetup(good, "America/Mexico_City").ok());
  EXPECT_TRUE(CheckLoanReminderSetup(good, "UTC").ok());
  LoanReminderOptions no_due = good;
  no_due.content_sid["due"] = "";
  EXPECT_EQ(CheckLoanReminderSetup(no_due, "UTC").message(),
            "no ContentSid for the 'due' loan reminder");
  LoanReminderOptions late = good;
  late.hour = 24;
  EXPECT_EQ(CheckLoanReminderSetup(late, "UTC").message(), "reminder hour must be 0-23, not 24");
  EXPECT_EQ(CheckLoanReminderSetup(good, "Mexico/Cancun_City").message(),
            "unknown time zone 'Mexico/Cancun_City'");
}

TEST_F(LoanTest, AReminderTakesACreditOrWaitsForOne) {
  CreditDeskOptions options;
  options.sqlite.credits.tenants["lender"] = TenantCredits{};
  options.sqlite.credits.number_tenants[kChannel] = "lender";
  desk_ = OpenDesk(options);
  const TimePoint before = MexicoCity({k2026, January, std::chrono::day(28)}, 9, 30);
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, Reminders()), 1);
  EXPECT_EQ(LastOutbound("status"), "no_credits");  // queued once, held
  EXPECT_EQ(*desk_->EnqueueDueLoanReminders(before, Reminders()), 0);
  auto added = AddCredits(path_, options.sqlite.credits, "lender", 1, "pack", "ana", before);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->released, 1);
  EXPECT_EQ(added->balance, 0);
  EXPECT_EQ(LastOutbound("status"), "pending");
}

TEST_F(LoanTest, AReminderWithoutItsTemplateIsRefusedAndNothingIsQueued) {
  LoanReminderOptions options = Reminders();
  options.content_sid.erase("before");
  const int64_t messages = Count("messages");
  EXPECT_EQ(
      desk_
          ->EnqueueDueLoanReminders(MexicoCity({k2026, January, std::chrono::day(28)}, 10), options)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("messages"), messages);
  EXPECT_EQ(Count("loan_reminders"), 0);
}

TEST(ParsePesoAmount, ReadsWhatPeopleTypeAndRefusesTheRest) {
  const std::vector<std::pair<std::string, int64_t>> good = {
      {"1500", 150000}, {"1500.5", 150050},          {"1,500.50", 150050}, {"$1,500.50", 150050},
      {"0.01", 1},      {"$12,345,678", 1234567800}, {"999", 99900},
  };
  for (const auto& [text, centavos] : good) {
    auto parsed = ParsePesoAmount(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, centavos) << text;
  }
  for (const std::string bad :
       {"", "$", "-5", "+5", "1,50", "15,00.00", "1500,000", ",500", "1.505", "1.", ".5", "1 500",
        "$ 1500", "1500$", "1e3", "99999999999999999999"}) {
    EXPECT_EQ(ParsePesoAmount(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace bot
