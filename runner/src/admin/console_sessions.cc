// Session ids and CSRF tokens come from OpenSSL's CSPRNG: guessing one is guessing 256 bits.
#include "admin/console_sessions.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

namespace runner {

std::string ConsoleSessions::RandomHex() {
  std::array<unsigned char, 32> bytes{};
  // RAND_bytes fails only without an entropy source, which OpenSSL checks at start-up.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

void ConsoleSessions::RemoveExpired() {
  const bot::TimePoint now = clock_->Now();
  std::erase_if(sessions_,
                [&](const auto& entry) { return now - entry.second.last_used > idle_timeout_; });
}

const ConsoleSession& ConsoleSessions::Create(const AdminTokenConfig& token, std::string* id) {
  RemoveExpired();  // logins are rare: the sweep keeps abandoned sessions from piling up
  *id = RandomHex();
  ConsoleSession& session = sessions_[*id];
  session.agent = token.name;
  session.role = token.role;
  session.tenants = token.tenants;
  session.csrf = RandomHex();
  session.last_used = clock_->Now();
  return session;
}

ConsoleSessions::Lookup ConsoleSessions::Find(std::string_view id, const ConsoleSession** session) {
  auto it = sessions_.find(id);
  if (id.empty() || it == sessions_.end()) return Lookup::kMissing;
  const bot::TimePoint now = clock_->Now();
  if (now - it->second.last_used > idle_timeout_) {
    sessions_.erase(it);
    return Lookup::kExpired;
  }
  it->second.last_used = now;
  *session = &it->second;
  return Lookup::kFound;
}

bool ConsoleSessions::Alive(std::string_view id) const {
  auto it = sessions_.find(id);
  return !id.empty() && it != sessions_.end() &&
         clock_->Now() - it->second.last_used <= idle_timeout_;
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace runner
