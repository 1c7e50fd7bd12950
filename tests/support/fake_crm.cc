#include "support/fake_crm.h"

#include <chrono>
#include <map>
#include <mutex>

#include "bot/webhooks.h"
#include "support/test_http_server.h"

namespace bot::testing {

namespace http = boost::beast::http;

struct FakeCrm::Impl {
  mutable std::mutex mu;
  int fail_left = 0;                    // Guarded by mu
  int fail_status = 500;                // Guarded by mu
  int retry_after = 0;                  // Guarded by mu
  std::vector<Received> accepted;       // Guarded by mu
  std::map<std::string, int> attempts;  // Guarded by mu
  int requests = 0;                     // Guarded by mu
  int bad_signatures = 0;               // Guarded by mu
  std::unique_ptr<TestHttpServer> server;

  TestHttpServer::Answer Handle(const TestHttpServer::Request& req) {
    TestHttpServer::Answer answer;
    const std::string id(req["webhook-id"]);
    const std::string timestamp(req["webhook-timestamp"]);
    const std::string signature(req["webhook-signature"]);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::lock_guard<std::mutex> lock(mu);
    ++requests;
    ++attempts[id];
    if (id.empty() || !VerifyStandardWebhook(kSecret, id, timestamp, signature, req.body(), now)) {
      ++bad_signatures;
      answer.response =
          TestHttpServer::Json(http::status::unauthorized, R"({"error":"bad signature"})");
      return answer;
    }
    if (fail_left > 0) {
      --fail_left;
      answer.response =
          TestHttpServer::Json(static_cast<http::status>(fail_status), R"({"error":"try later"})");
      if (retry_after > 0)
        answer.response.set(http::field::retry_after, std::to_string(retry_after));
      return answer;
    }
    bool seen = false;
    for (const Received& r : accepted) seen = seen || r.webhook_id == id;
    if (!seen) accepted.push_back({id, std::string(req[http::field::content_type]), req.body()});
    answer.response = TestHttpServer::Json(http::status::ok, R"({"ok":true})");
    return answer;
  }
};

FakeCrm::FakeCrm() : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<TestHttpServer>(
      [impl = impl_.get()](const TestHttpServer::Request& req) { return impl->Handle(req); });
}

FakeCrm::~FakeCrm() { impl_->server.reset(); }

std::string FakeCrm::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/hooks/leads";
}

void FakeCrm::FailNext(int n, int status, int retry_after) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->fail_left = n;
  impl_->fail_status = status;
  impl_->retry_after = retry_after;
}

std::vector<FakeCrm::Received> FakeCrm::accepted() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->accepted;
}

int FakeCrm::attempts(const std::string& webhook_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->attempts.find(webhook_id);
  return it == impl_->attempts.end() ? 0 : it->second;
}

int FakeCrm::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

int FakeCrm::bad_signatures() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->bad_signatures;
}

}  // namespace bot::testing
