// The credit desk's payments: each is one write transaction, allocated to the oldest instalment
// not paid in full, and kept once per transaction reference.
#include <algorithm>

#include "bot/credit.h"
#include "credit/desk_impl.h"
#include "store/sqlite_writes.h"

namespace bot::credit {
namespace {

std::string AllocationText(const LoanTransaction& transaction) {
  std::string text;
  for (const auto& [number, amount] : transaction.allocations) {
    if (!text.empty()) text += ",";
    text += std::to_string(number) + ":" + FormatPesos(amount);
  }
  return text;
}

}  // namespace

Result<PaymentReceipt> SqliteCreditDesk::RecordPayment(const PaymentRequest& payment) {
  if (payment.amount <= 0) return InvalidArgument("a payment amount must be positive");
  if (payment.reference.empty()) return InvalidArgument("a payment needs its --ref");
  if (payment.method.empty()) return InvalidArgument("a payment needs its --method");
  if (payment.actor.empty()) return InvalidArgument("a payment needs an actor (who records it)");
  const TimePoint now = FromUnixMillis(ToUnixMillis(clock_->Now()));  // as stored
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  PaymentReceipt receipt;
  {
    sqlite::Scope find(find_reference_);
    find->Bind(1, payment.reference);
    const int rc = find->Step();
    if (rc == SQLITE_ROW) {
      // Recorded before: the same payment again is answered, another one is refused.
      if (find->Int(1) != payment.loan_id || find->Int(2) != payment.amount) {
        return InvalidArgument("reference " + payment.reference + " was recorded before for loan " +
                               std::to_string(find->Int(1)) + ", " + FormatPesos(find->Int(2)));
      }
      receipt.transaction.id = find->Int(0);
      receipt.duplicate = true;
    } else if (rc != SQLITE_DONE) {
      return sqlite::Error(db_, rc, "find payment reference");
    }
  }
  if (receipt.duplicate) {
    auto loan = LoadLoanLocked(payment.loan_id, now);
    if (!loan.ok()) return loan.status();
    receipt.loan = std::move(*loan);
    for (const LoanTransaction& t : receipt.loan.transactions) {
      if (t.id == receipt.transaction.id) receipt.transaction = t;
    }
    return receipt;  // nothing written: the transaction rolls back
  }
  auto loan = LoadLoanLocked(payment.loan_id, now);
  if (!loan.ok()) return loan.status();
  const std::string id = std::to_string(loan->id);
  if (loan->status == "closed") return InvalidArgument("loan " + id + " is closed (paid in full)");
  int64_t owed = 0;
  for (const LoanPayment& p : loan->payments) owed += p.amount - p.paid;
  if (payment.amount > owed) {
    return InvalidArgument("loan " + id + " owes " + FormatPesos(owed) + ", less than " +
                           FormatPesos(payment.amount));
  }
  if (Status s = WritePayment(payment, *loan, now, &receipt.transaction); !s.ok()) return s;
  const AuditEvent event{"loan_payment", "loan=" + id + " reference=" + payment.reference +
                                             " amount=" + FormatPesos(payment.amount) + " method=" +
                                             payment.method + " actor=" + payment.actor +
                                             " allocated=" + AllocationText(receipt.transaction)};
  if (Status s = sqlite::InsertAudit(insert_audit_, loan->contact_id, event, now); !s.ok()) {
    return s;
  }
  auto updated = LoadLoanLocked(payment.loan_id, now);
  if (!updated.ok()) return updated.status();
  receipt.loan = std::move(*updated);
  if (Status s = tx.Commit(); !s.ok()) return s;
  return receipt;
}

Status SqliteCreditDesk::WritePayment(const PaymentRequest& payment, const Loan& loan,
                                      TimePoint now, LoanTransaction* transaction) {
  {
    sqlite::Scope insert(insert_transaction_);
    insert->Bind(1, loan.id);
    insert->Bind(2, payment.reference);
    insert->Bind(3, payment.amount);
    insert->Bind(4, payment.method);
    insert->Bind(5, payment.actor);
    insert->Bind(6, now);
    if (Status s = insert->Run(); !s.ok()) return s;
  }
  *transaction = {sqlite3_last_insert_rowid(db_),
                  payment.reference,
                  payment.amount,
                  payment.method,
                  payment.actor,
                  now,
                  {}};
  // Oldest instalment first; what one cannot take goes on to the next.
  int64_t left = payment.amount;
  bool all_paid = true;
  for (const LoanPayment& p : loan.payments) {
    const int64_t take = std::min(left, p.amount - p.paid);
    if (take > 0) {
      left -= take;
      transaction->allocations.emplace_back(p.number, take);
      {
        sqlite::Scope pay(pay_instalment_);
        pay->Bind(1, loan.id);
        pay->Bind(2, static_cast<int64_t>(p.number));
        pay->Bind(3, take);
        pay->Bind(4, now);
        if (Status s = pay->Run(); !s.ok()) return s;
      }
      sqlite::Scope allocate(insert_allocation_);
      allocate->Bind(1, transaction->id);
      allocate->Bind(2, static_cast<int64_t>(p.number));
      allocate->Bind(3, take);
      if (Status s = allocate->Run(); !s.ok()) return s;
    }
    all_paid = all_paid && p.paid + std::max<int64_t>(take, 0) >= p.amount;
  }
  if (!all_paid) return Status::Ok();
  sqlite::Scope close(close_loan_);
  close->Bind(1, loan.id);
  return close->Run();
}

}  // namespace bot::credit
