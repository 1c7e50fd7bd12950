// Small pieces shared by every HttpClient: header lookup, the blocking Fetch, and the reading
// of a server's retry hints.
#include <curl/curl.h>

#include <cctype>
#include <charconv>
#include <future>
#include <memory>
#include <string>

#include "bot/http.h"

namespace bot {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A non-negative decimal number ("1.5" allowed), or a negative value when `text` is not one.
double ParseSeconds(const std::string& text) {
  if (text.empty()) return -1;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return -1;
  }
  try {
    return std::stod(text);
  } catch (...) {
    return -1;
  }
}

}  // namespace

std::string FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string HttpResponse::Header(std::string_view name) const { return FindHeader(headers, name); }

Result<HttpResponse> HttpClient::Fetch(HttpRequest request) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  std::future<Result<HttpResponse>> future = promise->get_future();
  Send(std::move(request), [promise](Result<HttpResponse> result) {
    promise->set_value(std::move(result));
  });
  return future.get();
}

bool IsRetryableStatus(int status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

std::chrono::milliseconds RetryAfter(const HttpResponse& response, TimePoint now) {
  using std::chrono::milliseconds;
  double ms = ParseSeconds(response.Header("retry-after-ms"));
  if (ms >= 0) return milliseconds(static_cast<long long>(ms));
  std::string retry_after = response.Header("retry-after");
  if (retry_after.empty()) return milliseconds(-1);
  double seconds = ParseSeconds(retry_after);
  if (seconds >= 0) return milliseconds(static_cast<long long>(seconds * 1000));
  time_t at = curl_getdate(retry_after.c_str(), nullptr);  // RFC 1123 / 850 / asctime
  if (at < 0) return milliseconds(-1);
  long long wait = static_cast<long long>(at) * 1000 - ToUnixMillis(now);
  return milliseconds(wait < 0 ? 0 : wait);
}

const char* BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

}  // namespace bot
