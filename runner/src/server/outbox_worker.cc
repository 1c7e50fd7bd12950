// Outbox dispatch and sending. The store is the source of truth: the worker keeps only what is
// in flight, so a restart simply polls again (a message being sent when the process died is
// sent again: see docs/runner.md, "the one duplicate-send window").
#include "server/outbox_worker.h"

#include <algorithm>
#include <random>

#include "bot/twilio.h"

namespace runner {

OutboxWorker::OutboxWorker(bot::Store* store, const bot::Clock* clock, Metrics* metrics,
                           const Logger* log, std::map<std::string, OutboxRoute> routes,
                           OutboxOptions options)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      log_(log),
      routes_(std::move(routes)),
      options_(std::move(options)) {}

OutboxWorker::~OutboxWorker() { Stop(); }

void OutboxWorker::Start() {
  {
    // The backlog of a restart is read before any turn can hand its replies over, so that
    // none overtakes an older message of its recipient.
    std::unique_lock<std::mutex> lock(mu_);
    Poll(lock);
  }
  dispatcher_ = std::thread([this] { DispatchLoop(); });
}

void OutboxWorker::TurnStarted(const std::string& channel, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  in_turn_.insert(channel + '\n' + to);
}

void OutboxWorker::TurnEnded(const std::string& channel, const std::string& to,
                             std::vector<bot::OutboundMessage> replies,
                             bot::TimePoint last_inbound_at) {
  std::string recipient = channel + '\n' + to;
  bool skipped = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_turn_.erase(recipient);
    for (const bot::OutboundMessage& m : replies) handed_over_[recipient].insert(m.id);
    skipped = deferred_recipients_.contains(recipient);  // a poll skipped its messages
    if (skipped) poll_now_ = true;
  }
  if (skipped) dispatch_cv_.notify_one();
  if (replies.empty()) return;
  store_->WhenDurable([this, replies = std::move(replies), recipient = std::move(recipient),
                       last_inbound_at](const bot::Status& durable) mutable {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (bot::OutboundMessage& m : replies) {
        if (durable.ok() && !stopping_) {
          durable_.push_back(Job{std::move(m), recipient, last_inbound_at});
        } else {
          TakeHandedOver(recipient, m.id);  // never stored, or left pending for the next start
        }
      }
      dispatch_cv_.notify_one();  // under the lock, as in Begin
    }
  });
}

void OutboxWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poll_now_ = true;
  }
  dispatch_cv_.notify_one();
}

void OutboxWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  dispatch_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
}

void OutboxWorker::DispatchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    dispatch_cv_.wait_until(lock, next_poll_, [&] {
      return poll_now_ || !durable_.empty() || !finished_.empty() || CanStartSend() || stopping_;
    });
    if (stopping_) break;
    if (!finished_.empty()) RecordFinished(lock);
    if (!durable_.empty()) SendDurable();
    if (poll_now_ || std::chrono::steady_clock::now() >= next_poll_) Poll(lock);
    StartSends(lock);
  }
  // Queued jobs stay pending in the store for the next start (or, claimed, are handed back to
  // the other processes); the sends in flight finish and are recorded.
  if (options_.claims && !jobs_.empty()) {
    std::vector<int64_t> queued;
    for (const Job& job : jobs_) queued.push_back(job.message.id);
    lock.unlock();
    HandBack(queued);
    lock.lock();
  }
  while (Sending() > 0) {
    dispatch_cv_.wait(lock, [this] { return !finished_.empty(); });
    RecordFinished(lock);
  }
}

void OutboxWorker::SendDurable() {
  const bot::TimePoint now = clock_->Now();
  const auto steady_now = std::chrono::steady_clock::now();
  std::set<std::string> throttled;
  for (Job& job : durable_) {
    // An older message goes first: its report is late (and brings a poll), or the backlog is not
    // read yet (and polls follow each other until it is). This one waits for a poll.
    if (TakeHandedOver(job.recipient, job.message.id) || backlog_unread_) {
      deferred_recipients_.insert(job.recipient);
    } else if (!Dispatch(job, now, steady_now, throttled) &&
               !busy_recipients_.contains(job.recipient) && !in_turn_.contains(job.recipient)) {
      poll_now_ = true;  // it waits behind a message only a poll finds: poll now
    }
  }
  durable_.clear();
}

void OutboxWorker::Poll(std::unique_lock<std::mutex>& lock) {
  poll_now_ = false;
  finished_since_poll_.clear();
  // This poll reads, in order, the messages of every recipient now free: Dispatch marks again
  // the ones that must wait.
  std::erase_if(deferred_recipients_, [this](const std::string& recipient) {
    return !busy_recipients_.contains(recipient) && !in_turn_.contains(recipient);
  });
  lock.unlock();
  const bot::TimePoint now = clock_->Now();
  bot::Result<std::vector<bot::OutboundMessage>> due = store_->DueOutbound(now, options_.batch);
  const auto steady_now = std::chrono::steady_clock::now();
  lock.lock();
  next_poll_ = steady_now + options_.poll;
  if (!due.ok()) {
    log_->Error("outbox: cannot read due messages: {}", due.status().ToString());
    return;
  }
  // More are waiting than one poll reads, of any recipient: until a poll reads them all, the
  // replies of turns wait for polls too, so that none overtakes an older message.
  backlog_unread_ = due->size() >= static_cast<size_t>(options_.batch);
  if (backlog_unread_) poll_now_ = true;
  std::set<std::string> throttled;  // bot numbers out of tokens this round
  std::vector<int64_t> unsent;      // claimed rows this poll does not send now
  for (bot::OutboundMessage& m : *due) {
    if (in_flight_.contains(m.id)) continue;
    if (finished_since_poll_.contains(m.id)) {
      if (options_.claims) unsent.push_back(m.id);
      continue;
    }
    std::string recipient = m.channel + '\n' + m.to;
    if (auto handed = handed_over_.find(recipient);
        handed != handed_over_.end() && handed->second.contains(m.id)) {
      deferred_recipients_.insert(recipient);  // the handover sends it; the later ones wait
      continue;
    }
    const int64_t id = m.id;
    Job job{std::move(m), std::move(recipient), std::nullopt};
    if (!Dispatch(job, now, steady_now, throttled) && options_.claims) unsent.push_back(id);
  }
  if (!unsent.empty()) {
    lock.unlock();
    HandBack(unsent);
    lock.lock();
  }
}

void OutboxWorker::HandBack(const std::vector<int64_t>& ids) {
  if (bot::Status s = store_->ReleaseOutbound(ids); !s.ok()) {
    log_->Error("outbox: cannot hand back {} claimed message(s): {}", ids.size(), s.ToString());
  }
}

bool OutboxWorker::TakeHandedOver(const std::string& recipient, int64_t id) {
  auto handed = handed_over_.find(recipient);
  if (handed == handed_over_.end()) return false;
  handed->second.erase(id);
  const bool older_left = !handed->second.empty() && *handed->second.begin() < id;
  if (handed->second.empty()) handed_over_.erase(handed);
  return older_left;
}

bool OutboxWorker::Dispatch(Job& job, bot::TimePoint now,
                            std::chrono::steady_clock::time_point steady_now,
                            std::set<std::string>& throttled) {
  // A message that must wait is left in the store, and its recipient marked: every later
  // message of the recipient waits too (even one handed over), until a poll reads them in order.
  const auto wait = [&] {
    deferred_recipients_.insert(job.recipient);
    return false;
  };
  if (busy_recipients_.contains(job.recipient) || in_turn_.contains(job.recipient) ||
      deferred_recipients_.contains(job.recipient)) {
    return wait();  // polled again when the message in flight or the turn is done
  }
  if (auto held = held_.find(job.recipient); held != held_.end()) {
    if (held->second > now) return wait();  // a retry: the poll after its time sends it first
    held_.erase(held);
  }
  const std::string& number = job.message.channel;
  if (throttled.contains(number)) return wait();
  auto bucket = buckets_.try_emplace(number, options_.rate_per_sender,
                                     std::max(1.0, options_.rate_per_sender)).first;
  if (!bucket->second.TryTake(steady_now)) {
    // Every later message of this number waits too, so no part overtakes an earlier one.
    throttled.insert(number);
    next_poll_ = std::min(next_poll_, bucket->second.NextToken(steady_now));
    return wait();
  }
  in_flight_.insert(job.message.id);
  busy_recipients_.insert(job.recipient);
  jobs_.push_back(std::move(job));
  return true;
}

void OutboxWorker::StartSends(std::unique_lock<std::mutex>& lock) {
  while (CanStartSend()) {
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    std::optional<bot::TimePoint> hold;
    const bool started = Begin(job, &hold);
    lock.lock();
    if (!started) Done(job, hold);
  }
}

void OutboxWorker::RecordFinished(std::unique_lock<std::mutex>& lock) {
  std::deque<std::pair<Job, bot::SendOutcome>> finished;
  finished.swap(finished_);
  lock.unlock();
  std::vector<std::optional<bot::TimePoint>> holds;
  holds.reserve(finished.size());
  for (const auto& [job, outcome] : finished) holds.push_back(Record(job, outcome));
  lock.lock();
  for (size_t i = 0; i < finished.size(); ++i) Done(finished[i].first, holds[i]);
  if (in_flight_.empty()) {
    // The last send in flight: make its outcome durable now rather than at the next poll or
    // turn (group commit), so a restart does not send it again.
    lock.unlock();
    static_cast<void>(store_->Flush());
    lock.lock();
  }
}

void OutboxWorker::Done(const Job& job, std::optional<bot::TimePoint> hold) {
  in_flight_.erase(job.message.id);
  finished_since_poll_.insert(job.message.id);
  busy_recipients_.erase(job.recipient);
  if (hold) held_[job.recipient] = *hold;
  // The recipient's next part is due (or its retry needs scheduling). With claims, only a poll
  // after this one is recorded can return it.
  if (deferred_recipients_.contains(job.recipient) || hold || options_.claims) poll_now_ = true;
}

std::chrono::milliseconds OutboxWorker::RetryDelay(int attempts, const bot::SendOutcome& outcome) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  std::chrono::milliseconds delay =
      bot::BackoffDelay(attempts, options_.backoff_base, options_.backoff_cap, u);
  if (outcome.retry_after) delay = std::max(delay, *outcome.retry_after);
  return delay;
}

bool OutboxWorker::Begin(const Job& job, std::optional<bot::TimePoint>* hold) {
  const bot::OutboundMessage& m = job.message;
  auto route = routes_.find(m.channel);
  if (route == routes_.end() || route->second.sender == nullptr) {
    metrics_->CountSend(SendOutcomeKind::kNotSendable);
    log_->Warn("outbox: message {} to {}: no REST account for {}", m.id, MaskAddress(m.to),
               m.channel);
    bot::Status s = store_->MarkOutboundFailed(m.id, "not_sendable", "",
                                               "no REST account configured for " + m.channel);
    if (!s.ok()) log_->Error("outbox: {}", s.ToString());
    return false;
  }
  bot::SendRequest request;
  request.account = route->second.account_sid;
  request.from = m.channel;
  request.to = m.to;
  request.status_callback = options_.status_callback;

  // WhatsApp's customer-service window: free text only within 24 h of the user's last message.
  const bot::TimePoint now = clock_->Now();
  std::optional<bot::TimePoint> last_inbound_at = job.last_inbound_at;
  if (!last_inbound_at) {
    bot::Result<std::optional<bot::Contact>> contact = store_->FindContact(m.channel, m.to);
    if (!contact.ok()) {
      log_->Error("outbox: {}", contact.status().ToString());
      *hold = now + options_.backoff_base;  // the store is struggling: try again shortly
      return false;
    }
    if (contact->has_value()) last_inbound_at = (*contact)->last_inbound_at;
  }
  bool in_window = last_inbound_at && now - *last_inbound_at <= options_.window;
  if (!m.content_sid.empty()) {
    // A message that is a template of its own (a loan reminder) goes as that template, in the
    // window or not.
    request.content_sid = m.content_sid;
    request.content_variables = m.content_variables;
    metrics_->CountSend(SendOutcomeKind::kTemplate);
  } else if (in_window) {
    request.text = m.text;
  } else if (route->second.template_message) {
    request.content_sid = route->second.template_message->content_sid;
    request.content_variables = route->second.template_message->content_variables;
    metrics_->CountSend(SendOutcomeKind::kTemplate);
  } else {
    metrics_->CountSend(SendOutcomeKind::kNotSendable);
    bot::Status s = store_->MarkOutboundFailed(
        m.id, "not_sendable", "", "outside the 24 h window and no template configured");
    if (!s.ok()) log_->Error("outbox: {}", s.ToString());
    return false;
  }

  // The outcome is recorded by the dispatcher: the sender's thread carries every send in flight
  // and must not wait on the store.
  route->second.sender->Send(std::move(request), [this, job](bot::SendOutcome outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    finished_.emplace_back(job, std::move(outcome));
    // Under the lock: once the dispatcher has recorded the last send, Stop() may return and
    // the worker be destroyed, and this thread must no longer touch it.
    dispatch_cv_.notify_one();
  });
  return true;
}

std::optional<bot::TimePoint> OutboxWorker::Record(const Job& job,
                                                   const bot::SendOutcome& outcome) {
  const bot::OutboundMessage& m = job.message;
  const bot::TimePoint now = clock_->Now();
  bot::Status s;
  std::optional<bot::TimePoint> hold;
  switch (outcome.kind) {
    case bot::SendOutcome::Kind::kSent:
      metrics_->CountSend(SendOutcomeKind::kSent);
      s = store_->MarkOutboundSent(m.id, outcome.provider_id, now);
      break;
    case bot::SendOutcome::Kind::kRetry:
      metrics_->CountSend(SendOutcomeKind::kRetry);
      if (m.attempts + 1 >= options_.max_attempts) {
        log_->Warn("outbox: message {} to {} failed after {} attempts: {}", m.id, MaskAddress(m.to),
                   m.attempts + 1, outcome.error);
        s = store_->MarkOutboundFailed(m.id, "failed", outcome.error_code,
                                       "gave up after retries: " + outcome.error);
        break;
      }
      hold = now + RetryDelay(m.attempts, outcome);
      s = store_->MarkOutboundRetry(m.id, *hold, outcome.error);
      break;
    case bot::SendOutcome::Kind::kPermanent:
      metrics_->CountSend(SendOutcomeKind::kPermanent);
      log_->Warn("outbox: message {} to {} failed permanently: {} {}", m.id, MaskAddress(m.to),
                 outcome.error_code, outcome.error);
      s = store_->MarkOutboundFailed(m.id, "failed", outcome.error_code, outcome.error);
      break;
  }
  if (!s.ok()) log_->Error("outbox: recording message {}: {}", m.id, s.ToString());
  return hold;
}

}  // namespace runner
