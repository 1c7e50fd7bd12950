// Small text helpers for what the runner writes as JSON: log lines, event payloads, CLI output.
#pragma once

#include <string>
#include <string_view>

#include "bot/clock.h"

namespace runner {

// Appends `s` as a JSON string (quoted, escaped). Bytes that are not UTF-8 become U+FFFD, so
// the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

// "2026-08-21T10:00:00.123Z" (UTC, milliseconds).
std::string Rfc3339(bot::TimePoint t);

// "2026-08-21T10:00:00Z" (UTC, whole seconds), for the tables the CLI prints.
std::string Rfc3339Seconds(bot::TimePoint t);

}  // namespace runner
