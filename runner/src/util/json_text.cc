#include "util/json_text.h"

#include <fmt/format.h>

#include <ctime>

#include "bot/text.h"

namespace runner {

void AppendJsonString(std::string* out, std::string_view s) {
  *out += '"';
  while (!s.empty()) {
    const size_t valid = bot::ValidUtf8Prefix(s);
    for (char c : s.substr(0, valid)) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            *out += fmt::format("\\u{:04x}", static_cast<int>(c));
          } else {
            *out += c;
          }
      }
    }
    if (valid == s.size()) break;
    *out += "\\ufffd";  // one replacement per byte that is not UTF-8
    s.remove_prefix(valid + 1);
  }
  *out += '"';
}

namespace {

// "2026-08-21T10:00:00" of `ms` since the epoch, UTC.
std::string DateTime(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::string Rfc3339(bot::TimePoint t) {
  const int64_t ms = bot::ToUnixMillis(t);
  return fmt::format("{}.{:03}Z", DateTime(ms), ms % 1000);
}

std::string Rfc3339Seconds(bot::TimePoint t) { return DateTime(bot::ToUnixMillis(t)) + "Z"; }

}  // namespace runner
