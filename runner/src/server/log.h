// The runner's log: one line per event on stderr, "2026-08-21T10:00:00.123Z WARN message".
// One Logger per server, passed to the parts that log. Thread-safe (one write(2) per line).
// Secrets must never be passed in.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace runner {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// What a log line may show of a person: "whatsapp:+52155****5678" (the last four digits and
// the country code's first digits), "a***@example.com". Logs never carry a phone or an e-mail
// in clear; pass addresses through these.
std::string MaskAddress(std::string_view address);
std::string MaskEmail(std::string_view email);

// "debug", "info", "warn", "error"; anything else is kInfo.
LogLevel ParseLogLevel(std::string_view name);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo) : level_(level) {}

  bool Enabled(LogLevel level) const { return level >= level_; }
  void Line(LogLevel level, std::string_view message) const;

  template <typename... Args>
  void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    if (Enabled(level)) Line(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> format, Args&&... args) const {
    Log(LogLevel::kInfo, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> format, Args&&... args) const {
    Log(LogLevel::kWarn, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> format, Args&&... args) const {
    Log(LogLevel::kError, format, std::forward<Args>(args)...);
  }

 private:
  LogLevel level_;
};

}  // namespace runner
