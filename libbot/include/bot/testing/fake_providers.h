// In-process provider fakes for tests that do not need HTTP: each answers from a script and
// remembers what it was asked. A call with nothing scripted fails with Unavailable ("nothing
// scripted"), the same code a real provider outage gives. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "bot/credit.h"
#include "bot/providers.h"

namespace bot::testing {

class FakeLlmProvider final : public LlmProvider {
 public:
  // The next Complete() answers `reply`; when the request has a schema, the reply's text is
  // checked against it (ParseExtraction) just as a real provider does, and fields are filled.
  void Enqueue(Result<LlmReply> reply);
  // Shorthand: a reply whose text is `text` (JSON when a schema will be asked).
  void EnqueueText(std::string text);
  Result<LlmReply> Complete(const LlmRequest& request) override;
  std::vector<LlmRequest> requests() const;

  // From now on CompleteAsync keeps each call pending, as a slow provider does, until
  // Release() answers it (with the next scripted reply, taken then). Complete is not held.
  void Hold();
  void CompleteAsync(const LlmRequest& request, LlmCallback done) override;
  size_t held() const;
  // Answers every held call, in order, on this thread; returns how many.
  size_t Release();

 private:
  mutable std::mutex mu_;
  std::deque<Result<LlmReply>> script_;  // Guarded by mu_
  std::vector<LlmRequest> requests_;     // Guarded by mu_
  bool hold_ = false;                    // Guarded by mu_
  std::vector<std::pair<LlmRequest, LlmCallback>> held_;  // Guarded by mu_
};

class FakeSttProvider final : public SttProvider {
 public:
  void Enqueue(Result<SttReply> reply);
  void EnqueueText(std::string text);
  Result<SttReply> Transcribe(const SttRequest& request) override;
  std::vector<SttRequest> requests() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<SttReply>> script_;  // Guarded by mu_
  std::vector<SttRequest> requests_;     // Guarded by mu_
};

class FakeOcrProvider final : public OcrProvider {
 public:
  void Enqueue(Result<OcrReply> reply);
  Result<OcrReply> Read(const OcrRequest& request) override;
  std::vector<OcrRequest> requests() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<OcrReply>> script_;  // Guarded by mu_
  std::vector<OcrRequest> requests_;     // Guarded by mu_
};

// A bureau answering from a script, in order; records what it was asked.
class FakeBureauProvider final : public BureauProvider {
 public:
  void Enqueue(Result<BureauReport> reply);
  Result<BureauReport> Check(const BureauRequest& request) override;
  std::vector<BureauRequest> requests() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<BureauReport>> script_;  // Guarded by mu_
  std::vector<BureauRequest> requests_;      // Guarded by mu_
};

}  // namespace bot::testing
