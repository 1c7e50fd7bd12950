// A slow OpenAI-compatible chat API for load runs (tests/bench/llm_wait.cc): a real HTTP/1.1
// server on 127.0.0.1 (tests/support/test_http_server.h) that answers every
// POST /v1/chat/completions after `delay` with a chat.completion whose message content is
// `content`. It holds any number of requests at once: a held request is a timer on the server's
// one thread, not a thread.
//
// With `max_concurrent` > 0 it behaves like a rate-limited account: a request arriving while
// that many are held is answered at once with 429, `Retry-After`, and OpenAI's error body
// (code rate_limit_exceeded).
//
// Unlike FakeLlmServer it checks nothing in the request (no key, no schema): it measures how a
// client waits, not what it sends.
//
//   FakeOpenAiLoad llm({.delay = std::chrono::seconds(2)});
//   ... base_url: llm.base_url() ...
//   FakeOpenAiLoad::Counts c = llm.counts();  // requests, most_in_flight, rate_limited
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "support/test_http_server.h"

namespace bot::testing {

class FakeOpenAiLoad {
 public:
  struct Options {
    std::chrono::milliseconds delay{2000};     // before each chat answer
    std::string content = R"({"value":"4"})";  // the answer's message content
    int max_concurrent = 0;                    // 0: no limit; else 429 past this many held requests
    int retry_after_s = 1;                     // the 429's Retry-After
  };

  struct Counts {
    size_t requests = 0;        // chat requests read, 429s included
    size_t most_in_flight = 0;  // the most chat requests held at once
    size_t rate_limited = 0;    // 429s sent
  };

  explicit FakeOpenAiLoad(Options options);
  ~FakeOpenAiLoad();  // stops the server and joins its thread
  FakeOpenAiLoad(const FakeOpenAiLoad&) = delete;
  FakeOpenAiLoad& operator=(const FakeOpenAiLoad&) = delete;

  int port() const { return server_->port(); }
  // "http://127.0.0.1:port/v1": providers.llm.base_url.
  std::string base_url() const;
  Counts counts() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<TestHttpServer> server_;  // last: stopped first, before the state it uses
};

}  // namespace bot::testing
