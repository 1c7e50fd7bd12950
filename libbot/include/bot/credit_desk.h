// The credit desk: where a person decides the applications the credit_application dialog
// pre-approved. Approving one opens a loan with its repayment schedule and queues a confirmation
// to the applicant; rejecting one queues the refusal. Both are audited and happen once.
//
// The desk works on the SQLite store's database file (bot/sqlite_store.h), over its own
// connection: applications are the dialog records of kind "application" (fields as the dialog
// stored them: status, amount "5000.00", term "14", commission, total, bureau_score, ...), and
// the messages it queues are ordinary outbox rows (status "pending") that the runner's outbox
// worker sends. See docs/credit.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "bot/status.h"

namespace bot {

struct CreditDeskOptions {
  // The applicant's local calendar (IANA id): the loan starts on the local date of approval.
  std::string timezone = "America/Mexico_City";
  // The commission for an application record without one (basis points; 1500 = 15.00%). A
  // record's own commission, the one the applicant accepted in the quote, always wins.
  int64_t commission_rate_bp = 1500;
  // Sent on approval. {{name}}, {{amount}}, {{commission}}, {{total}} ("$5,750.00"), {{term}}
  // (days), {{due_date}} (the last payment, "lunes 7 de diciembre de 2026"), {{installments}}
  // (the number of payments) and {{schedule}} (one line per payment, "• jueves 15 de enero de
  // 2026: $5,750.00") are filled in.
  std::string approved_text =
      "¡Felicidades, {{name}}! 🎉 Tu préstamo quedó APROBADO.\n"
      "💵 Te prestamos: {{amount}}\n"
      "💰 Total a pagar: {{total}}\n"
      "📅 Tus pagos:\n{{schedule}}\n"
      "En breve te depositamos. Si tienes dudas, escribe ASESOR.";
  // Sent on rejection. {{name}} and {{amount}} are filled in; the desk's reason is internal and
  // never sent to the applicant.
  std::string rejected_text =
      "Hola, {{name}}. Revisamos tu solicitud de {{amount}} y por ahora no podemos aprobarla. "
      "Puedes volver a solicitar en 3 meses. Si quieres que una persona revise tu caso contigo, "
      "escribe ASESOR.";
  SqliteOptions sqlite;
};

// An application record as the desk sees it.
struct Application {
  int64_t record_id = 0;
  int64_t contact_id = 0;
  int64_t session_id = 0;  // the conversation that recorded it
  std::string address;  // the applicant's WhatsApp address
  std::string name;     // the contact's name
  // The record's status ("preapproved", "declined") until a person decides; then the
  // decision: "approved" or "rejected".
  std::string status;
  std::string decided_by;  // the actor, once decided
  std::map<std::string, std::string> fields;  // the record's fields, as stored
  TimePoint created_at;
};

// One instalment of a loan's repayment schedule.
struct LoanPayment {
  int number = 0;  // 1, 2, ...
  std::chrono::year_month_day due_date{};
  int64_t amount = 0;  // centavos
  int64_t paid = 0;    // centavos received so far (RecordPayment)
  // "paid" (paid in full), "overdue" (not paid in full and its due date has passed in the
  // loan's time zone), "partial" (some received, not due yet) or "pending". Computed when the
  // loan is read.
  std::string status;
};

// A payment received for a loan (RecordPayment), with how it was allocated.
struct LoanTransaction {
  int64_t id = 0;
  std::string reference;  // the bank's transaction reference, unique
  int64_t amount = 0;     // centavos
  std::string method;     // "spei", "oxxo", "efectivo" ...
  std::string actor;
  TimePoint created_at;
  std::vector<std::pair<int, int64_t>> allocations;  // (instalment number, centavos)
};

// A payment to record: `amount` centavos for loan `loan_id`.
struct PaymentRequest {
  int64_t loan_id = 0;
  int64_t amount = 0;
  std::string reference;
  std::string method;
  std::string actor;
};

struct Loan {
  int64_t id = 0;
  int64_t record_id = 0;  // the application
  int64_t contact_id = 0;
  int64_t amount = 0;      // centavos lent
  int64_t commission = 0;  // centavos
  int64_t total = 0;       // amount + commission = the sum of the payments
  int term_days = 0;
  // "active"; "overdue" while an instalment is overdue (computed when read); "closed" once
  // every instalment is paid.
  std::string status;
  TimePoint created_at;
  std::vector<LoanPayment> payments;  // by number
  std::vector<LoanTransaction> transactions;  // oldest first
  std::string address;                        // the borrower's WhatsApp address
  std::string name;                           // the borrower's name
  std::string channel;  // the bot number the borrower applied on ("whatsapp:+52...")
};

// What RecordPayment did: the payment (the first one recorded, for a repeated reference) and
// the loan after it.
struct PaymentReceipt {
  LoanTransaction transaction;
  Loan loan;
  bool duplicate = false;  // the reference was recorded before: nothing was written now
};

// Loan reminders (docs/credit.md, "Reminders"): for each instalment not paid in full, one
// "before" reminder 3 days before its due date, one "due" on the day and one "overdue" the day
// after, each from `hour`:00 local time in the loan's zone until the next one's start (a
// reminder a stopped server missed is not sent late once the next is due; "overdue" lasts one
// day).
struct LoanReminder {
  int64_t loan_id = 0;
  int number = 0;    // the instalment
  std::string kind;  // "before", "due", "overdue"
  TimePoint from;    // due from ...
  TimePoint until;   // ... until (excluded)
  std::chrono::year_month_day due_date{};
  int64_t outstanding = 0;  // centavos still owed on the instalment
};

// Every reminder window of `loan`'s instalments not paid in full, by time. Pure.
std::vector<LoanReminder> LoanReminders(const Loan& loan, const std::string& timezone,
                                        int hour = 9);
// The reminders of `loan` due at `now` (from <= now < until). Pure.
std::vector<LoanReminder> DueLoanReminders(const Loan& loan, TimePoint now,
                                           const std::string& timezone, int hour = 9);

// How reminders leave: as WhatsApp templates (they go out of the 24 h window), one ContentSid
// per kind; ContentVariables {"1": name, "2": outstanding amount "$1,500.00", "3": due date
// "lunes 7 de diciembre de 2026"}.
struct LoanReminderOptions {
  std::map<std::string, std::string> content_sid;  // "before", "due", "overdue" -> "HX..."
  int hour = 9;                                    // local hour (0-23) a reminder's day starts at
  // Only the loans of borrowers who applied on this bot number (Loan::channel), so the
  // reminders leave from it; "" = every loan.
  std::string channel;
};

// The repayment schedule of `total` centavos over `term_days` from `start`: a term of up to
// 30 days is one payment at start + term; a longer one is monthly (every 30 days), ceil(term/30)
// payments, the last at start + term. Each payment is total / n centavos, the remainder on the
// last. InvalidArgument for total <= 0, term_days <= 0 or an invalid start.
Result<std::vector<LoanPayment>> RepaymentSchedule(int64_t total, int term_days,
                                                   std::chrono::year_month_day start);

// Thread-safe: one mutex serialises the connection. Each decision is one transaction, and a
// second decision on the same application (from this process or another) writes nothing.
class CreditDesk {
 public:
  // Opens (creating and migrating if needed) the store's database at `db_path`. `clock` is not
  // owned and must outlive the desk.
  static Result<std::unique_ptr<CreditDesk>> Open(const std::string& db_path, const Clock* clock,
                                                  CreditDeskOptions options = {});
  virtual ~CreditDesk() = default;

  // Applications oldest first; `status` "" lists all, else only those with that status
  // ("preapproved" = waiting for a decision, "approved", "rejected", "declined").
  virtual Result<std::vector<Application>> ListApplications(const std::string& status = "") = 0;

  // Approves a pre-approved, undecided application: the loan, its schedule, the decision, the
  // confirmation in the outbox and an "application_approved" audit event, all or nothing.
  // NotFound for an unknown id; AlreadyExists when it was decided before; InvalidArgument when
  // it is not pre-approved, the applicant's data was erased (EraseContactData), `actor` is
  // empty or its amount/term cannot be read.
  virtual Result<Loan> Approve(int64_t record_id, const std::string& actor) = 0;

  // Rejects a pre-approved, undecided application: the decision with its reason, the refusal
  // in the outbox and an "application_rejected" audit event. Errors as Approve; `reason` is
  // required (it is kept for the audit, not sent).
  virtual Status Reject(int64_t record_id, const std::string& actor,
                        const std::string& reason) = 0;

  // The loan an approval opened, with its payments; NotFound when there is none.
  virtual Result<Loan> FindLoan(int64_t record_id) = 0;
  // A loan by its id, with instalments, payments and status; NotFound when there is none.
  virtual Result<Loan> LoadLoan(int64_t loan_id) = 0;
  // Every loan, oldest first; `status` "" for all, else "active", "overdue" or "closed".
  virtual Result<std::vector<Loan>> ListLoans(const std::string& status = "") = 0;

  // Records a payment, in one transaction: allocated to the oldest instalment not paid in full
  // (a partial payment stays on it; what is left over goes on to the next), instalments paid in
  // full and a loan with all of them paid ("closed") updated, a "loan_payment" audit event.
  // Idempotent on the reference: the same reference again (same loan and amount) writes
  // nothing and answers the first receipt (duplicate = true). InvalidArgument: an amount <= 0,
  // an empty reference, method or actor, more than the loan still owes, a closed loan, or a
  // reference already used with another loan or amount. NotFound: no such loan.
  virtual Result<PaymentReceipt> RecordPayment(const PaymentRequest& payment) = 0;

  // Puts every reminder due at `now` (DueLoanReminders over the loans not closed) in the outbox
  // as its template, and records it in loan_reminders, unique on (loan, instalment, kind): all
  // in one transaction, and never twice, across restarts and concurrent callers. Returns how
  // many were queued. Erased borrowers get none. InvalidArgument when a due kind has no
  // ContentSid.
  virtual Result<int> EnqueueDueLoanReminders(TimePoint now,
                                              const LoanReminderOptions& options) = 0;
  // When the next reminder not yet queued becomes due: `now` if one is due already, nullopt
  // when none is left (every loan closed or every reminder queued).
  virtual Result<std::optional<TimePoint>> NextLoanReminderDue(
      TimePoint now, const LoanReminderOptions& options) = 0;
};

}  // namespace bot
