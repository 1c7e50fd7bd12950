// The web console's side of the admin listener: who is calling (a bearer token or a session
// cookie, with CSRF checks), login and logout, the console's static files and the media files.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "admin/admin_handler.h"
#include "admin/admin_json.h"
#include "admin/console_assets.h"
#include "bot/sqlite_conversations.h"
#include "server/await_work.h"
#include "util/json_text.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

constexpr char kCsrfHeader[] = "X-CSRF-Token";
// Only this origin's files, no inline script or style: an injected tag runs nothing.
constexpr char kConsolePolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
// A media file opened on its own (an HTML or SVG a user sent) runs nothing either.
constexpr char kMediaPolicy[] = "default-src 'none'; sandbox";

std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// A browser's request from another site: its Sec-Fetch-Site says so, or its Origin is not this
// host's. Requests without either (curl, scripts) are not cross-site by this test; they still
// need the CSRF token.
bool CrossSite(const Request& request) {
  const std::string_view site = Sv(request["Sec-Fetch-Site"]);
  if (!site.empty() && site != "same-origin") return true;
  const std::string_view origin = Sv(request[http::field::origin]);
  if (origin.empty()) return false;
  const std::string host(Sv(request[http::field::host]));
  return origin != "http://" + host && origin != "https://" + host;
}

std::string SessionCookie(std::string_view value, bool secure, bool clear) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; Path=/admin; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  if (clear) cookie += "; Max-Age=0";
  return cookie;
}

std::string SessionJson(const ConsoleSession& session, std::chrono::seconds idle) {
  std::string body = "{\"agent\":";
  AppendJsonString(&body, session.agent);
  body += ",\"role\":";
  body += session.role == AdminTokenConfig::Role::kAdmin ? "\"admin\"" : "\"agent\"";
  body += ",\"csrf\":\"" + session.csrf + "\"";
  body += ",\"idle_minutes\":" + std::to_string(idle.count() / 60) + "}";
  return body;
}

// A media file's name as the store writes it ("<sha256>.<ext>"): no folder, no dot first.
bool MediaName(std::string_view name) {
  return !name.empty() && name.size() <= 128 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

// The content type of a stored media file, by the extension the store gave it.
std::string_view MediaType(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"jpg", "image/jpeg"},      {"png", "image/png"},
      {"webp", "image/webp"},     {"gif", "image/gif"},
      {"ogg", "audio/ogg"},       {"opus", "audio/ogg"},
      {"amr", "audio/amr"},       {"aac", "audio/aac"},
      {"mp3", "audio/mpeg"},      {"m4a", "audio/mp4"},
      {"mp4", "video/mp4"},       {"3gp", "video/3gpp"},
      {"pdf", "application/pdf"}, {"txt", "text/plain; charset=utf-8"},
      {"vcf", "text/vcard"},
  };
  const std::string_view ext = name.substr(name.rfind('.') + 1);
  for (const auto& [extension, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

}  // namespace

std::optional<Response> AdminHandler::Authorize(const Request& request, AdminTokenConfig* caller) {
  const std::string_view authorization = Sv(request[http::field::authorization]);
  const std::string_view cookie = CookieValue(Sv(request[http::field::cookie]), kSessionCookie);
  if (!authorization.empty() || cookie.empty()) {
    const AdminTokenConfig* token = auth_.Authenticate(authorization);
    if (token == nullptr) {
      Response res =
          AdminError(401, "a valid bearer token is required (Authorization: Bearer ...)");
      res.set(http::field::www_authenticate,
              authorization.empty() ? "Bearer realm=\"botrunner-admin\""
                                    : "Bearer realm=\"botrunner-admin\", error=\"invalid_token\"");
      return res;
    }
    *caller = *token;
    return std::nullopt;
  }
  const ConsoleSession* session = nullptr;
  switch (sessions_.Find(cookie, &session)) {
    case ConsoleSessions::Lookup::kFound:
      break;
    case ConsoleSessions::Lookup::kMissing:
      return AdminError(401, "you are not logged in (or the server restarted): log in again");
    case ConsoleSessions::Lookup::kExpired:
      return AdminError(401, "your session expired after " +
                                 std::to_string(config_->admin->session_idle.count() / 60) +
                                 " minutes without use: log in again");
  }
  const bool reads = request.method() == http::verb::get || request.method() == http::verb::head;
  if (!reads) {
    // The cookie goes with any request the browser makes: the token proves the page sent it.
    if (CrossSite(request)) return AdminError(403, "a cross-site request is refused");
    if (!SameSecret(Sv(request[kCsrfHeader]), session->csrf)) {
      return AdminError(403, "missing or wrong CSRF token (X-CSRF-Token)");
    }
  }
  caller->name = session->agent;
  caller->role = session->role;
  caller->tenants = session->tenants;
  return std::nullopt;
}

asio::awaitable<Response> AdminHandler::Console(Request& request, std::string_view path) {
  constexpr std::string_view kSession = "/admin/api/session";
  constexpr std::string_view kMedia = "/admin/media/";
  const http::verb method = request.method();
  if (path == kSession) {
    if (method == http::verb::post) co_return Login(request);
    if (method == http::verb::get) co_return SessionInfo(request);
    if (method == http::verb::delete_) co_return Logout(request);
    Response res = AdminError(405, "use POST (log in), GET or DELETE (log out)");
    res.set(http::field::allow, "POST, GET, DELETE");
    co_return res;
  }
  if (path.substr(0, kMedia.size()) == kMedia) {
    co_return co_await Media(request, path.substr(kMedia.size()));
  }
  if (path == "/admin") {
    Response res = MakeResponse(308, "", "");
    res.set(http::field::location, "/admin/");
    co_return res;
  }
  const ConsoleAsset* asset = nullptr;
  if (path == "/admin/") {
    asset = FindConsoleAsset("console.html");
  } else if (path.substr(0, 7) == "/admin/" && path.find('/', 7) == std::string_view::npos) {
    asset = FindConsoleAsset(path.substr(7));
  }
  if (asset == nullptr) co_return AdminError(404, "no such endpoint");
  if (method != http::verb::get && method != http::verb::head) {
    Response res = AdminError(405, "use GET");
    res.set(http::field::allow, "GET");
    co_return res;
  }
  Response res = MakeResponse(200, std::string(asset->content_type), std::string(asset->bytes));
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy", kConsolePolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  co_return res;
}

Response AdminHandler::Login(const Request& request) {
  // Login CSRF: another site must not log the browser in as someone else.
  if (CrossSite(request)) return AdminError(403, "a cross-site request is refused");
  const AdminTokenConfig* token = auth_.Authenticate(Sv(request[http::field::authorization]));
  if (token == nullptr) return AdminError(401, "unknown token");
  std::string id;
  const ConsoleSession& session = sessions_.Create(*token, &id);
  log_->Info("admin: {} logged in to the console", token->name);
  Response res = AdminJson(200, SessionJson(session, config_->admin->session_idle));
  res.set(http::field::set_cookie, SessionCookie(id, config_->admin->secure_cookie, false));
  return res;
}

Response AdminHandler::SessionInfo(const Request& request) {
  const std::string_view id = CookieValue(Sv(request[http::field::cookie]), kSessionCookie);
  const ConsoleSession* session = nullptr;
  switch (sessions_.Find(id, &session)) {
    case ConsoleSessions::Lookup::kFound:
      return AdminJson(200, SessionJson(*session, config_->admin->session_idle));
    case ConsoleSessions::Lookup::kMissing:
      return AdminError(401, "you are not logged in");
    case ConsoleSessions::Lookup::kExpired:
      break;
  }
  return AdminError(401, "your session expired: log in again");
}

Response AdminHandler::Logout(const Request& request) {
  AdminTokenConfig caller;
  if (std::optional<Response> refused = Authorize(request, &caller)) return std::move(*refused);
  sessions_.Remove(CookieValue(Sv(request[http::field::cookie]), kSessionCookie));
  if (events_ != nullptr) events_->Recheck();  // the session's open event streams end
  Response res = AdminJson(200, "{\"ok\":true}");
  res.set(http::field::set_cookie, SessionCookie("", config_->admin->secure_cookie, true));
  return res;
}

asio::awaitable<Response> AdminHandler::Media(const Request& request, std::string_view name) {
  AdminTokenConfig caller;
  if (std::optional<Response> refused = Authorize(request, &caller)) co_return std::move(*refused);
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Response res = AdminError(405, "use GET");
    res.set(http::field::allow, "GET");
    co_return res;
  }
  if (!MediaName(name)) co_return AdminError(404, "no such media file");
  // Read on a worker: a file of a few MiB must not hold the HTTP thread.
  using Read = std::optional<std::string>;
  const std::string dir = config_->media_dir;
  const std::string file(name);
  const std::optional<std::set<std::string>> numbers = VisibleNumbers(caller);
  Read bytes = co_await AwaitWork<Read>(
      *ioc_, [this, &dir, &file, &numbers](std::function<void(Read)> resume) {
        queue_->Post([this, dir, file, numbers, resume = std::move(resume)] {
          if (numbers) {
            // A token limited to some tenants gets only their conversations' files.
            bot::Result<std::vector<std::string>> channels =
                bot::MediaChannels(config_->database, file);
            if (!channels.ok() ||
                std::none_of(channels->begin(), channels->end(),
                             [&](const std::string& c) { return numbers->count(c) > 0; })) {
              resume(std::nullopt);
              return;
            }
          }
          // The file must resolve inside media_dir: a symbolic link out of it is not followed.
          std::error_code ec;
          const fs::path root = fs::canonical(dir, ec);
          const fs::path path = ec ? fs::path() : fs::canonical(root / file, ec);
          if (ec || path.parent_path() != root || !fs::is_regular_file(path, ec)) {
            resume(std::nullopt);
            return;
          }
          std::ifstream in(path, std::ios::binary);
          std::ostringstream out;
          out << in.rdbuf();
          resume(in.is_open() ? Read(out.str()) : std::nullopt);
        });
      });
  if (!bytes) co_return AdminError(404, "no such media file");
  const std::string_view type = MediaType(name);
  Response res = MakeResponse(200, std::string(type), std::move(*bytes));
  res.set(http::field::cache_control, "private, max-age=3600");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", kMediaPolicy);
  const bool shown = type.substr(0, 6) == "image/" || type.substr(0, 6) == "audio/" ||
                     type.substr(0, 6) == "video/" || type == "application/pdf";
  res.set(http::field::content_disposition, shown ? "inline" : "attachment");
  co_return res;
}

}  // namespace runner
