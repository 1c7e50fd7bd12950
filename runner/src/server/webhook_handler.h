// The runner's routes:
//   POST {inbound_path}  Twilio's inbound-message webhook
//   POST {status_path}   Twilio's delivery status callback
//   GET  /healthz        200 when the store answers
//   GET  /metrics        Prometheus text
//   GET  /r/<token>      a campaign's tracked link: 302 to its target (campaigns/link_redirect.h)
// Webhooks are checked against X-Twilio-Signature before anything else looks at them; a bad or
// missing signature is 403, logged, and nothing is stored. Store work runs on the WorkQueue,
// never on the HTTP thread; the turns of one conversation (bot number + user) run in order.
// Media downloads hold no thread (the conversation's lane waits, not a worker), and /healthz
// and /metrics run on their own thread (`probes`), never behind turns.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bot/bot.h"
#include "bot/twilio.h"
#include "campaigns/link_redirect.h"
#include "config/config.h"
#include "leadgen/lead_forms.h"
#include "server/delayed_jobs.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/outbox_worker.h"
#include "server/providers.h"
#include "server/work_queue.h"

namespace runner {

class WebhookHandler final : public HttpHandler {
 public:
  // What the handler works with; everything must outlive it.
  struct Parts {
    const RunnerConfig* config = nullptr;
    asio::io_context* ioc = nullptr;
    bot::Bot* bot = nullptr;
    WorkQueue* queue = nullptr;             // accepting messages and running turns
    WorkQueue* probes = nullptr;            // /healthz and /metrics
    bot::HttpClient* media_http = nullptr;  // inbound media; null: media is not downloaded
    OutboxWorker* outbox = nullptr;         // null: nothing to wake
    Metrics* metrics = nullptr;
    const Logger* log = nullptr;
    const RunnerProviders* providers = nullptr;  // null: no provider metrics
  };
  explicit WebhookHandler(const Parts& parts);

  // Serves Meta's leadgen webhook at config->meta_leadgen->path. Call before serving.
  void SetLeadForms(LeadForms* leads) { leads_ = leads; }

  // Called on a worker after every turn that ran (not a duplicate), with the conversation's bot
  // number and user address (the web console's live updates). Call before serving.
  using TurnObserver = std::function<void(const std::string& channel, const std::string& from,
                                          const bot::TurnResult& turn)>;
  void SetTurnObserver(TurnObserver observer) { turn_observer_ = std::move(observer); }

  // The work queue key of a conversation's turns (its messages are accepted under another, so
  // that accepting one never waits for the turn of the one before).
  static std::string TurnLane(const std::string& channel, const std::string& from);
  // Runs the turn of accepted message `id` (received at `received`) in its conversation's turn
  // lane; the lane is held, not a thread, while providers answer. `then` (optional) runs when
  // the turn is over. On PostgreSQL, where other processes may share the database, the turn
  // runs where the conversation is held (shared_turns.cc): `then` gets kAlreadyExists when
  // another process holds it (and runs the message) or already ran it.
  void RunTurn(int64_t id, const std::string& channel, const std::string& from,
               bot::TimePoint received, bot::ReplyModeFn mode,
               std::function<void(const bot::Result<bot::TurnResult>&)> then);

  asio::awaitable<Response> Handle(Request& request) override;
  Response Rejected(const Request& request, int status) override;

 private:
  // What the worker hands back to the waiting inbound request.
  struct InboundAnswer {
    int status = 200;
    std::string twiml;
  };
  struct TwimlClaim;  // TwiML mode: who answers the webhook, the turn or the budget timer

  Route RouteOf(std::string_view path) const;
  asio::awaitable<Response> Inbound(Request& request);
  asio::awaitable<Response> StatusCallback(Request& request);
  asio::awaitable<Response> Health();
  asio::awaitable<Response> Leadgen(Request& request);
  asio::awaitable<Response> MetricsPage();

  // Checks X-Twilio-Signature against public_base_url + the request target with the account's
  // token (the account of the `To` number, else the one whose sid is `AccountSid`).
  bool SignatureValid(const Request& request, const bot::FormParams& form,
                      const AccountConfig* account) const;
  // Whether a message with this MessageSid from this sender is stored already (a retry).
  bool AlreadyAccepted(const bot::InboundMessage& message);
  // Runs on a worker, in the message's lane: the media downloads (holding the lane, not the
  // worker), then Accept and the turn (AcceptAndRun); calls `answer` once, `lane_done` after.
  void RunInbound(std::shared_ptr<bot::InboundMessage> message, const AccountConfig* account,
                  std::shared_ptr<TwimlClaim> claim, std::function<void(InboundAnswer)> answer,
                  WorkQueue::Done lane_done, const Logger& log);
  // Starts every download of `message` at once; `then` runs when all are over (on a client
  // thread). A failed one is logged and the message goes on without its file.
  void DownloadMedia(std::shared_ptr<bot::InboundMessage> message, const AccountConfig& account,
                     const Logger& log, std::function<void()> then);
  // Accept, the durable answer, then the turn in the turn lane.
  void AcceptAndRun(std::shared_ptr<bot::InboundMessage> message, std::shared_ptr<TwimlClaim> claim,
                    std::function<void(InboundAnswer)> answer,
                    std::chrono::steady_clock::time_point started, const Logger& log);
  // The server's logger naming the request (its X-Request-Id).
  Logger RequestLog(const Request& request) const;
  // A database other processes may share (PostgreSQL): the turns of a conversation run in the
  // process that holds it (Store::TryHoldConversation), which runs every accepted message of
  // the conversation in order, lets go, and looks again (shared_turns.cc).
  struct SharedDrain;
  void SubmitSharedTurns(int64_t id, const std::string& channel, const std::string& from,
                         bot::ReplyModeFn mode,
                         std::function<void(const bot::Result<bot::TurnResult>&)> then);
  void RunSharedTurns(std::shared_ptr<SharedDrain> drain);
  void HoldAndDrain(std::shared_ptr<SharedDrain> drain);
  void DrainNext(std::shared_ptr<SharedDrain> drain, std::vector<int64_t> ids, size_t next);
  void FinishDrain(std::shared_ptr<SharedDrain> drain);
  // twiml mode: a drain (id 0) of `finished`'s conversation a little later, for messages left
  // to the processes that received them, in case they did not get the hold.
  void LookAgainLater(const SharedDrain& finished);
  // The messages of `pending` (oldest first) a drain runs now: those it has not tried yet, up to
  // the first whose own turn is queued in this process (queued_here_) — that turn runs it and
  // the ones after it, in order, with its own reply mode (a TwiML answer).
  std::vector<int64_t> Runnable(const SharedDrain& drain, const std::vector<int64_t>& pending);
  // A message of the conversation is being accepted here (+1), or its turn is queued (-1): until
  // then a drain stops at the first message that is not its own, as that turn runs it.
  void Accepting(const std::string& channel, const std::string& from, int delta);
  // Calls `answer` with 200 and `twiml` once everything written so far is durable, or with 500
  // if the store lost it (Store::WhenDurable).
  void AnswerWhenDurable(const std::function<void(InboundAnswer)>& answer, std::string twiml);

  const RunnerConfig* config_;
  const bool shared_;  // config_->OnPostgres()
  std::mutex queued_mu_;
  // Shared database: the messages whose own turn is queued in this process, and how many times.
  std::unordered_map<int64_t, int> queued_here_;  // Guarded by queued_mu_
  // ... and the conversations (TurnLane) with a message being accepted here, how many.
  std::unordered_map<std::string, int> accepting_;  // Guarded by queued_mu_
  asio::io_context* ioc_;
  bot::Bot* bot_;
  WorkQueue* queue_;
  WorkQueue* probes_;
  bot::HttpClient* media_http_;
  OutboxWorker* outbox_;
  Metrics* metrics_;
  const Logger* log_;
  LeadForms* leads_ = nullptr;
  TurnObserver turn_observer_;
  const RunnerProviders* providers_;
  std::string empty_twiml_;
  LinkRedirectParts links_;
  // Shared database, twiml mode: retries of a hold another process has, and look-agains left
  // to the process that accepted the message (shared_turns.cc); null otherwise. Last: its
  // thread calls in here.
  std::unique_ptr<DelayedJobs> later_;
};

}  // namespace runner
