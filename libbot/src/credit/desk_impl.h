// The SQLite credit desk (bot/credit_desk.h): one connection, statements prepared at open.
// desk.cc opens it and answers queries; desk_decide.cc writes the decisions.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/credit_desk.h"
#include "store/sqlite_credits.h"
#include "store/sqlite_statement.h"

namespace bot::credit {

// "14" as 14: ASCII digits only, no sign; nullopt otherwise or on overflow.
std::optional<int64_t> ParseDigits(std::string_view text);

// "5000.00", "5000.5" or "5000" pesos as centavos; nullopt for anything else (signs, spaces,
// more than two decimals, overflow).
std::optional<int64_t> ParseCentavos(std::string_view text);

// "YYYY-MM-DD" as a date; nullopt when it is not a valid date in that form.
std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text);

class SqliteCreditDesk final : public CreditDesk {
 public:
  SqliteCreditDesk(sqlite3* db, const Clock* clock, CreditDeskOptions options)
      : db_(db), clock_(clock), options_(std::move(options)), credits_(options_.sqlite.credits) {}
  // close_v2 waits for the member statements, finalised right after this body.
  ~SqliteCreditDesk() override { sqlite3_close_v2(db_); }

  Status Prepare();

  Result<std::vector<Application>> ListApplications(const std::string& status) override;
  Result<Loan> Approve(int64_t record_id, const std::string& actor) override;
  Status Reject(int64_t record_id, const std::string& actor, const std::string& reason) override;
  Result<Loan> FindLoan(int64_t record_id) override;
  Result<Loan> LoadLoan(int64_t loan_id) override;
  Result<std::vector<Loan>> ListLoans(const std::string& status) override;
  Result<PaymentReceipt> RecordPayment(const PaymentRequest& payment) override;
  Result<int> EnqueueDueLoanReminders(TimePoint now, const LoanReminderOptions& options) override;
  Result<std::optional<TimePoint>> NextLoanReminderDue(TimePoint now,
                                                       const LoanReminderOptions& options) override;

 private:
  // The loan `loan_id` with its instalments (status computed at `now`), payments and borrower.
  Result<Loan> LoadLoanLocked(int64_t loan_id, TimePoint now);
  // The ids of every loan not closed, oldest first.
  Result<std::vector<int64_t>> OpenLoanIdsLocked();
  // The reminders of the open loans not yet queued, with their loans.
  Result<std::vector<std::pair<Loan, LoanReminder>>> PendingRemindersLocked(
      TimePoint now, const LoanReminderOptions& options);
  Status WritePayment(const PaymentRequest& payment, const Loan& loan, TimePoint now,
                      LoanTransaction* transaction);
  // The application `record_id` inside the caller's transaction, checked undecided and
  // pre-approved; `actor` must not be empty.
  Result<Application> LoadUndecided(int64_t record_id, const std::string& actor);
  Result<Loan> FindLoanLocked(int64_t record_id);
  // The decision row, the applicant's message and the audit event every decision writes.
  Status WriteDecision(const Application& application, std::string_view decision,
                       const std::string& actor, const std::string& reason,
                       const std::string& message, const std::string& audit_detail,
                       TimePoint now);
  Status WriteLoan(Loan* loan);

  std::mutex mu_;
  sqlite3* const db_;  // Guarded by mu_, as is every statement below.
  const Clock* const clock_;
  const CreditDeskOptions options_;
  sqlite::CreditCharger credits_;  // loan reminders take message credits

  sqlite::TransactionStatements tx_;
  sqlite::Statement list_applications_;
  sqlite::Statement load_application_;
  sqlite::Statement insert_decision_;
  sqlite::Statement insert_loan_;
  sqlite::Statement insert_payment_;
  sqlite::Statement insert_outbound_;
  sqlite::Statement insert_audit_;
  sqlite::Statement load_loan_;
  sqlite::Statement load_payments_;
  // Payments and reminders (desk_payments.cc, desk_reminders.cc).
  sqlite::Statement load_loan_by_id_;
  sqlite::Statement open_loans_;
  sqlite::Statement all_loans_;
  sqlite::Statement load_transactions_;
  sqlite::Statement load_allocations_;
  sqlite::Statement find_reference_;
  sqlite::Statement insert_transaction_;
  sqlite::Statement insert_allocation_;
  sqlite::Statement pay_instalment_;
  sqlite::Statement close_loan_;
  sqlite::Statement reminder_sent_;
  sqlite::Statement insert_reminder_;
  sqlite::Statement set_template_;
};

// The instalment's status at local date `today` (LoanPayment::status).
std::string InstalmentStatus(const LoanPayment& payment, std::chrono::year_month_day today);

}  // namespace bot::credit
