// The botrunner server: config → store, dialogs, Bot, Twilio senders, outbox worker, work
// queue and the HTTP front end, started and stopped in the right order.
//
// Start() recovers first (accepted but unprocessed messages from a previous run are processed),
// then listens. Run() serves on the calling thread until Stop() (or SIGTERM/SIGINT when
// `handle_signals`), then shuts down gracefully: no new connections, in-flight requests and
// turns finish, the outbox worker finishes its current sends, the store is closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "admin/admin_handler.h"
#include "admin/on_duty_notice.h"
#include "bot/bot.h"
#include "bot/campaigns.h"
#include "bot/channel.h"
#include "bot/clock.h"
#include "bot/credit_desk.h"
#include "bot/event_queue.h"
#include "bot/http.h"
#include "bot/lead_inbox.h"
#include "bot/loan_reminder_source.h"
#include "bot/message_credits.h"
#include "bot/sqlite_knowledge.h"
#include "bot/store.h"
#include "config/config.h"
#include "events/event_worker.h"
#include "leadgen/lead_forms.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/metered_source.h"
#include "server/metrics.h"
#include "server/outbox_worker.h"
#include "server/periodic_task.h"
#include "server/providers.h"
#include "server/webhook_handler.h"
#include "server/work_queue.h"

namespace runner {

struct ServerOptions {
  const bot::Clock* clock = nullptr;  // default: the system clock
  bool handle_signals = false;        // SIGTERM/SIGINT stop the server
  LogLevel log_level = LogLevel::kInfo;
  Logger::Sink log_sink;  // where log lines go; default stderr
};

class Server {
 public:
  // Opens the store and loads the dialogs; checks that every number's dialog exists.
  static bot::Result<std::unique_ptr<Server>> Create(RunnerConfig config,
                                                     ServerOptions options = {});
  ~Server();

  // Processes what a previous run accepted but did not process, then binds the listener.
  bot::Status Start();
  uint16_t port() const { return http_->port(); }
  // The admin API's port (`admin:`); 0 when it is not configured.
  uint16_t admin_port() const { return admin_http_ ? admin_http_->port() : 0; }

  // Serves until stopped, then shuts down. Call once, after Start().
  void Run();
  // Asks Run() to shut down. Thread-safe; returns at once.
  void Stop();

  const RunnerConfig& config() const { return config_; }
  Metrics& metrics() { return metrics_; }
  bot::Store& store() { return *store_; }

 private:
  explicit Server(RunnerConfig config, ServerOptions options);
  bot::Status Recover();
  // Runs the turns of accepted messages no turn is running for (the start's recovery, orphans).
  void RunUnprocessed(const std::vector<int64_t>& pending);
  void SweepOrphans();

  RunnerConfig config_;
  ServerOptions options_;
  Logger log_;
  bot::SystemClock system_clock_;
  const bot::Clock* clock_;
  Metrics metrics_;
  std::unique_ptr<bot::Store> store_;
  std::unique_ptr<RunnerProviders> providers_;  // before bot_: the Bot points into it
  // The numbers' offers catalogues; null on PostgreSQL (not there yet).
  std::unique_ptr<bot::SqliteKnowledgeBase> knowledge_;
  std::unique_ptr<bot::Bot> bot_;
  std::unique_ptr<bot::HttpClient> twilio_http_;  // before senders_: they send through it
  std::unique_ptr<bot::HttpClient> media_http_;   // inbound media downloads; null without accounts
  std::map<std::string, std::unique_ptr<bot::ChannelSender>> senders_;  // by account name
  std::unique_ptr<OutboxWorker> outbox_;
  // Campaign recipients (docs/campaigns.md); null on PostgreSQL (SQLite only for now).
  std::unique_ptr<bot::CampaignSource> campaigns_;
  // Loan reminders (`loan_reminders:`, docs/credit.md); null when not configured.
  std::unique_ptr<bot::CreditDesk> credit_desk_;
  std::unique_ptr<bot::LoanReminderSource> loan_reminders_;
  // over_cap messages, at day start; null on PostgreSQL (no credits there).
  std::unique_ptr<bot::CapReleaseSource> cap_release_;
  std::vector<std::unique_ptr<MeteredSource>> scheduled_;  // the sources above, counted
  std::unique_ptr<bot::Scheduler> scheduler_;              // runs them when due
  // Event sinks (`event_sinks:`); null when none is configured.
  std::unique_ptr<bot::SqliteEventQueue> event_queue_;
  std::unique_ptr<bot::HttpClient> events_http_;
  std::unique_ptr<EventWorker> events_;
  // Meta lead forms (`meta_leadgen:`); null when not configured.
  std::unique_ptr<bot::SqliteLeadInbox> lead_inbox_;
  std::unique_ptr<bot::HttpClient> graph_http_;
  std::unique_ptr<LeadForms> leads_;
  std::unique_ptr<WorkQueue> queue_;
  std::unique_ptr<WorkQueue> probes_;  // /healthz and /metrics: never behind turns
  asio::io_context ioc_{1};
  std::optional<asio::signal_set> signals_;
  std::unique_ptr<WebhookHandler> handler_;
  std::unique_ptr<HttpServer> http_;
  // The admin API (`admin:`), on its own listener; null when not configured.
  std::unique_ptr<ConversationEvents> admin_events_;  // the console's live updates
  std::unique_ptr<AdminHandler> admin_;
  std::unique_ptr<OnDutyNotice> on_duty_;  // `admin.on_duty`; null when not configured
  std::unique_ptr<HttpServer> admin_http_;
  // PostgreSQL: the messages a process that died left accepted (SweepOrphans); null on SQLite.
  std::unique_ptr<PeriodicTask> orphan_sweep_;
  std::vector<int64_t> last_unprocessed_;  // the previous sweep's, sorted; sweep thread only
  bool stopped_ = false;
};

}  // namespace runner
