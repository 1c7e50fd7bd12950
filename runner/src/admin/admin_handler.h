// The admin HTTP JSON API (docs/runner.md, "Admin API") and the web console ("Web console"),
// served on their own listener:
//   GET  /admin/api/conversations?status=&dialog=&number=&q=&limit=&cursor=
//   GET  /admin/api/conversations/{contact_id}
//   POST /admin/api/conversations/{contact_id}/claim | messages | release | close | optout
//        (messages: {"text"}, or a template: {"content_sid", "variables"} | {"template",
//        "variables"}, the only kind allowed outside WhatsApp's 24 h window)
//   POST /admin/api/campaigns                   import a campaign's CSV (admin)
//   GET  /admin/api/campaigns/{id}/report       its report (?format=csv)
//   GET  /admin/api/events                      Server-Sent Events: a conversation changed
//   GET  /admin/ (console.html, .css, .js)      the console's static files, no login needed
//   POST | GET | DELETE /admin/api/session      log in (bearer token) | who am I | log out
//   GET  /admin/media/{file}                    a file of media_dir
// Every API request needs `Authorization: Bearer <token>` or the console's session cookie (401
// otherwise); with the cookie, a state-changing request also needs the session's CSRF token in
// X-CSRF-Token and a same-origin Origin (403). `optout` needs the admin role (403). A token
// limited to some tenants sees only their numbers' conversations, media and events: the others
// are 404, as if they did not exist. Store work runs
// on the work queue, never on the HTTP thread; an action runs in the conversation's turn lane, so
// it never interleaves with a turn of the same conversation.
#pragma once

#include <boost/asio/io_context.hpp>
#include <optional>
#include <set>
#include <string>

#include "admin/admin_auth.h"
#include "admin/console_sessions.h"
#include "admin/conversation_events.h"
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
    ConversationEvents* events = nullptr;  // told of every action; streamed to the console
    bot::Scheduler* scheduler = nullptr;  // woken by a campaign import; may be null
  };
  explicit AdminHandler(const Parts& parts);

  std::unique_ptr<ResponseStream> Stream(Request& request) override;
  asio::awaitable<Response> Handle(Request& request) override;
  Response Rejected(const Request& request, int status) override;

 private:
  // Who is calling: a bearer token's, or a console session's agent (`sha256` empty). Fills
  // `caller` or answers the refusal (401 no or expired login, 403 CSRF).
  std::optional<Response> Authorize(const Request& request, AdminTokenConfig* caller);
  // The console's routes (admin_console.cc): static files, login, logout, media.
  asio::awaitable<Response> Console(Request& request, std::string_view path);
  Response Login(const Request& request);
  Response SessionInfo(const Request& request);
  Response Logout(const Request& request);
  asio::awaitable<Response> Media(const Request& request, std::string_view name);

  // The bot numbers `caller` may see: its tenants' (nullopt = every number).
  std::optional<std::set<std::string>> VisibleNumbers(const AdminTokenConfig& caller) const;
  bool Sees(const AdminTokenConfig& caller, const std::string& number) const;

  asio::awaitable<Response> List(const std::string& query, const AdminTokenConfig& caller);
  asio::awaitable<Response> Detail(int64_t contact_id, const AdminTokenConfig& caller);
  asio::awaitable<Response> Act(const Request& request, const AdminTokenConfig& token,
                                int64_t contact_id, const std::string& action);

  const RunnerConfig* config_;
  asio::io_context* ioc_;
  bot::Bot* bot_;
  WorkQueue* queue_;
  OutboxWorker* outbox_;
  const Logger* log_;
  ConversationEvents* events_;
  AdminAuth auth_;
  ConsoleSessions sessions_;
  CampaignApiParts campaigns_;  // POST /admin/api/campaigns (campaigns/campaign_api.cc)
};

}  // namespace runner
