// Reading the `loan_reminders:` section of the runner's config (LoanRemindersConfig).
#pragma once

#include <yaml-cpp/yaml.h>

#include "bot/status.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace runner {

// loan_reminders: {number, content_sid: {before, due, overdue}, hour, time_zone}. Absent: no
// reminders. Read after `numbers:`: the number must be one of them, with an account (the
// reminders are templates sent through the REST API).
bot::Status ReadLoanReminders(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config);

}  // namespace runner
