// HttpRetrier: retries with backoff, the server's retry hints, a deadline, and one circuit
// breaker per endpoint. Breakers count attempts, not calls: five failed attempts in a row (from
// any mix of calls) mean the endpoint is down, and later calls fail at once until a cool-down.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "bot/http.h"

namespace bot {

class HttpRetrier::Breakers {
 public:
  explicit Breakers(const RetryOptions& options) : options_(options) {}

  // Whether an attempt may go out now. In half-open only one trial attempt is let through.
  bool Allow(const std::string& endpoint, TimePoint now) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& e = entries_[endpoint];
    switch (StateLocked(e, now)) {
      case BreakerState::kClosed:
        return true;
      case BreakerState::kOpen:
        return false;
      case BreakerState::kHalfOpen:
        if (e.trial_in_flight) return false;
        e.trial_in_flight = true;
        return true;
    }
    return false;
  }

  void Record(const std::string& endpoint, bool failed, TimePoint now) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& e = entries_[endpoint];
    bool was_trial = e.trial_in_flight;
    e.trial_in_flight = false;
    if (!failed) {
      e = Entry();
      return;
    }
    ++e.consecutive_failures;
    if (was_trial || e.consecutive_failures >= options_.breaker_failures) e.opened_at = now;
  }

  BreakerState State(const std::string& endpoint, TimePoint now) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(endpoint);
    return it == entries_.end() ? BreakerState::kClosed : StateLocked(it->second, now);
  }

 private:
  struct Entry {
    int consecutive_failures = 0;
    std::optional<TimePoint> opened_at;
    bool trial_in_flight = false;
  };

  BreakerState StateLocked(const Entry& e, TimePoint now) const {
    if (!e.opened_at) return BreakerState::kClosed;
    return now - *e.opened_at < options_.breaker_cooldown ? BreakerState::kOpen
                                                          : BreakerState::kHalfOpen;
  }

  const RetryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // Guarded by mu_
};

HttpRetrier::HttpRetrier(HttpClient* http, const Clock* clock, RetryOptions options,
                         SleepFn sleep, RandomFn random)
    : http_(http),
      clock_(clock),
      options_(options),
      sleep_(std::move(sleep)),
      random_(std::move(random)),
      breakers_(std::make_unique<Breakers>(options)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto mu = std::make_shared<std::mutex>();
    random_ = [engine, mu] {
      std::lock_guard<std::mutex> lock(*mu);
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

HttpRetrier::~HttpRetrier() = default;

std::string HttpRetrier::EndpointOf(std::string_view url) {
  std::string text(url);
  CURLU* parsed = curl_url();
  std::string endpoint = text;
  if (parsed != nullptr && curl_url_set(parsed, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    char* path = nullptr;
    curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(parsed, CURLUPART_HOST, &host, 0);
    curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    curl_url_get(parsed, CURLUPART_PATH, &path, 0);
    if (scheme != nullptr && host != nullptr && port != nullptr) {
      std::string lower_host(host);
      for (char& c : lower_host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      endpoint = std::string(scheme) + "://" + lower_host + ":" + port +
                 (path != nullptr ? path : "/");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
  }
  curl_url_cleanup(parsed);
  return endpoint;
}

BreakerState HttpRetrier::StateOf(std::string_view url) const {
  return breakers_->State(EndpointOf(url), clock_->Now());
}

Result<HttpResponse> HttpRetrier::Call(HttpRequest request, TimePoint deadline) {
  using std::chrono::milliseconds;
  const std::string endpoint = EndpointOf(request.url);
  TimePoint end = clock_->Now() + options_.deadline;
  if (deadline != TimePoint{} && deadline < end) end = deadline;
  const milliseconds per_attempt = request.timeout;
  Result<HttpResponse> last = Timeout("deadline passed before " + request.method + " " +
                                      request.url + " was sent");
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    TimePoint now = clock_->Now();
    auto left = std::chrono::duration_cast<milliseconds>(end - now);
    if (left.count() <= 0) break;
    if (!breakers_->Allow(endpoint, now)) {
      return Unavailable("circuit breaker open for " + endpoint + "; not calling");
    }
    request.timeout = std::min(per_attempt, left);
    last = http_->Fetch(request);

    bool retryable;
    std::string should_retry = last.ok() ? last->Header("x-should-retry") : "";
    if (!last.ok()) {
      StatusCode code = last.status().code();
      retryable = code == StatusCode::kTimeout || code == StatusCode::kUnavailable;
    } else {
      retryable = IsRetryableStatus(last->status);
    }
    breakers_->Record(endpoint, retryable, clock_->Now());
    if (should_retry == "true") retryable = true;
    if (should_retry == "false") retryable = false;
    if (!retryable || attempt + 1 >= options_.max_attempts) return last;

    milliseconds delay(-1);
    if (last.ok()) {
      delay = RetryAfter(*last, clock_->Now());
      if (delay > options_.max_retry_after) return last;  // the server asks for too long a wait
    }
    if (delay.count() < 0) {
      double backoff = std::min<double>(options_.base_delay.count() * std::pow(2.0, attempt),
                                        options_.max_delay.count());
      delay = milliseconds(static_cast<long long>(backoff * (1.0 - 0.25 * random_())));
    }
    if (clock_->Now() + delay >= end) return last;  // no time for another attempt
    sleep_(delay);
  }
  return last;
}

}  // namespace bot
