// The web console's endpoints end to end: botrunner with an `admin:` listener on 127.0.0.1, the
// console's login (session cookie + CSRF token), its static files, media from media_dir, and the
// live updates (Server-Sent Events) while a user is handed off through a signed webhook.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "bot/testing/fake_clock.h"
#include "support/admin_tokens.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace runner {
namespace {

using bot::testing::FakeTwilio;
using bot::testing::HttpExchange;
using bot::testing::HttpReply;
using bot::testing::RunnerHarness;
using namespace std::chrono_literals;

constexpr const char* kAna = bot::testing::kAnaToken;  // agent
constexpr char kUser[] = "whatsapp:+593987650002";

constexpr char kAdminYaml[] =
    "admin:\n"
    "  listen: {host: 127.0.0.1, port: 0}\n"
    "  session_idle_minutes: 30\n"
    "  tokens:\n"
    "    - {name: ana, role: agent, sha256_env: ADMIN_ANA}\n";

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of a JSON string member in a flat body (enough for the session's answer).
std::string Member(const std::string& body, const std::string& key) {
  const std::string open = "\"" + key + "\":\"";
  const size_t at = body.find(open);
  if (at == std::string::npos) return "";
  const size_t start = at + open.size();
  return body.substr(start, body.find('"', start) - start);
}

// An open `GET /admin/api/events`: reads the stream as it comes.
class EventStream {
 public:
  EventStream(int port, const Headers& headers) : socket_(ioc_) {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}, ec);
    // A read that waits longer than this fails the test instead of hanging it.
    timeval timeout{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string request = "GET /admin/api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request + "\r\n"), ec);
  }

  // Everything received until `text` appears (or the stream ends, or 10 s pass without data).
  std::string ReadUntil(const std::string& text) {
    boost::system::error_code ec;
    boost::asio::read_until(socket_, buffer_, text, ec);
    std::string seen(boost::asio::buffers_begin(buffer_.data()),
                     boost::asio::buffers_end(buffer_.data()));
    return seen;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::streambuf buffer_;
};

class AdminConsoleTest : public ::testing::Test {
 protected:
  AdminConsoleTest()
      : h_(std::string("console_") +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()) {}

  void Start(const bot::Clock* clock = nullptr) {
    ASSERT_TRUE(h_.Start(h_.BaseYaml(twilio_, "review_rating", "{}", "rest") + kAdminYaml,
                         bot::testing::AdminTokenEnv, clock));
    port_ = h_.server().admin_port();
    ASSERT_NE(port_, 0);
  }

  HttpReply Call(const std::string& method, const std::string& target, const Headers& headers = {},
                 const std::string& body = "") {
    return HttpExchange(port_, method, target, body, headers);
  }

  // Logs in as Ana: the cookie header to send and the session's CSRF token.
  void LogIn(std::string* cookie, std::string* csrf) {
    HttpReply r =
        Call("POST", "/admin/api/session", {{"Authorization", std::string("Bearer ") + kAna}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string set_cookie = r.headers["set-cookie"];
    *cookie = set_cookie.substr(0, set_cookie.find(';'));
    *csrf = Member(r.body, "csrf");
    ASSERT_EQ(csrf->size(), 64u) << r.body;
  }

  FakeTwilio twilio_;
  bot::testing::FakeClock clock_;
  RunnerHarness h_;
  int port_ = 0;
};

TEST_F(AdminConsoleTest, LoginNeedsAConfiguredTokenAndSetsAStrictHttpOnlyCookie) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Call("POST", "/admin/api/session").status, 401);
  HttpReply wrong = Call("POST", "/admin/api/session", {{"Authorization", "Bearer not-a-token"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(wrong.headers["set-cookie"].empty());
  // Login CSRF: another site's page cannot log the browser in.
  EXPECT_EQ(
      Call("POST", "/admin/api/session",
           {{"Authorization", std::string("Bearer ") + kAna}, {"Origin", "https://evil.example"}})
          .status,
      403);

  HttpReply ok =
      Call("POST", "/admin/api/session", {{"Authorization", std::string("Bearer ") + kAna}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string cookie = ok.headers["set-cookie"];
  EXPECT_EQ(cookie.rfind("botrunner_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/admin"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP listener, not configured";
  EXPECT_EQ(Member(ok.body, "agent"), "ana");
  const std::string session = cookie.substr(0, cookie.find(';'));

  // The cookie alone reads the API and tells the page its CSRF token.
  HttpReply me = Call("GET", "/admin/api/session", {{"Cookie", session}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(Member(me.body, "csrf"), Member(ok.body, "csrf"));
  EXPECT_EQ(Call("GET", "/admin/api/conversations", {{"Cookie", session}}).status, 200);
  EXPECT_EQ(Call("GET", "/admin/api/conversations", {{"Cookie", "botrunner_session=abc"}}).status,
            401);
}

TEST_F(AdminConsoleTest, ACookieNeedsTheCsrfTokenAndTheSameOriginToChangeAnything) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  const std::string claim = "/admin/api/conversations/999/claim";
  HttpReply missing = Call("POST", claim, {{"Cookie", cookie}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_NE(missing.body.find("CSRF"), std::string::npos) << missing.body;
  std::string wrong = csrf;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(Call("POST", claim, {{"Cookie", cookie}, {"X-CSRF-Token", wrong}}).status, 403);
  EXPECT_EQ(Call("POST", claim,
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", "https://evil.example"}})
                .status,
            403);
  EXPECT_EQ(Call("POST", claim,
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  // Token and origin right: past the checks, the conversation does not exist.
  EXPECT_EQ(Call("POST", claim,
                 {{"Cookie", cookie},
                  {"X-CSRF-Token", csrf},
                  {"Origin", "http://127.0.0.1"},
                  {"Sec-Fetch-Site", "same-origin"}})
                .status,
            404);
  // Machines keep using the bearer token, without CSRF.
  EXPECT_EQ(Call("POST", claim, {{"Authorization", std::string("Bearer ") + kAna}}).status, 404);
  // Logging out needs the token too, then the cookie is worthless.
  EXPECT_EQ(Call("DELETE", "/admin/api/session", {{"Cookie", cookie}}).status, 403);
  HttpReply out =
      Call("DELETE", "/admin/api/session", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call("GET", "/admin/api/conversations", {{"Cookie", cookie}}).status, 401);
}

TEST_F(AdminConsoleTest, ASessionUnusedPastTheIdleTimeoutIsRefusedWithAClearMessage) {
  ASSERT_NO_FATAL_FAILURE(Start(&clock_));
  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  clock_.Advance(29min);
  EXPECT_EQ(Call("GET", "/admin/api/conversations", {{"Cookie", cookie}}).status, 200)
      << "use restarts the idle time";
  clock_.Advance(29min);
  EXPECT_EQ(Call("GET", "/admin/api/conversations", {{"Cookie", cookie}}).status, 200);
  clock_.Advance(31min);
  HttpReply expired = Call("GET", "/admin/api/conversations", {{"Cookie", cookie}});
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired after 30 minutes without use: log in again"),
            std::string::npos)
      << expired.body;
  EXPECT_EQ(Call("GET", "/admin/api/session", {{"Cookie", cookie}}).status, 401);
}

TEST_F(AdminConsoleTest, TheConsoleIsServedWithAStrictContentSecurityPolicy) {
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpReply redirect = Call("GET", "/admin");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.headers["location"], "/admin/");
  HttpReply page = Call("GET", "/admin/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"console.js\""), std::string::npos);
  EXPECT_EQ(page.headers["content-security-policy"].rfind("default-src 'self'", 0), 0u);
  EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
  // The files are the ones in runner/web, compiled in.
  HttpReply js = Call("GET", "/admin/console.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body,
            bot::testing::ReadWholeFile(std::string(BOT_SOURCE_DIR) + "/runner/web/console.js"));
  EXPECT_EQ(Call("GET", "/admin/console.css").status, 200);
  EXPECT_EQ(Call("GET", "/admin/nothing.js").status, 404);
  EXPECT_EQ(Call("POST", "/admin/").status, 405);
}

TEST_F(AdminConsoleTest, MediaIsServedOnlyToLoggedInAgentsAndOnlyFromTheMediaDir) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::filesystem::path media = h_.dir() / "media";
  std::ofstream(media / "abc123.jpg", std::ios::binary) << "\xff\xd8\xff jpeg bytes";
  std::ofstream(h_.dir() / "secret.txt") << "not media";
  std::filesystem::create_symlink(h_.dir() / "secret.txt", media / "link.txt");

  HttpReply anonymous = Call("GET", "/admin/media/abc123.jpg");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.body.find("jpeg"), std::string::npos);

  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  HttpReply image = Call("GET", "/admin/media/abc123.jpg", {{"Cookie", cookie}});
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.body, "\xff\xd8\xff jpeg bytes");
  EXPECT_EQ(image.content_type, "image/jpeg");
  EXPECT_EQ(image.headers["x-content-type-options"], "nosniff");
  EXPECT_NE(image.headers["content-security-policy"].find("sandbox"), std::string::npos);

  for (const char* target :
       {"/admin/media/../secret.txt", "/admin/media/..%2Fsecret.txt",
        "/admin/media/%2E%2E/secret.txt", "/admin/media/link.txt", "/admin/media/.download-x",
        "/admin/media/", "/admin/media/nope.jpg"}) {
    HttpReply r = Call("GET", target, {{"Cookie", cookie}});
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("not media"), std::string::npos) << target;
  }
}

TEST_F(AdminConsoleTest, TheEventStreamTellsWhenAConversationIsHandedOffAndClaimed) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Call("GET", "/admin/api/events").status, 401);
  EXPECT_EQ(
      Call("POST", "/admin/api/events", {{"Authorization", std::string("Bearer ") + kAna}}).status,
      405);
  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  EventStream events(port_, {{"Cookie", cookie}});
  const std::string opened = events.ReadUntil(": connected");
  EXPECT_NE(opened.find("HTTP/1.1 200"), std::string::npos) << opened;
  EXPECT_NE(opened.find("text/event-stream"), std::string::npos) << opened;

  EXPECT_TRUE(h_.Say(kUser, "asesor").empty());
  const std::string handoff = events.ReadUntil("\"kind\":\"handoff\"");
  EXPECT_NE(
      handoff.find("event: conversation\ndata: {\"kind\":\"handoff\",\"number\":\"" +
                   std::string(RunnerHarness::kBotNumber) + "\",\"contact\":\"" + kUser + "\"}"),
      std::string::npos)
      << handoff;

  // A machine with a bearer token sees the same stream; the claim shows on both.
  EventStream machine(port_, {{"Authorization", std::string("Bearer ") + kAna}});
  EXPECT_NE(machine.ReadUntil(": connected").find("200"), std::string::npos);
  const int64_t id = h_.ContactOf(kUser).id;
  EXPECT_EQ(Call("POST", "/admin/api/conversations/" + std::to_string(id) + "/claim",
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
                .status,
            200);
  EXPECT_NE(events.ReadUntil("\"kind\":\"claimed\"").find("\"kind\":\"claimed\""),
            std::string::npos);
  EXPECT_NE(machine.ReadUntil("\"kind\":\"claimed\"").find("\"kind\":\"claimed\""),
            std::string::npos);
  // Stopping the server ends the open streams instead of waiting for them.
  h_.Stop();
  EXPECT_NE(events.ReadUntil("0\r\n\r\n").find("0\r\n\r\n"), std::string::npos);
}

// Logging out ends the session's open event stream at once; a bearer token's stream goes on.
TEST_F(AdminConsoleTest, LoggingOutEndsTheSessionsOpenEventStream) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  EventStream events(port_, {{"Cookie", cookie}});
  ASSERT_NE(events.ReadUntil(": connected").find("HTTP/1.1 200"), std::string::npos);
  EventStream machine(port_, {{"Authorization", std::string("Bearer ") + kAna}});
  ASSERT_NE(machine.ReadUntil(": connected").find("HTTP/1.1 200"), std::string::npos);

  ASSERT_EQ(
      Call("DELETE", "/admin/api/session", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}).status,
      200);
  EXPECT_NE(events.ReadUntil("0\r\n\r\n").find("0\r\n\r\n"), std::string::npos)
      << "the stream ended";
  EXPECT_TRUE(h_.Say(kUser, "asesor").empty());
  EXPECT_NE(machine.ReadUntil("\"kind\":\"handoff\"").find("\"kind\":\"handoff\""),
            std::string::npos);
}

// A session that expires while its stream is open: the stream ends instead of carrying the next
// event.
TEST_F(AdminConsoleTest, AnExpiredSessionsEventStreamEndsInsteadOfCarryingTheNextEvent) {
  ASSERT_NO_FATAL_FAILURE(Start(&clock_));
  std::string cookie, csrf;
  ASSERT_NO_FATAL_FAILURE(LogIn(&cookie, &csrf));
  EventStream events(port_, {{"Cookie", cookie}});
  ASSERT_NE(events.ReadUntil(": connected").find("HTTP/1.1 200"), std::string::npos);
  EventStream machine(port_, {{"Authorization", std::string("Bearer ") + kAna}});
  ASSERT_NE(machine.ReadUntil(": connected").find("HTTP/1.1 200"), std::string::npos);

  clock_.Advance(31min);
  EXPECT_TRUE(h_.Say(kUser, "asesor").empty());
  EXPECT_NE(machine.ReadUntil("\"kind\":\"handoff\"").find("\"kind\":\"handoff\""),
            std::string::npos);
  const std::string seen = events.ReadUntil("0\r\n\r\n");
  EXPECT_NE(seen.find("0\r\n\r\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("\"kind\""), std::string::npos) << "no event after the expiry: " << seen;
}

// Two clinics on one server: a token of clinic_a never sees clinic_b's conversation, its
// messages, its media or its events; for it they do not exist (404, not 403).
class AdminTenantsTest : public AdminConsoleTest {
 protected:
  static constexpr char kNumberB[] = "whatsapp:+14155238887";
  static constexpr char kUserA[] = "whatsapp:+593987650010";
  static constexpr char kUserB[] = "whatsapp:+593987650020";

  void StartTenants() {
    std::string yaml = h_.BaseYaml(twilio_, "review_rating", "{}", "rest");
    const std::string number = "vars: {}}\n";
    yaml.replace(yaml.find(number), number.size(),
                 std::string("vars: {}, tenant: clinic_a}\n  - {to: \"") + kNumberB +
                     "\", dialog: review_rating, tenant: clinic_b}\n");
    yaml +=
        "admin:\n"
        "  listen: {host: 127.0.0.1, port: 0}\n"
        "  tokens:\n"
        "    - {name: ana, role: agent, sha256_env: ADMIN_ANA, tenants: [clinic_a]}\n"
        "    - {name: luis, role: admin, sha256_env: ADMIN_LUIS, tenants: [clinic_a]}\n"
        "    - {name: root, role: admin, sha256_env: ADMIN_ROOT}\n";
    ASSERT_TRUE(h_.Start(yaml, bot::testing::AdminTokenEnv));
    port_ = h_.server().admin_port();
  }

  HttpReply As(const char* token, const std::string& method, const std::string& target,
               const std::string& body = "") {
    return Call(method, target, {{"Authorization", std::string("Bearer ") + token}}, body);
  }

  // The stored name of the first media file of `id`'s conversation, as root reads it.
  std::string MediaFile(int64_t id) {
    const std::string path =
        Member(As(bot::testing::kRootToken, "GET", Conversation(id)).body, "path");
    return path.substr(path.rfind('/') + 1);
  }

  static std::string Conversation(int64_t id) {
    return "/admin/api/conversations/" + std::to_string(id);
  }
};

TEST_F(AdminTenantsTest, ATokenOfOneTenantNeverSeesAnothersConversationsMessagesMediaOrEvents) {
  using bot::testing::kAnaToken;
  using bot::testing::kLuisToken;
  using bot::testing::kRootToken;
  ASSERT_NO_FATAL_FAILURE(StartTenants());
  EventStream ana_events(port_, {{"Authorization", std::string("Bearer ") + kAnaToken}});
  ASSERT_NE(ana_events.ReadUntil(": connected").find("200"), std::string::npos);
  EventStream root_events(port_, {{"Authorization", std::string("Bearer ") + kRootToken}});
  ASSERT_NE(root_events.ReadUntil(": connected").find("200"), std::string::npos);

  // B writes first, then A: the events are published in that order.
  h_.Post(h_.client().Text(kNumberB, kUserB, "asesor"));
  EXPECT_NE(root_events.ReadUntil(kUserB).find(kUserB), std::string::npos);
  h_.Post(h_.client().Text(RunnerHarness::kBotNumber, kUserA, "asesor"));
  const std::string heard = ana_events.ReadUntil(kUserA);
  EXPECT_NE(heard.find(kUserA), std::string::npos) << heard;
  EXPECT_EQ(heard.find(kUserB), std::string::npos) << "clinic_b's event: " << heard;
  EXPECT_EQ(heard.find(kNumberB), std::string::npos) << heard;

  h_.Post(h_.client().WithMedia(kNumberB, kUserB, twilio_.AddMedia("image of B", "image/jpeg"),
                                "image/jpeg"));
  h_.Post(h_.client().WithMedia(RunnerHarness::kBotNumber, kUserA,
                                twilio_.AddMedia("image of A", "image/jpeg"), "image/jpeg"));
  auto b = h_.server().store().FindContact(kNumberB, kUserB);
  ASSERT_TRUE(b.ok() && b->has_value());
  const int64_t id_b = (*b)->id;
  const int64_t id_a = h_.ContactOf(kUserA).id;

  HttpReply list = As(kAnaToken, "GET", "/admin/api/conversations");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(kUserA), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(kUserB), std::string::npos) << list.body;
  EXPECT_EQ(As(kAnaToken, "GET", "/admin/api/conversations?q=650020").body.find(kUserB),
            std::string::npos);
  EXPECT_NE(As(kRootToken, "GET", "/admin/api/conversations").body.find(kUserB), std::string::npos)
      << "a token without tenants sees every one";

  HttpReply detail = As(kAnaToken, "GET", Conversation(id_b));
  EXPECT_EQ(detail.status, 404);
  EXPECT_EQ(detail.body.find(kUserB), std::string::npos) << detail.body;
  EXPECT_EQ(As(kAnaToken, "GET", Conversation(id_a)).status, 200);
  for (const char* action : {"claim", "messages", "release", "close"}) {
    HttpReply r = As(kAnaToken, "POST", Conversation(id_b) + "/" + action, R"({"text":"hola"})");
    EXPECT_EQ(r.status, 404) << action << ": " << r.body;
  }
  EXPECT_EQ(As(kLuisToken, "POST", Conversation(id_b) + "/optout").status, 404);
  EXPECT_FALSE(h_.server().store().FindContact(kNumberB, kUserB).value()->opted_out);
  EXPECT_EQ(As(kRootToken, "POST", Conversation(id_b) + "/claim").status, 200);

  // Media: each tenant's files only, and the same refusal as a file that does not exist.
  const std::string file_a = MediaFile(id_a);
  const std::string file_b = MediaFile(id_b);
  ASSERT_FALSE(file_a.empty());
  ASSERT_FALSE(file_b.empty());
  ASSERT_NE(file_a, file_b);
  HttpReply image_a = As(kAnaToken, "GET", "/admin/media/" + file_a);
  EXPECT_EQ(image_a.status, 200);
  EXPECT_EQ(image_a.body, "image of A");
  HttpReply image_b = As(kAnaToken, "GET", "/admin/media/" + file_b);
  EXPECT_EQ(image_b.status, 404);
  EXPECT_EQ(image_b.body.find("image of B"), std::string::npos);
  EXPECT_EQ(As(kRootToken, "GET", "/admin/media/" + file_b).body, "image of B");
  // The console's session carries the token's tenants.
  HttpReply login = As(kAnaToken, "POST", "/admin/api/session");
  ASSERT_EQ(login.status, 200);
  const std::string cookie =
      login.headers["set-cookie"].substr(0, login.headers["set-cookie"].find(';'));
  EXPECT_EQ(Call("GET", Conversation(id_b), {{"Cookie", cookie}}).status, 404);
  EXPECT_EQ(Call("GET", "/admin/media/" + file_b, {{"Cookie", cookie}}).status, 404);
  EXPECT_EQ(Call("GET", "/admin/media/" + file_a, {{"Cookie", cookie}}).status, 200);

  // A limited admin imports campaigns for its tenants' numbers only.
  const std::string csv = "phone,name,consent\n+593987650030,Eva,sí\n";
  EXPECT_EQ(As(kLuisToken, "POST", "/admin/api/campaigns?number=%2B14155238887", csv).status, 404);
  EXPECT_EQ(
      As(kLuisToken, "POST", "/admin/api/campaigns?number=%2B14155238886&tenant=clinic_b", csv)
          .status,
      404);
  HttpReply imported_a = As(kLuisToken, "POST", "/admin/api/campaigns?number=%2B14155238886", csv);
  ASSERT_EQ(imported_a.status, 201) << imported_a.body;
  ASSERT_NE(imported_a.body.find("\"campaign_id\":1"), std::string::npos) << imported_a.body;
  HttpReply imported_b = As(kRootToken, "POST", "/admin/api/campaigns?number=%2B14155238887", csv);
  ASSERT_EQ(imported_b.status, 201) << imported_b.body;
  ASSERT_NE(imported_b.body.find("\"campaign_id\":2"), std::string::npos) << imported_b.body;
  // ... and reads the reports of their campaigns only; the others' do not exist.
  EXPECT_EQ(As(kAnaToken, "GET", "/admin/api/campaigns/1/report").status, 200);
  HttpReply report_b = As(kAnaToken, "GET", "/admin/api/campaigns/2/report");
  EXPECT_EQ(report_b.status, 404);
  EXPECT_EQ(report_b.body.find("14155238887"), std::string::npos) << report_b.body;
  EXPECT_EQ(As(kLuisToken, "GET", "/admin/api/campaigns/2/report?format=csv").status, 404);
  EXPECT_EQ(As(kRootToken, "GET", "/admin/api/campaigns/2/report").status, 200);
}

}  // namespace
}  // namespace runner
