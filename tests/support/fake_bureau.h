// A fake credit bureau: a real HTTP/1.1 server on 127.0.0.1 (its own thread, a port chosen by
// the OS) speaking the JSON protocol NewHttpsBureau expects.
//
//   POST /v1/score   {"name":..., "curp":"...", "birth_date":"YYYY-MM-DD", "address":...}
//     "Authorization: Bearer <key>" required, else 401. Answers 200 {"score":N,"curp":...,
//     "folio":"F-000001"} for a CURP set with SetScore, 404 for others. Scripted failures answer
//     the next requests instead (after the auth check): a status (e.g. 500) or a hang that
//     never answers until the fake is destroyed, to exercise client timeouts.
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <memory>
#include <string>
#include <utility>  // first, for the .cc: Asio's awaitable.hpp uses std::exchange without it
#include <vector>

namespace bot::testing {

class FakeBureau {
 public:
  static constexpr const char* kApiKey = "bureau-test-key";

  explicit FakeBureau(std::string api_key = kApiKey);
  ~FakeBureau();  // stops the server and joins its thread
  FakeBureau(const FakeBureau&) = delete;
  FakeBureau& operator=(const FakeBureau&) = delete;

  // "http://127.0.0.1:port/v1/score".
  std::string url() const;

  void SetScore(const std::string& curp, int score);
  // The next `n` authorised requests get `http_status` with a small JSON error body.
  void FailNext(int n, int http_status);
  // The next `n` authorised requests are read but never answered.
  void HangNext(int n);

  struct Request {
    std::string authorization;
    std::string body;
    int status = 0;  // what the fake answered; 0 for a hang
  };
  std::vector<Request> requests() const;

  struct Impl;  // the server; public only so the .cc's free functions can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot::testing
