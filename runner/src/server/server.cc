// Assembly and lifecycle of the server. The shutdown order matters: HTTP first (no new
// turns), then the turn lanes (finish what was accepted), then the outbox (finish the current
// sends), then the store.
#include "server/server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <csignal>
#include <filesystem>
#include <iterator>

#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"
#include "bot/twilio.h"
#include "config/postgres_config.h"
#include "server/open_store.h"

namespace runner {

Server::Server(RunnerConfig config, ServerOptions options)
    : config_(std::move(config)),
      options_(options),
      log_(options.log_level, config_.log_format, options.log_sink),
      clock_(options.clock != nullptr ? options.clock : &system_clock_) {}

Server::~Server() {
  if (http_ && !stopped_) {
    // Run() was never called (or failed): still stop the threads in order.
    if (orphan_sweep_) orphan_sweep_->Stop();
    if (leads_) leads_->Stop();
    if (scheduler_) scheduler_->Stop();
    queue_->Drain();
    outbox_->Stop();
    if (events_) events_->Stop();
  }
}

bot::Result<std::unique_ptr<Server>> Server::Create(RunnerConfig config, ServerOptions options) {
  std::unique_ptr<Server> server(new Server(std::move(config), options));
  const RunnerConfig& c = server->config_;

  bot::Result<std::shared_ptr<const bot::DialogSet>> dialogs =
      bot::LoadDialogDir(c.dialogs_dir, c.prompts_dir);
  if (!dialogs.ok()) return dialogs.status();
  for (const NumberConfig& number : c.numbers) {
    if ((*dialogs)->Find(number.dialog) == nullptr) {
      return bot::InvalidArgument("number " + number.to + ": no dialog '" + number.dialog +
                                  "' in " + c.dialogs_dir);
    }
  }

  // On PostgreSQL the pieces that open the SQLite file themselves are refused (when configured)
  // or left out (the offers catalogue, campaigns, the cap release): docs/runner.md.
  if (bot::Status s = RefuseSqliteOnlySections(c); !s.ok()) return s;
  const bool on_sqlite = !c.OnPostgres();
  std::error_code ec;
  std::filesystem::create_directories(c.media_dir, ec);
  bot::SqliteOptions sqlite;
  sqlite.synchronous = c.sqlite_synchronous;
  sqlite.group_commit = c.group_commit;
  sqlite.background_checkpoint = true;
  sqlite.checkpoint_at_idle_priority = true;
  sqlite.cache_kib = c.sqlite_cache_kib;
  sqlite.credits = c.CreditsPolicy();
  sqlite.number_tenants = c.TenantsOfNumbers();
  bot::Result<std::unique_ptr<bot::Store>> store = OpenRunnerStore(c, sqlite);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  bot::Result<std::unique_ptr<RunnerProviders>> providers =
      RunnerProviders::Create(c.providers, c.database, server->clock_);
  if (!providers.ok()) return providers.status();
  server->providers_ = std::move(*providers);
  if (on_sqlite) {
    bot::Result<std::unique_ptr<bot::SqliteKnowledgeBase>> knowledge =
        bot::SqliteKnowledgeBase::Open(c.database, server->providers_->embedder());
    if (!knowledge.ok()) return knowledge.status();
    server->knowledge_ = std::move(*knowledge);
  }
  bot::BotOptions bot_options;
  bot_options.provider_deadline = c.providers.turn_deadline;
  bot_options.event_types = c.SubscribedEventTypes();
  server->bot_ = std::make_unique<bot::Bot>(std::move(*dialogs), server->store_.get(),
                                            server->clock_, bot_options);
  bot::BotProviders bot_providers = server->providers_->view();
  bot_providers.knowledge = server->knowledge_.get();
  server->bot_->SetProviders(bot_providers);
  if (!c.event_sinks.empty()) {
    bot::Result<std::unique_ptr<bot::SqliteEventQueue>> queue =
        bot::SqliteEventQueue::Open(c.database);
    if (!queue.ok()) return queue.status();
    server->event_queue_ = std::move(*queue);
    server->events_http_ = bot::NewCurlHttpClient();
    EventWorkerOptions events;
    events.source = c.event_source;
    events.type_prefix = c.event_type_prefix;
    events.poll = c.events_poll;
    events.backoff_base = c.events_retry_base;
    server->events_ =
        std::make_unique<EventWorker>(server->event_queue_.get(), server->events_http_.get(),
                                      server->clock_, &server->log_, c.event_sinks, events);
  }

  std::map<std::string, OutboxRoute> routes;
  // One client carries the sends of every account: one thread, many connections kept alive.
  // Without accounts (TwiML replies only) nothing is sent and no client is started.
  if (!c.accounts.empty()) {
    bot::CurlHttpOptions twilio_http;
    twilio_http.max_connections_per_host = c.concurrent_sends;
    server->twilio_http_ = bot::NewCurlHttpClient(twilio_http);
    // Inbound media has its own client: its transfer thread also writes the files, which must
    // not delay the sends.
    server->media_http_ = bot::NewCurlHttpClient();
  }
  for (const auto& [name, account] : c.accounts) {
    server->senders_[name] = bot::NewTwilioSender(
        bot::TwilioAccount{account.sid, account.auth_token, account.api_origin},
        server->twilio_http_.get());
  }
  for (const NumberConfig& number : c.numbers) {
    if (number.account.empty()) continue;
    OutboxRoute route;
    route.sender = server->senders_[number.account].get();
    route.account_sid = c.FindAccount(number.account)->sid;
    route.template_message = number.template_message;
    routes[number.to] = std::move(route);
  }
  OutboxOptions outbox;
  outbox.rate_per_sender = c.rate_per_sender;
  outbox.concurrent_sends = c.concurrent_sends;
  outbox.poll = c.outbox_poll;
  outbox.status_callback = c.public_base_url + c.status_path;
  outbox.backoff_base = c.retry_base;
  outbox.backoff_cap = c.retry_cap;
  outbox.claims = c.OnPostgres();
  server->outbox_ = std::make_unique<OutboxWorker>(server->store_.get(), server->clock_,
                                                   &server->metrics_, &server->log_,
                                                   std::move(routes), outbox);
  // Group commit: the turns that ran since the queue was last idle are committed together, and
  // only then answered (Store::WhenDurable).
  server->queue_ = std::make_unique<WorkQueue>(
      c.workers, [store = server->store_.get()] { static_cast<void>(store->Flush()); });
  server->probes_ = std::make_unique<WorkQueue>(1);
  WebhookHandler::Parts parts;
  parts.config = &server->config_;
  parts.ioc = &server->ioc_;
  parts.bot = server->bot_.get();
  parts.queue = server->queue_.get();
  parts.probes = server->probes_.get();
  parts.media_http = server->media_http_.get();
  parts.outbox = server->outbox_.get();
  parts.metrics = &server->metrics_;
  parts.log = &server->log_;
  parts.providers = server->providers_.get();
  server->handler_ = std::make_unique<WebhookHandler>(parts);
  if (c.meta_leadgen) {
    bot::Result<std::unique_ptr<bot::SqliteLeadInbox>> inbox =
        bot::SqliteLeadInbox::Open(c.database);
    if (!inbox.ok()) return inbox.status();
    server->lead_inbox_ = std::move(*inbox);
    server->graph_http_ = bot::NewCurlHttpClient();
    server->leads_ = std::make_unique<LeadForms>(
        &server->config_, server->lead_inbox_.get(), server->graph_http_.get(), server->bot_.get(),
        server->queue_.get(), server->clock_, &server->log_,
        [outbox = server->outbox_.get()] { outbox->Wake(); });
    server->handler_->SetLeadForms(server->leads_.get());
  }
  HttpOptions http;
  http.read_timeout = c.read_timeout;
  http.body_limit = c.body_limit;
  server->http_ = std::make_unique<HttpServer>(server->ioc_, http, server->handler_.get());
  if (on_sqlite) {
    server->campaigns_ = std::make_unique<bot::CampaignSource>(c.database, server->bot_.get());
    server->scheduled_.push_back(std::make_unique<MeteredSource>(
        server->campaigns_.get(), ScheduledSourceKind::kCampaigns, &server->metrics_));
  }
  if (c.loan_reminders) {
    bot::CreditDeskOptions desk;
    desk.timezone = c.loan_reminders->time_zone;
    desk.sqlite.credits = sqlite.credits;  // a reminder takes its tenant's credit
    bot::Result<std::unique_ptr<bot::CreditDesk>> opened =
        bot::CreditDesk::Open(c.database, server->clock_, desk);
    if (!opened.ok()) return opened.status();
    server->credit_desk_ = std::move(*opened);
    bot::LoanReminderOptions reminders;
    reminders.content_sid = c.loan_reminders->content_sid;
    reminders.hour = c.loan_reminders->hour;
    reminders.channel = c.loan_reminders->number;
    server->loan_reminders_ = std::make_unique<bot::LoanReminderSource>(
        server->credit_desk_.get(), server->clock_, std::move(reminders));
    server->scheduled_.push_back(std::make_unique<MeteredSource>(
        server->loan_reminders_.get(), ScheduledSourceKind::kLoanReminders, &server->metrics_));
  }
  if (on_sqlite) {
    server->cap_release_ = std::make_unique<bot::CapReleaseSource>(c.database, sqlite.credits);
    server->scheduled_.push_back(std::make_unique<MeteredSource>(
        server->cap_release_.get(), ScheduledSourceKind::kCapRelease, &server->metrics_));
  }
  std::vector<bot::ScheduledSource*> sources;
  for (const auto& source : server->scheduled_) sources.push_back(source.get());
  bot::SchedulerOptions scheduling;
  scheduling.max_sleep = c.scheduler_poll;
  server->scheduler_ = std::make_unique<bot::Scheduler>(
      server->clock_, std::move(sources), scheduling,
      [log = &server->log_](const bot::Status& s) { log->Error("scheduler: {}", s.ToString()); });
  if (c.admin) {
    AdminHandler::Parts admin;
    admin.config = &server->config_;
    admin.ioc = &server->ioc_;
    admin.bot = server->bot_.get();
    admin.queue = server->queue_.get();
    admin.outbox = server->outbox_.get();
    admin.log = &server->log_;
    // A comment every 15 s keeps an idle event stream open through proxies.
    server->admin_events_ =
        std::make_unique<ConversationEvents>(server->ioc_, std::chrono::seconds(15));
    admin.events = server->admin_events_.get();
    if (c.admin->on_duty) {
      server->on_duty_ = std::make_unique<OnDutyNotice>(&*c.admin->on_duty, server->bot_.get(),
                                                        server->queue_.get(), server->outbox_.get(),
                                                        &server->log_);
    }
    server->handler_->SetTurnObserver(
        [events = server->admin_events_.get(), on_duty = server->on_duty_.get()](
            const std::string& channel, const std::string& from, const bot::TurnResult& turn) {
          const bool handoff = turn.session && turn.session->status == bot::SessionStatus::kHandoff;
          events->Publish(handoff ? "handoff" : "message", channel, from);
          if (on_duty != nullptr && turn.handed_off)
            on_duty->HandedOff(channel, from, *turn.session);
        });
    admin.scheduler = server->scheduler_.get();
    server->admin_ = std::make_unique<AdminHandler>(admin);
    server->admin_http_ = std::make_unique<HttpServer>(server->ioc_, http, server->admin_.get());
  }
  return server;
}

// Messages a previous run accepted but did not process go to their conversations' turn lanes
// before the server listens, so they run before any new message of the same conversation. A
// message that cannot even be loaded must not stop the server: an unreadable row (kInternal) is
// marked failed (audited, `botrunner inbound failed` lists it), anything else is left for the
// next start.
bot::Status Server::Recover() {
  bot::Result<std::vector<int64_t>> pending = store_->UnprocessedInbound();
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return bot::Status::Ok();
  log_.Info("recovery: {} accepted message(s) were not processed; processing them now",
            pending->size());
  RunUnprocessed(*pending);
  return bot::Status::Ok();
}

// On a database other processes share, a message is unprocessed while its process runs it, and
// for good when that process died holding its conversation: one still unprocessed a sweep later
// is run here (unless a live process holds its conversation: then that one runs it).
void Server::SweepOrphans() {
  bot::Result<std::vector<int64_t>> pending = store_->UnprocessedInbound();
  if (!pending.ok()) {
    log_.Error("orphan sweep: {}", pending.status().ToString());
    return;
  }
  std::ranges::sort(*pending);
  std::vector<int64_t> orphans;
  std::ranges::set_intersection(*pending, last_unprocessed_, std::back_inserter(orphans));
  last_unprocessed_ = std::move(*pending);
  if (!orphans.empty()) RunUnprocessed(orphans);
}

void Server::RunUnprocessed(const std::vector<int64_t>& pending) {
  for (int64_t id : pending) {
    bot::Result<bot::TurnContext> ctx = store_->LoadTurn(id);
    if (!ctx.ok()) {
      const bool unreadable = ctx.status().code() == bot::StatusCode::kInternal;
      log_.Error("recovery: message {}: {}{}", id, ctx.status().ToString(),
                 unreadable ? "; marked failed" : "");
      if (unreadable)
        (void)store_->MarkInboundFailed(id, ctx.status().message(), bot_->clock().Now());
      metrics_.CountTurnError();
      continue;
    }
    // The webhook that brought it was never answered with its replies: send them through the
    // REST API when the number has an account, else record them (and say so).
    const bot::InboundMessage& message = ctx->message;
    const NumberConfig* number = config_.FindNumber(message.channel);
    bool can_send = number != nullptr && !number->account.empty();
    if (!can_send) {
      log_.Warn(
          "recovery: message {} from {}: no REST account for {}; its replies are stored "
          "but cannot be delivered",
          message.provider_id, MaskAddress(message.from), message.channel);
    }
    const bot::ReplyMode mode = can_send ? bot::ReplyMode::kOutbox : bot::ReplyMode::kInline;
    handler_->RunTurn(
        id, message.channel, message.from, message.received_at, [mode] { return mode; },
        [this, provider_id = message.provider_id](const bot::Result<bot::TurnResult>& turn) {
          // kAlreadyExists: the process holding the conversation runs it, or has.
          if (turn.ok() || turn.status().code() == bot::StatusCode::kAlreadyExists) return;
          log_.Error("recovery: message {}: {}", provider_id, turn.status().ToString());
          metrics_.CountTurnError();
        });
  }
}

bot::Status Server::Start() {
  if (config_.insecure_skip_signature) {
    log_.Warn("INSECURE: insecure_skip_signature is true: webhooks are NOT verified. Anyone who "
              "can reach this server can impersonate Twilio. Use only on a private machine.");
  }
  log_.Info("providers: {}", providers_->Describe());
  if (config_.providers.bureau && !config_.providers.data_keys) {
    log_.Warn(
        "BOT_DATA_KEYS is not set: raw bureau reports will not be kept (only the score). "
        "Set it to seal them at rest (docs/credit.md).");
  }
  outbox_->Start();
  if (events_) events_->Start();
  bot::Status recovered = Recover();
  if (!recovered.ok()) return recovered;
  if (leads_) leads_->Recover();
  if (const auto& reminders = config_.loan_reminders) {
    log_.Info("loan reminders: the loans of {} at {}:00 {}", reminders->number, reminders->hour,
              reminders->time_zone);
  }
  scheduler_->Start();  // due campaign work and loan reminders a previous run left run now
  if (config_.OnPostgres()) {
    orphan_sweep_ =
        std::make_unique<PeriodicTask>(config_.postgres.orphan_sweep, [this] { SweepOrphans(); });
  }
  bot::Status listening =
      http_->Listen(config_.host, static_cast<uint16_t>(config_.port));
  if (!listening.ok()) return listening;
  if (admin_http_) {
    bot::Status admin =
        admin_http_->Listen(config_.admin->host, static_cast<uint16_t>(config_.admin->port));
    if (!admin.ok()) return admin;
  }
  http_->Start();
  if (admin_http_) {
    admin_http_->Start();
    log_.Info("admin API listening on {}:{} ({} token(s))", config_.admin->host,
              admin_http_->port(), config_.admin->tokens.size());
  }
  if (options_.handle_signals) {
    signals_.emplace(ioc_, SIGINT, SIGTERM);
    signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      log_.Info("signal {}: shutting down", signal);
      http_->Shutdown();
      if (admin_http_) admin_http_->Shutdown();
    });
  }
  log_.Info("botrunner listening on {}:{} ({} mode, {} number(s)); Twilio webhook URL {}{}",
            config_.host, http_->port(),
            config_.reply_mode == ReplyChannel::kRest ? "rest" : "twiml", config_.numbers.size(),
            config_.public_base_url, config_.inbound_path);
  return bot::Status::Ok();
}

void Server::Run() {
  ioc_.run();
  // HTTP is done: every request got its answer. Finish the accepted turns, then the sends.
  if (orphan_sweep_) orphan_sweep_->Stop();
  scheduler_->Stop();
  if (leads_) leads_->Stop();
  queue_->Drain();
  outbox_->Stop();
  if (events_) events_->Stop();
  stopped_ = true;
  store_.reset();
  log_.Info("botrunner stopped");
}

void Server::Stop() {
  asio::post(ioc_, [this] {
    if (signals_) {
      boost::system::error_code ec;
      signals_->cancel(ec);
    }
    http_->Shutdown();
    if (admin_http_) admin_http_->Shutdown();
  });
}

}  // namespace runner
