// The runner's log: one line per event on stderr, as JSON (the default)
//   {"time":"2026-08-21T10:00:00.123Z","level":"warn","msg":"...","request_id":"9f2c..."}
// or plain text: "2026-08-21T10:00:00.123Z WARN [9f2c...] message". One Logger per server,
// passed to the parts that log; WithRequest() gives a copy that names the HTTP request a line
// belongs to. Thread-safe (one write(2) per line). Phone numbers are masked in every line
// (MaskPhoneNumbers), also inside error texts from elsewhere. Secrets must never be passed in.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace runner {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// What a log line may show of a person: "whatsapp:+52155****5678" (the last four digits and
// the country code's first digits), "a***@example.com". Logs never carry a phone or an e-mail
// in clear; pass addresses through these.
std::string MaskAddress(std::string_view address);
std::string MaskEmail(std::string_view email);

// `text` with every phone number masked as MaskAddress does: a "+" and 8 to 15 digits (E.164,
// spaces, dots and dashes between them allowed), e.g. inside "whatsapp:+593987654321". The
// Logger runs every line through it.
std::string MaskPhoneNumbers(std::string_view text);

enum class LogFormat { kJson, kPlain };

// "debug", "info", "warn", "error"; anything else is kInfo.
LogLevel ParseLogLevel(std::string_view name);
// "plain" is kPlain; anything else is kJson.
LogFormat ParseLogFormat(std::string_view name);

class Logger {
 public:
  // Where finished lines go (each with its newline); by default stderr, one write(2) per line.
  using Sink = std::function<void(std::string_view line)>;

  explicit Logger(LogLevel level = LogLevel::kInfo, LogFormat format = LogFormat::kJson,
                  Sink sink = {})
      : level_(level),
        format_(format),
        sink_(sink ? std::make_shared<const Sink>(std::move(sink)) : nullptr) {}

  // This logger, with `request_id` on every line.
  Logger WithRequest(std::string request_id) const {
    Logger copy = *this;
    copy.request_id_ = std::move(request_id);
    return copy;
  }
  const std::string& request_id() const { return request_id_; }

  bool Enabled(LogLevel level) const { return level >= level_; }
  void Line(LogLevel level, std::string_view message) const;
  // The line Line() writes at `now`, newline included.
  std::string Format(LogLevel level, std::string_view message,
                     std::chrono::system_clock::time_point now) const;

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
  LogFormat format_;
  std::shared_ptr<const Sink> sink_;  // null: stderr
  std::string request_id_;
};

}  // namespace runner
