// Route handlers. The inbound path is the hot one: parse, verify, hand the message to the
// conversation's lane, and answer as soon as the lane says so (after Accept in rest mode, after
// the turn in twiml mode).
#include "server/webhook_handler.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "bot/text.h"
#include "server/await_work.h"

namespace runner {
namespace {

constexpr std::string_view kXml = "text/xml; charset=utf-8";
constexpr std::string_view kText = "text/plain; charset=utf-8";

const std::string* Param(const bot::FormParams& form, std::string_view name) {
  for (const auto& [key, value] : form) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string ParamOr(const bot::FormParams& form, std::string_view name) {
  const std::string* v = Param(form, name);
  return v ? *v : std::string();
}

std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// The path of a request's target, without the query.
std::string_view PathOf(const Request& request) {
  std::string_view target = Sv(request.target());
  return target.substr(0, target.find('?'));
}

bot::TwilioAccount ToTwilio(const AccountConfig& account) {
  return bot::TwilioAccount{account.sid, account.auth_token, account.api_origin};
}

}  // namespace

// TwiML mode: the webhook is answered once, either by the turn (its replies inline) or, when
// the message is durable and the budget has passed with the turn still running, with an empty
// <Response/>; the turn's replies then go through the outbox.
struct WebhookHandler::TwimlClaim {
  // The turn commits (or failed): true while its replies may still go inline.
  bool TakeForTurn() {
    std::lock_guard<std::mutex> lock(mu);
    if (owner == Owner::kOpen) owner = Owner::kTurn;
    return owner == Owner::kTurn;
  }
  // True when the webhook is to be answered empty now.
  bool BudgetPassed() {
    std::lock_guard<std::mutex> lock(mu);
    budget_passed = true;
    return TakeEmptyLocked();
  }
  bool Durable() {
    std::lock_guard<std::mutex> lock(mu);
    durable = true;
    return TakeEmptyLocked();
  }

 private:
  bool TakeEmptyLocked() {
    if (owner != Owner::kOpen || !durable || !budget_passed) return false;
    owner = Owner::kEmpty;
    return true;
  }
  enum class Owner { kOpen, kTurn, kEmpty };
  std::mutex mu;
  Owner owner = Owner::kOpen;
  bool durable = false;
  bool budget_passed = false;
};

WebhookHandler::WebhookHandler(const Parts& parts)
    : config_(parts.config),
      shared_(parts.config->OnPostgres()),
      ioc_(parts.ioc),
      bot_(parts.bot),
      queue_(parts.queue),
      probes_(parts.probes),
      media_http_(parts.media_http),
      outbox_(parts.outbox),
      metrics_(parts.metrics),
      log_(parts.log),
      providers_(parts.providers),
      empty_twiml_(bot::RenderTwiml({})),
      links_{parts.config->OnPostgres() ? "" : parts.config->database, parts.ioc, parts.queue,
             &parts.bot->clock(), parts.log} {
  if (shared_ && config_->reply_mode == ReplyChannel::kTwiml) {
    later_ = std::make_unique<DelayedJobs>();
  }
}

std::string WebhookHandler::TurnLane(const std::string& channel, const std::string& from) {
  return channel + '\n' + from + "\nturn";
}

Route WebhookHandler::RouteOf(std::string_view path) const {
  if (path == config_->inbound_path) return Route::kInbound;
  if (path == config_->status_path) return Route::kStatus;
  if (path == "/healthz") return Route::kHealth;
  if (path == "/metrics") return Route::kMetrics;
  if (leads_ != nullptr && path == config_->meta_leadgen->path) return Route::kLeadgen;
  if (path.starts_with(kLinkPrefix)) return Route::kLink;
  return Route::kOther;
}

Logger WebhookHandler::RequestLog(const Request& request) const {
  return log_->WithRequest(std::string(Sv(request[kRequestIdHeader])));
}

Response WebhookHandler::Rejected(const Request& request, int status) {
  Route route = RouteOf(PathOf(request));
  metrics_->CountRequest(route, status);
  RequestLog(request).Warn("{} {}: rejected with {} (body over {} bytes)",
                           Sv(request.method_string()), PathOf(request), status,
                           config_->body_limit);
  return MakeResponse(status, std::string(kText),
                      status == 413 ? "request body too large\n" : "bad request\n");
}

asio::awaitable<Response> WebhookHandler::Handle(Request& request) {
  Route route = RouteOf(PathOf(request));
  bool is_post = request.method() == http::verb::post;
  bool is_get = request.method() == http::verb::get || request.method() == http::verb::head;
  // Plain if/else around each co_await: g++ 12 miscompiles co_await inside ?: (double free).
  Response res = MakeResponse(405, std::string(kText), "");
  if (route == Route::kInbound) {
    if (is_post) res = co_await Inbound(request);
  } else if (route == Route::kStatus) {
    if (is_post) res = co_await StatusCallback(request);
  } else if (route == Route::kHealth) {
    if (is_get) res = co_await Health();
  } else if (route == Route::kMetrics) {
    if (is_get) res = co_await MetricsPage();
  } else if (route == Route::kLeadgen) {
    if (is_get || is_post) res = co_await Leadgen(request);
  } else if (route == Route::kLink) {
    if (is_get) res = co_await HandleLinkRedirect(links_, request, PathOf(request));
  } else {
    res = MakeResponse(404, std::string(kText), "not found\n");
  }
  if (res.result_int() == 405) {
    res.set(http::field::allow, route == Route::kInbound || route == Route::kStatus ? "POST"
                                : route == Route::kLeadgen                          ? "GET, POST"
                                                                                    : "GET, HEAD");
  }
  metrics_->CountRequest(route, res.result_int());
  co_return res;
}

asio::awaitable<Response> WebhookHandler::Leadgen(Request& request) {
  if (request.method() != http::verb::post) {
    std::string_view target = Sv(request.target());
    size_t q = target.find('?');
    auto [status, body] = leads_->Verify(q == std::string_view::npos ? "" : target.substr(q + 1));
    co_return MakeResponse(status, std::string(kText), std::move(body));
  }
  auto header = request.find("X-Hub-Signature-256");
  std::string signature = header == request.end() ? "" : std::string(Sv(header->value()));
  // Storing the leads is store work: on a worker, in one lane, never on the I/O thread.
  std::pair<int, std::string> answer = co_await AwaitWork<std::pair<int, std::string>>(
      *ioc_, [this, &request, &signature](std::function<void(std::pair<int, std::string>)> resume) {
        queue_->Submit("leadgen", [this, &request, &signature, resume = std::move(resume)] {
          resume(leads_->Notify(request.body(), signature));
        });
      });
  co_return MakeResponse(answer.first, std::string(kText), std::move(answer.second));
}

bool WebhookHandler::SignatureValid(const Request& request, const bot::FormParams& form,
                                    const AccountConfig* account) const {
  if (config_->insecure_skip_signature) {
    RequestLog(request).Warn(
        "INSECURE: X-Twilio-Signature not checked for {} (insecure_skip_signature: true)",
        PathOf(request));
    return true;
  }
  auto header = request.find("X-Twilio-Signature");
  if (header == request.end() || account == nullptr) return false;
  std::string url = config_->public_base_url;
  url += Sv(request.target());
  return bot::ValidateTwilioSignature(account->auth_token, url, form, Sv(header->value()));
}

asio::awaitable<Response> WebhookHandler::Inbound(Request& request) {
  const Logger log = RequestLog(request);
  bot::Result<bot::FormParams> form = bot::ParseForm(request.body());
  if (!form.ok()) co_return MakeResponse(400, std::string(kText), "malformed form body\n");

  std::string to = ParamOr(*form, "To");
  const NumberConfig* number = config_->FindNumber(to);
  const AccountConfig* account = number != nullptr && !number->account.empty()
                                     ? config_->FindAccount(number->account)
                                     : config_->FindAccountBySid(ParamOr(*form, "AccountSid"));
  bool genuine = SignatureValid(request, *form, account);
  if (!genuine && number == nullptr && account == nullptr) {
    // No number and no account sid to say who signed it (an account's `sid` is optional): a
    // webhook any configured account signed is genuine, only misrouted.
    for (const auto& [name, candidate] : config_->accounts) {
      if (SignatureValid(request, *form, &candidate)) genuine = true;
    }
  }
  if (!genuine) {
    metrics_->CountSignatureFailure();
    log.Warn("inbound: bad or missing X-Twilio-Signature (To {}, {} bytes): 403, not processed", to,
             request.body().size());
    co_return MakeResponse(403, std::string(kText), "invalid signature\n");
  }
  if (number == nullptr) {
    log.Warn("inbound: no number configured for To '{}': 404", to);
    co_return MakeResponse(404, std::string(kText), "unknown number\n");
  }

  auto message = std::make_shared<bot::InboundMessage>();
  message->channel = std::move(to);
  for (auto& [key, value] : *form) {
    if (key == "From") {
      message->from = std::move(value);
    } else if (key == "MessageSid") {
      message->provider_id = std::move(value);
    } else if (key == "Body") {
      message->text = std::move(value);
    } else if (key == "ProfileName") {
      message->profile_name = std::move(value);
    }
  }
  // A quick-reply button of a template: its payload is the answer (templates set it to what the
  // question's slot reads, e.g. "5"); without one, the button's text.
  if (const std::string* payload = Param(*form, "ButtonPayload"); payload && !payload->empty()) {
    message->text = *payload;
  } else if (const std::string* button = Param(*form, "ButtonText");
             button && !button->empty() && message->text.empty()) {
    message->text = *button;
  }
  if (message->from.empty() || message->provider_id.empty()) {
    co_return MakeResponse(400, std::string(kText), "From and MessageSid are required\n");
  }
  int num_media = 0;
  if (const std::string* n = Param(*form, "NumMedia")) {
    std::from_chars(n->data(), n->data() + n->size(), num_media);
  }
  for (int i = 0; i < num_media && i < 10; ++i) {
    const std::string* url = Param(*form, "MediaUrl" + std::to_string(i));
    if (url == nullptr) break;
    bot::Media media;
    media.url = *url;
    media.content_type = ParamOr(*form, "MediaContentType" + std::to_string(i));
    message->media.push_back(std::move(media));
  }
  message->raw = std::move(request.body());
  message->dialog_id = number->dialog;
  message->vars = number->vars;
  // A click-to-WhatsApp ad: which ad the lead saw, for the session this message starts.
  static constexpr std::pair<const char*, const char*> kReferral[] = {
      {"ReferralSourceId", "ad_id"},
      {"ReferralHeadline", "ad_headline"},
      {"ReferralBody", "ad_body"},
      {"ReferralSourceUrl", "ad_url"},
      {"ReferralSourceType", "ad_source_type"},
      {"ReferralCtwaClid", "ad_click_id"}};
  for (const auto& [param, var] : kReferral) {
    const std::string* value = Param(*form, param);
    if (value == nullptr || value->empty() || !bot::IsValidUtf8(*value)) continue;
    message->vars[var] = value->substr(0, 500);
  }
  message->received_at = bot_->clock().Now();

  std::string lane = message->channel;
  lane += '\n';
  lane += message->from;
  auto claim =
      config_->reply_mode == ReplyChannel::kTwiml ? std::make_shared<TwimlClaim>() : nullptr;
  asio::steady_timer budget(*ioc_);
  // The start lambda captures only references and pointers: g++ 12 destroys a co_await
  // operand's non-trivial captures twice (a shared_ptr captured by value here was freed twice).
  InboundAnswer answer =
      co_await AwaitWork<InboundAnswer>(*ioc_, [this, &lane, &message, account, &claim, &budget,
                                                &log](std::function<void(InboundAnswer)> resume) {
        if (claim) {
          budget.expires_after(config_->twiml_budget);
          budget.async_wait([this, claim, resume](const boost::system::error_code& ec) {
            if (!ec && claim->BudgetPassed()) resume(InboundAnswer{200, empty_twiml_});
          });
        }
        queue_->SubmitAsync(lane, [this, message, account, claim, log,
                                   resume = std::move(resume)](WorkQueue::Done lane_done) {
          RunInbound(message, account, claim, resume, std::move(lane_done), log);
        });
      });
  budget.cancel();
  if (answer.status != 200) co_return MakeResponse(answer.status, std::string(kText), "error\n");
  co_return MakeResponse(200, std::string(kXml), std::move(answer.twiml));
}

void WebhookHandler::RunInbound(std::shared_ptr<bot::InboundMessage> message,
                                const AccountConfig* account, std::shared_ptr<TwimlClaim> claim,
                                std::function<void(InboundAnswer)> answer,
                                WorkQueue::Done lane_done, const Logger& log) {
  auto started = std::chrono::steady_clock::now();
  // Downloaded before Accept so the stored message (which the turn reads) has the files. A
  // retried delivery is not downloaded again: Accept reports it as a duplicate. Meanwhile the
  // lane waits (later messages of this conversation are accepted after this one), no worker.
  if (media_http_ != nullptr && account != nullptr && !message->media.empty() &&
      !AlreadyAccepted(*message)) {
    DownloadMedia(message, *account, log, [this, message, claim, answer, started, lane_done, log] {
      queue_->Post([this, message, claim, answer, started, lane_done, log] {
        AcceptAndRun(message, claim, answer, started, log);
        lane_done();
      });
    });
    return;
  }
  AcceptAndRun(message, claim, answer, started, log);
  lane_done();
}

void WebhookHandler::DownloadMedia(std::shared_ptr<bot::InboundMessage> message,
                                   const AccountConfig& account, const Logger& log,
                                   std::function<void()> then) {
  bot::MediaLimits limits;
  limits.timeout = config_->media_timeout;
  auto left = std::make_shared<std::atomic<size_t>>(message->media.size());
  for (size_t i = 0; i < message->media.size(); ++i) {
    const bot::Media& media = message->media[i];
    bot::DownloadMediaAsync(
        *media_http_, media.url, media.content_type, ToTwilio(account), limits, config_->media_dir,
        [message, i, left, then, log](bot::Result<bot::Media> got) {
          if (got.ok()) {
            message->media[i] = std::move(*got);  // each download writes only its own entry
          } else {
            log.Warn("inbound {}: media {} not downloaded: {}", message->provider_id, i,
                     got.status().ToString());
          }
          if (left->fetch_sub(1, std::memory_order_acq_rel) == 1) then();
        });
  }
}

void WebhookHandler::AcceptAndRun(std::shared_ptr<bot::InboundMessage> message,
                                  std::shared_ptr<TwimlClaim> claim,
                                  std::function<void(InboundAnswer)> answer,
                                  std::chrono::steady_clock::time_point started,
                                  const Logger& log) {
  const bool rest = claim == nullptr;
  // Shared database: from now until its turn is queued, a drain of this conversation leaves the
  // messages after its own to that turn.
  if (shared_) Accepting(message->channel, message->from, +1);
  bot::Result<bot::Accepted> accepted = bot_->Accept(*message);
  if (!accepted.ok()) {
    if (shared_) Accepting(message->channel, message->from, -1);
    log.Error("inbound {}: not accepted: {}", message->provider_id, accepted.status().ToString());
    metrics_->CountTurnError();
    if (rest || claim->TakeForTurn()) answer(InboundAnswer{500, ""});
    return;
  }
  // Twilio's answer waits until the message is durable (group commit: until the store's next
  // Flush). In rest mode that is the whole answer, so it does not wait for the turn. In twiml
  // mode the budget counts only once the message is durable: nothing is acknowledged before.
  if (rest) {
    AnswerWhenDurable(answer, empty_twiml_);
  } else {
    bot_->store().WhenDurable([this, claim, answer](const bot::Status& durable) {
      if (durable.ok() && claim->Durable()) answer(InboundAnswer{200, empty_twiml_});
    });
  }

  // The turn waits in its own lane for the conversation's turns before it.
  const NumberConfig* number = config_->FindNumber(message->channel);
  const bool can_send = number != nullptr && !number->account.empty();
  bot::ReplyModeFn mode = [rest, claim, can_send, message, log] {
    if (rest) return bot::ReplyMode::kOutbox;
    if (claim->TakeForTurn()) return bot::ReplyMode::kInline;  // the webhook still waits
    if (can_send) return bot::ReplyMode::kOutbox;
    log.Warn(
        "inbound {}: the turn ended after the TwiML budget and {} has no REST account: "
        "its replies are stored but cannot be delivered",
        message->provider_id, message->channel);
    return bot::ReplyMode::kInline;
  };
  RunTurn(
      accepted->message_id, message->channel, message->from, message->received_at, std::move(mode),
      [this, message, claim, answer, started, log,
       duplicate = accepted->duplicate](const bot::Result<bot::TurnResult>& turn) {
        const bool rest = claim == nullptr;
        const bool inline_answer = !rest && claim->TakeForTurn();
        if (turn.status().code() == bot::StatusCode::kAlreadyExists) {
          // Run by the process holding the conversation: its replies leave through the outbox.
          if (duplicate) metrics_->CountDuplicate();
          if (inline_answer) AnswerWhenDurable(answer, empty_twiml_);
          return;
        }
        if (!turn.ok()) {
          log.Error("inbound {}: turn failed: {}", message->provider_id, turn.status().ToString());
          metrics_->CountTurnError();
          if (inline_answer) answer(InboundAnswer{500, ""});
          return;
        }
        if (turn->duplicate) {
          // The first delivery may still be in the open group: acknowledge once durable.
          metrics_->CountDuplicate();
          if (inline_answer) AnswerWhenDurable(answer, empty_twiml_);
          return;
        }
        metrics_->CountTurn(std::chrono::steady_clock::now() - started);
        if (inline_answer) AnswerWhenDurable(answer, bot::RenderTwiml(turn->replies));
      });
  if (shared_) Accepting(message->channel, message->from, -1);
}

void WebhookHandler::RunTurn(int64_t id, const std::string& channel, const std::string& from,
                             bot::TimePoint received, bot::ReplyModeFn mode,
                             std::function<void(const bot::Result<bot::TurnResult>&)> then) {
  // In rest mode the outbox is told of the turn, so that its replies leave as soon as they are
  // durable, without the outbox reading them back (OutboxWorker::TurnEnded).
  if (shared_) {
    SubmitSharedTurns(id, channel, from, std::move(mode), std::move(then));
    return;
  }
  const bool hand_over = config_->reply_mode == ReplyChannel::kRest && outbox_ != nullptr;
  // Whether a commit of the turn chose the outbox: a TwiML turn past its budget wakes the
  // outbox; inline turns (the usual TwiML case) cost it nothing.
  auto to_outbox = std::make_shared<std::atomic<bool>>(false);
  mode = [mode = std::move(mode), to_outbox] {
    bot::ReplyMode chosen = mode();
    if (chosen == bot::ReplyMode::kOutbox) to_outbox->store(true);
    return chosen;
  };
  queue_->SubmitAsync(TurnLane(channel, from), [=, this](WorkQueue::Done lane_done) {
    if (hand_over) outbox_->TurnStarted(channel, from);
    // A provider's answer continues the turn behind the webhooks waiting for a worker.
    bot::Executor on_workers = [this](std::function<void()> job) {
      queue_->PostLater(std::move(job));
    };
    bot_->ProcessAsync(
        id, mode, std::move(on_workers), [=, this](bot::Result<bot::TurnResult> turn) {
          if (hand_over) {
            std::vector<bot::OutboundMessage> replies;
            if (turn.ok() && !turn->duplicate) {
              for (size_t i = 0; i < turn->outbound_ids.size() && i < turn->replies.size(); ++i) {
                // Held for credits or the daily cap: released later, then found by polling.
                if (std::ranges::find(turn->held_ids, turn->outbound_ids[i]) !=
                    turn->held_ids.end()) {
                  continue;
                }
                bot::OutboundMessage& reply = replies.emplace_back();
                reply.id = turn->outbound_ids[i];
                reply.channel = channel;
                reply.to = from;
                reply.text = turn->replies[i];
                reply.status = "pending";
                reply.created_at = reply.next_attempt_at = received;
              }
            }
            outbox_->TurnEnded(channel, from, std::move(replies), received);
          } else if (outbox_ != nullptr && to_outbox->load()) {
            outbox_->Wake();  // a TwiML turn past its budget: its replies are in the outbox
          }
          if (turn_observer_ && turn.ok() && !turn->duplicate) turn_observer_(channel, from, *turn);
          if (then) then(turn);
          lane_done();
        });
  });
}

bool WebhookHandler::AlreadyAccepted(const bot::InboundMessage& message) {
  bot::Result<std::optional<bot::Contact>> contact =
      bot_->store().FindContact(message.channel, message.from);
  if (!contact.ok() || !contact->has_value()) return false;
  bot::Result<std::vector<bot::StoredMessage>> messages =
      bot_->store().ListMessages((*contact)->id);
  if (!messages.ok()) return false;  // then Accept decides, after a download
  return std::any_of(messages->begin(), messages->end(), [&](const bot::StoredMessage& m) {
    return m.direction == "in" && m.provider_id == message.provider_id;
  });
}

void WebhookHandler::AnswerWhenDurable(const std::function<void(InboundAnswer)>& answer,
                                       std::string twiml) {
  bot_->store().WhenDurable(
      [this, answer, twiml = std::move(twiml)](const bot::Status& durable) mutable {
        if (durable.ok()) {
          answer(InboundAnswer{200, std::move(twiml)});
          return;
        }
        // Nothing of this request was kept: a 500 makes Twilio deliver it again.
        log_->Error("inbound: the store lost a group of writes: {}", durable.ToString());
        metrics_->CountTurnError();
        answer(InboundAnswer{500, ""});
      });
}

asio::awaitable<Response> WebhookHandler::StatusCallback(Request& request) {
  const Logger log = RequestLog(request);
  bot::Result<bot::FormParams> form = bot::ParseForm(request.body());
  if (!form.ok()) co_return MakeResponse(400, std::string(kText), "malformed form body\n");
  // A status callback's From is the bot number.
  const NumberConfig* number = config_->FindNumber(ParamOr(*form, "From"));
  const AccountConfig* account = config_->FindAccountBySid(ParamOr(*form, "AccountSid"));
  if (account == nullptr && number != nullptr) account = config_->FindAccount(number->account);
  if (!SignatureValid(request, *form, account)) {
    metrics_->CountSignatureFailure();
    log.Warn("status callback: bad or missing X-Twilio-Signature: 403, ignored");
    co_return MakeResponse(403, std::string(kText), "invalid signature\n");
  }
  bot::Result<bot::TwilioStatusCallback> callback = bot::ParseTwilioStatusCallback(*form);
  if (!callback.ok()) {
    co_return MakeResponse(400, std::string(kText), callback.status().message() + "\n");
  }
  bot::Status stored = co_await AwaitWork<bot::Status>(
      *ioc_, [this, &callback](std::function<void(bot::Status)> resume) {
        queue_->Post([this, cb = *callback, resume = std::move(resume)] {
          bot::Status updated = bot_->store().UpdateDeliveryStatus(
              cb.message_sid, cb.message_status, cb.error_code);
          if (!updated.ok()) {
            resume(updated);
            return;
          }
          bot_->store().WhenDurable([resume](const bot::Status& durable) { resume(durable); });
        });
      });
  if (!stored.ok()) {
    log.Error("status callback {}: {}", callback->message_sid, stored.ToString());
    co_return MakeResponse(500, std::string(kText), "error\n");
  }
  metrics_->CountStatusCallback();
  co_return MakeResponse(200, std::string(kText), "");
}

asio::awaitable<Response> WebhookHandler::Health() {
  bot::Status ping =
      co_await AwaitWork<bot::Status>(*ioc_, [this](std::function<void(bot::Status)> resume) {
        probes_->Post([this, resume = std::move(resume)] { resume(bot_->store().Ping()); });
      });
  if (!ping.ok()) co_return MakeResponse(503, std::string(kText), ping.ToString() + "\n");
  co_return MakeResponse(200, std::string(kText), "ok\n");
}

asio::awaitable<Response> WebhookHandler::MetricsPage() {
  int64_t depth = co_await AwaitWork<int64_t>(*ioc_, [this](std::function<void(int64_t)> resume) {
    probes_->Post([this, resume = std::move(resume)] {
      bot::Result<int64_t> d = bot_->store().OutboxDepth();
      resume(d.ok() ? *d : -1);
    });
  });
  std::string page = metrics_->Render(depth);
  if (providers_ != nullptr) page += providers_->RenderMetrics();
  co_return MakeResponse(200, "text/plain; version=0.0.4; charset=utf-8", std::move(page));
}

}  // namespace runner
