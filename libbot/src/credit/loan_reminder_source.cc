// The credit desk's reminders as a source of the Scheduler.
#include "bot/loan_reminder_source.h"

#include "engine/local_time.h"

namespace bot {

Status CheckLoanReminderSetup(const LoanReminderOptions& options, const std::string& timezone) {
  for (const char* kind : {"before", "due", "overdue"}) {
    auto sid = options.content_sid.find(kind);
    if (sid == options.content_sid.end() || sid->second.empty()) {
      return InvalidArgument(std::string("no ContentSid for the '") + kind + "' loan reminder");
    }
  }
  if (options.hour < 0 || options.hour > 23) {
    return InvalidArgument("reminder hour must be 0-23, not " + std::to_string(options.hour));
  }
  if (!engine::IsKnownTimeZone(timezone)) {
    return InvalidArgument("unknown time zone '" + timezone + "'");
  }
  return Status::Ok();
}

Result<std::optional<TimePoint>> LoanReminderSource::NextDue() {
  return desk_->NextLoanReminderDue(clock_->Now(), options_);
}

Result<int64_t> LoanReminderSource::RunDue(TimePoint now) {
  Result<int> queued = desk_->EnqueueDueLoanReminders(now, options_);
  if (!queued.ok()) return queued.status();
  return static_cast<int64_t>(*queued);
}

}  // namespace bot
