// Admin API routes: authenticate, route, then do the store work on the work queue and answer
// JSON. Refusals are answered with {"error": "..."} and the status that says why.
#include "admin/admin_handler.h"

#include <algorithm>
#include <charconv>

#include "admin/action_body.h"
#include "admin/admin_json.h"
#include "bot/sqlite_conversations.h"
#include "bot/text.h"
#include "bot/twilio.h"
#include "server/await_work.h"
#include "server/webhook_handler.h"
#include "util/json_text.h"

namespace runner {
namespace {

constexpr std::string_view kPrefix = "/admin/api/conversations";
constexpr std::string_view kEvents = "/admin/api/events";
// WhatsApp's customer service window: a free-form message only within 24 h of the user's last.
constexpr auto kWindow = std::chrono::hours(24);
// Twilio refuses a longer WhatsApp body (error 21617).
constexpr size_t kMaxText = 1600;

std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool ParseId(std::string_view text, int64_t* id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return ec == std::errc() && end == text.data() + text.size() && *id > 0;
}

// The `kind` of the console event an action causes.
std::string_view ActionEventKind(bot::ConversationAction::Kind kind) {
  using Kind = bot::ConversationAction::Kind;
  switch (kind) {
    case Kind::kClaim:
      return "claimed";
    case Kind::kMessage:
      return "agent_message";
    case Kind::kRelease:
      return "released";
    case Kind::kClose:
      return "closed";
    case Kind::kOptOut:
      return "opted_out";
  }
  return "changed";
}

}  // namespace

AdminHandler::AdminHandler(const Parts& parts)
    : config_(parts.config),
      ioc_(parts.ioc),
      bot_(parts.bot),
      queue_(parts.queue),
      outbox_(parts.outbox),
      log_(parts.log),
      events_(parts.events),
      auth_(parts.config->admin->tokens),
      sessions_(&parts.bot->clock(), parts.config->admin->session_idle),
      campaigns_{parts.config, parts.ioc, parts.bot, parts.queue, parts.scheduler, parts.log} {}

std::unique_ptr<ResponseStream> AdminHandler::Stream(Request& request) {
  const std::string_view target = Sv(request.target());
  if (events_ == nullptr || target.substr(0, target.find('?')) != kEvents ||
      request.method() != http::verb::get) {
    return nullptr;
  }
  AdminTokenConfig caller;
  if (Authorize(request, &caller)) return nullptr;  // Handle answers the refusal
  ConversationEvents::Audience audience;
  audience.numbers = VisibleNumbers(caller);
  if (caller.sha256.empty()) {
    // A console session's stream lasts as long as the session: a logout or an expiry ends it.
    std::string id(CookieValue(Sv(request[http::field::cookie]), kSessionCookie));
    audience.still_allowed = [this, id = std::move(id)] { return sessions_.Alive(id); };
  }
  return events_->Subscribe(std::move(audience));
}

std::optional<std::set<std::string>> AdminHandler::VisibleNumbers(
    const AdminTokenConfig& caller) const {
  if (caller.tenants.empty()) return std::nullopt;
  std::set<std::string> numbers;
  for (const NumberConfig& number : config_->numbers) {
    if (std::find(caller.tenants.begin(), caller.tenants.end(), number.tenant) !=
        caller.tenants.end()) {
      numbers.insert(number.to);
    }
  }
  return numbers;
}

bool AdminHandler::Sees(const AdminTokenConfig& caller, const std::string& number) const {
  if (caller.tenants.empty()) return true;
  const NumberConfig* found = config_->FindNumber(number);
  return found != nullptr && std::find(caller.tenants.begin(), caller.tenants.end(),
                                       found->tenant) != caller.tenants.end();
}

Response AdminHandler::Rejected(const Request&, int status) {
  return AdminError(status, status == 413 ? "request body too large" : "bad request");
}

asio::awaitable<Response> AdminHandler::Handle(Request& request) {
  const std::string_view target = Sv(request.target());
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string query(q == std::string_view::npos ? "" : target.substr(q + 1));
  if (path.substr(0, kPrefix.size()) != kPrefix && path != kEvents && !IsCampaignsPath(path)) {
    co_return co_await Console(request, path);
  }
  AdminTokenConfig caller;
  if (std::optional<Response> refused = Authorize(request, &caller)) co_return std::move(*refused);
  const AdminTokenConfig* token = &caller;
  if (path == kEvents) {
    // A GET was streamed (Stream): this is another method.
    Response res = AdminError(405, "use GET");
    res.set(http::field::allow, "GET");
    co_return res;
  }
  if (path == kCampaignsPath) {
    co_return co_await HandleCampaignImport(
        campaigns_, request, token->role == AdminTokenConfig::Role::kAdmin, token->tenants);
  }
  if (IsCampaignsPath(path)) {
    co_return co_await HandleCampaignReport(campaigns_, request, path, token->tenants);
  }
  // conversations[/{id}[/{action}]]
  if (path.substr(0, kPrefix.size()) != kPrefix ||
      (path.size() > kPrefix.size() && path[kPrefix.size()] != '/')) {
    co_return AdminError(404, "no such endpoint");
  }
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty()) rest.remove_prefix(1);
  const bool is_get = request.method() == http::verb::get;
  const bool is_post = request.method() == http::verb::post;
  if (rest.empty()) {
    if (!is_get) {
      Response res = AdminError(405, "use GET");
      res.set(http::field::allow, "GET");
      co_return res;
    }
    co_return co_await List(query, *token);
  }
  const size_t slash = rest.find('/');
  int64_t id = 0;
  if (!ParseId(rest.substr(0, slash), &id)) co_return AdminError(404, "no such conversation");
  if (slash == std::string_view::npos) {
    if (!is_get) {
      Response res = AdminError(405, "use GET");
      res.set(http::field::allow, "GET");
      co_return res;
    }
    co_return co_await Detail(id, *token);
  }
  const std::string action(rest.substr(slash + 1));
  if (action != "claim" && action != "messages" && action != "release" && action != "close" &&
      action != "optout") {
    co_return AdminError(404, "no such endpoint");
  }
  if (!is_post) {
    Response res = AdminError(405, "use POST");
    res.set(http::field::allow, "POST");
    co_return res;
  }
  // Opting a contact out silences the bot for good: an admin's decision, not an agent's.
  if (action == "optout" && token->role != AdminTokenConfig::Role::kAdmin) {
    co_return AdminError(403, "only an admin token may opt a contact out");
  }
  co_return co_await Act(request, *token, id, action);
}

asio::awaitable<Response> AdminHandler::List(const std::string& query,
                                             const AdminTokenConfig& caller) {
  bot::Result<bot::FormParams> params = bot::ParseForm(query);
  if (!params.ok()) co_return AdminError(400, "malformed query string");
  bot::ConversationFilter filter;
  for (const auto& [key, value] : *params) {
    if (key == "status") {
      if (value != "handoff" && value != "active" && value != "done" && value != "opted_out" &&
          value != "expired" && !value.empty()) {
        co_return AdminError(400, "status must be handoff, active, done, expired or opted_out");
      }
      filter.status = value;
    } else if (key == "dialog") {
      filter.dialog = value;
    } else if (key == "number") {
      filter.number = WhatsAppAddress(value);
    } else if (key == "q") {
      filter.query = value;
    } else if (key == "limit") {
      int64_t limit = 0;
      if (!ParseId(value, &limit) || limit > 200)
        co_return AdminError(400, "limit must be 1 to 200");
      filter.limit = static_cast<int>(limit);
    } else if (key == "cursor") {
      std::pair<bot::TimePoint, int64_t> after;
      if (!ParseCursor(value, &after)) co_return AdminError(400, "malformed cursor");
      filter.after = after;
    } else {
      co_return AdminError(400, "unknown parameter '" + key + "'");
    }
  }
  if (std::optional<std::set<std::string>> numbers = VisibleNumbers(caller)) {
    filter.numbers.emplace(numbers->begin(), numbers->end());
  }
  using Page = bot::Result<std::vector<bot::ConversationSummary>>;
  Page page = co_await AwaitWork<Page>(*ioc_, [this, &filter](std::function<void(Page)> resume) {
    queue_->Post([this, filter, resume = std::move(resume)] {
      resume(bot::ListConversations(config_->database, filter));
    });
  });
  if (!page.ok()) {
    log_->Error("admin: list conversations: {}", page.status().ToString());
    co_return AdminError(500, "the store failed; see the server log");
  }
  const bool full = static_cast<int>(page->size()) == filter.limit;
  co_return AdminJson(200, ConversationListJson(*page, full ? CursorAfter(page->back()) : ""));
}

asio::awaitable<Response> AdminHandler::Detail(int64_t contact_id, const AdminTokenConfig& caller) {
  using Got = bot::Result<bot::ConversationDetail>;
  Got got = co_await AwaitWork<Got>(*ioc_, [this, contact_id](std::function<void(Got)> resume) {
    queue_->Post([this, contact_id, resume = std::move(resume)] {
      resume(bot::GetConversation(config_->database, contact_id));
    });
  });
  if (!got.ok()) {
    if (got.status().code() == bot::StatusCode::kNotFound) {
      co_return AdminError(404, "no such conversation");
    }
    log_->Error("admin: conversation {}: {}", contact_id, got.status().ToString());
    co_return AdminError(500, "the store failed; see the server log");
  }
  if (!Sees(caller, got->summary.channel)) co_return AdminError(404, "no such conversation");
  // The dialog's templates: what the console offers outside the 24 h window.
  std::shared_ptr<const bot::Dialog> dialog = bot_->dialogs()->Find(got->summary.dialog_id);
  co_return AdminJson(200,
                      ConversationDetailJson(*got, bot_->clock().Now() - kWindow, dialog.get()));
}

asio::awaitable<Response> AdminHandler::Act(const Request& request, const AdminTokenConfig& token,
                                            int64_t contact_id, const std::string& name) {
  bot::ConversationAction action;
  action.contact_id = contact_id;
  action.actor = token.name;
  action.override_claim = token.role == AdminTokenConfig::Role::kAdmin;
  ActionBody body;
  if (bot::Status read = ReadActionBody(request.body(), &body); !read.ok()) {
    co_return AdminError(400, read.message());
  }
  action.state = body.state;
  if (name == "claim") {
    action.kind = bot::ConversationAction::Kind::kClaim;
  } else if (name == "messages") {
    action.kind = bot::ConversationAction::Kind::kMessage;
    // A template is resolved against the conversation's dialog in its turn lane (below).
    if (!body.has_template()) {
      const std::string& text = body.text;
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        co_return AdminError(400,
                             "the body needs {\"text\": \"...\"} or a template "
                             "({\"template\"} or {\"content_sid\"} with its \"variables\")");
      }
      if (!bot::IsValidUtf8(text) || bot::CodePointCount(text) > kMaxText) {
        co_return AdminError(400, "the text must be UTF-8 of at most 1600 characters");
      }
      action.text = text;
    }
    action.window_start = bot_->clock().Now() - kWindow;
  } else if (name == "release") {
    action.kind = bot::ConversationAction::Kind::kRelease;
    std::shared_ptr<const bot::DialogSet> dialogs = bot_->dialogs();
    action.state_exists = [dialogs](const std::string& dialog_id, const std::string& state) {
      std::shared_ptr<const bot::Dialog> dialog = dialogs->Find(dialog_id);
      return dialog != nullptr && dialog->FindState(state) != nullptr;
    };
  } else if (name == "close") {
    action.kind = bot::ConversationAction::Kind::kClose;
  } else {
    action.kind = bot::ConversationAction::Kind::kOptOut;
  }
  action.now = bot_->clock().Now();

  using Applied = bot::Result<bot::ActionResult>;
  // The start lambda captures references only (g++ 12 destroys a co_await operand's captures
  // twice); the jobs copy what they need.
  Applied applied = co_await AwaitWork<Applied>(
      *ioc_, [this, &action, &body, &token](std::function<void(Applied)> resume) {
        queue_->Post([this, action, body, token, resume = std::move(resume)] {
          bot::Result<std::pair<std::string, std::string>> address =
              bot::ConversationAddress(config_->database, action.contact_id);
          // Another tenant's conversation does not exist for this caller.
          if (!address.ok() || !Sees(token, address->first)) {
            if (!address.ok() && address.status().code() != bot::StatusCode::kNotFound) {
              resume(address.status());
              return;
            }
            bot::ActionResult missing;
            missing.outcome = bot::ActionResult::Outcome::kNotFound;
            missing.message = "no such conversation";
            resume(missing);
            return;
          }
          const NumberConfig* number = config_->FindNumber(address->first);
          if (action.kind == bot::ConversationAction::Kind::kMessage &&
              (number == nullptr || number->account.empty())) {
            bot::ActionResult refused;
            refused.outcome = bot::ActionResult::Outcome::kNotAllowed;
            refused.message = address->first + " has no Twilio account: it cannot send a message";
            resume(refused);
            return;
          }
          // Behind the conversation's turns: a release or a claim never lands inside one.
          queue_->Submit(
              WebhookHandler::TurnLane(address->first, address->second),
              [this, action, body, resume, number = address->first,
               contact = address->second]() mutable {
                // The store's open group holds the write lock; this writes over
                // another connection.
                (void)bot_->store().Flush();
                if (action.kind == bot::ConversationAction::Kind::kMessage && body.has_template()) {
                  bot::Result<std::optional<bot::Session>> session =
                      bot_->store().LatestSession(action.contact_id);
                  std::shared_ptr<const bot::Dialog> dialog;
                  if (session.ok() && session->has_value()) {
                    dialog = bot_->dialogs()->Find((*session)->dialog_id);
                  }
                  if (bot::Status s = ResolveTemplate(body, dialog.get(), &action); !s.ok()) {
                    resume(s);
                    return;
                  }
                }
                Applied result = bot::ApplyConversationAction(config_->database, action);
                if (result.ok() && result->message_id != 0 && outbox_ != nullptr) {
                  outbox_->Wake();
                }
                if (result.ok() && events_ != nullptr &&
                    result->outcome == bot::ActionResult::Outcome::kDone) {
                  events_->Publish(ActionEventKind(action.kind), number, contact);
                }
                resume(std::move(result));
              });
        });
      });
  if (!applied.ok()) {
    // A template the conversation's dialog does not have, or its variables.
    if (applied.status().code() == bot::StatusCode::kInvalidArgument) {
      co_return AdminError(400, applied.status().message());
    }
    log_->Error("admin: {} {} by {}: {}", name, contact_id, token.name,
                applied.status().ToString());
    co_return AdminError(500, "the store failed; see the server log");
  }
  using Outcome = bot::ActionResult::Outcome;
  switch (applied->outcome) {
    case Outcome::kDone:
      break;
    case Outcome::kNotFound:
      co_return AdminError(404, "no such conversation");
    case Outcome::kClaimedByOther: {
      std::string body = ErrorJson(applied->message);
      body.pop_back();
      body += ",\"claimed_by\":";
      AppendJsonString(&body, applied->claimed_by);
      co_return AdminJson(409, body + "}");
    }
    case Outcome::kNotAllowed:
    case Outcome::kOutsideWindow:
      co_return AdminError(409, applied->message);
    case Outcome::kUnknownState:
      co_return AdminError(400, applied->message);
  }
  log_->Info("admin: {} conversation {} by {}", name, contact_id, token.name);
  if (applied->message_id != 0) {
    co_return AdminJson(
        202, "{\"message_id\":" + std::to_string(applied->message_id) + ",\"status\":\"pending\"}");
  }
  co_return AdminJson(200, "{\"ok\":true}");
}

}  // namespace runner
