// HTTP for the providers: a small client interface, a libcurl implementation that drives many
// transfers from one background thread, a retry policy with a circuit breaker per endpoint, and
// cassettes that record exchanges and replay them without a network.
//
// See docs/providers.md for the design.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"

namespace bot {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;  // "Name", "value"; sent in order
  std::string body;
  std::chrono::milliseconds timeout{30000};  // whole exchange, connect included
  // The largest body accepted (BadResponse past it, the transfer stopped at once); 0 = the
  // client's own limit (CurlHttpOptions::max_response_bytes).
  size_t max_response_bytes = 0;
  // What the request counts against a tokens-per-minute limit (ProviderLimits): the prompt's
  // estimated tokens plus the most the answer may take, as providers count it. 0 = none.
  int64_t rate_tokens = 0;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // of the final response, names as the server sent them
  std::string body;

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

// Case-insensitive lookup in a header list; "" when absent.
std::string FindHeader(const HttpHeaders& headers, std::string_view name);

// Sends HTTP requests. Any HTTP status is a successful exchange (the caller judges 4xx/5xx);
// errors are transport failures: Timeout, Unavailable (connect, TLS, reset), BadResponse
// (response larger than the limit), InvalidArgument (bad URL). Implementations are thread-safe.
class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;
  virtual ~HttpClient() = default;

  // Starts `request`; `done` runs exactly once, possibly on another thread, possibly before
  // Send returns. It must not block for long: it runs on the client's transfer thread.
  virtual void Send(HttpRequest request, Callback done) = 0;

  // Sends and waits for the result.
  Result<HttpResponse> Fetch(HttpRequest request);
};

struct CurlHttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  size_t max_response_bytes = 8 * 1024 * 1024;
  long max_connections_per_host = 8;
  std::string user_agent = "libbot/0.1";
};

// libcurl over one multi handle driven by one background thread: many transfers in flight, no
// thread per call. TLS peers are verified against the system CA bundle; HTTP/2 is used when the
// server offers it over TLS; connections are reused; proxies come from the environment
// (https_proxy, no_proxy ...). The destructor fails transfers still in flight with Unavailable.
std::unique_ptr<HttpClient> NewCurlHttpClient(CurlHttpOptions options = {});

// ---- Retries ----

// How much one provider may be asked at once (HttpRetrier: one per provider). Attempts past a
// limit wait in a queue, first come first served, until they fit or their deadline passes.
struct ProviderLimits {
  int max_in_flight = 512;        // requests on the wire at once
  int requests_per_minute = 0;    // 0 = no cap; a bucket holding 10 seconds' worth
  int64_t tokens_per_minute = 0;  // 0 = no cap; counts HttpRequest::rate_tokens, same bucket
  size_t max_queued = 100000;     // past this an attempt fails at once (Unavailable)
};

// What a provider is doing now (HttpRetrier::Load), for /metrics.
struct ProviderLoad {
  int64_t in_flight = 0;    // attempts on the wire
  int64_t queued = 0;       // attempts waiting for a limit
  int64_t concurrency = 0;  // the in-flight cap now (lowered by 429s, raised again by successes)
  int64_t throttled = 0;    // 429 answers so far
};

struct RetryOptions {
  int max_attempts = 3;                         // first try included
  std::chrono::milliseconds base_delay{500};    // backoff: min(base·2^n, max)·(1 − 0.25·rand)
  std::chrono::milliseconds max_delay{8000};
  std::chrono::milliseconds max_retry_after{120000};  // a longer server wait means: give up
  std::chrono::milliseconds deadline{60000};    // all attempts and waits of one call
  int breaker_failures = 5;                     // consecutive failures that open a breaker
  std::chrono::milliseconds breaker_cooldown{30000};  // open → half-open after this
  ProviderLimits limits;  // concurrency and rate limits of everything sent through the retrier
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
const char* BreakerStateName(BreakerState state);  // "closed", "open", "half_open"

// True for responses worth retrying: 408, 409, 429 and 5xx.
bool IsRetryableStatus(int status);

// The wait a response asks for: `retry-after-ms` (milliseconds) first, else `Retry-After` as
// seconds or as an HTTP date relative to `now`. Negative when the response names none.
std::chrono::milliseconds RetryAfter(const HttpResponse& response, TimePoint now);

// Calls an HttpClient with retries, limits and a circuit breaker per endpoint (scheme, host,
// port and path of the URL); one retrier per provider. Retries 408/409/429/5xx and transport
// errors; honours the server's wait up to max_retry_after; otherwise exponential backoff with
// jitter. A failed final attempt returns the last response (so the caller sees the status) or the
// last transport error. An open breaker answers Unavailable at once.
//
// Limits (RetryOptions::limits) hold every attempt: in flight, requests and tokens per minute.
// A 429 slows the whole provider, not just its own call: every attempt waits until the
// Retry-After it named has passed, and the in-flight cap drops to what was in flight without
// that answer; each success then raises it by one, back up to max_in_flight.
//
// CallAsync holds no thread while it waits (for the server, a backoff or a limit): waits run on
// the retrier's timer thread, answers arrive on the HttpClient's. Thread-safe; the HttpClient and
// Clock must outlive it, and no call may be in flight when it is destroyed.
class HttpRetrier {
 public:
  using SleepFn = std::function<void(std::chrono::milliseconds)>;
  using RandomFn = std::function<double()>;  // uniform in [0, 1)

  // `sleep` and `random` default to std::this_thread::sleep_for and a seeded engine.
  HttpRetrier(HttpClient* http, const Clock* clock, RetryOptions options = {},
              SleepFn sleep = nullptr, RandomFn random = nullptr);
  ~HttpRetrier();
  HttpRetrier(const HttpRetrier&) = delete;
  HttpRetrier& operator=(const HttpRetrier&) = delete;

  // Sends `request` until it succeeds, fails for good, or `deadline` (or options.deadline from
  // now, whichever is sooner; a default TimePoint means no extra deadline) passes. Each
  // attempt's timeout is cut to the time left.
  Result<HttpResponse> Call(HttpRequest request, TimePoint deadline = {});
  // The same without blocking: `done` runs once, on the HttpClient's or the timer's thread (or
  // on the caller's, when it fails at once); it must not block for long.
  void CallAsync(HttpRequest request, TimePoint deadline, HttpClient::Callback done);

  ProviderLoad Load() const;

  // The breaker state of the endpoint `url` belongs to, as of now.
  BreakerState StateOf(std::string_view url) const;

  // "https://api.openai.com:443/v1/chat/completions": the key breakers use.
  static std::string EndpointOf(std::string_view url);

 private:
  class Breakers;
  class Limiter;
  struct Attempts;
  void Attempt(std::shared_ptr<Attempts> call);
  void Answered(std::shared_ptr<Attempts> call, Result<HttpResponse> answer);
  // Runs `then` after `wait`: on the timer thread, or at once after `sleep` when one was given.
  void After(std::chrono::milliseconds wait, std::function<void()> then);
  // Moves the limiter's queue at `when` (TimePoint{}: nothing to do).
  void WakeAt(TimePoint when);
  HttpClient* http_;
  const Clock* clock_;
  RetryOptions options_;
  SleepFn sleep_;
  RandomFn random_;
  std::unique_ptr<Breakers> breakers_;
  std::unique_ptr<Limiter> limiter_;
  bool sleep_given_ = false;
  std::atomic<bool> stopping_{false};
  class TimerThread;
  std::mutex timer_mu_;
  std::unique_ptr<TimerThread> timer_;  // Guarded by timer_mu_; started on the first wait
  TimePoint wake_at_{};                 // Guarded by timer_mu_; the limiter's wake-up pending
};

// ---- Cassettes ----

enum class CassetteMode { kRecord, kReplay };

// Records provider exchanges to a JSON-lines file, or answers from one.
// A request is matched by method, URL and its normalised body: JSON with keys sorted, data: URLs
// and multipart file parts replaced by "sha256:<hex>" of their bytes. Recorded request headers
// have secrets (Authorization, x-api-key, api-key, cookies) redacted. Identical requests replay
// their recorded answers in order. In replay mode the network is never used and an unmatched
// request fails with NotFound naming the method, URL and normalised body. Thread-safe.
class CassetteHttpClient final : public HttpClient {
 public:
  // Record mode: sends through `inner` (not owned) and appends each exchange to `path`
  // (truncated on open). Replay mode: `inner` is unused; `path` is read now.
  static Result<std::unique_ptr<CassetteHttpClient>> Open(CassetteMode mode, std::string path,
                                                          HttpClient* inner = nullptr);
  ~CassetteHttpClient() override;

  void Send(HttpRequest request, Callback done) override;

  // Replay mode: recorded exchanges not used yet.
  size_t Unused() const;

 private:
  struct State;
  explicit CassetteHttpClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The body as the cassette matches it (see CassetteHttpClient); exposed for tests and tools.
std::string NormaliseBodyForCassette(std::string_view content_type, std::string_view body);

}  // namespace bot
