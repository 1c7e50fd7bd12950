#include "support/fake_twilio.h"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>

#include "support/test_http_server.h"

namespace bot::testing {
namespace {

namespace http = boost::beast::http;
using Response = TestHttpServer::Response;
using RequestMessage = TestHttpServer::Request;

constexpr const char* kApiPrefix = "/2010-04-01/Accounts/";

std::string Sid(const char* prefix, uint64_t n) {
  char digits[33];
  std::snprintf(digits, sizeof digits, "%032llx", static_cast<unsigned long long>(n));
  return prefix + std::string(digits);
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string out(4 * ((plain.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  out.resize(n);
  return "Basic " + out;
}

// A JSON string literal; enough escaping for what the fake echoes back.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string ErrorJson(int code, const std::string& message, int status) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":" + Quote(message) +
         ",\"more_info\":\"https://www.twilio.com/docs/errors/" + std::to_string(code) +
         "\",\"status\":" + std::to_string(status) + "}";
}

std::string MessageJson(const std::string& account_sid, const FakeTwilio::Message& m) {
  std::string uri = kApiPrefix + account_sid + "/Messages/" + m.sid;
  const char* kDate = "\"Thu, 21 Aug 2026 10:00:00 +0000\"";
  return "{\"account_sid\":" + Quote(account_sid) + ",\"api_version\":\"2010-04-01\"" +
         ",\"body\":" + Quote(m.body) + ",\"date_created\":" + kDate + ",\"date_sent\":null" +
         ",\"date_updated\":" + kDate + ",\"direction\":\"outbound-api\"" +
         ",\"error_code\":null,\"error_message\":null,\"from\":" + Quote(m.from) +
         ",\"messaging_service_sid\":" +
         (m.messaging_service_sid.empty() ? "null" : Quote(m.messaging_service_sid)) +
         ",\"num_media\":\"" + std::to_string(m.media_urls.size()) + "\"" +
         ",\"num_segments\":\"1\",\"price\":null,\"price_unit\":\"USD\",\"sid\":" + Quote(m.sid) +
         ",\"status\":\"queued\",\"subresource_uris\":{\"media\":" + Quote(uri + "/Media.json") +
         "},\"to\":" + Quote(m.to) + ",\"uri\":" + Quote(uri + ".json") + "}";
}

Response JsonResponse(http::status status, std::string body) {
  return TestHttpServer::Json(status, std::move(body), "application/json; charset=utf-8");
}

}  // namespace

struct FakeTwilio::Impl {
  struct Media {
    std::string bytes;
    std::string content_type;
    MediaOptions options;
  };

  std::string account_sid;
  std::string auth_token;
  std::string expected_auth;  // "Basic base64(sid:token)"
  int port = 0;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<Message> messages;       // Guarded by mu
  std::vector<Request> requests;       // Guarded by mu
  size_t message_requests = 0;         // Guarded by mu
  std::deque<Failure> failures;        // Guarded by mu
  std::map<std::string, Media> media;  // by ME sid; guarded by mu
  uint64_t next_id = 1;                // Guarded by mu
  size_t hold_until = 0;               // Guarded by mu; 0 = answer at once
  std::chrono::steady_clock::time_point hold_deadline;  // Guarded by mu
  size_t waiting = 0;                      // Guarded by mu; held requests not yet answered
  size_t most_waiting = 0;                 // Guarded by mu
  std::unique_ptr<TestHttpServer> server;  // last: stopped first, before the state it uses

  TestHttpServer::Answer Serve(const RequestMessage& req);
  Response Handle(const RequestMessage& req);
  Response PostMessage(const RequestMessage& req);
  Response GetMedia(const std::string& media_sid, bool api_host);
};

TestHttpServer::Answer FakeTwilio::Impl::Serve(const RequestMessage& req) {
  TestHttpServer::Answer answer;
  {
    // Counted before the message is recorded: whoever sees the message sees it counted.
    std::lock_guard<std::mutex> lock(mu);
    if (hold_until > 0 && req.method() == http::verb::post &&
        req.target().ends_with("/Messages.json")) {
      most_waiting = std::max(most_waiting, ++waiting);
      answer.ready = [this] {
        std::lock_guard<std::mutex> lock(mu);
        if (waiting >= hold_until || std::chrono::steady_clock::now() >= hold_deadline) {
          hold_until = 0;  // released: the ones still waiting and later ones are answered
        }
        if (hold_until > 0) return false;
        --waiting;
        return true;
      };
    }
  }
  answer.response = Handle(req);
  answer.hang = answer.response.count("X-Fake-Hang") > 0;
  std::lock_guard<std::mutex> lock(mu);
  requests.push_back({std::string(req.method_string()), std::string(req.target()),
                      std::string(req[http::field::host]),
                      std::string(req[http::field::authorization]),
                      static_cast<int>(answer.response.result_int())});
  return answer;
}

Response FakeTwilio::Impl::Handle(const RequestMessage& req) {
  std::string target(req.target());
  std::string account_prefix = kApiPrefix + account_sid;
  bool authorized = req[http::field::authorization] == expected_auth;
  bool api_path = target.rfind(kApiPrefix, 0) == 0;
  if (api_path && (!authorized || target.rfind(account_prefix + "/", 0) != 0)) {
    return JsonResponse(http::status::unauthorized, ErrorJson(20003, "Authenticate", 401));
  }
  if (req.method() == http::verb::post && target == account_prefix + "/Messages.json") {
    return PostMessage(req);
  }
  size_t media_pos = target.rfind("/Media/");
  if (req.method() == http::verb::get && api_path && media_pos != std::string::npos) {
    return GetMedia(target.substr(media_pos + 7), true);
  }
  if (req.method() == http::verb::get && target.rfind("/cdn/", 0) == 0) {
    return GetMedia(target.substr(5), false);
  }
  return JsonResponse(http::status::not_found,
                      ErrorJson(20404, "The requested resource " + target + " was not found", 404));
}

Response FakeTwilio::Impl::PostMessage(const RequestMessage& req) {
  std::lock_guard<std::mutex> lock(mu);
  ++message_requests;
  if (!failures.empty()) {
    Failure failure = failures.front();
    failures.pop_front();
    Response res{static_cast<http::status>(failure.http_status), 11};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    if (failure.retry_after_seconds >= 0) {
      res.set(http::field::retry_after, std::to_string(failure.retry_after_seconds));
    }
    if (failure.code != 0) {
      res.body() = ErrorJson(failure.code, failure.message, failure.http_status);
    }
    return res;
  }
  Result<FormParams> form = ParseForm(req.body());
  if (!form.ok()) {
    return JsonResponse(http::status::bad_request, ErrorJson(20001, "Invalid form body", 400));
  }
  Message m;
  m.params = *form;
  for (const auto& [name, value] : m.params) {
    if (name == "To") m.to = value;
    if (name == "From") m.from = value;
    if (name == "MessagingServiceSid") m.messaging_service_sid = value;
    if (name == "Body") m.body = value;
    if (name == "ContentSid") m.content_sid = value;
    if (name == "ContentVariables") m.content_variables = value;
    if (name == "StatusCallback") m.status_callback = value;
    if (name == "MediaUrl") m.media_urls.push_back(value);
  }
  auto reject = [](int code, const std::string& message) {
    return JsonResponse(http::status::bad_request, ErrorJson(code, message, 400));
  };
  if (m.to.empty()) return reject(21604, "A 'To' phone number is required.");
  if (m.from.empty() && m.messaging_service_sid.empty()) {
    return reject(21603, "A 'From' phone number is required.");
  }
  if (m.body.empty() && m.media_urls.empty() && m.content_sid.empty()) {
    return reject(21602, "Message body is required.");
  }
  size_t code_points = 0;
  for (unsigned char c : m.body) code_points += (c & 0xC0) != 0x80;
  if (code_points > 1600)
    return reject(21617, "The concatenated message body exceeds the 1600 character limit.");
  m.sid = Sid("SM", next_id++);
  messages.push_back(m);
  cv.notify_all();
  return JsonResponse(http::status::created, MessageJson(account_sid, m));
}

Response FakeTwilio::Impl::GetMedia(const std::string& media_sid, bool api_host) {
  Media item;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = media.find(media_sid);
    if (it == media.end()) {
      return JsonResponse(http::status::not_found, ErrorJson(20404, "Media not found", 404));
    }
    item = it->second;
  }
  if (api_host && item.options.redirect) {
    Response res{http::status::found, 11};
    res.set(http::field::location,
            "http://localhost:" + std::to_string(port) + "/cdn/" + media_sid);
    return res;
  }
  Response res{http::status::ok, 11};
  if (item.options.hang) res.set("X-Fake-Hang", "1");  // Serve() turns it into a hang
  res.set(http::field::content_type, item.content_type);
  res.body() = std::move(item.bytes);
  if (item.options.chunked) res.chunked(true);
  return res;
}

FakeTwilio::FakeTwilio(std::string account_sid, std::string auth_token) : impl_(new Impl) {
  impl_->account_sid = account_sid;
  impl_->auth_token = auth_token;
  impl_->expected_auth = BasicAuth(account_sid, auth_token);
  impl_->server = std::make_unique<TestHttpServer>(
      [impl = impl_.get()](const RequestMessage& req) { return impl->Serve(req); });
  port_ = impl_->server->port();
  impl_->port = port_;
}

FakeTwilio::~FakeTwilio() { impl_->server.reset(); }

std::string FakeTwilio::origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

TwilioAccount FakeTwilio::account() const {
  return TwilioAccount{impl_->account_sid, impl_->auth_token, origin()};
}

std::vector<FakeTwilio::Message> FakeTwilio::messages() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->messages;
}

size_t FakeTwilio::message_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->messages.size();
}

bool FakeTwilio::WaitForMessages(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->messages.size() >= n; });
}

std::vector<FakeTwilio::Request> FakeTwilio::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

size_t FakeTwilio::message_requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->message_requests;
}

size_t FakeTwilio::connections() const { return impl_->server->connections(); }

void FakeTwilio::FailNext(int n, const Failure& failure) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (int i = 0; i < n; ++i) impl_->failures.push_back(failure);
}

void FakeTwilio::HoldMessagesUntilWaiting(size_t n, std::chrono::milliseconds limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->hold_until = n;
  impl_->hold_deadline = std::chrono::steady_clock::now() + limit;
}

size_t FakeTwilio::most_waiting() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->most_waiting;
}

void FakeTwilio::FailNextWithTooManyRequests(int n, int retry_after_seconds) {
  FailNext(n, {429, 20429, "Too Many Requests", retry_after_seconds});
}

void FakeTwilio::FailNextWithServerError(int n) {
  FailNext(n, {500, 20500, "Internal Server Error", -1});
}

void FakeTwilio::FailNextWithError(int n, int code, const std::string& message, int http_status) {
  FailNext(n, {http_status, code, message, -1});
}

std::string FakeTwilio::AddMedia(std::string bytes, std::string content_type,
                                 MediaOptions options) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string message_sid = Sid("MM", impl_->next_id++);
  std::string media_sid = Sid("ME", impl_->next_id++);
  impl_->media[media_sid] = {std::move(bytes), std::move(content_type), options};
  return origin() + kApiPrefix + impl_->account_sid + "/Messages/" + message_sid + "/Media/" +
         media_sid;
}

}  // namespace bot::testing
