// A fake CRM receiving signed webhooks: a real HTTP/1.1 server on 127.0.0.1 that checks each
// request's Standard Webhooks signature (401 when it is missing or wrong), can be told to fail
// the next requests (a status, with an optional Retry-After), and keeps what it accepted,
// de-duplicated by webhook-id as a real receiver would.
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <memory>
#include <string>
#include <utility>  // first: Asio's awaitable.hpp uses std::exchange without it
#include <vector>

namespace bot::testing {

class FakeCrm {
 public:
  // The signing secret the runner is configured with (BOT_CRM_SECRET in the tests).
  static constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  FakeCrm();
  ~FakeCrm();
  FakeCrm(const FakeCrm&) = delete;
  FakeCrm& operator=(const FakeCrm&) = delete;

  std::string url() const;  // "http://127.0.0.1:port/hooks/leads"

  // The next `n` correctly signed requests get `status` (and Retry-After: `retry_after` seconds
  // when > 0) and are not accepted.
  void FailNext(int n, int status, int retry_after = 0);

  struct Received {
    std::string webhook_id;
    std::string content_type;
    std::string body;
  };
  // Accepted deliveries, one per webhook-id, in arrival order.
  std::vector<Received> accepted() const;
  // Every request, signed or not, failed or not: how many times each id was tried.
  int attempts(const std::string& webhook_id) const;
  int requests() const;
  int bad_signatures() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot::testing
