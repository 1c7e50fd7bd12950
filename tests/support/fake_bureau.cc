#include "support/fake_bureau.h"

#include <boost/beast/http.hpp>
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
  return TestHttpServer::Json(status, std::move(body));
}

}  // namespace

struct FakeBureau::Impl {
  std::string expected_auth;

  mutable std::mutex mu;
  std::map<std::string, int> scores;  // by CURP; guarded by mu
  std::deque<int> scripted;           // statuses for the next requests; guarded by mu
  std::vector<Request> requests;      // Guarded by mu
  uint64_t next_folio = 1;            // Guarded by mu
  std::unique_ptr<TestHttpServer> server;  // last: stopped first, before the state it uses

  // The answer to `req`, or kHang.
  int Handle(const RequestMessage& req, Response* res);
  TestHttpServer::Answer Serve(const RequestMessage& req);
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

TestHttpServer::Answer FakeBureau::Impl::Serve(const RequestMessage& req) {
  TestHttpServer::Answer answer;
  int status = Handle(req, &answer.response);
  answer.hang = status == kHang;  // the client's timeout must fire
  std::lock_guard<std::mutex> lock(mu);
  requests.push_back({std::string(req[http::field::authorization]), req.body(), status});
  return answer;
}

FakeBureau::FakeBureau(std::string api_key) : impl_(new Impl) {
  impl_->expected_auth = "Bearer " + api_key;
  TestHttpServer::Options options;
  options.body_limit = 64 * 1024;  // bureau requests are small; anything bigger is a bug
  impl_->server = std::make_unique<TestHttpServer>(
      [impl = impl_.get()](const RequestMessage& req) { return impl->Serve(req); }, options);
}

FakeBureau::~FakeBureau() { impl_->server.reset(); }

std::string FakeBureau::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + kPath;
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
