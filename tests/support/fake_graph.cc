#include "support/fake_graph.h"

#include <mutex>

#include "support/test_http_server.h"
#include "util/json.h"

namespace bot::testing {

namespace http = boost::beast::http;

struct FakeGraph::Impl {
  mutable std::mutex mu;
  std::map<std::string, std::string> leads;  // id -> body. Guarded by mu
  int fail_left = 0;                         // Guarded by mu
  int fail_status = 500;                     // Guarded by mu
  int requests = 0;                          // Guarded by mu
  std::unique_ptr<TestHttpServer> server;

  TestHttpServer::Answer Handle(const TestHttpServer::Request& req) {
    TestHttpServer::Answer answer;
    std::lock_guard<std::mutex> lock(mu);
    ++requests;
    if (req[http::field::authorization] != std::string("Bearer ") + kToken) {
      answer.response = TestHttpServer::Json(
          http::status::unauthorized,
          R"({"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}})");
      return answer;
    }
    if (fail_left > 0) {
      --fail_left;
      answer.response = TestHttpServer::Json(static_cast<http::status>(fail_status),
                                             R"({"error":{"message":"temporary","code":2}})");
      return answer;
    }
    std::string target(req.target());
    const std::string prefix = "/v25.0/";
    std::string id = target.rfind(prefix, 0) == 0 ? target.substr(prefix.size()) : "";
    id = id.substr(0, id.find('?'));
    auto it = leads.find(id);
    if (it == leads.end()) {
      answer.response = TestHttpServer::Json(
          http::status::bad_request,
          R"({"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}})");
      return answer;
    }
    answer.response = TestHttpServer::Json(http::status::ok, it->second);
    return answer;
  }
};

FakeGraph::FakeGraph() : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<TestHttpServer>(
      [impl = impl_.get()](const TestHttpServer::Request& req) { return impl->Handle(req); });
}

FakeGraph::~FakeGraph() { impl_->server.reset(); }

std::string FakeGraph::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/v25.0";
}

void FakeGraph::AddLead(const std::string& leadgen_id,
                        const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body = "{\"created_time\":\"2026-12-05T20:00:00+0000\",\"id\":";
  json::AppendString(&body, leadgen_id);
  body += ",\"form_id\":\"555\",\"field_data\":[";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"name\":";
    json::AppendString(&body, fields[i].first);
    body += ",\"values\":[";
    json::AppendString(&body, fields[i].second);
    body += "]}";
  }
  body += "]}";
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->leads[leadgen_id] = std::move(body);
}

void FakeGraph::FailNext(int n, int status) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->fail_left = n;
  impl_->fail_status = status;
}

int FakeGraph::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

}  // namespace bot::testing
