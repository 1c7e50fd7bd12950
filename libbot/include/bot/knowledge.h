// The offers catalogue a number answers questions from (lead_qualification): what an offer is,
// how a question searches the catalogue, and the embeddings that can help it. The SQLite
// implementation (full-text search with BM25, accent folding, optional embeddings combined
// with it) is bot/sqlite_knowledge.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/status.h"

namespace bot {

// One property a client advertises. Prices are exact: integer cents of `currency`; a rental's
// price is per month.
struct Offer {
  std::string id;                   // the client's id, unique per number
  std::string title;                // "Departamento en Polanco con terraza"
  std::string operation = "venta";  // "venta" or "renta"
  std::string zone;                 // "Polanco", as the catalogue writes it
  std::string type;                 // "departamento", "casa", "terreno", "oficina", "local"
  int64_t price_cents = 0;
  std::string currency = "MXN";  // ISO 4217: "MXN", "USD"
  int bedrooms = 0;
  std::vector<std::string> features;  // "cochera para 2 autos", "acepta mascotas"
  std::string description;
  std::string link;
  std::vector<std::string> ad_ids;  // Meta ads that show this offer (click-to-WhatsApp)
};

// A search of one number's catalogue: the user's words plus the filters the conversation knows.
struct OfferQuery {
  std::string text;       // the question as the user wrote it
  std::string operation;  // filters; empty / nullopt = any
  std::string zone;
  std::string type;
  std::string currency;
  std::optional<int64_t> min_price_cents;
  std::optional<int64_t> max_price_cents;
  std::optional<int> min_bedrooms;
  std::vector<float> embedding;  // the question's embedding, when embeddings are configured
  size_t limit = 3;
};

// An offer a search found, best first.
struct Passage {
  Offer offer;
  double score = 0;  // higher is better
  // The question's content words (normalised: lower case, no accents) this offer contains:
  // what supports an answer from it.
  std::vector<std::string> matched_terms;
};

struct SearchResult {
  std::vector<Passage> passages;
  // The question's content words, normalised; empty when it has none ("¿y eso?").
  std::vector<std::string> terms;
  // Whether the passages support an answer: some content word of the question that is not a
  // generic real-estate word (casa, departamento, precio...) is found in a passage, or the
  // question names only filters (a zone, a price) that offers match. False = say "I don't know".
  bool supported = false;
};

// What an import did. Nothing is changed unless `errors` is empty.
struct ImportError {
  int line = 0;  // CSV: the file's line (header = 1); JSONL: the line
  std::string reason;
};
struct ImportReport {
  int added = 0;
  int updated = 0;
  int unchanged = 0;
  int removed = 0;  // offers of the number missing from the file: no longer offered
  std::vector<ImportError> errors;
};

// Texts to vectors (an OpenAI-compatible /embeddings endpoint). Thread-safe.
class Embedder {
 public:
  virtual ~Embedder() = default;
  // One vector per text, in the order given.
  virtual Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) = 0;
  // Embed() without holding the calling thread while the provider answers; `done` runs once,
  // possibly on another thread. The default runs Embed() in the calling thread.
  using EmbedCallback = std::function<void(Result<std::vector<std::vector<float>>>)>;
  virtual void EmbedAsync(const std::vector<std::string>& texts, EmbedCallback done) {
    done(Embed(texts));
  }
  virtual std::string model() const = 0;
};

// One deployment's offer catalogues, by number (the channel address, "whatsapp:+5215512345678").
// Thread-safe.
class KnowledgeBase {
 public:
  virtual ~KnowledgeBase() = default;
  virtual Result<SearchResult> Search(std::string_view number, const OfferQuery& query) = 0;
  // The zones the number's offers are in, as written in the catalogue, sorted.
  virtual Result<std::vector<std::string>> Zones(std::string_view number) = 0;
  // An offer by its id or by one of its ad ids; nullopt when none.
  virtual Result<std::optional<Offer>> FindOffer(std::string_view number, std::string_view id) = 0;
};

}  // namespace bot
