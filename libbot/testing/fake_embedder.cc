#include "bot/testing/fake_embedder.h"

#include <cmath>

#include "knowledge/search_words.h"

namespace bot::testing {

std::vector<float> FakeEmbedder::Vector(const std::string& text) {
  std::vector<float> vector(kDims, 0.0f);
  // Content words only (no stop words), each synonym group as its one word, each word once.
  for (const std::string& word : knowledge::QuestionTerms(text)) {
    uint64_t hash = 14695981039346656037ull;  // FNV-1a: the same on every platform and run
    for (unsigned char c : word) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    vector[hash % kDims] += ((hash >> 32) & 1) != 0 ? 1.0f : -1.0f;
  }
  float norm = 0;
  for (float x : vector) norm += x * x;
  if (norm > 0) {
    for (float& x : vector) x /= std::sqrt(norm);
  }
  return vector;
}

Result<std::vector<std::vector<float>>> FakeEmbedder::Embed(const std::vector<std::string>& texts) {
  calls_.fetch_add(1);
  texts_.fetch_add(texts.size());
  std::vector<std::vector<float>> vectors;
  vectors.reserve(texts.size());
  for (const std::string& text : texts) vectors.push_back(Vector(text));
  return vectors;
}

}  // namespace bot::testing
