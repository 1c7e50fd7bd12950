// Tracked campaign links: the tokens ImportCampaign puts in place of a link, and following one
// (botrunner's GET /r/<token>): the stored target, and the click recorded in the same transaction.
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "bot/campaigns.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

constexpr size_t kTokenBytes = 16;
constexpr size_t kTokenLength = 22;  // ceil(16 * 8 / 6), no padding
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string NewLinkToken() {
  std::array<unsigned char, kTokenBytes> bytes{};
  // RAND_bytes fails only without an entropy source, which OpenSSL checks at start-up.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  std::string token;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char b : bytes) {
    bits = (bits << 8) | b;
    count += 8;
    while (count >= 6) {
      count -= 6;
      token += kBase64Url[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) token += kBase64Url[(bits << (6 - count)) & 0x3f];
  return token;
}

bool IsLinkToken(std::string_view text) {
  return text.size() == kTokenLength &&
         text.find_first_not_of(kBase64Url) == std::string_view::npos;
}

Result<std::optional<std::string>> FollowTrackedLink(const std::string& db_path,
                                                     std::string_view token,
                                                     const LinkClick* click) {
  using Target = std::optional<std::string>;
  if (!IsLinkToken(token)) return Target();
  return sqlite::WithDatabase<Target>(db_path, [&](sqlite3* db) -> Result<Target> {
    if (Status s = sqlite::Exec(db, click != nullptr ? "BEGIN IMMEDIATE" : "BEGIN"); !s.ok()) {
      return s;
    }
    auto rollback = [&](Status s) -> Result<Target> {
      (void)sqlite::Exec(db, "ROLLBACK");
      return s;
    };
    sqlite::Statement find;
    if (Status s = find.Prepare(db, "SELECT target_url FROM tracked_links WHERE token = ?1");
        !s.ok()) {
      return rollback(s);
    }
    find.Bind(1, token);
    const int rc = find.Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rollback(sqlite::Error(db, rc, "find link"));
    Target target;
    if (rc == SQLITE_ROW) target = find.Text(0);
    find.Reset();
    if (target && click != nullptr) {
      sqlite::Statement insert;
      if (Status s = insert.Prepare(
              db, "INSERT INTO link_clicks (token, at, user_agent) VALUES (?1, ?2, ?3)");
          !s.ok()) {
        return rollback(s);
      }
      insert.Bind(1, token);
      insert.Bind(2, click->at);
      insert.Bind(3, click->user_agent);
      if (Status s = insert.Run(); !s.ok()) return rollback(s);
    }
    if (Status s = sqlite::Exec(db, "COMMIT"); !s.ok()) return rollback(s);
    return target;
  });
}

}  // namespace bot
