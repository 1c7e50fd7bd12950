// A ChannelSender for tests: records every request and answers from a script, so a test can
// check what the bot sent and how it reacts to retryable and permanent failures without a
// network. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "bot/channel.h"

namespace bot::testing {

class FakeSender final : public ChannelSender {
 public:
  // Records the request and answers the next scripted outcome, on the calling thread before
  // returning; once the script is used up, kSent with provider_id "SM" + 32 hex digits (1, 2,
  // 3 ...) and status "queued".
  void Send(SendRequest request, Callback done) override;

  // Appends an outcome to the script.
  void Script(SendOutcome outcome);
  // Appends `n` kRetry outcomes (HTTP 429 with `retry_after`, or 503 when it is zero).
  void ScriptRetries(int n, std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));
  // Appends one kPermanent outcome with a provider error code (HTTP 400).
  void ScriptPermanent(const std::string& error_code, const std::string& error = "");

  // Every request Send received, in order, whatever its outcome.
  std::vector<SendRequest> requests() const;
  // The requests that were answered kSent, in order.
  std::vector<SendRequest> sent() const;
  size_t request_count() const;
  // Blocks until `n` messages were answered kSent or `timeout` passes; true when reached.
  bool WaitForSent(size_t n, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<SendOutcome> script_;     // Guarded by mu_
  std::vector<SendRequest> requests_;  // Guarded by mu_
  std::vector<SendRequest> sent_;      // Guarded by mu_
  uint64_t next_sid_ = 1;              // Guarded by mu_
};

}  // namespace bot::testing
