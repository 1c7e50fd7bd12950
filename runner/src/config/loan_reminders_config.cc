// The `loan_reminders:` section: checked as the credit desk will use it, so a missing template
// or an unknown zone stops the start instead of failing every scheduler run.
#include "config/loan_reminders_config.h"

#include "bot/loan_reminder_source.h"

namespace runner {

bot::Status ReadLoanReminders(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return bot::Status::Ok();
  if (!node.IsMap()) return r.Error(node, "'loan_reminders' must be a mapping");
  CONFIG_RETURN_IF_ERROR(
      r.OnlyKeys(node, "loan_reminders", {"number", "content_sid", "hour", "time_zone"}));
  LoanRemindersConfig reminders;
  std::string number;
  CONFIG_ASSIGN_OR_RETURN(number, r.String(node, "number", ""));
  reminders.number = WhatsAppAddress(number);
  const NumberConfig* configured = config->FindNumber(reminders.number);
  if (configured == nullptr) {
    return r.Error(node, "loan_reminders: number '" + number + "' is not in numbers");
  }
  if (configured->account.empty()) {
    return r.Error(node, "loan_reminders: number " + reminders.number +
                             " needs an account to send the reminders with");
  }
  YAML::Node sids = node["content_sid"];
  if (!sids.IsDefined() || !sids.IsMap()) {
    return r.Error(node,
                   "loan_reminders needs content_sid: {before: HX..., due: HX..., "
                   "overdue: HX...}");
  }
  CONFIG_RETURN_IF_ERROR(
      r.OnlyKeys(sids, "loan_reminders content_sid", {"before", "due", "overdue"}));
  for (const char* kind : {"before", "due", "overdue"}) {
    CONFIG_ASSIGN_OR_RETURN(reminders.content_sid[kind], r.String(sids, kind, ""));
  }
  long long hour = 0;
  CONFIG_ASSIGN_OR_RETURN(hour, r.Integer(node, "hour", reminders.hour, 0, 23));
  reminders.hour = static_cast<int>(hour);
  CONFIG_ASSIGN_OR_RETURN(reminders.time_zone, r.String(node, "time_zone", reminders.time_zone));
  bot::LoanReminderOptions options;
  options.content_sid = reminders.content_sid;
  options.hour = reminders.hour;
  if (bot::Status s = bot::CheckLoanReminderSetup(options, reminders.time_zone); !s.ok()) {
    return r.Error(node, "loan_reminders: " + s.message());
  }
  config->loan_reminders = std::move(reminders);
  return bot::Status::Ok();
}

}  // namespace runner
