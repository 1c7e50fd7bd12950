// A fake Meta Graph API serving lead-form leads: a real HTTP/1.1 server on 127.0.0.1 answering
// GET /v25.0/<leadgen_id> with the lead's field_data (Meta's retrieval format), 401 without the
// right "Authorization: Bearer <token>", Graph's error JSON (400, code 100) for an unknown id,
// and scripted 500s for the next requests.
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>  // first: Asio's awaitable.hpp uses std::exchange without it
#include <vector>

namespace bot::testing {

class FakeGraph {
 public:
  static constexpr const char* kToken = "page-token-test";

  FakeGraph();
  ~FakeGraph();
  FakeGraph(const FakeGraph&) = delete;
  FakeGraph& operator=(const FakeGraph&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:port/v25.0"

  // A lead: its form fields, each with one value.
  void AddLead(const std::string& leadgen_id,
               const std::vector<std::pair<std::string, std::string>>& fields);
  void FailNext(int n, int status);
  int requests() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot::testing
