// The web console's logins: an agent who proves a configured bearer token gets a session, named
// by a random id kept in an HttpOnly cookie, with its own CSRF token (the page sends it in the
// X-CSRF-Token header of every state-changing request). Sessions live in memory: a restart logs
// every agent out. A session unused for `idle_timeout` has expired. Not thread-safe: used on the
// io_context's thread only.
#pragma once

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "config/config.h"

namespace runner {

// The cookie that names a console session.
inline constexpr std::string_view kSessionCookie = "botrunner_session";

struct ConsoleSession {
  std::string agent;  // the token's name: the actor of what the agent does
  AdminTokenConfig::Role role = AdminTokenConfig::Role::kAgent;
  std::vector<std::string> tenants;  // the token's; empty = every tenant
  std::string csrf;  // 64 hex digits
  bot::TimePoint last_used;
};

class ConsoleSessions {
 public:
  ConsoleSessions(const bot::Clock* clock, std::chrono::seconds idle_timeout)
      : clock_(clock), idle_timeout_(idle_timeout) {}

  // A new session for `token`; `*id` receives its cookie value (64 hex digits).
  const ConsoleSession& Create(const AdminTokenConfig& token, std::string* id);

  enum class Lookup { kFound, kMissing, kExpired };
  // The session named `id` (touched: its idle time starts again), or why there is none. An
  // expired session is removed.
  Lookup Find(std::string_view id, const ConsoleSession** session);

  // Logs `id` out; nothing when there is no such session.
  void Remove(std::string_view id) { sessions_.erase(std::string(id)); }

  // Whether `id` names a session that has not expired; unlike Find, does not touch it (an open
  // event stream is not use).
  bool Alive(std::string_view id) const;

  size_t size() const { return sessions_.size(); }

 private:
  std::string RandomHex();
  void RemoveExpired();

  const bot::Clock* clock_;
  std::chrono::seconds idle_timeout_;
  std::map<std::string, ConsoleSession, std::less<>> sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"); "" when absent.
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);

// Whether `a` equals `b`, in time that does not depend on where they differ.
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace runner
