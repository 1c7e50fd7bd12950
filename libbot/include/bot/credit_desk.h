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
#include <string>
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

struct LoanPayment {
  int number = 0;  // 1, 2, ...
  std::chrono::year_month_day due_date{};
  int64_t amount = 0;  // centavos
};

struct Loan {
  int64_t id = 0;
  int64_t record_id = 0;  // the application
  int64_t contact_id = 0;
  int64_t amount = 0;      // centavos lent
  int64_t commission = 0;  // centavos
  int64_t total = 0;       // amount + commission = the sum of the payments
  int term_days = 0;
  std::string status;  // "active"
  TimePoint created_at;
  std::vector<LoanPayment> payments;  // by number
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
};

}  // namespace bot
