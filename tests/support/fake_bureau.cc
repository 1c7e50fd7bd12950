#include "support/fake_bureau.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace bot::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;
using RequestMessage = http::request<http::string_body>;

constexpr const char* kPath = "/v1/score";
constexpr int kHang = 0;  // a scripted "status" that means: never answer

// The value of "field":"..." in a flat JSON object written without spaces, as the client does.
std::string JsonField(const std::string& body, const std::string& field) {
  std::string key = "\"" + field + "\":\"";
  size_t start = body.find(key);
  if (start == std::string::npos) return "";
  start += key.size();
  size_t end = body.find('"', start);
  return end == std::string::npos ? "" : body.substr(start, end - start);
}

Response Json(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

}  // namespace

struct FakeBureau::Impl {
  asio::io_context ioc{1};  // first: destroyed last, after everything that uses it
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::string expected_auth;
  int port = 0;

  mutable std::mutex mu;
  std::map<std::string, int> scores;  // by CURP; guarded by mu
  std::deque<int> scripted;           // statuses for the next requests; guarded by mu
  std::vector<Request> requests;      // Guarded by mu
  uint64_t next_folio = 1;            // Guarded by mu

  // The answer to `req`, or kHang.
  int Handle(const RequestMessage& req, Response* res);
  asio::awaitable<void> Session(tcp::socket socket);
  asio::awaitable<void> AcceptLoop();
};

int FakeBureau::Impl::Handle(const RequestMessage& req, Response* res) {
  if (req[http::field::authorization] != expected_auth) {
    *res = Json(http::status::unauthorized, "{\"error\":\"invalid_api_key\"}");
    return 401;
  }
  if (req.method() != http::verb::post || req.target() != kPath) {
    *res = Json(http::status::not_found, "{\"error\":\"no_such_endpoint\"}");
    return 404;
  }
  std::lock_guard<std::mutex> lock(mu);
  if (!scripted.empty()) {
    int status = scripted.front();
    scripted.pop_front();
    if (status == kHang) return kHang;
    *res = Json(static_cast<http::status>(status), "{\"error\":\"scripted_failure\"}");
    return status;
  }
  std::string curp = JsonField(req.body(), "curp");
  auto it = scores.find(curp);
  if (it == scores.end()) {
    *res = Json(http::status::not_found, "{\"error\":\"no_record\"}");
    return 404;
  }
  char folio[16];
  std::snprintf(folio, sizeof folio, "F-%06llu", static_cast<unsigned long long>(next_folio++));
  *res = Json(http::status::ok, "{\"score\":" + std::to_string(it->second) + ",\"curp\":\"" + curp +
                                    "\",\"folio\":\"" + folio + "\"}");
  return 200;
}

asio::awaitable<void> FakeBureau::Impl::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  try {
    for (;;) {
      stream.expires_after(std::chrono::seconds(30));  // an idle client cannot pin the fake
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024);  // bureau requests are small; anything bigger is a bug
      co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
      RequestMessage req = parser.release();
      Response res;
      int status = Handle(req, &res);
      {
        std::lock_guard<std::mutex> lock(mu);
        requests.push_back({std::string(req[http::field::authorization]), req.body(), status});
      }
      if (status == kHang) {
        // Never answer: the client's timeout must fire. The destructor stops the context.
        asio::steady_timer timer(ioc, std::chrono::hours(1));
        co_await timer.async_wait(asio::use_awaitable);
        break;
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::use_awaitable);
      if (!req.keep_alive()) break;
    }
  } catch (const std::exception&) {
    // The client went away or sent garbage: drop the connection, as a server would.
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> FakeBureau::Impl::AcceptLoop() {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(ioc, Session(std::move(socket)), asio::detached);
  }
}

FakeBureau::FakeBureau(std::string api_key) : impl_(new Impl) {
  impl_->expected_auth = "Bearer " + api_key;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->AcceptLoop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

FakeBureau::~FakeBureau() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string FakeBureau::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + kPath;
}

void FakeBureau::SetScore(const std::string& curp, int score) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->scores[curp] = score;
}

void FakeBureau::FailNext(int n, int http_status) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (int i = 0; i < n; ++i) impl_->scripted.push_back(http_status);
}

void FakeBureau::HangNext(int n) { FailNext(n, kHang); }

std::vector<FakeBureau::Request> FakeBureau::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

}  // namespace bot::testing
