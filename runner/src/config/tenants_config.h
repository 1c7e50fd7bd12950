// Reading the `tenants:` section of the runner's config: message credits and the daily cap per
// tenant (bot/message_credits.h, docs/runner.md).
#pragma once

#include <yaml-cpp/yaml.h>

#include "bot/status.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace runner {

// tenants: {<name>: {credits: bool, charge: business_initiated|every_message, daily_cap: n,
// time_zone: IANA id}}. Read after `numbers:`: a tenant's zone defaults to that of its first
// number's country.
bot::Status ReadTenants(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config);

}  // namespace runner
