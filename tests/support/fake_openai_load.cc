#include "support/fake_openai_load.h"

#include <algorithm>
#include <boost/beast/http.hpp>
#include <mutex>

#include "support/fake_llm_server.h"

namespace bot::testing {

namespace http = boost::beast::http;

struct FakeOpenAiLoad::State {
  Options options;
  mutable std::mutex mu;
  size_t in_flight = 0;  // Guarded by mu
  Counts counts;         // Guarded by mu

  TestHttpServer::Answer Serve(const TestHttpServer::Request& req);
};

TestHttpServer::Answer FakeOpenAiLoad::State::Serve(const TestHttpServer::Request& req) {
  TestHttpServer::Answer answer;
  if (req.method() != http::verb::post || req.target() != "/v1/chat/completions") {
    answer.response = TestHttpServer::Json(
        http::status::not_found,
        R"({"error":{"message":"Unknown request URL.","type":"invalid_request_error",)"
        R"("param":null,"code":"unknown_url"}})");
    return answer;
  }
  std::lock_guard<std::mutex> lock(mu);
  ++counts.requests;
  if (options.max_concurrent > 0 && in_flight >= static_cast<size_t>(options.max_concurrent)) {
    ++counts.rate_limited;
    answer.response = TestHttpServer::Json(
        http::status::too_many_requests,
        R"({"error":{"message":"Rate limit reached for requests: limit )" +
            std::to_string(options.max_concurrent) + " at once. Please try again in " +
            std::to_string(options.retry_after_s) +
            R"(s.","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
    answer.response.set(http::field::retry_after, std::to_string(options.retry_after_s));
    return answer;
  }
  ++in_flight;
  counts.most_in_flight = std::max(counts.most_in_flight, in_flight);
  FakeLlmServer::Reply reply = ChatReply(options.content);
  answer.response = TestHttpServer::Json(static_cast<http::status>(reply.status), reply.body);
  answer.delay = options.delay;
  // TestHttpServer first asks `ready` once the delay has passed, just before it answers: the
  // request stops being held then.
  answer.ready = [this] {
    std::lock_guard<std::mutex> lock(mu);
    --in_flight;
    return true;
  };
  return answer;
}

FakeOpenAiLoad::FakeOpenAiLoad(Options options) : state_(new State) {
  state_->options = std::move(options);
  server_ = std::make_unique<TestHttpServer>(
      [state = state_.get()](const TestHttpServer::Request& req) { return state->Serve(req); });
}

FakeOpenAiLoad::~FakeOpenAiLoad() = default;

std::string FakeOpenAiLoad::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1";
}

FakeOpenAiLoad::Counts FakeOpenAiLoad::counts() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->counts;
}

}  // namespace bot::testing
