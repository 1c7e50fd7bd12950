// One accounted provider call: the budget check, the HTTP exchange through the retrier with the
// status mapped to the providers' error contract, and the usage record. Providers answer
// asynchronously (the *Async methods) and their blocking methods wait for that answer (Wait).
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "bot/providers.h"

namespace bot::providers {

class Call {
 public:
  Call(const ProviderContext& context, std::string provider, std::string model,
       std::string purpose, std::string conversation);

  // Ok when the ledger admits the call; a refusal is recorded and returned.
  Status Admit();

  // Sends through the retrier, without blocking; `done` runs on the HTTP client's thread (or the
  // caller's). 2xx → the response; 408/409/429/5xx left after retries → Unavailable; another
  // 4xx → InvalidArgument; both carry the provider's error message. A failure is recorded, so
  // the caller only passes it on. The Call must live until `done` has run (hold it in a
  // shared_ptr captured by `done`).
  void Send(HttpRequest request, TimePoint deadline, HttpClient::Callback done);

  // Records the call's end: `status` (ok or why not) and the usage the provider reported.
  void Finish(const Status& status, int64_t tokens_in, int64_t tokens_out,
              double audio_seconds = 0);

 private:
  const ProviderContext& context_;
  UsageRecord record_;
  TimePoint started_;
};

// A new call the ledger admits, or null once `done` has been given the ledger's refusal.
template <typename Request, typename Done>
std::shared_ptr<Call> StartCall(const ProviderContext& context, const LlmConfig& config,
                                const Request& request, Done& done) {
  auto call = std::make_shared<Call>(context, config.provider, config.model, request.purpose,
                                     request.conversation);
  if (Status admitted = call->Admit(); !admitted.ok()) {
    done(admitted);
    return nullptr;
  }
  return call;
}

// Records the call's end and answers `done`: `reply` when `status` is ok, else `status`.
template <typename Reply, typename Done>
void FinishWith(Call& call, const Status& status, Reply reply, Done& done,
                double audio_seconds = 0) {
  call.Finish(status, reply.tokens_in, reply.tokens_out, audio_seconds);
  if (!status.ok()) {
    done(status);
    return;
  }
  done(std::move(reply));
}

// Runs an asynchronous call and waits for its answer: the blocking form of every provider.
template <typename T, typename Start>
Result<T> Wait(Start start) {
  std::promise<Result<T>> promise;
  std::future<Result<T>> answer = promise.get_future();
  start([&promise](Result<T> r) { promise.set_value(std::move(r)); });
  return answer.get();
}

// The "message" of an OpenAI-style or Anthropic-style error body, or a prefix of the body.
std::string ProviderErrorMessage(std::string_view body);

// base_url without a trailing slash, plus `path` ("/chat/completions").
std::string JoinUrl(const std::string& base_url, const std::string& path);

}  // namespace bot::providers
