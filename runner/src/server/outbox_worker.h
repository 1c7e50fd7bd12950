// The outbox worker: sends the replies turns committed to the store's outbox.
//
// The replies of a live turn are handed over (TurnStarted, TurnEnded) and leave as soon as the
// store says they are durable, without reading the store again. Everything else (a restart's
// backlog, retries, the later parts of a reply) is found by polling Store::DueOutbound: at
// Start(), every `poll`, and at once after Wake() or when a recipient's earlier message is done.
// A dispatcher thread starts up to `concurrent_sends` sends at once through the number's
// ChannelSender (asynchronous: a slow API holds sockets, not threads) and records each outcome:
// sent, retry later (exponential backoff with full jitter, or the peer's Retry-After), or failed
// with the provider's code. The dispatcher is the only thread that writes the outcomes.
//
// Order: a recipient has at most one message in flight, and a message that must wait (behind
// one in flight, a retry, a turn in progress or the rate limit) is left in the store with its
// recipient marked; the recipient's later messages, handed over or not, then wait for a poll,
// which reads them in order. Each bot number is limited to `rate_per_sender` messages per
// second. The 24-hour window: a contact whose last inbound message is older than 24 h gets the
// number's template, or the message is marked not_sendable.
//
// Thread-safe. Stop() waits for the sends in progress and records their outcome.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bot/channel.h"
#include "bot/clock.h"
#include "bot/store.h"
#include "config/config.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/token_bucket.h"

namespace runner {

// Where the messages of one bot number go out.
struct OutboxRoute {
  bot::ChannelSender* sender = nullptr;  // not owned
  std::string account_sid;
  std::optional<TemplateConfig> template_message;
};

struct OutboxOptions {
  double rate_per_sender = 80;
  int concurrent_sends = 32;  // sends in flight at once, over all numbers
  std::chrono::milliseconds poll{1000};
  std::string status_callback;  // public URL of the status webhook; "" = none
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{60000};
  int max_attempts = 12;  // then the message is failed
  std::chrono::hours window{24};
  int batch = 256;  // messages fetched per poll
  // The store claims the rows DueOutbound returns (PostgreSQL with an outbox lease and one
  // message per contact at a time, other processes sharing the database): the rows a poll does
  // not send now are handed back (Store::ReleaseOutbound), and every recorded send polls again
  // for its contact's next message. Turns then hand nothing over.
  bool claims = false;
};

class OutboxWorker {
 public:
  // `store`, `clock`, `metrics`, `log` and the routes' senders must outlive the worker.
  // `routes` maps a bot address (OutboundMessage::channel) to its sender.
  OutboxWorker(bot::Store* store, const bot::Clock* clock, Metrics* metrics, const Logger* log,
               std::map<std::string, OutboxRoute> routes, OutboxOptions options);
  ~OutboxWorker();  // Stop()s

  void Start();
  // A turn answering `to` through the bot number `channel` is about to run. Until TurnEnded, no
  // poll sends that recipient's messages, so the turn's replies are the handover's alone.
  void TurnStarted(const std::string& channel, const std::string& to);
  // The turn is over. `replies`: the outbox rows it committed (maybe still in the store's open
  // group; none if it failed), answering a message received at `last_inbound_at`. They are sent
  // once durable, never if the group fails.
  void TurnEnded(const std::string& channel, const std::string& to,
                 std::vector<bot::OutboundMessage> replies, bot::TimePoint last_inbound_at);
  // Something was committed to the outbox: poll now.
  void Wake();
  // Stops dispatching; sends in progress finish and are recorded. Idempotent.
  void Stop();

 private:
  struct Job {
    bot::OutboundMessage message;
    std::string recipient;  // channel + '\n' + to
    // Set for a turn's replies (TurnEnded): the 24-hour window needs no store read.
    std::optional<bot::TimePoint> last_inbound_at;
  };

  void DispatchLoop();
  // Queues the replies of turns reported durable (durable_), each unless it must wait.
  void SendDurable();
  // Reads the due messages and queues those that may leave now. Called with `lock` (of mu_)
  // held; releases it while reading.
  void Poll(std::unique_lock<std::mutex>& lock);
  // Hands claimed rows back to the store (options_.claims), logging a failure.
  void HandBack(const std::vector<int64_t>& ids);
  // Forgets the handed-over `id`; returns true if an older message of `recipient` is still
  // handed over.
  bool TakeHandedOver(const std::string& recipient, int64_t id);
  // Queues `job` for sending, unless its recipient is busy, in a turn or held back, or its
  // number out of tokens: then the job is dropped and found again by a later poll. Returns true
  // if queued.
  bool Dispatch(Job& job, bot::TimePoint now, std::chrono::steady_clock::time_point steady_now,
                std::set<std::string>& throttled);
  // Sends started and not yet recorded: the ids in flight that are no longer queued. Called
  // with mu_ held.
  size_t Sending() const { return in_flight_.size() - jobs_.size(); }
  // A job is queued and fewer than concurrent_sends are sending. Called with mu_ held.
  bool CanStartSend() const {
    return !jobs_.empty() && Sending() < static_cast<size_t>(options_.concurrent_sends);
  }
  // Starts queued jobs while fewer than concurrent_sends are in flight. Called with `lock`
  // held; releases it around each start.
  void StartSends(std::unique_lock<std::mutex>& lock);
  // Starts sending `job`, whose outcome arrives in finished_; or, when it cannot leave (no
  // route, outside the 24-hour window without a template, the store failing), records that at
  // once, sets `hold` (see Record) and returns false.
  bool Begin(const Job& job, std::optional<bot::TimePoint>* hold);
  // Records the outcomes in finished_ and frees their recipients. Called with `lock` held;
  // releases it while writing to the store.
  void RecordFinished(std::unique_lock<std::mutex>& lock);
  // Records one send's outcome in the store. Returns the time before which the recipient's
  // later messages must wait (a retry), if any.
  std::optional<bot::TimePoint> Record(const Job& job, const bot::SendOutcome& outcome);
  // The job's send is over and recorded: frees its recipient. Called with mu_ held.
  void Done(const Job& job, std::optional<bot::TimePoint> hold);
  std::chrono::milliseconds RetryDelay(int attempts, const bot::SendOutcome& outcome);

  bot::Store* store_;
  const bot::Clock* clock_;
  Metrics* metrics_;
  const Logger* log_;
  std::map<std::string, OutboxRoute> routes_;
  OutboxOptions options_;

  std::mutex mu_;
  std::condition_variable dispatch_cv_;
  bool poll_now_ = false;                             // Guarded by mu_
  std::chrono::steady_clock::time_point next_poll_;   // Guarded by mu_
  bool backlog_unread_ = false;  // Guarded by mu_; the last poll read a full batch
  bool stopping_ = false;                             // Guarded by mu_
  std::unordered_set<std::string> in_turn_;           // Guarded by mu_; recipients in a turn
  // Ids handed over by TurnEnded and not yet taken by the dispatcher, per recipient. Their
  // durability is reported by callbacks that may run out of order (each on the thread that
  // committed its group): a message waits while an older one of its recipient is here.
  std::unordered_map<std::string, std::set<int64_t>> handed_over_;  // Guarded by mu_
  std::deque<Job> durable_;                           // Guarded by mu_; handed over, durable
  std::deque<Job> jobs_;                              // Guarded by mu_; waiting for a send slot
  // Sends whose outcome arrived (on the sender's thread) and is not recorded yet.
  std::deque<std::pair<Job, bot::SendOutcome>> finished_;  // Guarded by mu_
  std::unordered_set<int64_t> in_flight_;             // Guarded by mu_; ids queued or sending
  std::unordered_set<int64_t> finished_since_poll_;   // Guarded by mu_
  std::unordered_set<std::string> busy_recipients_;   // Guarded by mu_
  // Recipients with a due message the last poll skipped because another was in flight: when
  // that one finishes, the dispatcher polls again (and only then: a poll commits the store's
  // group, so polling after every send would cost a commit per message).
  std::unordered_set<std::string> deferred_recipients_;  // Guarded by mu_
  std::unordered_map<std::string, bot::TimePoint> held_;  // Guarded by mu_; retry hold-backs
  std::map<std::string, TokenBucket> buckets_;        // dispatcher thread only
  std::thread dispatcher_;
};

}  // namespace runner
