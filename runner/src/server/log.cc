#include "server/log.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

namespace runner {

std::string MaskAddress(std::string_view address) {
  // Keep the channel prefix and "+" and the first three digits, mask all but the last four.
  size_t digits_start = address.find_first_of("0123456789");
  if (digits_start == std::string_view::npos) return std::string(address);
  std::string out(address);
  size_t digits = 0;
  for (size_t i = digits_start; i < out.size(); ++i) digits += out[i] >= '0' && out[i] <= '9';
  size_t seen = 0;
  for (size_t i = digits_start; i < out.size(); ++i) {
    if (out[i] < '0' || out[i] > '9') continue;
    ++seen;
    if (seen > 3 && seen + 4 <= digits) out[i] = '*';
  }
  if (digits <= 7) {  // too short to show anything but the last two
    seen = 0;
    for (size_t i = digits_start; i < out.size(); ++i) {
      if (out[i] >= '0' && out[i] <= '9' && ++seen + 2 <= digits) out[i] = '*';
    }
  }
  return out;
}

std::string MaskEmail(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

LogLevel ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

void Logger::Line(LogLevel level, std::string_view message) const {
  static constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string line = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {}\n",
                                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                 tm.tm_min, tm.tm_sec, millis, kNames[static_cast<int>(level)],
                                 message);
  // One write per line keeps lines from different threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace runner
