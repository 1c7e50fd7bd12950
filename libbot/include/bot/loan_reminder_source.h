// Loan reminders as scheduled work: the Scheduler (bot/campaigns.h) asks the credit desk when
// the next reminder falls due and queues the due ones then. See docs/credit.md, "Loan
// reminders".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "bot/campaigns.h"
#include "bot/clock.h"
#include "bot/credit_desk.h"
#include "bot/status.h"

namespace bot {

// Checks what the reminders need before anything runs: a ContentSid for each of "before",
// "due" and "overdue", an hour 0-23, and `timezone` (the loans' calendar) an IANA zone ICU
// knows. InvalidArgument naming the first problem.
Status CheckLoanReminderSetup(const LoanReminderOptions& options, const std::string& timezone);

// NextDue = CreditDesk::NextLoanReminderDue at the clock's now; RunDue =
// CreditDesk::EnqueueDueLoanReminders, which queues each reminder and records it in one
// transaction, so a reminder is never queued twice, across restarts too. Thread-safe (the desk
// is, and the source keeps no state).
class LoanReminderSource final : public ScheduledSource {
 public:
  // `desk` and `clock` are not owned and must outlive the source.
  LoanReminderSource(CreditDesk* desk, const Clock* clock, LoanReminderOptions options)
      : desk_(desk), clock_(clock), options_(std::move(options)) {}

  Result<std::optional<TimePoint>> NextDue() override;
  Result<int64_t> RunDue(TimePoint now) override;

 private:
  CreditDesk* const desk_;
  const Clock* const clock_;
  const LoanReminderOptions options_;
};

}  // namespace bot
