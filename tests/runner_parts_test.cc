// botrunner's building blocks: the per-conversation work queue, the token bucket and the
// Prometheus metrics text.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/metrics.h"
#include "server/token_bucket.h"
#include "server/work_queue.h"

namespace runner {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, RunsEachKeysJobsInSubmissionOrder) {
  std::mutex mu;
  std::map<std::string, std::vector<int>> seen;
  {
    WorkQueue queue(4);
    for (int i = 0; i < 200; ++i) {
      std::string key = "user" + std::to_string(i % 7);
      queue.Submit(key, [&, key, i] {
        std::lock_guard<std::mutex> lock(mu);
        seen[key].push_back(i);
      });
    }
    queue.Drain();
  }
  ASSERT_EQ(seen.size(), 7u);
  for (const auto& [key, order] : seen) {
    for (size_t j = 1; j < order.size(); ++j) EXPECT_LT(order[j - 1], order[j]) << key;
  }
}

TEST(WorkQueue, NeverRunsTwoJobsOfOneKeyAtOnce) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  WorkQueue queue(4);
  for (int i = 0; i < 100; ++i) {
    queue.Submit("same", [&] {
      if (inside.fetch_add(1) != 0) ++overlaps;
      std::this_thread::yield();
      inside.fetch_sub(1);
    });
  }
  queue.Drain();
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(WorkQueue, DifferentKeysRunInParallel) {
  // Job "a" waits until job "b" has started: only possible with two lanes running together.
  WorkQueue queue(2);
  std::mutex mu;
  std::condition_variable cv;
  bool b_started = false;
  bool a_saw_b = false;
  queue.Submit("a", [&] {
    std::unique_lock<std::mutex> lock(mu);
    a_saw_b = cv.wait_for(lock, 10s, [&] { return b_started; });
  });
  queue.Submit("b", [&] {
    std::lock_guard<std::mutex> lock(mu);
    b_started = true;
    cv.notify_all();
  });
  queue.Drain();
  EXPECT_TRUE(a_saw_b);
}

TEST(WorkQueue, DrainRunsJobsSubmittedByJobs) {
  std::atomic<int> ran{0};
  WorkQueue queue(2);
  queue.Submit("k", [&] {
    ++ran;
    queue.Submit("k", [&] { ++ran; });
    queue.Post([&] { ++ran; });
  });
  queue.Drain();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(queue.pending(), 0u);
}

// Group commit's flush point: when_idle runs once a burst of jobs is done, not after each one.
TEST(WorkQueue, WhenIdleRunsAfterABurstNotAfterEveryJob) {
  std::atomic<int> idles{0};
  std::atomic<int> ran{0};
  std::mutex gate;
  std::unique_lock<std::mutex> hold(gate);  // keeps the first job busy while the burst queues up
  WorkQueue queue(1, [&] { ++idles; });
  queue.Submit("first", [&] { std::lock_guard<std::mutex> wait(gate); ++ran; });
  for (int i = 0; i < 20; ++i) queue.Submit("k" + std::to_string(i), [&] { ++ran; });
  hold.unlock();
  queue.Drain();
  EXPECT_EQ(ran.load(), 21);
  EXPECT_EQ(idles.load(), 1);  // 21 jobs, one idle moment (at the end)
}

TEST(WorkQueue, WhenIdleRunsAtLeastEveryMaxJobsUnderContinuousLoad) {
  std::atomic<int> idles{0};
  std::mutex gate;
  std::unique_lock<std::mutex> hold(gate);
  WorkQueue queue(1, [&] { ++idles; });
  queue.Submit("first", [&] { std::lock_guard<std::mutex> wait(gate); });
  const int jobs = 3 * WorkQueue::kMaxJobsBetweenIdle;
  for (int i = 0; i < jobs; ++i) queue.Submit("k" + std::to_string(i), [] {});
  hold.unlock();
  queue.Drain();
  EXPECT_GE(idles.load(), 3);
}

// A job still running (a slow provider call) does not hold back the idle point of the others:
// the timer runs when_idle soon after the queue ran dry.
TEST(WorkQueue, ALongJobDoesNotDelayWhenIdleForTheOthers) {
  std::mutex mu;
  std::condition_variable cv;
  int idles = 0;
  bool release = false;
  WorkQueue queue(2, [&] {
    std::lock_guard<std::mutex> lock(mu);
    ++idles;
    cv.notify_all();
  });
  queue.Submit("slow", [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, 10s, [&] { return release; });
  });
  queue.Submit("quick", [] {});
  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return idles >= 1; }));
    release = true;
    cv.notify_all();
  }
  queue.Drain();
}

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  using Clock = TokenBucket::Clock;
  Clock::time_point t0 = Clock::now();
  TokenBucket bucket(/*rate=*/10, /*burst=*/3);
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_FALSE(bucket.TryTake(t0));
  EXPECT_EQ(bucket.NextToken(t0), t0 + 100ms);
  EXPECT_FALSE(bucket.TryTake(t0 + 50ms));
  EXPECT_TRUE(bucket.TryTake(t0 + 100ms));
  EXPECT_FALSE(bucket.TryTake(t0 + 100ms));
  // A long pause refills only up to the burst.
  Clock::time_point later = t0 + 1h;
  int taken = 0;
  while (bucket.TryTake(later)) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.CountRequest(Route::kInbound, 200);
  m.CountRequest(Route::kInbound, 200);
  m.CountRequest(Route::kInbound, 403);
  m.CountRequest(Route::kOther, 418);
  m.CountTurn(700us);
  m.CountTurn(30ms);
  m.CountDuplicate();
  m.CountSignatureFailure();
  m.CountSend(SendOutcomeKind::kSent);
  m.CountSend(SendOutcomeKind::kRetry);
  std::string text = m.Render(5);
  const char* kLines[] = {
      "botrunner_http_requests_total{route=\"inbound\",status=\"200\"} 2\n",
      "botrunner_http_requests_total{route=\"inbound\",status=\"403\"} 1\n",
      "botrunner_http_requests_total{route=\"other\",status=\"other\"} 1\n",
      "botrunner_turns_total 2\n",
      "botrunner_turn_latency_seconds_bucket{le=\"0.0005\"} 0\n",
      "botrunner_turn_latency_seconds_bucket{le=\"0.001\"} 1\n",
      "botrunner_turn_latency_seconds_bucket{le=\"0.025\"} 1\n",
      "botrunner_turn_latency_seconds_bucket{le=\"0.05\"} 2\n",
      "botrunner_turn_latency_seconds_bucket{le=\"+Inf\"} 2\n",
      "botrunner_turn_latency_seconds_count 2\n",
      "botrunner_outbox_depth 5\n",
      "botrunner_sends_total{outcome=\"sent\"} 1\n",
      "botrunner_sends_total{outcome=\"retry\"} 1\n",
      "botrunner_duplicates_dropped_total 1\n",
      "botrunner_signature_failures_total 1\n",
      "# TYPE botrunner_turn_latency_seconds histogram\n",
  };
  for (const char* line : kLines) EXPECT_NE(text.find(line), std::string::npos) << line << text;
  EXPECT_EQ(m.Render(-1).find("botrunner_outbox_depth"), std::string::npos);
}

}  // namespace
}  // namespace runner
