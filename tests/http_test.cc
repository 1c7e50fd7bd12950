// The HTTP layer: the libcurl client, retry hints, the retrier with its circuit breakers, and
// cassettes, all against the fake provider server on 127.0.0.1.
#include "bot/http.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "bot/testing/fake_clock.h"
#include "support/fake_llm_server.h"

namespace bot {
namespace {

using std::chrono::milliseconds;
using testing::FakeLlmServer;

constexpr const char* kChat = "/v1/chat/completions";

HttpRequest ChatRequest(const FakeLlmServer& server, std::string body = R"({"model":"m","messages":[{"role":"user","content":"hola"}]})") {
  HttpRequest request;
  request.method = "POST";
  request.url = server.base_url() + "/chat/completions";
  request.headers = {{"Authorization", std::string("Bearer ") + FakeLlmServer::kApiKey},
                     {"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.timeout = milliseconds(10000);
  return request;
}

FakeLlmServer::Reply ErrorReply(int status, HttpHeaders headers = {}) {
  FakeLlmServer::Reply reply = testing::OpenAiError(status, "server_error", "scripted");
  reply.headers = std::move(headers);
  return reply;
}

// ---- CurlHttpClient ----

TEST(CurlHttpClient, PostsAndReadsStatusHeadersAndBody) {
  FakeLlmServer server;
  server.Enqueue(kChat, testing::ChatReply("hola"));
  auto http = NewCurlHttpClient();
  Result<HttpResponse> response = http->Fetch(ChatRequest(server));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("CONTENT-TYPE"), "application/json");
  EXPECT_NE(response->body.find("chat.completion"), std::string::npos);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(FindHeader(server.requests()[0].headers, "authorization"),
            std::string("Bearer ") + FakeLlmServer::kApiKey);
}

TEST(CurlHttpClient, RunsManyTransfersAtOnceFromOneThread) {
  FakeLlmServer server;
  const int kCalls = 24;
  for (int i = 0; i < kCalls; ++i) server.Enqueue(kChat, testing::ChatReply("ok"));
  auto http = NewCurlHttpClient();
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < kCalls; ++i) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    futures.push_back(promise->get_future());
    http->Send(ChatRequest(server), [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : futures) {
    Result<HttpResponse> r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.request_count(kChat), static_cast<size_t>(kCalls));
}

TEST(CurlHttpClient, ASlowServerIsATimeout) {
  FakeLlmServer server;
  FakeLlmServer::Reply slow = testing::ChatReply("late");
  slow.delay = milliseconds(3000);
  server.Enqueue(kChat, slow);
  auto http = NewCurlHttpClient();
  HttpRequest request = ChatRequest(server);
  request.timeout = milliseconds(200);
  EXPECT_EQ(http->Fetch(request).status().code(), StatusCode::kTimeout);
}

TEST(CurlHttpClient, AStoppedServerIsUnavailable) {
  FakeLlmServer server;
  server.Stop();
  auto http = NewCurlHttpClient();
  EXPECT_EQ(http->Fetch(ChatRequest(server)).status().code(), StatusCode::kUnavailable);
}

TEST(CurlHttpClient, AResponseOverTheLimitIsABadResponse) {
  FakeLlmServer server;
  server.Enqueue(kChat, testing::ChatReply(std::string(5000, 'x')));
  CurlHttpOptions options;
  options.max_response_bytes = 1000;
  auto http = NewCurlHttpClient(options);
  EXPECT_EQ(http->Fetch(ChatRequest(server)).status().code(), StatusCode::kBadResponse);
}

// ---- Retry hints ----

TEST(RetryAfter, ReadsMillisecondsSecondsAndHttpDates) {
  testing::FakeClock clock;  // 2026-01-01T12:00:00Z
  struct Case {
    HttpHeaders headers;
    long long expected_ms;
  };
  const Case kCases[] = {
      {{}, -1},
      {{{"retry-after-ms", "150"}}, 150},
      {{{"Retry-After", "2"}}, 2000},
      {{{"retry-after-ms", "40"}, {"Retry-After", "9"}}, 40},  // ms wins
      {{{"Retry-After", "Thu, 01 Jan 2026 12:00:30 GMT"}}, 30000},
      {{{"Retry-After", "Thu, 01 Jan 2026 11:00:00 GMT"}}, 0},  // in the past
      {{{"Retry-After", "soon"}}, -1},
  };
  for (const Case& c : kCases) {
    HttpResponse response;
    response.headers = c.headers;
    EXPECT_EQ(RetryAfter(response, clock.Now()).count(), c.expected_ms)
        << (c.headers.empty() ? "none" : c.headers.back().second);
  }
}

TEST(RetryAfter, RetryableStatusesAre408_409_429And5xx) {
  for (int status : {408, 409, 429, 500, 502, 503, 529}) EXPECT_TRUE(IsRetryableStatus(status)) << status;
  for (int status : {200, 400, 401, 403, 404, 422}) EXPECT_FALSE(IsRetryableStatus(status)) << status;
}

// ---- HttpRetrier ----

// A retrier whose sleeps advance the fake clock and are written down; jitter fixed at 0.
class RetrierTest : public ::testing::Test {
 protected:
  HttpRetrier Retrier(RetryOptions options = {}) {
    return HttpRetrier(
        http_.get(), &clock_, options,
        [this](milliseconds d) {
          sleeps_.push_back(d.count());
          clock_.Advance(d);
        },
        [] { return 0.0; });
  }

  FakeLlmServer server_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpClient> http_ = NewCurlHttpClient();
  std::vector<long long> sleeps_;
};

TEST_F(RetrierTest, HonoursRetryAfterOn429ThenSucceeds) {
  server_.Enqueue(kChat, ErrorReply(429, {{"Retry-After", "2"}}));
  server_.Enqueue(kChat, ErrorReply(429, {{"retry-after-ms", "150"}}));
  server_.Enqueue(kChat, testing::ChatReply("hola"));
  HttpRetrier retrier = Retrier();
  Result<HttpResponse> r = retrier.Call(ChatRequest(server_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(sleeps_, (std::vector<long long>{2000, 150}));
}

TEST_F(RetrierTest, BacksOffExponentiallyOn5xxAndReturnsTheLastAnswer) {
  for (int i = 0; i < 3; ++i) server_.Enqueue(kChat, ErrorReply(503));
  HttpRetrier retrier = Retrier();
  Result<HttpResponse> r = retrier.Call(ChatRequest(server_));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(sleeps_, (std::vector<long long>{500, 1000}));
  EXPECT_EQ(server_.request_count(kChat), 3u);
}

TEST_F(RetrierTest, JitterShortensTheBackoffByUpToAQuarter) {
  server_.Enqueue(kChat, ErrorReply(500));
  server_.Enqueue(kChat, testing::ChatReply("ok"));
  HttpRetrier retrier(http_.get(), &clock_, RetryOptions{},
                      [this](milliseconds d) { sleeps_.push_back(d.count()); }, [] { return 0.999; });
  ASSERT_TRUE(retrier.Call(ChatRequest(server_)).ok());
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_EQ(sleeps_[0], 375);  // 500 · (1 − 0.25 · 0.999), truncated
}

TEST_F(RetrierTest, DoesNotRetryClientErrorsOrTooLongWaits) {
  server_.Enqueue(kChat, ErrorReply(400));
  server_.Enqueue(kChat, ErrorReply(429, {{"Retry-After", "600"}}));
  server_.Enqueue(kChat, ErrorReply(503, {{"x-should-retry", "false"}}));
  HttpRetrier retrier = Retrier();
  EXPECT_EQ(retrier.Call(ChatRequest(server_))->status, 400);
  EXPECT_EQ(retrier.Call(ChatRequest(server_))->status, 429);
  EXPECT_EQ(retrier.Call(ChatRequest(server_))->status, 503);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(server_.request_count(kChat), 3u);
}

TEST_F(RetrierTest, StopsWhenTheNextWaitPassesTheDeadline) {
  server_.Enqueue(kChat, ErrorReply(429, {{"Retry-After", "5"}}));
  RetryOptions options;
  options.deadline = milliseconds(3000);
  HttpRetrier retrier = Retrier(options);
  EXPECT_EQ(retrier.Call(ChatRequest(server_))->status, 429);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RetrierTest, RetriesTimeoutsAndGivesTheTimeoutBack) {
  for (int i = 0; i < 2; ++i) {
    FakeLlmServer::Reply slow = testing::ChatReply("late");
    slow.delay = milliseconds(2000);
    server_.Enqueue(kChat, slow);
  }
  RetryOptions options;
  options.max_attempts = 2;
  HttpRetrier retrier = Retrier(options);
  HttpRequest request = ChatRequest(server_);
  request.timeout = milliseconds(150);
  EXPECT_EQ(retrier.Call(request).status().code(), StatusCode::kTimeout);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(RetrierTest, CircuitBreakerOpensFailsFastAndHalfOpensAfterCooldown) {
  RetryOptions options;
  options.max_attempts = 1;
  options.breaker_failures = 2;
  options.breaker_cooldown = milliseconds(30000);
  HttpRetrier retrier = Retrier(options);
  HttpRequest request = ChatRequest(server_);
  server_.Enqueue(kChat, ErrorReply(500));
  server_.Enqueue(kChat, ErrorReply(502));
  EXPECT_EQ(retrier.Call(request)->status, 500);
  EXPECT_EQ(retrier.StateOf(request.url), BreakerState::kClosed);
  EXPECT_EQ(retrier.Call(request)->status, 502);
  EXPECT_EQ(retrier.StateOf(request.url), BreakerState::kOpen);

  Result<HttpResponse> fast = retrier.Call(request);
  EXPECT_EQ(fast.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(fast.status().message().find("circuit breaker open"), std::string::npos);
  EXPECT_EQ(server_.request_count(kChat), 2u);  // the open breaker sent nothing

  clock_.Advance(milliseconds(30000));
  EXPECT_EQ(retrier.StateOf(request.url), BreakerState::kHalfOpen);
  server_.Enqueue(kChat, ErrorReply(500));  // the trial fails: open again
  EXPECT_EQ(retrier.Call(request)->status, 500);
  EXPECT_EQ(retrier.StateOf(request.url), BreakerState::kOpen);

  clock_.Advance(milliseconds(30000));
  server_.Enqueue(kChat, testing::ChatReply("back"));  // the trial succeeds: closed
  EXPECT_EQ(retrier.Call(request)->status, 200);
  EXPECT_EQ(retrier.StateOf(request.url), BreakerState::kClosed);
}

TEST(HttpRetrierEndpoint, KeysOnSchemeHostPortAndPath) {
  EXPECT_EQ(HttpRetrier::EndpointOf("https://API.openai.com/v1/chat/completions?x=1"),
            "https://api.openai.com:443/v1/chat/completions");
  EXPECT_EQ(HttpRetrier::EndpointOf("http://127.0.0.1:8080/v1/messages"),
            "http://127.0.0.1:8080/v1/messages");
}

// ---- Cassettes ----

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid()) + ".jsonl";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cassette, RecordsThenReplaysWithTheServerStopped) {
  std::string path = TempPath("cassette_replay");
  FakeLlmServer server;
  server.Enqueue(kChat, testing::ChatReply("primera"));
  server.Enqueue(kChat, testing::ChatReply("segunda"));
  auto http = NewCurlHttpClient();
  {
    auto recorder = CassetteHttpClient::Open(CassetteMode::kRecord, path, http.get());
    ASSERT_TRUE(recorder.ok()) << recorder.status().ToString();
    EXPECT_EQ((*recorder)->Fetch(ChatRequest(server))->status, 200);
    EXPECT_EQ((*recorder)->Fetch(ChatRequest(server))->status, 200);
  }
  server.Stop();
  std::string file = ReadFile(path);
  EXPECT_EQ(file.find(FakeLlmServer::kApiKey), std::string::npos) << "secret leaked";
  EXPECT_NE(file.find("[redacted]"), std::string::npos);

  auto player = CassetteHttpClient::Open(CassetteMode::kReplay, path);
  ASSERT_TRUE(player.ok()) << player.status().ToString();
  // Same request with keys in another order: matches the normalised body.
  Result<HttpResponse> first = (*player)->Fetch(
      ChatRequest(server, R"({"messages":[{"content":"hola","role":"user"}],"model":"m"})"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE(first->body.find("primera"), std::string::npos);
  Result<HttpResponse> second = (*player)->Fetch(ChatRequest(server));
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->body.find("segunda"), std::string::npos);
  EXPECT_EQ((*player)->Unused(), 0u);

  Result<HttpResponse> third = (*player)->Fetch(ChatRequest(server));
  EXPECT_EQ(third.status().code(), StatusCode::kNotFound);
  EXPECT_NE(third.status().message().find("no more answers"), std::string::npos);
}

TEST(Cassette, AnUnmatchedRequestFailsNamingIt) {
  std::string path = TempPath("cassette_unmatched");
  std::ofstream(path) << "";
  auto player = CassetteHttpClient::Open(CassetteMode::kReplay, path);
  ASSERT_TRUE(player.ok());
  FakeLlmServer server;
  Result<HttpResponse> r =
      (*player)->Fetch(ChatRequest(server, R"({"model":"m","messages":[{"role":"user","content":"otra cosa"}]})"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("POST " + server.base_url() + "/chat/completions"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("otra cosa"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST(Cassette, AMissingFileIsNotFound) {
  EXPECT_EQ(CassetteHttpClient::Open(CassetteMode::kReplay, "/nonexistent/c.jsonl").status().code(),
            StatusCode::kNotFound);
}

TEST(CassetteNormalise, SortsKeysAndHashesMedia) {
  struct Case {
    const char* content_type;
    std::string body;
    std::string expected;
  };
  const Case kCases[] = {
      {"application/json", R"({"b":1,"a":{"d":[true,null],"c":"x"}})",
       R"({"a":{"c":"x","d":[true,null]},"b":1})"},
      {"application/json", R"({"url":"data:image/png;base64,aG9sYQ=="})",
       // sha256("hola")
       R"({"url":"data:image/png;sha256:b221d9dbb083a7f33428d7c2a3c3198ae925614d70210e28716ccaa7cd4ddb79"})"},
      {"application/json", R"({"type":"base64","media_type":"image/jpeg","data":"aG9sYQ=="})",
       R"({"data":"sha256:b221d9dbb083a7f33428d7c2a3c3198ae925614d70210e28716ccaa7cd4ddb79","media_type":"image/jpeg","type":"base64"})"},
      {"text/plain", "not json", "not json"},
      {"multipart/form-data; boundary=XY",
       "--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"audio.ogg\"\r\n"
       "Content-Type: audio/ogg\r\n\r\nhola\r\n--XY\r\nContent-Disposition: form-data; "
       "name=\"model\"\r\n\r\nwhisper-1\r\n--XY--\r\n",
       "Content-Disposition: form-data; name=\"file\"; filename=\"audio.ogg\"  Content-Type: "
       "audio/ogg\nsha256:b221d9dbb083a7f33428d7c2a3c3198ae925614d70210e28716ccaa7cd4ddb79\n"
       "Content-Disposition: form-data; name=\"model\"\nwhisper-1\n"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(NormaliseBodyForCassette(c.content_type, c.body), c.expected) << c.body;
  }
}

// ---- Limits: a provider that takes `capacity` requests at once ----

// An in-process HttpClient standing for a provider with a concurrency limit: up to `capacity`
// requests are held (answered 200 by Release), past that it answers 429 at once with
// Retry-After 0.02 s, as OpenAI does when a rate limit is hit.
class ThrottlingClient final : public HttpClient {
 public:
  explicit ThrottlingClient(size_t capacity) : capacity_(capacity) {}

  void Send(HttpRequest, Callback done) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (held_.size() >= capacity_) {
      ++throttled_;
      lock.unlock();
      HttpResponse busy;
      busy.status = 429;
      busy.headers = {{"Retry-After", "0.02"}};
      done(std::move(busy));
      return;
    }
    held_.push_back(std::move(done));
    most_held_ = std::max(most_held_, held_.size());
  }

  // Answers every held request 200; returns how many.
  size_t Release() {
    std::vector<Callback> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (Callback& done : held) {
      HttpResponse ok;
      ok.status = 200;
      done(std::move(ok));
    }
    return held.size();
  }
  size_t throttled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return throttled_;
  }
  size_t most_held() const {
    std::lock_guard<std::mutex> lock(mu_);
    return most_held_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Callback> held_;  // Guarded by mu_
  size_t throttled_ = 0;        // Guarded by mu_
  size_t most_held_ = 0;        // Guarded by mu_
};

TEST(RetrierLimits, A429StormSlowsEveryCallAndEveryCallIsAnsweredOnce) {
  ThrottlingClient provider(20);
  SystemClock clock;
  RetryOptions options;
  options.max_attempts = 3;
  options.limits.max_in_flight = 200;
  HttpRetrier retrier(&provider, &clock, options);

  constexpr int kCalls = 300;
  std::mutex mu;
  std::vector<int> answers(kCalls, 0);
  std::vector<int> statuses(kCalls, 0);
  for (int i = 0; i < kCalls; ++i) {
    HttpRequest request;
    request.url = "https://api.example.test/v1/chat/completions";
    retrier.CallAsync(request, {}, [&, i](Result<HttpResponse> r) {
      std::lock_guard<std::mutex> lock(mu);
      ++answers[i];
      statuses[i] = r.ok() ? r->status : -1;
    });
  }
  // The storm: the first 20 are held, the rest answered 429. Afterwards the cap is what the
  // provider took, so every later round fits.
  EXPECT_EQ(retrier.Load().concurrency, 20);
  auto all_answered = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return std::all_of(answers.begin(), answers.end(), [](int n) { return n > 0; });
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!all_answered() && std::chrono::steady_clock::now() < end) {
    provider.Release();
    std::this_thread::sleep_for(milliseconds(1));  // lets the timer thread move the queue
  }
  ASSERT_TRUE(all_answered());
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(answers[i], 1) << "call " << i;
    EXPECT_EQ(statuses[i], 200) << "call " << i;
  }
  EXPECT_EQ(provider.most_held(), 20u);
  // Only the first storm is throttled: after it, calls wait in the queue, not on the provider.
  EXPECT_LT(provider.throttled(), static_cast<size_t>(kCalls));
  // Each raise takes a full round of successes at the current cap (at least 20), so 300 answered
  // calls can lift it by at most 300 / 20 however the rounds interleave with the last 429s; a
  // retrier that went straight back to its configured 200 would fail here.
  EXPECT_LE(retrier.Load().concurrency, 20 + kCalls / 20) << "raised by one per round of successes";
  EXPECT_EQ(retrier.Load().in_flight, 0);
  EXPECT_EQ(retrier.Load().queued, 0);
}

TEST(RetrierLimits, InFlightCapQueuesAndADeadlineInTheQueueIsATimeout) {
  ThrottlingClient provider(1000);
  testing::FakeClock clock(FromUnixMillis(1'700'000'000'000));
  RetryOptions options;
  options.limits.max_in_flight = 2;
  HttpRetrier retrier(&provider, &clock, options);  // waits on the timer: never reached here
  std::vector<Result<HttpResponse>> results;
  for (int i = 0; i < 3; ++i) {
    HttpRequest request;
    request.url = "https://api.example.test/v1/chat/completions";
    retrier.CallAsync(request, clock.Now() + std::chrono::seconds(5),
                      [&](Result<HttpResponse> r) { results.push_back(std::move(r)); });
  }
  EXPECT_EQ(retrier.Load().in_flight, 2);
  EXPECT_EQ(retrier.Load().queued, 1);
  clock.Advance(std::chrono::seconds(6));
  provider.Release();  // the two answers free their places; the third is past its deadline
  ASSERT_EQ(results.size(), 3u);
  int ok = 0, timed_out = 0;
  for (const Result<HttpResponse>& r : results) {
    if (r.ok() && r->status == 200) ++ok;
    if (!r.ok() && r.status().code() == StatusCode::kTimeout) ++timed_out;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(timed_out, 1);
  EXPECT_EQ(provider.Release(), 0u) << "the call that timed out in the queue never went out";
  EXPECT_EQ(retrier.Load().queued, 0);
}

TEST(RetrierLimits, RequestsPerMinuteSpaceTheCallsOut) {
  ThrottlingClient provider(1000);
  testing::FakeClock clock(FromUnixMillis(1'700'000'000'000));
  RetryOptions options;
  options.limits.requests_per_minute = 60;  // a bucket of 10, refilled one a second
  std::vector<milliseconds> waits;
  HttpRetrier retrier(&provider, &clock, options, [&](milliseconds d) {
    waits.push_back(d);
    clock.Advance(d);
  });
  const TimePoint start = clock.Now();
  int answered = 0;
  for (int i = 0; i < 13; ++i) {
    HttpRequest request;
    request.url = "https://api.example.test/v1/chat/completions";
    retrier.CallAsync(request, {}, [&](Result<HttpResponse>) { ++answered; });
  }
  EXPECT_EQ(provider.Release(), 13u);
  EXPECT_EQ(answered, 13);
  // 10 at once, then one a second: the 13th left about 3 s after the first.
  auto spent = std::chrono::duration_cast<milliseconds>(clock.Now() - start);
  EXPECT_GE(spent.count(), 2900);
  EXPECT_LE(spent.count(), 3100);
}

}  // namespace
}  // namespace bot
