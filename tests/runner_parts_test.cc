// botrunner's building blocks: the per-conversation work queue, the token bucket, the outbox
// worker and the Prometheus metrics text.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/clock.h"
#include "bot/store.h"
#include "bot/testing/fake_sender.h"
#include "bot/testing/memory_store.h"
#include "bot/twilio.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/outbox_worker.h"
#include "server/token_bucket.h"
#include "server/work_queue.h"
#include "support/fake_twilio.h"

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

#ifdef __linux__
// Woken by the HTTP thread, a worker must not preempt it on a busy core (docs/performance.md,
// session 8): the workers are batch threads, and only they are.
TEST(WorkQueue, WorkersAreBatchThreads) {
  std::atomic<int> policy{-1};
  WorkQueue queue(1);
  queue.Submit("k", [&] { policy = sched_getscheduler(0); });
  queue.Drain();
  EXPECT_EQ(policy.load(), SCHED_BATCH);
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}
#endif

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

// The in-memory store, except that WhenDurable's callbacks wait until the test releases them,
// in any order and with any outcome, as when groups are committed on several threads.
class HeldDurabilityStore final : public bot::Store {
 public:
  explicit HeldDurabilityStore(std::unique_ptr<bot::Store> inner) : inner_(std::move(inner)) {}

  void WhenDurable(std::function<void(const bot::Status&)> then) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(then));
  }
  // Runs the `i`th callback registered (from 0).
  void Release(size_t i, const bot::Status& outcome) {
    std::function<void(const bot::Status&)> then;
    {
      std::lock_guard lock(mu_);
      then = std::move(held_.at(i));
    }
    then(outcome);
  }

  bot::Result<bot::Accepted> AcceptInbound(const bot::InboundMessage& m) override {
    return inner_->AcceptInbound(m);
  }
  bot::Result<bot::TurnContext> LoadTurn(int64_t id) override { return inner_->LoadTurn(id); }
  bot::Result<bot::Contact> GetOrCreateContact(const std::string& channel,
                                               const std::string& address) override {
    return inner_->GetOrCreateContact(channel, address);
  }
  bot::Result<std::optional<bot::Session>> LatestSession(int64_t contact_id) override {
    return inner_->LatestSession(contact_id);
  }
  bot::Result<bot::CommittedTurn> CommitTurn(const bot::TurnCommit& turn) override {
    return inner_->CommitTurn(turn);
  }
  bot::Result<std::vector<int64_t>> UnprocessedInbound() override {
    return inner_->UnprocessedInbound();
  }
  bot::Status MarkInboundFailed(int64_t id, const std::string& reason,
                                bot::TimePoint now) override {
    return inner_->MarkInboundFailed(id, reason, now);
  }
  bot::Result<std::vector<bot::OutboundMessage>> DueOutbound(bot::TimePoint now,
                                                             int limit) override {
    return inner_->DueOutbound(now, limit);
  }
  bot::Status MarkOutboundSent(int64_t id, const std::string& provider_id,
                               bot::TimePoint now) override {
    return inner_->MarkOutboundSent(id, provider_id, now);
  }
  bot::Status MarkOutboundRetry(int64_t id, bot::TimePoint next,
                                const std::string& error) override {
    return inner_->MarkOutboundRetry(id, next, error);
  }
  bot::Status MarkOutboundFailed(int64_t id, const std::string& status,
                                 const std::string& error_code,
                                 const std::string& error) override {
    return inner_->MarkOutboundFailed(id, status, error_code, error);
  }
  bot::Status UpdateDeliveryStatus(const std::string& provider_id, const std::string& status,
                                   const std::string& error_code) override {
    return inner_->UpdateDeliveryStatus(provider_id, status, error_code);
  }
  bot::Result<int64_t> OutboxDepth() override { return inner_->OutboxDepth(); }
  bot::Status ReleaseHandoff(int64_t contact_id, bot::TimePoint now) override {
    return inner_->ReleaseHandoff(contact_id, now);
  }
  bot::Result<std::optional<bot::Contact>> FindContact(const std::string& channel,
                                                       const std::string& address) override {
    return inner_->FindContact(channel, address);
  }
  bot::Result<std::vector<bot::StoredRecord>> ListRecords(int64_t id) override {
    return inner_->ListRecords(id);
  }
  bot::Result<std::vector<bot::StoredAudit>> ListAudit(int64_t id) override {
    return inner_->ListAudit(id);
  }
  bot::Result<std::vector<bot::StoredMessage>> ListMessages(int64_t id) override {
    return inner_->ListMessages(id);
  }
  bot::Result<std::vector<bot::StoredDocument>> ListDocuments(int64_t id) override {
    return inner_->ListDocuments(id);
  }
  bot::Result<std::vector<bot::StoredReport>> ListReports(int64_t id) override {
    return inner_->ListReports(id);
  }
  bot::Result<std::vector<bot::StoredEvent>> ListEvents(int64_t id) override {
    return inner_->ListEvents(id);
  }
  bot::Status Ping() override { return inner_->Ping(); }

 private:
  std::unique_ptr<bot::Store> inner_;
  std::mutex mu_;
  std::vector<std::function<void(const bot::Status&)>> held_;  // Guarded by mu_
};

// An outbox worker over the in-memory store and a fake sender. The poll interval is an hour:
// after the first poll at Start(), only what a test hands over (or wakes) is sent.
class OutboxWorkerTest : public ::testing::Test {
 protected:
  static constexpr const char* kBot = "whatsapp:+14155238886";

  OutboxWorkerTest() : store_(bot::testing::NewMemoryStore()), log_(LogLevel::kError) {}

  // Durability reported only when the test says (before Start()).
  HeldDurabilityStore& HoldDurability() {
    auto held = std::make_unique<HeldDurabilityStore>(std::move(store_));
    HeldDurabilityStore& ref = *held;
    store_ = std::move(held);
    return ref;
  }

  void Start(int batch = 256, int concurrent_sends = 32) {
    OutboxRoute route;
    route.sender = route_sender_;
    route.account_sid = route_sender_ == &sender_ ? "AC1" : bot::testing::FakeTwilio::kAccountSid;
    OutboxOptions options;
    options.rate_per_sender = 1000;
    options.poll = 1h;
    options.batch = batch;
    options.concurrent_sends = concurrent_sends;
    outbox_ = std::make_unique<OutboxWorker>(store_.get(), &clock_, &metrics_, &log_,
                                             std::map<std::string, OutboxRoute>{{kBot, route}},
                                             options);
    outbox_->Start();
  }

  // A turn answering `user` with `replies`, handed over to the outbox as botrunner does.
  void Turn(const std::string& user, const std::vector<std::string>& replies) {
    outbox_->TurnStarted(kBot, user);
    std::vector<bot::OutboundMessage> committed = Commit(user, replies);
    outbox_->TurnEnded(kBot, user, std::move(committed), clock_.Now());
  }

  // A message from `user` and a turn answering it with `replies`, committed to the outbox.
  std::vector<bot::OutboundMessage> Commit(const std::string& user,
                                           const std::vector<std::string>& replies) {
    bot::InboundMessage in;
    in.channel = kBot;
    in.from = user;
    in.provider_id = "SM-" + user + "-" + std::to_string(++inbound_);
    in.text = "Hola";
    in.dialog_id = "review_rating";
    in.received_at = clock_.Now();
    bot::Result<bot::Accepted> accepted = store_->AcceptInbound(in);
    EXPECT_TRUE(accepted.ok());
    bot::TurnCommit turn;
    turn.inbound_id = accepted->message_id;
    turn.contact = **store_->FindContact(kBot, user);
    turn.replies = replies;
    turn.now = clock_.Now();
    bot::Result<bot::CommittedTurn> committed = store_->CommitTurn(turn);
    EXPECT_TRUE(committed.ok());
    std::vector<bot::OutboundMessage> out;
    for (size_t i = 0; i < replies.size(); ++i) {
      bot::OutboundMessage& m = out.emplace_back();
      m.id = committed->outbound_ids[i];
      m.channel = kBot;
      m.to = user;
      m.text = replies[i];
    }
    return out;
  }

  // Waits (bounded) until every outbox message is recorded as sent or failed.
  void ExpectOutboxEmpties() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (*store_->OutboxDepth() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(*store_->OutboxDepth(), 0);
  }

  std::vector<std::string> TextsSentTo(const std::string& user) const {
    std::vector<std::string> texts;
    for (const bot::SendRequest& r : sender_.requests()) {
      if (r.to == user) texts.push_back(r.text);
    }
    return texts;
  }

  std::unique_ptr<bot::Store> store_;
  bot::SystemClock clock_;
  Metrics metrics_;
  Logger log_;
  bot::testing::FakeSender sender_;
  bot::ChannelSender* route_sender_ = &sender_;  // what the bot number sends through
  std::unique_ptr<OutboxWorker> outbox_;
  int inbound_ = 0;
};

// The outbox over the real Twilio sender and the fake Twilio API.
class OutboxOverTwilioTest : public OutboxWorkerTest {
 protected:
  OutboxOverTwilioTest() : twilio_sender_(bot::NewTwilioSender(twilio_.account())) {
    route_sender_ = twilio_sender_.get();
  }
  ~OutboxOverTwilioTest() override { outbox_.reset(); }  // before the sender it sends through

  // One reply committed for each of `n` users, left for the first poll.
  void CommitOneReplyEach(int n) {
    for (int i = 0; i < n; ++i) {
      Commit("whatsapp:+5939870" + std::to_string(20000 + i), {"hola"});
    }
  }

  bot::testing::FakeTwilio twilio_;
  std::unique_ptr<bot::ChannelSender> twilio_sender_;
};

TEST_F(OutboxWorkerTest, ATurnsRepliesLeaveWhenHandedOverWithoutWaitingForAPoll) {
  Start();
  const std::string ana = "whatsapp:+593987000001";
  Turn(ana, {"uno", "dos", "tres"});
  // The first part leaves at once; the later parts wait for it, then are found by a poll.
  ASSERT_TRUE(sender_.WaitForSent(3, 5s));
  EXPECT_EQ(TextsSentTo(ana), (std::vector<std::string>{"uno", "dos", "tres"}));
  // Each is recorded as sent just after the sender answers.
  ExpectOutboxEmpties();
}

TEST_F(OutboxWorkerTest, ACommittedReplyNotHandedOverWaitsForAPoll) {
  const std::string ana = "whatsapp:+593987000001";
  const std::string bea = "whatsapp:+593987000002";
  Commit(bea, {"antes"});
  Start();
  ASSERT_TRUE(sender_.WaitForSent(1, 5s));  // the poll at Start() is over
  Commit(ana, {"uno"});
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sender_.request_count(), 1u);  // the next poll is an hour away
  outbox_->Wake();
  ASSERT_TRUE(sender_.WaitForSent(2, 5s));
  EXPECT_EQ(TextsSentTo(ana), std::vector<std::string>{"uno"});
}

// A poll that runs while a turn is committed but not yet handed over sees the turn's replies as
// pending rows. It must leave them to the handover, or they would be sent twice.
TEST_F(OutboxWorkerTest, APollDuringATurnLeavesItsRepliesToTheHandover) {
  Start();
  const std::string ana = "whatsapp:+593987000001";
  const std::string bea = "whatsapp:+593987000002";
  outbox_->TurnStarted(kBot, ana);
  std::vector<bot::OutboundMessage> replies = Commit(ana, {"uno"});
  Commit(bea, {"otra"});  // not handed over: only a poll sends it
  outbox_->Wake();
  ASSERT_TRUE(sender_.WaitForSent(1, 5s));  // a poll ran after both commits
  EXPECT_TRUE(TextsSentTo(ana).empty());
  outbox_->TurnEnded(kBot, ana, std::move(replies), clock_.Now());
  ASSERT_TRUE(sender_.WaitForSent(2, 5s));
  outbox_->Wake();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(TextsSentTo(ana), std::vector<std::string>{"uno"});
  EXPECT_EQ(sender_.request_count(), 2u);
}

// Each group's durability is reported on the thread that committed it, so two turns' reports
// may arrive in the wrong order: the replies still leave in the order of the turns.
TEST_F(OutboxWorkerTest, RepliesLeaveInTurnOrderWhenDurabilityIsReportedOutOfOrder) {
  HeldDurabilityStore& store = HoldDurability();
  Start();
  const std::string ana = "whatsapp:+593987000001";
  Turn(ana, {"uno"});
  Turn(ana, {"dos", "tres"});
  store.Release(1, bot::Status::Ok());  // the second turn's report first
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sender_.request_count(), 0u);
  store.Release(0, bot::Status::Ok());
  ASSERT_TRUE(sender_.WaitForSent(3, 5s));
  EXPECT_EQ(TextsSentTo(ana), (std::vector<std::string>{"uno", "dos", "tres"}));
}

// A restart's backlog larger than one poll reads: a new reply to one of its recipients still
// leaves after that recipient's older messages.
TEST_F(OutboxWorkerTest, ANewReplyWaitsBehindABacklogLargerThanOnePoll) {
  const std::string ana = "whatsapp:+593987000001";
  const std::string bea = "whatsapp:+593987000002";
  Commit(bea, {"b1", "b2"});
  Commit(ana, {"a1", "a2", "a3", "a4"});
  Start(/*batch=*/2);
  Turn(ana, {"a5"});
  ASSERT_TRUE(sender_.WaitForSent(7, 5s));
  EXPECT_EQ(TextsSentTo(ana), (std::vector<std::string>{"a1", "a2", "a3", "a4", "a5"}));
  EXPECT_EQ(TextsSentTo(bea), (std::vector<std::string>{"b1", "b2"}));
}

TEST_F(OutboxWorkerTest, RepliesOfAGroupThatFailedAreNotSent) {
  HeldDurabilityStore& store = HoldDurability();
  // The in-memory store keeps the rows a real one would roll back: a poll would send them. So
  // the test waits for the poll at Start() to be over, and no other poll is due for an hour.
  Commit("whatsapp:+593987000002", {"antes"});
  Start();
  ASSERT_TRUE(sender_.WaitForSent(1, 5s));
  Turn("whatsapp:+593987000001", {"uno"});
  store.Release(0, bot::Unavailable("disk I/O error"));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sender_.request_count(), 1u);
}

TEST_F(OutboxWorkerTest, RepliesHandedOverWhilePollsRunAreEachSentOnceInOrder) {
  Start();
  std::atomic<bool> done{false};
  std::thread poller([&] {
    while (!done) {
      outbox_->Wake();
      std::this_thread::sleep_for(50us);
    }
  });
  constexpr int kUsers = 200;
  for (int i = 0; i < kUsers; ++i) {
    const std::string user = "whatsapp:+5939870" + std::to_string(10000 + i);
    Turn(user, {"a " + user, "b " + user});
  }
  EXPECT_TRUE(sender_.WaitForSent(2 * kUsers, 10s));
  std::this_thread::sleep_for(100ms);
  done = true;
  poller.join();
  EXPECT_EQ(sender_.request_count(), 2u * kUsers);
  for (int i = 0; i < kUsers; ++i) {
    const std::string user = "whatsapp:+5939870" + std::to_string(10000 + i);
    EXPECT_EQ(TextsSentTo(user), (std::vector<std::string>{"a " + user, "b " + user}));
  }
}

TEST_F(OutboxOverTwilioTest, ASlowApiHasAsManySendsInFlightAsConcurrentSendsAllows) {
  // The fake answers none until 16 wait at once: four sender threads would have kept it
  // waiting until its limit, then been answered four at a time.
  twilio_.HoldMessagesUntilWaiting(16, 20s);
  CommitOneReplyEach(16);
  Start(256, 16);
  ASSERT_TRUE(twilio_.WaitForMessages(16, 30s));
  EXPECT_EQ(twilio_.most_waiting(), 16u);
  EXPECT_EQ(twilio_.message_requests(), 16u);  // each sent once, none retried
  ExpectOutboxEmpties();
}

TEST_F(OutboxOverTwilioTest, NoMoreThanConcurrentSendsAreInFlight) {
  // Held until 5 wait at once, which must never happen: the fake gives up after its limit.
  twilio_.HoldMessagesUntilWaiting(5, 300ms);
  CommitOneReplyEach(12);
  Start(256, 4);
  ASSERT_TRUE(twilio_.WaitForMessages(12, 30s));
  EXPECT_EQ(twilio_.most_waiting(), 4u);
  EXPECT_EQ(twilio_.message_requests(), 12u);
  ExpectOutboxEmpties();
}

TEST_F(OutboxOverTwilioTest, StopWaitsForTheSendInFlightAndRecordsIt) {
  // The API holds the answer (it waits for a second request that never comes, then answers):
  // Stop() must not return before that answer is recorded, or the message would stay pending
  // and be sent again after a restart.
  twilio_.HoldMessagesUntilWaiting(2, 500ms);
  CommitOneReplyEach(1);
  Start();
  ASSERT_TRUE(twilio_.WaitForMessages(1, 10s));  // received; its answer is held
  ASSERT_EQ(twilio_.message_requests(), 1u);
  outbox_->Stop();
  EXPECT_EQ(*store_->OutboxDepth(), 0);  // recorded as sent
  EXPECT_EQ(twilio_.message_count(), 1u);
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

TEST(Log, PhonesAndEmailsAreMasked) {
  EXPECT_EQ(MaskAddress("whatsapp:+5215512345678"), "whatsapp:+521******5678");
  EXPECT_EQ(MaskAddress("+593987654321"), "+593*****4321");
  EXPECT_EQ(MaskAddress("whatsapp:+1234"), "whatsapp:+**34");
  EXPECT_EQ(MaskAddress("no digits"), "no digits");
  EXPECT_EQ(MaskEmail("ana.lopez@example.com"), "a***@example.com");
  EXPECT_EQ(MaskEmail("not an email"), "***");
}

TEST(Log, EveryPhoneNumberInALineIsMasked) {
  struct Case {
    const char* text;
    const char* masked;
  };
  const Case kCases[] = {
      {"to whatsapp:+593987654321: 21211 invalid", "to whatsapp:+593*****4321: 21211 invalid"},
      {"'To' +52 1 55 1234 5678 is not valid", "'To' +52 1 ** **** 5678 is not valid"},
      {"+593-98-765-4321 and +5215512345678", "+593-**-***-4321 and +521******5678"},
      {"+1234 (too short), 3 + 4, +15%", "+1234 (too short), 3 + 4, +15%"},
      {"+12345678901234567 is too long", "+12345678901234567 is too long"},
      {"whatsapp:+593*****4321 stays", "whatsapp:+593*****4321 stays"},
  };
  for (const Case& c : kCases) EXPECT_EQ(MaskPhoneNumbers(c.text), c.masked) << c.text;
}

TEST(Log, LinesAreJsonWithTheRequestIdOrPlainText) {
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1787306400123));
  Logger json(LogLevel::kInfo, LogFormat::kJson);
  EXPECT_EQ(json.WithRequest("req-42").Format(LogLevel::kWarn,
                                              "from whatsapp:+593987654321: \"hola\"\n\xff", at),
            "{\"time\":\"2026-08-21T10:00:00.123Z\",\"level\":\"warn\",\"msg\":\"from "
            "whatsapp:+593*****4321: \\\"hola\\\"\\n\\ufffd\",\"request_id\":\"req-42\"}\n");
  EXPECT_EQ(json.Format(LogLevel::kError, "x", at),
            "{\"time\":\"2026-08-21T10:00:00.123Z\",\"level\":\"error\",\"msg\":\"x\"}\n");
  Logger plain(LogLevel::kInfo, LogFormat::kPlain);
  EXPECT_EQ(plain.WithRequest("req-42").Format(LogLevel::kInfo, "+593987654321 ok", at),
            "2026-08-21T10:00:00.123Z INFO [req-42] +593*****4321 ok\n");
  std::vector<std::string> lines;
  Logger captured(LogLevel::kWarn, LogFormat::kJson,
                  [&](std::string_view line) { lines.emplace_back(line); });
  captured.Info("not at this level");
  captured.Warn("n={}", 3);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"msg\":\"n=3\""), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace runner
