// botrunner credit: the credit desk (bot/credit_desk.h) from the shell.
//   botrunner credit list [--status preapproved] --db FILE
//   botrunner credit approve <application-id> --db FILE [--actor NAME]
//   botrunner credit reject <application-id> --reason TEXT --db FILE [--actor NAME]
//   botrunner credit loans [--status S] --db FILE | credit loan <loan-id> --db FILE
//   botrunner credit pay <loan-id> <amount> --ref TX --method M --db FILE [--actor NAME]
// The applicant's message goes to the outbox; a running server's outbox worker sends it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "bot/credit.h"
#include "bot/credit_desk.h"
#include "cli/actor.h"
#include "cli/commands.h"
#include "server/log.h"
#include "util/json_text.h"

namespace runner {

namespace {

struct CreditArgs {
  std::string db_path;
  std::string status;
  int64_t record_id = 0;
  std::string actor;
  std::string reason;
  int64_t loan_id = 0;
  std::string amount;
  std::string reference;
  std::string method;
  std::string timezone = "America/Mexico_City";
};

std::unique_ptr<bot::CreditDesk> OpenDesk(const CreditArgs& args, const bot::Clock* clock) {
  bot::CreditDeskOptions options;
  options.timezone = args.timezone;
  auto desk = bot::CreditDesk::Open(args.db_path, clock, options);
  if (!desk.ok()) {
    std::cerr << "botrunner credit: " << desk.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(*desk);
}

std::string Field(const bot::Application& a, const std::string& name) {
  auto it = a.fields.find(name);
  return it == a.fields.end() ? "-" : it->second;
}

int RunList(const CreditArgs& args) {
  bot::SystemClock clock;
  auto desk = OpenDesk(args, &clock);
  if (desk == nullptr) return 2;
  auto applications = desk->ListApplications(args.status);
  if (!applications.ok()) {
    std::cerr << "botrunner credit list: " << applications.status().ToString() << "\n";
    return 1;
  }
  std::cout << "id\tstatus\tamount\tterm\ttotal\tscore\trecorded_at\tcontact\tname\n";
  for (const bot::Application& a : *applications) {
    std::cout << a.record_id << "\t" << a.status << "\t" << Field(a, "amount") << "\t"
              << Field(a, "term") << "\t" << Field(a, "total") << "\t"
              << Field(a, "bureau_score") << "\t" << Field(a, "recorded_at") << "\t" << a.address
              << "\t" << a.name << "\n";
  }
  return 0;
}

int RunDecision(const CreditArgs& args, bool approve) {
  bot::SystemClock clock;
  auto desk = OpenDesk(args, &clock);
  if (desk == nullptr) return 2;
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) {
    std::cerr << "botrunner credit: say who decides with --actor NAME\n";
    return 2;
  }
  if (!approve) {
    bot::Status status = desk->Reject(args.record_id, actor, args.reason);
    if (!status.ok()) {
      std::cerr << "botrunner credit reject: " << status.ToString() << "\n";
      return 1;
    }
    std::cout << "application " << args.record_id << " rejected by " << actor
              << "; the applicant's message is in the outbox\n";
    return 0;
  }
  auto loan = desk->Approve(args.record_id, actor);
  if (!loan.ok()) {
    std::cerr << "botrunner credit approve: " << loan.status().ToString() << "\n";
    return 1;
  }
  std::cout << "application " << args.record_id << " approved by " << actor << ": loan "
            << loan->id << ", " << bot::FormatPesos(loan->amount) << " + "
            << bot::FormatPesos(loan->commission) << " = " << bot::FormatPesos(loan->total)
            << " over " << loan->term_days << " days\n";
  for (const bot::LoanPayment& p : loan->payments) {
    std::cout << "  " << p.number << ". " << bot::FormatDateEs(p.due_date, true) << ": "
              << bot::FormatPesos(p.amount) << "\n";
  }
  std::cout << "the applicant's confirmation is in the outbox\n";
  return 0;
}

std::string IsoDate(std::chrono::year_month_day date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

void PrintLoan(const bot::Loan& loan) {
  std::cout << "loan " << loan.id << " (application " << loan.record_id << "): " << loan.status
            << ", " << bot::FormatPesos(loan.total) << " to pay, " << MaskAddress(loan.address)
            << " " << loan.name << "\n";
  std::cout << "number\tdue_date\tamount\tpaid\tstatus\n";
  for (const bot::LoanPayment& p : loan.payments) {
    std::cout << p.number << "\t" << IsoDate(p.due_date) << "\t" << bot::FormatPesos(p.amount)
              << "\t" << bot::FormatPesos(p.paid) << "\t" << p.status << "\n";
  }
  if (loan.transactions.empty()) return;
  std::cout << "payment\treceived_at\treference\tmethod\tamount\tallocated\tactor\n";
  for (const bot::LoanTransaction& t : loan.transactions) {
    std::string allocated;
    for (const auto& [number, amount] : t.allocations) {
      allocated +=
          (allocated.empty() ? "" : ",") + std::to_string(number) + ":" + bot::FormatPesos(amount);
    }
    std::cout << t.id << "\t" << Rfc3339Seconds(t.created_at) << "\t" << t.reference << "\t"
              << t.method << "\t" << bot::FormatPesos(t.amount) << "\t" << allocated << "\t"
              << t.actor << "\n";
  }
}

int RunLoans(const CreditArgs& args) {
  bot::SystemClock clock;
  auto desk = OpenDesk(args, &clock);
  if (desk == nullptr) return 2;
  if (args.loan_id != 0) {
    auto loan = desk->LoadLoan(args.loan_id);
    if (!loan.ok()) {
      std::cerr << "botrunner credit loan: " << loan.status().ToString() << "\n";
      return 1;
    }
    PrintLoan(*loan);
    return 0;
  }
  auto loans = desk->ListLoans(args.status);
  if (!loans.ok()) {
    std::cerr << "botrunner credit loans: " << loans.status().ToString() << "\n";
    return 1;
  }
  std::cout << "loan\tapplication\tstatus\ttotal\tpaid\tnext_due\tcontact\tname\n";
  for (const bot::Loan& loan : *loans) {
    int64_t paid = 0;
    std::string next_due = "-";
    for (const bot::LoanPayment& p : loan.payments) {
      paid += p.paid;
      if (next_due == "-" && p.paid < p.amount) next_due = IsoDate(p.due_date);
    }
    std::cout << loan.id << "\t" << loan.record_id << "\t" << loan.status << "\t"
              << bot::FormatPesos(loan.total) << "\t" << bot::FormatPesos(paid) << "\t" << next_due
              << "\t" << MaskAddress(loan.address) << "\t" << loan.name << "\n";
  }
  return 0;
}

int RunPay(const CreditArgs& args) {
  auto amount = bot::ParsePesoAmount(args.amount);
  if (!amount.ok()) {
    std::cerr << "botrunner credit pay: " << amount.status().message() << "\n";
    return 2;
  }
  const std::string actor = ActorOrLogin(args.actor);
  if (actor.empty()) {
    std::cerr << "botrunner credit pay: say who records it with --actor NAME\n";
    return 2;
  }
  bot::SystemClock clock;
  auto desk = OpenDesk(args, &clock);
  if (desk == nullptr) return 2;
  auto receipt = desk->RecordPayment({args.loan_id, *amount, args.reference, args.method, actor});
  if (!receipt.ok()) {
    std::cerr << "botrunner credit pay: " << receipt.status().ToString() << "\n";
    return 1;
  }
  std::cout << (receipt->duplicate ? "already recorded: " : "recorded: ") << "payment "
            << receipt->transaction.id << ", " << bot::FormatPesos(receipt->transaction.amount)
            << " (" << receipt->transaction.reference << ")\n";
  PrintLoan(receipt->loan);
  return 0;
}

void AddCommonOptions(CLI::App* cmd, CreditArgs* args) {
  cmd->add_option("--db", args->db_path, "the store's SQLite file")->required();
  cmd->add_option("--timezone", args->timezone,
                  "IANA zone of the loan's calendar (default America/Mexico_City)");
}

}  // namespace

void AddCreditCommand(CLI::App& app, int* exit_code) {
  CLI::App* credit = app.add_subcommand("credit", "Decide loan applications (the credit desk)");
  credit->require_subcommand(1);
  auto args = std::make_shared<CreditArgs>();

  CLI::App* list = credit->add_subcommand("list", "List applications, oldest first");
  AddCommonOptions(list, args.get());
  list->add_option("--status", args->status,
                   "only this status: preapproved (waiting), approved, rejected, declined");
  list->callback([exit_code, args] { *exit_code = RunList(*args); });

  CLI::App* approve = credit->add_subcommand(
      "approve", "Approve a pre-approved application: loan, schedule, confirmation");
  AddCommonOptions(approve, args.get());
  approve->add_option("application-id", args->record_id, "the application's record id")
      ->required();
  approve->add_option("--actor", args->actor, "who decides (default: the login name)");
  approve->callback([exit_code, args] { *exit_code = RunDecision(*args, true); });

  CLI::App* reject = credit->add_subcommand(
      "reject", "Reject a pre-approved application and tell the applicant");
  AddCommonOptions(reject, args.get());
  reject->add_option("application-id", args->record_id, "the application's record id")
      ->required();
  reject->add_option("--reason", args->reason, "why (kept for the audit, not sent)")->required();
  reject->add_option("--actor", args->actor, "who decides (default: the login name)");
  reject->callback([exit_code, args] { *exit_code = RunDecision(*args, false); });

  CLI::App* loans = credit->add_subcommand("loans", "List the loans, oldest first");
  AddCommonOptions(loans, args.get());
  loans->add_option("--status", args->status, "only this status: active, overdue, closed");
  loans->callback([exit_code, args] { *exit_code = RunLoans(*args); });

  CLI::App* loan = credit->add_subcommand("loan", "A loan's instalments, payments and status");
  AddCommonOptions(loan, args.get());
  loan->add_option("loan-id", args->loan_id, "the loan's id")->required();
  loan->callback([exit_code, args] { *exit_code = RunLoans(*args); });

  CLI::App* pay = credit->add_subcommand(
      "pay", "Record a payment (oldest instalment first; once per reference)");
  AddCommonOptions(pay, args.get());
  pay->add_option("loan-id", args->loan_id, "the loan's id")->required();
  pay->add_option("amount", args->amount, "pesos: 1500, 1,500.50 or $1,500.50")->required();
  pay->add_option("--ref", args->reference, "the bank's transaction reference")->required();
  pay->add_option("--method", args->method, "spei, oxxo, efectivo ...")->required();
  pay->add_option("--actor", args->actor, "who records it (default: the login name)");
  pay->callback([exit_code, args] { *exit_code = RunPay(*args); });
}

}  // namespace runner
