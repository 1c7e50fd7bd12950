#include "providers/call.h"

#include <simdjson.h>

#include <utility>

namespace bot::providers {
namespace {

CallOutcome OutcomeOf(const Status& status) {
  if (status.ok()) return CallOutcome::kOk;
  if (IsBudgetRefusal(status)) return CallOutcome::kRefused;
  if (status.code() == StatusCode::kBadResponse) return CallOutcome::kNotUnderstood;
  if (status.code() == StatusCode::kTimeout) return CallOutcome::kTimeout;
  return CallOutcome::kFailed;
}

}  // namespace

Call::Call(const ProviderContext& context, std::string provider, std::string model,
           std::string purpose, std::string conversation)
    : context_(context), started_(context.clock->Now()) {
  record_.provider = std::move(provider);
  record_.model = std::move(model);
  record_.purpose = std::move(purpose);
  record_.conversation = std::move(conversation);
}

Status Call::Admit() {
  if (context_.ledger == nullptr) return Status::Ok();
  Status admitted = context_.ledger->Admit(record_.conversation, started_);
  if (!admitted.ok()) Finish(admitted, 0, 0);
  return admitted;
}

void Call::Send(HttpRequest request, TimePoint deadline, HttpClient::Callback done) {
  if (context_.http == nullptr) {
    Status missing = InvalidArgument(record_.provider + ": no HTTP retrier configured");
    Finish(missing, 0, 0);
    done(missing);
    return;
  }
  std::string what = record_.provider + " " + request.url;
  context_.http->CallAsync(
      std::move(request), deadline,
      [this, what = std::move(what), done = std::move(done)](Result<HttpResponse> response) {
        Status failure;
        if (!response.ok()) {
          failure = Status(response.status().code(), what + ": " + response.status().message());
        } else if (response->status < 200 || response->status >= 300) {
          std::string message = what + ": HTTP " + std::to_string(response->status) + ": " +
                                ProviderErrorMessage(response->body);
          failure =
              IsRetryableStatus(response->status) ? Unavailable(message) : InvalidArgument(message);
        }
        if (!failure.ok()) {
          Finish(failure, 0, 0);
          done(failure);
          return;
        }
        done(std::move(response));
      });
}

void Call::Finish(const Status& status, int64_t tokens_in, int64_t tokens_out,
                  double audio_seconds) {
  if (context_.ledger == nullptr) return;
  record_.at = context_.clock->Now();
  record_.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(record_.at - started_)
                           .count();
  record_.tokens_in = tokens_in;
  record_.tokens_out = tokens_out;
  record_.cost_micro_usd =
      CostMicroUsd(context_.prices, record_.model, tokens_in, tokens_out, audio_seconds);
  record_.outcome = OutcomeOf(status);
  record_.detail = status.ok() ? "" : status.ToString();
  context_.ledger->Record(record_);
}

std::string ProviderErrorMessage(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  std::string_view message;
  simdjson::dom::element root;
  if (!parser.parse(padded).get(root) && !root["error"]["message"].get(message)) {
    return std::string(message);
  }
  return std::string(body.substr(0, 200));
}

std::string JoinUrl(const std::string& base_url, const std::string& path) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

}  // namespace bot::providers
