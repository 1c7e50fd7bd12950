// Reading the `admin:` section of the runner's config (AdminConfig).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "bot/status.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace runner {

// admin: {listen: {host, port}, tokens: [{name, role: agent|admin, sha256_env, tenants}],
// session_idle_minutes, secure_cookie, on_duty: {number, from, content_sid, console_url}}.
// Absent: no admin listener. Each token's variable must hold the 64 hex digits of
// SHA-256(token); its tenants and on_duty's `from` must be those of `numbers`.
bot::Status ReadAdmin(const ConfigReader& r, const YAML::Node& node,
                      const std::vector<NumberConfig>& numbers, std::optional<AdminConfig>* admin);

}  // namespace runner
