// HttpRetrier: retries with backoff, the server's retry hints, a deadline, the provider's limits
// and one circuit breaker per endpoint. Breakers count attempts, not calls: five failed attempts
// in a row (from any mix of calls) mean the endpoint is down, and later calls fail at once until
// a cool-down. A 429 is not a failure for the breaker (the endpoint is up, it asks us to slow
// down): it goes to the limiter, which slows every call.
//
// A call is a chain of callbacks, never a waiting thread: limiter grant -> HttpClient::Send ->
// Answered -> (a wait on the timer thread) -> the next attempt.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
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

// Runs functions at a time on one thread. Destroyed with functions pending: runs them at once
// (the retrier is stopping and they fail their calls).
class HttpRetrier::TimerThread {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  TimerThread() : thread_([this] { Run(); }) {}
  ~TimerThread() {
    std::multimap<SteadyTime, std::function<void()>> left;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    left.swap(queue_);
    for (auto& [when, fn] : left) fn();
  }

  void At(SteadyTime when, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        queue_.emplace(when, std::move(fn));
        fn = nullptr;
      }
    }
    if (fn) {
      fn();
      return;
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      SteadyTime when = queue_.begin()->first;
      if (std::chrono::steady_clock::now() < when) {
        cv_.wait_until(lock, when);
        continue;
      }
      std::function<void()> fn = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      lock.unlock();
      fn();
      fn = nullptr;
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<SteadyTime, std::function<void()>> queue_;  // Guarded by mu_
  bool stopping_ = false;                                   // Guarded by mu_
  std::thread thread_;
};

// The provider's limits: a first-come-first-served queue of attempts in front of an in-flight
// cap, two token buckets (requests and tokens per minute, each holding 10 seconds' worth) and a
// pause after a 429. Grants are handed out by whoever moves the queue: an Acquire, a Release, or
// the timer when the queue waits for the clock.
class HttpRetrier::Limiter {
 public:
  using Go = std::function<void(Status)>;

  Limiter(ProviderLimits limits, const Clock* clock)
      : limits_(limits),
        clock_(clock),
        cap_(std::max(1, limits.max_in_flight)),
        requests_(Capacity(limits.requests_per_minute)),
        tokens_(Capacity(limits.tokens_per_minute)),
        refilled_at_(clock->Now()) {}

  // Queues an attempt costing `tokens`; `go` runs once: Ok when it may be sent (the caller then
  // owes a Release), else Timeout (deadline passed in the queue) or Unavailable (queue full).
  // Returns when the queue next needs the clock (TimePoint{}: only a Release moves it).
  TimePoint Acquire(int64_t tokens, TimePoint deadline, Go go) {
    Ready ready;
    TimePoint wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.size() >= limits_.max_queued) {
        ready.emplace_back(std::move(go), Unavailable("provider queue full (" +
                                                      std::to_string(queue_.size()) + ")"));
      } else {
        queue_.push_back({tokens, deadline, std::move(go)});
        wake = PumpLocked(&ready);
      }
    }
    Run(ready);
    return wake;
  }

  // An attempt granted by Acquire is over. `throttled`: the provider answered 429, and `pause`
  // is how long every attempt should wait; `succeeded`: a 2xx answer.
  TimePoint Release(bool throttled, bool succeeded, std::chrono::milliseconds pause) {
    Ready ready;
    TimePoint wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      if (throttled) {
        ++throttled_;
        // What was in flight without this answer is what the provider took: go back to that.
        cap_ = std::max<int64_t>(1, std::min<int64_t>(cap_, in_flight_));
        successes_ = 0;
        if (pause.count() > 0) paused_until_ = std::max(paused_until_, clock_->Now() + pause);
      } else if (succeeded && cap_ < limits_.max_in_flight && ++successes_ >= cap_) {
        ++cap_;  // one more per round of successes: back up to the configured cap
        successes_ = 0;
      }
      wake = PumpLocked(&ready);
    }
    Run(ready);
    return wake;
  }

  // Moves the queue (the timer's wake-up).
  TimePoint Pump() {
    Ready ready;
    TimePoint wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wake = PumpLocked(&ready);
    }
    Run(ready);
    return wake;
  }

  // Fails every queued attempt (the retrier is going away).
  void FailAll(const Status& why) {
    Ready ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (Waiter& w : queue_) ready.emplace_back(std::move(w.go), why);
      queue_.clear();
    }
    Run(ready);
  }

  ProviderLoad Load() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ProviderLoad{in_flight_, static_cast<int64_t>(queue_.size()), cap_, throttled_};
  }

 private:
  struct Waiter {
    int64_t tokens;
    TimePoint deadline;
    Go go;
  };
  using Ready = std::vector<std::pair<Go, Status>>;

  // A bucket holds 10 seconds' worth of its per-minute rate (at least 1).
  static double Capacity(int64_t per_minute) {
    return per_minute <= 0 ? 0 : std::max(1.0, per_minute / 6.0);
  }

  static void Run(Ready& ready) {
    for (auto& [go, status] : ready) go(status);
  }

  void RefillLocked(TimePoint now) {
    double seconds = std::chrono::duration<double>(now - refilled_at_).count();
    if (seconds <= 0) return;
    refilled_at_ = now;
    if (limits_.requests_per_minute > 0) {
      requests_ = std::min(Capacity(limits_.requests_per_minute),
                           requests_ + seconds * limits_.requests_per_minute / 60.0);
    }
    if (limits_.tokens_per_minute > 0) {
      tokens_ = std::min(Capacity(limits_.tokens_per_minute),
                         tokens_ + seconds * static_cast<double>(limits_.tokens_per_minute) / 60.0);
    }
  }

  // Grants what may go now, fails what waited past its deadline; returns when the head of the
  // queue could go by the clock alone (TimePoint{} when it waits for a Release, or nothing waits).
  TimePoint PumpLocked(Ready* ready) {
    const TimePoint now = clock_->Now();
    RefillLocked(now);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->deadline != TimePoint{} && it->deadline <= now) {
        ready->emplace_back(std::move(it->go),
                            Timeout("deadline passed while waiting for the provider's limits"));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    TimePoint earliest_deadline{};
    while (!queue_.empty()) {
      Waiter& head = queue_.front();
      if (in_flight_ >= cap_) break;
      TimePoint at = paused_until_ > now ? paused_until_ : now;
      if (limits_.requests_per_minute > 0 && requests_ < 1) {
        at = std::max(at, now + Seconds((1 - requests_) * 60.0 / limits_.requests_per_minute));
      }
      const double want =
          std::min<double>(static_cast<double>(head.tokens), Capacity(limits_.tokens_per_minute));
      if (limits_.tokens_per_minute > 0 && tokens_ < want) {
        at = std::max(at, now + Seconds((want - tokens_) * 60.0 /
                                        static_cast<double>(limits_.tokens_per_minute)));
      }
      if (at > now) {
        earliest_deadline = at;
        break;
      }
      if (limits_.requests_per_minute > 0) requests_ -= 1;
      if (limits_.tokens_per_minute > 0) tokens_ -= static_cast<double>(head.tokens);
      ++in_flight_;
      ready->emplace_back(std::move(head.go), Status::Ok());
      queue_.pop_front();
    }
    // A queued attempt's deadline also needs the clock.
    for (const Waiter& w : queue_) {
      if (w.deadline == TimePoint{}) continue;
      if (earliest_deadline == TimePoint{} || w.deadline < earliest_deadline) {
        earliest_deadline = w.deadline;
      }
    }
    return earliest_deadline;
  }

  // A wait of `s` seconds, rounded up.
  static TimePoint::duration Seconds(double s) {
    return std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(s)) +
           TimePoint::duration(1);
  }

  const ProviderLimits limits_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::deque<Waiter> queue_;  // Guarded by mu_
  int64_t in_flight_ = 0;     // Guarded by mu_
  int64_t cap_;               // Guarded by mu_
  int64_t successes_ = 0;     // Guarded by mu_; since the cap last moved
  int64_t throttled_ = 0;     // Guarded by mu_
  double requests_;           // Guarded by mu_; bucket levels
  double tokens_;             // Guarded by mu_
  TimePoint refilled_at_;     // Guarded by mu_
  TimePoint paused_until_{};  // Guarded by mu_
};

// One call's state across its attempts.
struct HttpRetrier::Attempts {
  HttpRequest request;
  std::string endpoint;
  TimePoint end;
  std::chrono::milliseconds per_attempt{0};
  int attempt = 0;
  HttpClient::Callback done;
  Result<HttpResponse> last = Timeout("deadline passed before the request was sent");
};

HttpRetrier::HttpRetrier(HttpClient* http, const Clock* clock, RetryOptions options, SleepFn sleep,
                         RandomFn random)
    : http_(http),
      clock_(clock),
      options_(options),
      sleep_(std::move(sleep)),
      random_(std::move(random)),
      breakers_(std::make_unique<Breakers>(options)),
      limiter_(std::make_unique<Limiter>(options.limits, clock)),
      sleep_given_(static_cast<bool>(sleep_)) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto mu = std::make_shared<std::mutex>();
    random_ = [engine, mu] {
      std::lock_guard<std::mutex> lock(*mu);
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

HttpRetrier::~HttpRetrier() {
  stopping_ = true;
  limiter_->FailAll(Unavailable("the provider's client is shutting down"));
  std::unique_ptr<TimerThread> timer;
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    timer.swap(timer_);
  }
  timer.reset();  // runs what is pending: each fails its call
}

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

ProviderLoad HttpRetrier::Load() const { return limiter_->Load(); }

Result<HttpResponse> HttpRetrier::Call(HttpRequest request, TimePoint deadline) {
  std::promise<Result<HttpResponse>> promise;
  std::future<Result<HttpResponse>> answer = promise.get_future();
  CallAsync(std::move(request), deadline,
            [&promise](Result<HttpResponse> r) { promise.set_value(std::move(r)); });
  return answer.get();
}

void HttpRetrier::CallAsync(HttpRequest request, TimePoint deadline, HttpClient::Callback done) {
  auto call = std::make_shared<Attempts>();
  call->endpoint = EndpointOf(request.url);
  call->end = clock_->Now() + options_.deadline;
  if (deadline != TimePoint{} && deadline < call->end) call->end = deadline;
  call->per_attempt = request.timeout;
  call->last =
      Timeout("deadline passed before " + request.method + " " + request.url + " was sent");
  call->request = std::move(request);
  call->done = std::move(done);
  Attempt(std::move(call));
}

void HttpRetrier::Attempt(std::shared_ptr<Attempts> call) {
  if (stopping_) {
    call->done(Unavailable("the provider's client is shutting down"));
    return;
  }
  if (call->end <= clock_->Now()) {
    call->done(std::move(call->last));
    return;
  }
  TimePoint wake = limiter_->Acquire(call->request.rate_tokens, call->end, [this, call](Status go) {
    if (!go.ok()) {
      // Still waiting for a limit at the deadline: the last answer (if any) says more.
      call->done(call->attempt > 0 ? std::move(call->last) : Result<HttpResponse>(go));
      return;
    }
    const TimePoint now = clock_->Now();
    if (!breakers_->Allow(call->endpoint, now)) {
      WakeAt(limiter_->Release(false, false, std::chrono::milliseconds(0)));
      call->done(Unavailable("circuit breaker open for " + call->endpoint + "; not calling"));
      return;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(call->end - now);
    if (left.count() <= 0) {
      WakeAt(limiter_->Release(false, false, std::chrono::milliseconds(0)));
      call->done(std::move(call->last));
      return;
    }
    HttpRequest request = call->request;
    request.timeout = std::min(call->per_attempt, left);
    http_->Send(std::move(request),
                [this, call](Result<HttpResponse> answer) { Answered(call, std::move(answer)); });
  });
  WakeAt(wake);
}

void HttpRetrier::Answered(std::shared_ptr<Attempts> call, Result<HttpResponse> answer) {
  using std::chrono::milliseconds;
  call->last = std::move(answer);
  const Result<HttpResponse>& last = call->last;
  const int attempt = call->attempt;
  bool retryable;
  std::string should_retry = last.ok() ? last->Header("x-should-retry") : "";
  if (!last.ok()) {
    StatusCode code = last.status().code();
    retryable = code == StatusCode::kTimeout || code == StatusCode::kUnavailable;
  } else {
    retryable = IsRetryableStatus(last->status);
  }
  const bool throttled = last.ok() && last->status == 429;
  breakers_->Record(call->endpoint, retryable && !throttled, clock_->Now());
  if (should_retry == "true") retryable = true;
  if (should_retry == "false") retryable = false;

  milliseconds delay(-1);
  if (last.ok()) delay = RetryAfter(*last, clock_->Now());
  if (delay.count() < 0) {
    double backoff = std::min<double>(options_.base_delay.count() * std::pow(2.0, attempt),
                                      options_.max_delay.count());
    delay = milliseconds(static_cast<long long>(backoff * (1.0 - 0.25 * random_())));
  }
  const bool succeeded = last.ok() && last->status >= 200 && last->status < 300;
  // A wait longer than max_retry_after is one we do not honour (the call gives up): it pauses
  // nothing either.
  const bool honoured = delay <= options_.max_retry_after;
  WakeAt(limiter_->Release(throttled, succeeded, throttled && honoured ? delay : milliseconds(0)));

  if (!retryable || attempt + 1 >= options_.max_attempts) {
    call->done(std::move(call->last));
    return;
  }
  // The server asks for too long a wait, or there is no time for another attempt.
  if ((last.ok() && delay > options_.max_retry_after) || clock_->Now() + delay >= call->end) {
    call->done(std::move(call->last));
    return;
  }
  ++call->attempt;
  After(delay, [this, call] { Attempt(call); });
}

void HttpRetrier::WakeAt(TimePoint when) {
  if (when == TimePoint{}) return;
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    // One wake-up pending at a time is enough when it is no later than the one asked for.
    if (wake_at_ != TimePoint{} && wake_at_ <= when) return;
    wake_at_ = when;
  }
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(when - clock_->Now()) +
              std::chrono::milliseconds(1);
  After(std::max(wait, std::chrono::milliseconds(0)), [this] {
    {
      std::lock_guard<std::mutex> lock(timer_mu_);
      wake_at_ = TimePoint{};
    }
    WakeAt(limiter_->Pump());
  });
}

void HttpRetrier::After(std::chrono::milliseconds wait, std::function<void()> then) {
  if (sleep_given_) {  // tests: the sleep function advances a fake clock
    sleep_(wait);
    then();
    return;
  }
  TimerThread* timer;
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    if (!timer_ && !stopping_) timer_ = std::make_unique<TimerThread>();
    timer = timer_.get();
  }
  if (timer == nullptr) {
    then();
    return;
  }
  timer->At(std::chrono::steady_clock::now() + wait, std::move(then));
}

}  // namespace bot
