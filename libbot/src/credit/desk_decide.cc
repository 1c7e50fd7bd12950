// The credit desk's decisions. Each is one write transaction: the application is re-read inside
// it (BEGIN IMMEDIATE holds the write lock), so two desks deciding at once cannot both succeed.
#include "bot/credit.h"
#include "bot/dialog.h"
#include "credit/desk_impl.h"
#include "engine/local_time.h"
#include "store/sqlite_writes.h"

namespace bot::credit {
namespace {

constexpr int64_t kMaxTermDays = 10 * 366;  // beyond any micro-loan; keeps the date in range

const std::string& Field(const Application& application, const std::string& name) {
  static const std::string kEmpty;
  auto it = application.fields.find(name);
  return it == application.fields.end() ? kEmpty : it->second;
}

// The name to greet: the contact's, else the one the dialog recorded.
std::string ApplicantName(const Application& application) {
  return application.name.empty() ? Field(application, "name") : application.name;
}

std::string ScheduleText(const std::vector<LoanPayment>& payments) {
  std::string text;
  for (const LoanPayment& payment : payments) {
    if (!text.empty()) text += "\n";
    text += "• " + FormatDateEs(payment.due_date, true) + ": " + FormatPesos(payment.amount);
  }
  return text;
}

// The loan the application asks for, starting on `start`: its amount and term, and the
// commission the applicant accepted (the record's), or one at `rate_bp` when it has none.
Result<Loan> LoanFor(const Application& application, int64_t rate_bp,
                     std::chrono::year_month_day start) {
  const std::string id = std::to_string(application.record_id);
  const auto amount = ParseCentavos(Field(application, "amount"));
  const auto term = ParseDigits(Field(application, "term"));
  if (!amount) return InvalidArgument("application " + id + ": unreadable amount");
  if (!term || *term > kMaxTermDays) return InvalidArgument("application " + id + ": unreadable term");
  auto quote = MakeQuote(*amount, static_cast<int>(*term), rate_bp, start);
  if (!quote.ok()) return Status(quote.status().code(), "application " + id + ": " +
                                                            quote.status().message());
  Loan loan;
  loan.record_id = application.record_id;
  loan.contact_id = application.contact_id;
  loan.amount = quote->amount;
  loan.term_days = quote->term_days;
  loan.commission = quote->commission;
  if (const std::string& accepted = Field(application, "commission"); !accepted.empty()) {
    const auto commission = ParseCentavos(accepted);
    if (!commission) return InvalidArgument("application " + id + ": unreadable commission");
    loan.commission = *commission;
  }
  loan.total = loan.amount + loan.commission;
  if (const std::string& total = Field(application, "total"); !total.empty()) {
    if (ParseCentavos(total) != loan.total) {
      return InvalidArgument("application " + id + ": total " + total +
                             " is not amount + commission");
    }
  }
  loan.status = "active";
  auto payments = RepaymentSchedule(loan.total, loan.term_days, start);
  if (!payments.ok()) return payments.status();
  loan.payments = std::move(*payments);
  return loan;
}

}  // namespace

Result<Loan> SqliteCreditDesk::Approve(int64_t record_id, const std::string& actor) {
  const TimePoint now = clock_->Now();
  const auto start = engine::LocalDate(now, options_.timezone);
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto application = LoadUndecided(record_id, actor);
  if (!application.ok()) return application.status();
  auto loan = LoanFor(*application, options_.commission_rate_bp, start);
  if (!loan.ok()) return loan.status();
  loan->created_at = FromUnixMillis(ToUnixMillis(now));  // as stored
  if (Status s = WriteLoan(&*loan); !s.ok()) return s;
  const VarMap vars = {
      {"name", ApplicantName(*application)},
      {"amount", FormatPesos(loan->amount)},
      {"commission", FormatPesos(loan->commission)},
      {"total", FormatPesos(loan->total)},
      {"term", std::to_string(loan->term_days)},
      {"due_date", FormatDateEs(loan->payments.back().due_date, true)},
      {"installments", std::to_string(loan->payments.size())},
      {"schedule", ScheduleText(loan->payments)},
  };
  const std::string detail = "application=" + std::to_string(record_id) +
                             " loan=" + std::to_string(loan->id) + " actor=" + actor;
  if (Status s = WriteDecision(*application, "approved", actor, "",
                               RenderPrompt(options_.approved_text, {}, vars), detail, now);
      !s.ok()) {
    return s;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return loan;
}

Status SqliteCreditDesk::Reject(int64_t record_id, const std::string& actor,
                                const std::string& reason) {
  if (reason.empty()) return InvalidArgument("a rejection needs a reason");
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto application = LoadUndecided(record_id, actor);
  if (!application.ok()) return application.status();
  std::string amount = Field(*application, "amount");
  if (const auto centavos = ParseCentavos(amount)) amount = FormatPesos(*centavos);
  const VarMap vars = {{"name", ApplicantName(*application)}, {"amount", amount}};
  // The reason stays in application_decisions; the audit event names who and what only.
  const std::string detail = "application=" + std::to_string(record_id) + " actor=" + actor;
  if (Status s = WriteDecision(*application, "rejected", actor, reason,
                               RenderPrompt(options_.rejected_text, {}, vars), detail, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status SqliteCreditDesk::WriteLoan(Loan* loan) {
  {
    sqlite::Scope insert(insert_loan_);
    insert->Bind(1, loan->record_id);
    insert->Bind(2, loan->contact_id);
    insert->Bind(3, loan->amount);
    insert->Bind(4, loan->commission);
    insert->Bind(5, loan->total);
    insert->Bind(6, static_cast<int64_t>(loan->term_days));
    insert->Bind(7, loan->status);
    insert->Bind(8, loan->created_at);
    if (Status s = insert->Run(); !s.ok()) return s;
    loan->id = sqlite3_last_insert_rowid(db_);
  }
  for (const LoanPayment& payment : loan->payments) {
    const std::string due = engine::IsoDate(payment.due_date);
    sqlite::Scope insert(insert_payment_);
    insert->Bind(1, loan->id);
    insert->Bind(2, static_cast<int64_t>(payment.number));
    insert->Bind(3, due);
    insert->Bind(4, payment.amount);
    if (Status s = insert->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SqliteCreditDesk::WriteDecision(const Application& application, std::string_view decision,
                                       const std::string& actor, const std::string& reason,
                                       const std::string& message,
                                       const std::string& audit_detail, TimePoint now) {
  {
    sqlite::Scope insert(insert_decision_);
    insert->Bind(1, application.record_id);
    insert->Bind(2, decision);
    insert->Bind(3, actor);
    insert->Bind(4, reason);
    insert->Bind(5, now);
    if (Status s = insert->Run(); !s.ok()) return s;
  }
  auto outbound = sqlite::InsertOutbound(insert_outbound_, application.contact_id,
                                         application.session_id, message, "pending", now);
  if (!outbound.ok()) return outbound.status();
  // A reply, not a template: charged when the tenant pays for every message.
  auto number = credits_.NumberOf(*outbound);
  if (!number.ok()) return number.status();
  if (auto charged = credits_.Charge(*outbound, *number, false, "pending", now); !charged.ok()) {
    return charged.status();
  }
  const AuditEvent event{"application_" + std::string(decision), audit_detail};
  return sqlite::InsertAudit(insert_audit_, application.contact_id, event, now);
}

}  // namespace bot::credit
