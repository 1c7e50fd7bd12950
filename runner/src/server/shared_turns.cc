// Turns on a database other botrunner processes share (PostgreSQL): any process may accept a
// conversation's message, and the one that holds the conversation (Store::TryHoldConversation,
// a session advisory lock) runs every accepted message of it, oldest first, one at a time. A
// process that cannot take the hold leaves its message to the holder, which looks again after
// letting go, so no message is stranded; a holder that dies loses the hold with its connection,
// and the orphan sweep (Server) of a live process runs what it left.
//
// In twiml mode a message should be run by the process that received it, which answers the
// webhook with its replies: when the hold is taken (the previous turn's process has not let go
// yet), that process tries again every kHoldRetry for up to kHoldWait, and a holder that finds
// such a message after letting go looks again only kLookAgainAfter later, once the receiving
// process has had its chance.
#include <algorithm>
#include <chrono>
#include <optional>

#include "server/webhook_handler.h"

namespace runner {
namespace {

constexpr std::chrono::milliseconds kHoldRetry{2};
constexpr std::chrono::milliseconds kHoldWait{200};
constexpr std::chrono::milliseconds kLookAgainAfter{300};

}  // namespace

struct WebhookHandler::SharedDrain {
  int64_t id = 0;  // the message this drain was started for; 0 for a look-again
  std::string channel, from;
  bot::ReplyModeFn mode;  // for `id`; the others go to the outbox (or are kept inline)
  std::function<void(const bot::Result<bot::TurnResult>&)> then;  // for `id`
  bool then_called = false;
  WorkQueue::Done lane_done;
  int64_t contact_id = 0;
  std::vector<int64_t> tried;  // ids run (or failed) by this drain: never run twice by it
  // twiml mode: until when it tries again to take a hold another process has (kHoldWait).
  std::optional<std::chrono::steady_clock::time_point> wait_for_hold_until;
};

void WebhookHandler::SubmitSharedTurns(
    int64_t id, const std::string& channel, const std::string& from, bot::ReplyModeFn mode,
    std::function<void(const bot::Result<bot::TurnResult>&)> then) {
  auto drain = std::make_shared<SharedDrain>();
  drain->id = id;
  drain->channel = channel;
  drain->from = from;
  drain->mode = std::move(mode);
  drain->then = std::move(then);
  {
    std::lock_guard<std::mutex> lock(queued_mu_);
    ++queued_here_[id];
  }
  queue_->SubmitAsync(TurnLane(channel, from), [this, drain](WorkQueue::Done lane_done) {
    drain->lane_done = std::move(lane_done);
    RunSharedTurns(drain);
  });
}

void WebhookHandler::RunSharedTurns(std::shared_ptr<SharedDrain> drain) {
  {
    std::lock_guard<std::mutex> lock(queued_mu_);
    if (auto it = queued_here_.find(drain->id); it != queued_here_.end() && --it->second == 0) {
      queued_here_.erase(it);
    }
  }
  bot::Result<std::optional<bot::Contact>> contact =
      bot_->store().FindContact(drain->channel, drain->from);
  if (!contact.ok() || !contact->has_value()) {
    if (drain->then) {
      drain->then(contact.ok() ? bot::NotFound("no contact " + MaskAddress(drain->from))
                               : contact.status());
    }
    drain->then_called = true;
    drain->lane_done();
    return;
  }
  drain->contact_id = (*contact)->id;
  HoldAndDrain(std::move(drain));
}

void WebhookHandler::HoldAndDrain(std::shared_ptr<SharedDrain> drain) {
  bot::Store& store = bot_->store();
  bot::Result<bool> held = store.TryHoldConversation(drain->contact_id);
  if (held.ok() && !*held && drain->id != 0 && config_->reply_mode == ReplyChannel::kTwiml) {
    // Its webhook waits for the answer: wait a little for the hold (the lane stays taken).
    const auto now = std::chrono::steady_clock::now();
    if (!drain->wait_for_hold_until) drain->wait_for_hold_until = now + kHoldWait;
    if (now < *drain->wait_for_hold_until) {
      later_->RunAfter(kHoldRetry,
                      [this, drain] { queue_->Post([this, drain] { HoldAndDrain(drain); }); });
      return;
    }
  }
  if (!held.ok() || !*held) {
    if (!held.ok()) log_->Error("turns: cannot hold a conversation: {}", held.status().ToString());
    FinishDrain(std::move(drain));  // the holder runs what is pending
    return;
  }
  bot::Result<std::vector<int64_t>> pending = store.UnprocessedInboundOf(drain->contact_id);
  std::vector<int64_t> ids;
  if (pending.ok()) {
    ids = Runnable(*drain, *pending);
  } else {
    log_->Error("turns: cannot read a conversation's messages: {}", pending.status().ToString());
  }
  DrainNext(std::move(drain), std::move(ids), 0);
}

std::vector<int64_t> WebhookHandler::Runnable(const SharedDrain& drain,
                                              const std::vector<int64_t>& pending) {
  std::vector<int64_t> ids;
  std::lock_guard<std::mutex> lock(queued_mu_);
  const bool accepting = accepting_.contains(TurnLane(drain.channel, drain.from));
  for (int64_t id : pending) {
    if (std::ranges::find(drain.tried, id) != drain.tried.end()) continue;
    if (id != drain.id && (accepting || queued_here_.contains(id))) break;
    ids.push_back(id);
  }
  return ids;
}

void WebhookHandler::Accepting(const std::string& channel, const std::string& from, int delta) {
  const std::string lane = TurnLane(channel, from);
  std::lock_guard<std::mutex> lock(queued_mu_);
  if ((accepting_[lane] += delta) <= 0) accepting_.erase(lane);
}

void WebhookHandler::DrainNext(std::shared_ptr<SharedDrain> drain, std::vector<int64_t> ids,
                               size_t next) {
  bot::Store& store = bot_->store();
  if (next == ids.size()) {
    if (bot::Status s = store.ReleaseConversation(drain->contact_id); !s.ok()) {
      log_->Error("turns: cannot let a conversation go: {}", s.ToString());
    }
    // A message another process accepted while this one held the conversation was left here:
    // look again, now that the hold is free for it too.
    bot::Result<std::vector<int64_t>> pending = store.UnprocessedInboundOf(drain->contact_id);
    if (!pending.ok() || Runnable(*drain, *pending).empty()) {
      FinishDrain(std::move(drain));
    } else if (config_->reply_mode == ReplyChannel::kTwiml) {
      // The process that received it is probably waiting for the hold to answer its webhook.
      LookAgainLater(*drain);
      FinishDrain(std::move(drain));
    } else {
      HoldAndDrain(std::move(drain));
    }
    return;
  }
  const int64_t id = ids[next];
  drain->tried.push_back(id);
  bot::ReplyModeFn mode = drain->mode;
  if (id != drain->id) {
    const NumberConfig* number = config_->FindNumber(drain->channel);
    const bool can_send = number != nullptr && !number->account.empty();
    mode = [can_send] { return can_send ? bot::ReplyMode::kOutbox : bot::ReplyMode::kInline; };
  }
  bot::Executor on_workers = [this](std::function<void()> job) {
    queue_->PostLater(std::move(job));
  };
  bot_->ProcessAsync(id, std::move(mode), std::move(on_workers),
                     [this, drain, ids = std::move(ids), next,
                      id](const bot::Result<bot::TurnResult>& turn) mutable {
                       if (!turn.ok() && id != drain->id) {
                         log_->Error("turns: message {}: {}", id, turn.status().ToString());
                         metrics_->CountTurnError();
                       }
                       if (const bot::TurnResult* ran = turn.ok() ? &*turn : nullptr;
                           ran && !ran->duplicate) {
                         if (outbox_ != nullptr && !ran->outbound_ids.empty()) outbox_->Wake();
                         if (turn_observer_) turn_observer_(drain->channel, drain->from, *ran);
                       }
                       if (id == drain->id) {
                         if (drain->then) drain->then(turn);
                         drain->then_called = true;
                       }
                       DrainNext(std::move(drain), std::move(ids), next + 1);
                     });
}

void WebhookHandler::LookAgainLater(const SharedDrain& finished) {
  auto again = std::make_shared<SharedDrain>();
  again->channel = finished.channel;
  again->from = finished.from;
  again->contact_id = finished.contact_id;
  later_->RunAfter(kLookAgainAfter, [this, again] {
    queue_->SubmitAsync(TurnLane(again->channel, again->from),
                        [this, again](WorkQueue::Done lane_done) {
                          again->lane_done = std::move(lane_done);
                          bot::Result<std::vector<int64_t>> pending =
                              bot_->store().UnprocessedInboundOf(again->contact_id);
                          if (pending.ok() && !Runnable(*again, *pending).empty()) {
                            HoldAndDrain(again);
                          } else {
                            FinishDrain(again);
                          }
                        });
  });
}

void WebhookHandler::FinishDrain(std::shared_ptr<SharedDrain> drain) {
  if (!drain->then_called && drain->then) {
    drain->then(bot::Status(bot::StatusCode::kAlreadyExists,
                            "message " + std::to_string(drain->id) +
                                " is run by the process holding its conversation"));
  }
  drain->then_called = true;
  drain->lane_done();
}

}  // namespace runner
