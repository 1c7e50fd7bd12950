// The offers catalogue in SQLite (table `offers` of the store's database, full-text indexed by
// FTS5 with BM25): import from CSV or JSON Lines, search with the conversation's filters, and
// optional embeddings combined with BM25. Thread-safe; its own connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bot/knowledge.h"

namespace bot {

class SqliteKnowledgeBase : public KnowledgeBase {
 public:
  // Opens (creating and migrating if needed) the database at `path`; the store's file is the
  // usual one. With an `embedder`, imports embed changed offers and searches given a question's
  // embedding combine both rankings (reciprocal rank fusion). `embedder` must outlive this.
  static Result<std::unique_ptr<SqliteKnowledgeBase>> Open(const std::string& path,
                                                           Embedder* embedder = nullptr);
  ~SqliteKnowledgeBase() override;

  // Loads `file` (.csv with a header row, or .jsonl) as the whole catalogue of `number`:
  // every row is checked first, and any bad row (reported with its line and reason) changes
  // nothing. Otherwise, in one transaction: new offers are added, changed ones updated, and
  // the number's offers missing from the file stop being offered (kept, marked).
  // Columns / keys: id, title, zone, price (required); operation (venta|renta, default venta),
  // type, currency (default MXN), bedrooms, features and ad_ids (CSV: ";"-separated; JSONL:
  // arrays), description, link.
  Result<ImportReport> ImportOffers(std::string_view number, const std::string& file);

  Result<SearchResult> Search(std::string_view number, const OfferQuery& query) override;
  Result<std::vector<std::string>> Zones(std::string_view number) override;
  Result<std::optional<Offer>> FindOffer(std::string_view number, std::string_view id) override;
  // The offers a number currently offers, by id.
  Result<std::vector<Offer>> List(std::string_view number);

  struct Impl;

 private:
  explicit SqliteKnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot
