// An Embedder for tests that run offline: a deterministic vector per text, the hashed bag of its
// content words (folded, singular, no stop words, real-estate synonyms as one word:
// knowledge::QuestionTerms) in 64 dimensions, normalised to length 1. Texts sharing words
// ("cochera" / "estacionamiento") point the same way, so hybrid search is testable without a
// provider. Thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "bot/knowledge.h"

namespace bot::testing {

class FakeEmbedder final : public Embedder {
 public:
  static constexpr size_t kDims = 64;

  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) override;
  std::string model() const override { return "fake-embedding-64"; }

  // The vector of one text (what Embed gives it).
  static std::vector<float> Vector(const std::string& text);
  // Texts embedded and calls made so far.
  size_t texts_embedded() const { return texts_.load(); }
  size_t calls() const { return calls_.load(); }

 private:
  std::atomic<size_t> texts_{0};
  std::atomic<size_t> calls_{0};
};

}  // namespace bot::testing
