#include "bot/testing/fake_sender.h"

#include <cstdio>

namespace bot::testing {

void FakeSender::Send(SendRequest request, Callback done) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(request);
  SendOutcome outcome;
  if (!script_.empty()) {
    outcome = script_.front();
    script_.pop_front();
  } else {
    char sid[40];
    std::snprintf(sid, sizeof sid, "SM%032llx", static_cast<unsigned long long>(next_sid_++));
    outcome.kind = SendOutcome::Kind::kSent;
    outcome.provider_id = sid;
    outcome.status = "queued";
    outcome.http_status = 201;
  }
  if (outcome.kind == SendOutcome::Kind::kSent) {
    sent_.push_back(std::move(request));
    cv_.notify_all();
  }
  lock.unlock();
  done(std::move(outcome));
}

void FakeSender::Script(SendOutcome outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(outcome));
}

void FakeSender::ScriptRetries(int n, std::chrono::milliseconds retry_after) {
  SendOutcome outcome;
  outcome.kind = SendOutcome::Kind::kRetry;
  if (retry_after.count() > 0) {
    outcome.http_status = 429;
    outcome.error_code = "20429";
    outcome.error = "Too Many Requests";
    outcome.retry_after = retry_after;
  } else {
    outcome.http_status = 503;
    outcome.error = "Service Unavailable";
  }
  for (int i = 0; i < n; ++i) Script(outcome);
}

void FakeSender::ScriptPermanent(const std::string& error_code, const std::string& error) {
  SendOutcome outcome;
  outcome.kind = SendOutcome::Kind::kPermanent;
  outcome.http_status = 400;
  outcome.error_code = error_code;
  outcome.error = error.empty() ? "error " + error_code : error;
  Script(std::move(outcome));
}

std::vector<SendRequest> FakeSender::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<SendRequest> FakeSender::sent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

size_t FakeSender::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool FakeSender::WaitForSent(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

}  // namespace bot::testing
