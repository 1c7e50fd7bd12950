// Loan reminders: which are due (pure, from the schedule and what was paid) and queueing them
// in the outbox as templates, once each (loan_reminders is unique on loan, instalment, kind).
#include <algorithm>

#include "bot/credit.h"
#include "credit/desk_impl.h"
#include "engine/local_time.h"
#include "store/sqlite_writes.h"

namespace bot {

std::vector<LoanReminder> LoanReminders(const Loan& loan, const std::string& timezone, int hour) {
  using std::chrono::days;
  using std::chrono::sys_days;
  // Each kind starts on its day at `hour` and lasts until the next kind starts.
  struct Kind {
    const char* name;
    int from_day;  // relative to the due date
    int until_day;
  };
  static constexpr Kind kKinds[] = {{"before", -3, 0}, {"due", 0, 1}, {"overdue", 1, 2}};
  std::vector<LoanReminder> reminders;
  if (loan.status == "closed") return reminders;
  for (const LoanPayment& p : loan.payments) {
    if (p.paid >= p.amount) continue;
    for (const Kind& kind : kKinds) {
      const auto day = [&](int offset) {
        return std::chrono::year_month_day(sys_days(p.due_date) + days(offset));
      };
      reminders.push_back({loan.id, p.number, kind.name,
                           engine::LocalTimeToUtc(day(kind.from_day), hour, timezone),
                           engine::LocalTimeToUtc(day(kind.until_day), hour, timezone), p.due_date,
                           p.amount - p.paid});
    }
  }
  std::stable_sort(reminders.begin(), reminders.end(),
                   [](const LoanReminder& a, const LoanReminder& b) { return a.from < b.from; });
  return reminders;
}

std::vector<LoanReminder> DueLoanReminders(const Loan& loan, TimePoint now,
                                           const std::string& timezone, int hour) {
  std::vector<LoanReminder> due = LoanReminders(loan, timezone, hour);
  std::erase_if(due, [&](const LoanReminder& r) { return now < r.from || now >= r.until; });
  return due;
}

namespace credit {
namespace {

constexpr std::string_view kErasedPrefix = "erased:";

Status CheckReminderOptions(const LoanReminderOptions& options) {
  if (options.hour < 0 || options.hour > 23) {
    return InvalidArgument("reminder hour must be 0-23, not " + std::to_string(options.hour));
  }
  return Status::Ok();
}

// {"1": name, "2": amount, "3": date} as JSON.
std::string ReminderVariables(const Loan& loan, const LoanReminder& reminder) {
  const auto quoted = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;  // names and dates have none
      out += c;
    }
    return out + "\"";
  };
  return "{\"1\":" + quoted(loan.name) + ",\"2\":" + quoted(FormatPesos(reminder.outstanding)) +
         ",\"3\":" + quoted(FormatDateEs(reminder.due_date, true)) + "}";
}

// What the outbox row says in words (the template is what is sent).
std::string ReminderText(const LoanReminder& reminder) {
  const std::string what =
      FormatPesos(reminder.outstanding) + ", " + FormatDateEs(reminder.due_date, true);
  if (reminder.kind == "before") return "Recordatorio de pago: " + what;
  if (reminder.kind == "due") return "Tu pago vence hoy: " + what;
  return "Pago vencido: " + what;
}

}  // namespace

Result<std::vector<std::pair<Loan, LoanReminder>>> SqliteCreditDesk::PendingRemindersLocked(
    TimePoint now, const LoanReminderOptions& options) {
  sqlite::Scope ids(open_loans_);
  auto loan_ids = sqlite::CollectRows<int64_t>(*ids, "open loans",
                                               [](const sqlite::Statement& row, int64_t* id) {
                                                 *id = row.Int(0);
                                                 return Status::Ok();
                                               });
  if (!loan_ids.ok()) return loan_ids.status();
  std::vector<std::pair<Loan, LoanReminder>> pending;
  for (int64_t id : *loan_ids) {
    auto loan = LoadLoanLocked(id, now);
    if (!loan.ok()) return loan.status();
    if (loan->address.starts_with(kErasedPrefix)) continue;
    if (!options.channel.empty() && loan->channel != options.channel) continue;
    for (LoanReminder& reminder : LoanReminders(*loan, options_.timezone, options.hour)) {
      if (reminder.until <= now) continue;  // its time has passed
      sqlite::Scope sent(reminder_sent_);
      sent->Bind(1, reminder.loan_id);
      sent->Bind(2, static_cast<int64_t>(reminder.number));
      sent->Bind(3, reminder.kind);
      const int rc = sent->Step();
      if (rc == SQLITE_ROW) continue;
      if (rc != SQLITE_DONE) return sqlite::Error(db_, rc, "find loan reminder");
      pending.emplace_back(*loan, std::move(reminder));
    }
  }
  return pending;
}

Result<int> SqliteCreditDesk::EnqueueDueLoanReminders(TimePoint now,
                                                      const LoanReminderOptions& options) {
  if (Status s = CheckReminderOptions(options); !s.ok()) return s;
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(tx_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto pending = PendingRemindersLocked(now, options);
  if (!pending.ok()) return pending.status();
  int queued = 0;
  for (const auto& [loan, reminder] : *pending) {
    if (now < reminder.from) continue;  // not due yet
    auto sid = options.content_sid.find(reminder.kind);
    if (sid == options.content_sid.end() || sid->second.empty()) {
      return InvalidArgument("no ContentSid for the '" + reminder.kind + "' loan reminder");
    }
    auto message = sqlite::InsertOutbound(insert_outbound_, loan.contact_id, 0,
                                          ReminderText(reminder), "pending", now);
    if (!message.ok()) return message.status();
    const std::string variables = ReminderVariables(loan, reminder);
    {
      sqlite::Scope set(set_template_);
      set->Bind(1, *message);
      set->Bind(2, sid->second);
      set->Bind(3, variables);
      if (Status s = set->Run(); !s.ok()) return s;
    }
    {
      // A business-initiated message: it takes a credit or waits (bot/message_credits.h).
      auto number = credits_.NumberOf(*message);
      if (!number.ok()) return number.status();
      auto charged = credits_.Charge(*message, *number, true, "pending", now);
      if (!charged.ok()) return charged.status();
    }
    {
      sqlite::Scope insert(insert_reminder_);
      insert->Bind(1, reminder.loan_id);
      insert->Bind(2, static_cast<int64_t>(reminder.number));
      insert->Bind(3, reminder.kind);
      insert->Bind(4, *message);
      insert->Bind(5, now);
      if (Status s = insert->Run(); !s.ok()) return s;
    }
    ++queued;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return queued;
}

Result<std::optional<TimePoint>> SqliteCreditDesk::NextLoanReminderDue(
    TimePoint now, const LoanReminderOptions& options) {
  if (Status s = CheckReminderOptions(options); !s.ok()) return s;
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(tx_);
  if (Status s = tx.BeginRead(); !s.ok()) return s;
  auto pending = PendingRemindersLocked(now, options);
  if (!pending.ok()) return pending.status();
  std::optional<TimePoint> next;
  for (const auto& [loan, reminder] : *pending) {
    const TimePoint at = std::max(now, reminder.from);
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace credit
}  // namespace bot
