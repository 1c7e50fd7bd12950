#include "server/log.h"

#include <unistd.h>

#include <chrono>
#include <string>

#include "util/json_text.h"

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

std::string MaskPhoneNumbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '+') {
      out += text[i++];
      continue;
    }
    // A "+" then digits, with single spaces, dots or dashes between them.
    size_t end = i + 1;
    size_t digits = 0;
    while (end < text.size()) {
      const char c = text[end];
      if (c >= '0' && c <= '9') {
        ++digits;
        ++end;
      } else if ((c == ' ' || c == '.' || c == '-') && end + 1 < text.size() &&
                 text[end + 1] >= '0' && text[end + 1] <= '9' && digits > 0) {
        ++end;
      } else {
        break;
      }
    }
    if (digits >= 8 && digits <= 15) {
      out += MaskAddress(text.substr(i, end - i));
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

LogLevel ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

LogFormat ParseLogFormat(std::string_view name) {
  return name == "plain" ? LogFormat::kPlain : LogFormat::kJson;
}

std::string Logger::Format(LogLevel level, std::string_view message,
                           std::chrono::system_clock::time_point now) const {
  static constexpr const char* kPlainNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  static constexpr const char* kJsonNames[] = {"debug", "info", "warn", "error"};
  const std::string masked = MaskPhoneNumbers(message);
  const int index = static_cast<int>(level);
  std::string line;
  if (format_ == LogFormat::kPlain) {
    line = Rfc3339(now) + " " + kPlainNames[index] + " ";
    if (!request_id_.empty()) line += "[" + request_id_ + "] ";
    line += masked;
  } else {
    line = "{\"time\":\"" + Rfc3339(now) + "\",\"level\":\"" + kJsonNames[index] + "\",\"msg\":";
    AppendJsonString(&line, masked);
    if (!request_id_.empty()) {
      line += ",\"request_id\":";
      AppendJsonString(&line, request_id_);
    }
    line += "}";
  }
  line += "\n";
  return line;
}

void Logger::Line(LogLevel level, std::string_view message) const {
  std::string line = Format(level, message, std::chrono::system_clock::now());
  if (sink_) {
    (*sink_)(line);
    return;
  }
  // One write per line keeps lines from different threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace runner
