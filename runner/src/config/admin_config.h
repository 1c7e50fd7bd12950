// Reading the `admin:` section of the runner's config (AdminConfig).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "bot/status.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace runner {

// admin: {listen: {host, port}, tokens: [{name, role: agent|admin, sha256_env}],
// session_idle_minutes, secure_cookie}. Absent: no admin listener. Each token's variable must hold
// the 64 hex digits of SHA-256(token).
bot::Status ReadAdmin(const ConfigReader& r, const YAML::Node& node,
                      std::optional<AdminConfig>* admin);

}  // namespace runner
