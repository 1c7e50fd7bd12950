// Opening the credit desk and its queries: applications and loans.
#include <iterator>
#include <set>
#include <utility>

#include "bot/dialog.h"
#include "credit/desk_impl.h"
#include "engine/local_time.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_writes.h"

namespace bot {

namespace credit {
namespace {

// Applications with their decision, if any; read with ReadApplication. The status is the
// decision once there is one, else the record's own.
constexpr char kApplicationSelect[] =
    "SELECT r.id, r.contact_id, r.data, r.created_at, c.address, c.name, "
    "coalesce(d.decision, json_extract(r.data, '$.status'), ''), coalesce(d.actor, ''), "
    "coalesce(r.session_id, 0) "
    "FROM records r JOIN contacts c ON c.id = r.contact_id "
    "LEFT JOIN application_decisions d ON d.record_id = r.id WHERE r.kind = 'application' ";

Status ReadApplication(const sqlite::Statement& row, Application* a) {
  a->record_id = row.Int(0);
  a->contact_id = row.Int(1);
  a->created_at = row.Time(3);
  a->address = row.Text(4);
  a->name = row.Text(5);
  a->status = row.Text(6);
  a->decided_by = row.Text(7);
  a->session_id = row.Int(8);
  const std::string data = row.Text(2, sqlite::kJsonPadding);
  if (data == "{}" || VarsFromJson(data, &a->fields)) return Status::Ok();
  return Internal("application " + std::to_string(a->record_id) + ": bad data JSON");
}

// EraseContactData's anonymous addresses: nobody left to write to.
constexpr std::string_view kErasedPrefix = "erased:";

// A template may only use the variables the desk fills in.
Status CheckTemplate(const std::string& name, const std::string& text,
                     const std::set<std::string>& allowed) {
  std::vector<std::string> used;
  if (!TemplateVariables(text, &used)) return InvalidArgument(name + ": unclosed {{");
  for (const std::string& variable : used) {
    if (!allowed.contains(variable)) {
      return InvalidArgument(name + ": unknown variable {{" + variable + "}}");
    }
  }
  return Status::Ok();
}

}  // namespace

Status SqliteCreditDesk::Prepare() {
  const std::string select = kApplicationSelect;
  const std::pair<sqlite::Statement*, std::string> statements[] = {
      {&list_applications_, select + "AND (?1 = '' OR coalesce(d.decision, "
                                     "json_extract(r.data, '$.status')) = ?1) ORDER BY r.id"},
      {&load_application_, select + "AND r.id = ?1"},
      {&insert_decision_,
       "INSERT INTO application_decisions (record_id, decision, actor, reason, decided_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&insert_loan_,
       "INSERT INTO loans (record_id, contact_id, amount, commission, total, term_days, status, "
       "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&insert_payment_,
       "INSERT INTO loan_payments (loan_id, number, due_date, amount) VALUES (?1, ?2, ?3, ?4)"},
      {&insert_outbound_, sqlite::kInsertOutboundSql},
      {&insert_audit_, sqlite::kInsertAuditSql},
      {&load_loan_,
       "SELECT id, record_id, contact_id, amount, commission, total, term_days, status, "
       "created_at FROM loans WHERE record_id = ?1"},
      {&load_payments_,
       "SELECT number, due_date, amount, paid FROM loan_payments WHERE loan_id = ?1 "
       "ORDER BY number"},
      {&load_loan_by_id_,
       "SELECT l.id, l.record_id, l.contact_id, l.amount, l.commission, l.total, l.term_days, "
       "l.status, l.created_at, c.address, c.name, c.channel FROM loans l "
       "JOIN contacts c ON c.id = l.contact_id WHERE l.id = ?1"},
      {&open_loans_, "SELECT id FROM loans WHERE status != 'closed' ORDER BY id"},
      {&all_loans_, "SELECT id FROM loans ORDER BY id"},
      {&load_transactions_,
       "SELECT id, reference, amount, method, actor, created_at FROM loan_transactions "
       "WHERE loan_id = ?1 ORDER BY id"},
      {&load_allocations_,
       "SELECT a.transaction_id, a.number, a.amount FROM loan_allocations a "
       "JOIN loan_transactions t ON t.id = a.transaction_id WHERE t.loan_id = ?1 "
       "ORDER BY a.transaction_id, a.number"},
      {&find_reference_, "SELECT id, loan_id, amount FROM loan_transactions WHERE reference = ?1"},
      {&insert_transaction_,
       "INSERT INTO loan_transactions (loan_id, reference, amount, method, actor, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&insert_allocation_,
       "INSERT INTO loan_allocations (transaction_id, number, amount) VALUES (?1, ?2, ?3)"},
      {&pay_instalment_,
       "UPDATE loan_payments SET paid = paid + ?3, "
       "paid_at = CASE WHEN paid + ?3 >= amount THEN ?4 ELSE paid_at END "
       "WHERE loan_id = ?1 AND number = ?2"},
      {&close_loan_, "UPDATE loans SET status = 'closed' WHERE id = ?1"},
      {&reminder_sent_,
       "SELECT 1 FROM loan_reminders WHERE loan_id = ?1 AND number = ?2 AND kind = ?3"},
      {&insert_reminder_,
       "INSERT INTO loan_reminders (loan_id, number, kind, message_id, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&set_template_,
       "UPDATE messages SET content_sid = ?2, content_variables = ?3 WHERE id = ?1"},
  };
  if (Status s = tx_.Prepare(db_); !s.ok()) return s;
  if (Status s = credits_.Prepare(db_); !s.ok()) return s;
  for (const auto& [stmt, sql] : statements) {
    if (Status s = stmt->Prepare(db_, sql); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::vector<Application>> SqliteCreditDesk::ListApplications(const std::string& status) {
  std::lock_guard lock(mu_);
  sqlite::Scope list(list_applications_);
  list->Bind(1, status);
  return sqlite::CollectRows<Application>(*list, "list applications", ReadApplication);
}

Result<Application> SqliteCreditDesk::LoadUndecided(int64_t record_id, const std::string& actor) {
  if (actor.empty()) return InvalidArgument("a decision needs an actor (who decides)");
  Application application;
  {
    sqlite::Scope load(load_application_);
    load->Bind(1, record_id);
    const int rc = load->Step();
    const std::string id = std::to_string(record_id);
    if (rc == SQLITE_DONE) return NotFound("no application with id " + id);
    if (rc != SQLITE_ROW) return sqlite::Error(db_, rc, "load application");
    if (Status s = ReadApplication(*load, &application); !s.ok()) return s;
    if (!application.decided_by.empty()) {
      return Status(StatusCode::kAlreadyExists, "application " + id + " was already " +
                                                    application.status + " by " +
                                                    application.decided_by);
    }
    if (application.address.starts_with(kErasedPrefix)) {
      return InvalidArgument("application " + id + ": the applicant's data was erased");
    }
    if (application.status != "preapproved") {
      return InvalidArgument("application " + id + " is " +
                             (application.status.empty() ? "without status" : application.status) +
                             ", not preapproved");
    }
  }
  return application;
}

Result<Loan> SqliteCreditDesk::FindLoan(int64_t record_id) {
  std::lock_guard lock(mu_);
  return FindLoanLocked(record_id);
}

Result<Loan> SqliteCreditDesk::FindLoanLocked(int64_t record_id) {
  int64_t loan_id = 0;
  {
    sqlite::Scope load(load_loan_);
    load->Bind(1, record_id);
    const int rc = load->Step();
    if (rc == SQLITE_DONE) return NotFound("no loan for application " + std::to_string(record_id));
    if (rc != SQLITE_ROW) return sqlite::Error(db_, rc, "load loan");
    loan_id = load->Int(0);
  }
  return LoadLoanLocked(loan_id, clock_->Now());
}

Result<Loan> SqliteCreditDesk::LoadLoan(int64_t loan_id) {
  std::lock_guard lock(mu_);
  return LoadLoanLocked(loan_id, clock_->Now());
}

Result<std::vector<Loan>> SqliteCreditDesk::ListLoans(const std::string& status) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  sqlite::Scope ids(all_loans_);
  auto rows = sqlite::CollectRows<int64_t>(*ids, "list loans",
                                           [](const sqlite::Statement& row, int64_t* id) {
                                             *id = row.Int(0);
                                             return Status::Ok();
                                           });
  if (!rows.ok()) return rows.status();
  std::vector<Loan> loans;
  for (int64_t id : *rows) {
    auto loan = LoadLoanLocked(id, now);
    if (!loan.ok()) return loan.status();
    if (status.empty() || loan->status == status) loans.push_back(std::move(*loan));
  }
  return loans;
}

Result<Loan> SqliteCreditDesk::LoadLoanLocked(int64_t loan_id, TimePoint now) {
  Loan loan;
  {
    sqlite::Scope load(load_loan_by_id_);
    load->Bind(1, loan_id);
    const int rc = load->Step();
    if (rc == SQLITE_DONE) return NotFound("no loan with id " + std::to_string(loan_id));
    if (rc != SQLITE_ROW) return sqlite::Error(db_, rc, "load loan");
    loan.id = load->Int(0);
    loan.record_id = load->Int(1);
    loan.contact_id = load->Int(2);
    loan.amount = load->Int(3);
    loan.commission = load->Int(4);
    loan.total = load->Int(5);
    loan.term_days = static_cast<int>(load->Int(6));
    loan.status = load->Text(7);
    loan.created_at = load->Time(8);
    loan.address = load->Text(9);
    loan.name = load->Text(10);
    loan.channel = load->Text(11);
  }
  {
    sqlite::Scope payments(load_payments_);
    payments->Bind(1, loan.id);
    auto rows = sqlite::CollectRows<LoanPayment>(
        *payments, "load loan payments", [&](const sqlite::Statement& row, LoanPayment* p) {
          p->number = static_cast<int>(row.Int(0));
          p->amount = row.Int(2);
          p->paid = row.Int(3);
          auto date = ParseIsoDate(row.Text(1));
          if (!date) return Internal("loan " + std::to_string(loan.id) + ": bad due date");
          p->due_date = *date;
          return Status::Ok();
        });
    if (!rows.ok()) return rows.status();
    loan.payments = std::move(*rows);
  }
  {
    sqlite::Scope transactions(load_transactions_);
    transactions->Bind(1, loan.id);
    auto rows =
        sqlite::CollectRows<LoanTransaction>(*transactions, "load loan transactions",
                                             [](const sqlite::Statement& row, LoanTransaction* t) {
                                               t->id = row.Int(0);
                                               t->reference = row.Text(1);
                                               t->amount = row.Int(2);
                                               t->method = row.Text(3);
                                               t->actor = row.Text(4);
                                               t->created_at = row.Time(5);
                                               return Status::Ok();
                                             });
    if (!rows.ok()) return rows.status();
    loan.transactions = std::move(*rows);
  }
  {
    sqlite::Scope allocations(load_allocations_);
    allocations->Bind(1, loan.id);
    struct Allocation {
      int64_t transaction_id = 0;
      int number = 0;
      int64_t amount = 0;
    };
    auto rows = sqlite::CollectRows<Allocation>(*allocations, "load loan allocations",
                                                [](const sqlite::Statement& row, Allocation* a) {
                                                  a->transaction_id = row.Int(0);
                                                  a->number = static_cast<int>(row.Int(1));
                                                  a->amount = row.Int(2);
                                                  return Status::Ok();
                                                });
    if (!rows.ok()) return rows.status();
    for (const Allocation& a : *rows) {
      for (LoanTransaction& t : loan.transactions) {
        if (t.id == a.transaction_id) t.allocations.emplace_back(a.number, a.amount);
      }
    }
  }
  const auto today = engine::LocalDate(now, options_.timezone);
  bool overdue = false;
  for (LoanPayment& p : loan.payments) {
    p.status = InstalmentStatus(p, today);
    overdue = overdue || p.status == "overdue";
  }
  if (loan.status == "active" && overdue) loan.status = "overdue";
  return loan;
}

std::string InstalmentStatus(const LoanPayment& payment, std::chrono::year_month_day today) {
  if (payment.paid >= payment.amount) return "paid";
  if (std::chrono::sys_days(payment.due_date) < std::chrono::sys_days(today)) return "overdue";
  return payment.paid > 0 ? "partial" : "pending";
}

}  // namespace credit

Result<std::unique_ptr<CreditDesk>> CreditDesk::Open(const std::string& db_path,
                                                     const Clock* clock,
                                                     CreditDeskOptions options) {
  if (clock == nullptr) return InvalidArgument("the credit desk needs a clock");
  if (!engine::IsKnownTimeZone(options.timezone)) {
    return InvalidArgument("unknown time zone '" + options.timezone + "'");
  }
  if (options.commission_rate_bp < 0) return InvalidArgument("commission_rate_bp is negative");
  const std::set<std::string> approved = {"name", "amount", "commission", "total",
                                          "term", "due_date", "installments", "schedule"};
  if (Status s = credit::CheckTemplate("approved_text", options.approved_text, approved);
      !s.ok()) {
    return s;
  }
  if (Status s = credit::CheckTemplate("rejected_text", options.rejected_text, {"name", "amount"});
      !s.ok()) {
    return s;
  }
  sqlite3* db = nullptr;
  const Status opened = sqlite::OpenMigrated(db_path, options.sqlite, &db);
  // The desk owns `db` from here on, even when opening failed, so it is always closed.
  auto desk = std::make_unique<credit::SqliteCreditDesk>(db, clock, std::move(options));
  if (!opened.ok()) return opened;
  if (Status s = desk->Prepare(); !s.ok()) return s;
  return std::unique_ptr<CreditDesk>(std::move(desk));
}

}  // namespace bot
