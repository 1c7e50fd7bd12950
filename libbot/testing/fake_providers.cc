#include "bot/testing/fake_providers.h"

namespace bot::testing {
namespace {

// Takes the next scripted answer, or the "nothing scripted" error.
template <typename T, typename Request>
Result<T> Next(std::mutex& mu, std::deque<Result<T>>& script, std::vector<Request>& requests,
               const Request& request, const char* what) {
  std::lock_guard<std::mutex> lock(mu);
  requests.push_back(request);
  if (script.empty()) return Unavailable(std::string(what) + ": nothing scripted");
  Result<T> next = std::move(script.front());
  script.pop_front();
  return next;
}

}  // namespace

void FakeLlmProvider::Enqueue(Result<LlmReply> reply) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(reply));
}

void FakeLlmProvider::EnqueueText(std::string text) {
  LlmReply reply;
  reply.text = std::move(text);
  reply.model = "fake";
  Enqueue(std::move(reply));
}

void FakeLlmProvider::Hold() {
  std::lock_guard<std::mutex> lock(mu_);
  hold_ = true;
}

void FakeLlmProvider::CompleteAsync(const LlmRequest& request, LlmCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (hold_) {
      held_.emplace_back(request, std::move(done));
      return;
    }
  }
  done(Complete(request));
}

size_t FakeLlmProvider::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

size_t FakeLlmProvider::Release() {
  std::vector<std::pair<LlmRequest, LlmCallback>> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    held.swap(held_);
  }
  for (auto& [request, done] : held) done(Complete(request));
  return held.size();
}

Result<LlmReply> FakeLlmProvider::Complete(const LlmRequest& request) {
  Result<LlmReply> reply = Next(mu_, script_, requests_, request, "fake LLM");
  if (!reply.ok() || !request.schema) return reply;
  Result<ExtractedFields> fields = ParseExtraction(reply->text, *request.schema);
  if (!fields.ok()) return BadResponse("fake LLM answer not understood: " + fields.status().message());
  reply->fields = std::move(fields).value();
  return reply;
}

std::vector<LlmRequest> FakeLlmProvider::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeSttProvider::Enqueue(Result<SttReply> reply) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(reply));
}

void FakeSttProvider::EnqueueText(std::string text) {
  SttReply reply;
  reply.text = std::move(text);
  reply.model = "fake";
  Enqueue(std::move(reply));
}

Result<SttReply> FakeSttProvider::Transcribe(const SttRequest& request) {
  return Next(mu_, script_, requests_, request, "fake speech-to-text");
}

std::vector<SttRequest> FakeSttProvider::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeOcrProvider::Enqueue(Result<OcrReply> reply) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(reply));
}

Result<OcrReply> FakeOcrProvider::Read(const OcrRequest& request) {
  return Next(mu_, script_, requests_, request, "fake OCR");
}

std::vector<OcrRequest> FakeOcrProvider::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeBureauProvider::Enqueue(Result<BureauReport> reply) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(reply));
}

Result<BureauReport> FakeBureauProvider::Check(const BureauRequest& request) {
  return Next(mu_, script_, requests_, request, "fake bureau");
}

std::vector<BureauRequest> FakeBureauProvider::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace bot::testing
