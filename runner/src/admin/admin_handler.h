// The admin HTTP JSON API (docs/runner.md, "Admin API"), served on its own listener:
//   GET  /admin/api/conversations?status=&dialog=&number=&q=&limit=&cursor=
//   GET  /admin/api/conversations/{contact_id}
//   POST /admin/api/conversations/{contact_id}/claim | messages | release | close | optout
// Every request needs `Authorization: Bearer <token>` (401 otherwise); `optout` needs the admin
// role (403). Store work runs on the work queue, never on the HTTP thread; an action runs in the
// conversation's turn lane, so it never interleaves with a turn of the same conversation.
#pragma once

#include <boost/asio/io_context.hpp>
#include <string>

#include "admin/admin_auth.h"
#include "bot/bot.h"
#include "campaigns/campaign_api.h"
#include "config/config.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/outbox_worker.h"
#include "server/work_queue.h"

namespace runner {

class AdminHandler final : public HttpHandler {
 public:
  // What the handler works with; everything must outlive it.
  struct Parts {
    const RunnerConfig* config = nullptr;  // with `admin` set
    asio::io_context* ioc = nullptr;
    bot::Bot* bot = nullptr;  // its store (flushed before an action), clock and dialogs
    WorkQueue* queue = nullptr;
    OutboxWorker* outbox = nullptr;  // woken when an agent's message is queued
    const Logger* log = nullptr;
    bot::Scheduler* scheduler = nullptr;  // woken by a campaign import; may be null
  };
  explicit AdminHandler(const Parts& parts);

  asio::awaitable<Response> Handle(Request& request) override;
  Response Rejected(const Request& request, int status) override;

 private:
  asio::awaitable<Response> List(const std::string& query);
  asio::awaitable<Response> Detail(int64_t contact_id);
  asio::awaitable<Response> Act(const Request& request, const AdminTokenConfig& token,
                                int64_t contact_id, const std::string& action);

  const RunnerConfig* config_;
  asio::io_context* ioc_;
  bot::Bot* bot_;
  WorkQueue* queue_;
  OutboxWorker* outbox_;
  const Logger* log_;
  AdminAuth auth_;
  CampaignApiParts campaigns_;  // POST /admin/api/campaigns (campaigns/campaign_api.cc)
};

}  // namespace runner
