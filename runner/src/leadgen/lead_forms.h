// Leads from Meta lead forms. Meta calls the `leadgen` webhook with only ids; botrunner:
//   1. checks X-Hub-Signature-256 (the app secret) and stores each new leadgen id
//      (bot::SqliteLeadInbox) before answering 200, so an acknowledged lead is never lost and
//      a retried notification is never started twice;
//   2. fetches the lead from the Graph API (GET {graph}/{leadgen_id}), with retries, holding
//      no thread while it waits;
//   3. starts the page's dialog bot-first on its WhatsApp number with the form's answers as
//      variables (phone_number -> the contact, full_name -> name, email, every other field by
//      its name, plus leadgen_id, form_id, ad_id); the first message leaves through the outbox
//      (a template outside the 24 h window);
//   4. marks the lead started, or failed with the reason (no valid phone, Graph error).
// At start-up, leads accepted but not started are fetched again. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "bot/bot.h"
#include "bot/http.h"
#include "bot/lead_inbox.h"
#include "config/config.h"
#include "server/log.h"
#include "server/work_queue.h"

namespace runner {

class LeadForms {
 public:
  // Everything must outlive this object.
  // `wake_outbox` (may be empty) runs after a conversation started, so its first message
  // leaves at once.
  LeadForms(const RunnerConfig* config, bot::SqliteLeadInbox* inbox, bot::HttpClient* http,
            bot::Bot* bot, WorkQueue* queue, const bot::Clock* clock, const Logger* log,
            std::function<void()> wake_outbox);
  ~LeadForms();

  // GET: the subscription handshake (hub.mode, hub.verify_token, hub.challenge in `query`).
  std::pair<int, std::string> Verify(std::string_view query) const;
  // POST: a notification. 401 for a bad signature, 400 for a body that is not one; 200 once
  // every new lead in it is stored. Runs store work: call it on a worker.
  std::pair<int, std::string> Notify(const std::string& body, std::string_view signature);
  // Fetches the leads a previous run accepted but did not start.
  void Recover();
  // Shutting down: a fetch still in flight leaves its lead accepted, for the next start's
  // Recover(), instead of failing it. Waits for the fetches in flight to end (each gives up
  // within kFetchDeadline), so the HTTP client and the retrier can go.
  void Stop();

  // For tests: the variables and contact address a Graph answer gives ("" address = none).
  struct LeadFields {
    std::string address;
    bot::VarMap vars;
  };
  static bot::Result<LeadFields> ReadLead(const std::string& graph_body, std::string_view region);

 private:
  void Fetch(bot::LeadNotification lead);
  void Start(const bot::LeadNotification& lead, const std::string& graph_body);
  void Finish(const bot::LeadNotification& lead, std::string_view status, std::string_view why);
  // Whether the contact's latest session is this lead's: started before a crash.
  bool StartedBefore(const std::string& number, const std::string& address,
                     const std::string& leadgen_id);

  const RunnerConfig* config_;
  const MetaLeadgenConfig& leadgen_;
  bot::SqliteLeadInbox* inbox_;
  bot::Bot* bot_;
  WorkQueue* queue_;
  const bot::Clock* clock_;
  const Logger* log_;
  std::function<void()> wake_outbox_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_;
  int in_flight_ = 0;  // Guarded by mu_
  std::unique_ptr<bot::HttpRetrier> graph_;
};

}  // namespace runner
