// SqliteKnowledgeBase: the offers catalogue in the store's database. Search is FTS5 (BM25)
// over index words (knowledge/search_words.h) plus SQL filters; with embeddings, BM25 and
// cosine rankings are fused (reciprocal rank fusion, k = 60).
#include "bot/sqlite_knowledge.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "bot/clock.h"
#include "bot/sqlite_store.h"
#include "bot/understand.h"
#include "knowledge/offer_file.h"
#include "knowledge/search_words.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"
#include "util/json.h"

namespace bot {
namespace {

constexpr const char* kColumns =
    "o.id, o.offer_id, o.title, o.operation, o.zone, o.type, o.price_cents, o.currency, "
    "o.bedrooms, o.features, o.description, o.link, o.ad_ids, o.search_text, o.embedding";
constexpr int kRrfK = 60;     // reciprocal rank fusion's constant
constexpr size_t kPool = 50;  // candidates each ranking contributes to the fusion
// Full-text matches read before the filters apply: a filter that keeps none of the first 1,000
// matches finds nothing (the Bot then searches without the conversation's filters).
constexpr int kFtsPool = 1000;

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    json::AppendString(&out, items[i]);
  }
  return out + "]";
}

std::vector<std::string> ReadJsonList(const std::string& text) {
  std::vector<std::string> out;
  static thread_local simdjson::dom::parser parser;  // a parser's buffers are costly to make
  simdjson::dom::array array;
  if (parser.parse(text).get(array)) return out;
  for (simdjson::dom::element item : array) {
    std::string_view s;
    if (!item.get(s)) out.emplace_back(s);
  }
  return out;
}

// Everything an import compares to decide "unchanged".
std::string Fingerprint(const Offer& o) {
  return o.title + '\x1f' + o.operation + '\x1f' + o.zone + '\x1f' + o.type + '\x1f' +
         std::to_string(o.price_cents) + '\x1f' + o.currency + '\x1f' + std::to_string(o.bedrooms) +
         '\x1f' + JsonList(o.features) + '\x1f' + o.description + '\x1f' + o.link + '\x1f' +
         JsonList(o.ad_ids);
}

std::string EmbeddingText(const Offer& o) {
  std::string text = o.title + ". " + o.type + " en " + o.operation + " en " + o.zone + ".";
  for (const std::string& f : o.features) text += " " + f + ".";
  return text + " " + o.description;
}

std::string ToBlob(const std::vector<float>& v) {
  std::string blob(v.size() * sizeof(float), '\0');
  std::memcpy(blob.data(), v.data(), blob.size());
  return blob;
}

double Cosine(const std::vector<float>& a, const std::string& blob) {
  const size_t n = blob.size() / sizeof(float);
  if (n != a.size() || n == 0) return -2;
  std::vector<float> b(n);
  std::memcpy(b.data(), blob.data(), n * sizeof(float));
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
  }
  return na == 0 || nb == 0 ? -2 : dot / std::sqrt(na * nb);
}

// A row of kColumns.
struct Row {
  int64_t rowid = 0;
  Offer offer;
  std::string search_text;
  std::string embedding;
};

// "comprar" -> "venta", "rentar" -> "renta": a question word naming an operation.
const char* OperationOf(std::string_view term) {
  if (term == "venta" || term == "comprar" || term == "compra") return "venta";
  if (term == "renta" || term == "rentar" || term == "alquiler" || term == "alquilar")
    return "renta";
  return nullptr;
}

Row ReadRow(sqlite::Statement& s) {
  Row r;
  r.rowid = s.Int(0);
  Offer& o = r.offer;
  o.id = s.Text(1);
  o.title = s.Text(2);
  o.operation = s.Text(3);
  o.zone = s.Text(4);
  o.type = s.Text(5);
  o.price_cents = s.Int(6);
  o.currency = s.Text(7);
  o.bedrooms = static_cast<int>(s.Int(8));
  o.features = ReadJsonList(s.Text(9));
  o.description = s.Text(10);
  o.link = s.Text(11);
  o.ad_ids = ReadJsonList(s.Text(12));
  r.search_text = s.Text(13);
  if (!s.IsNull(14)) r.embedding = s.Blob(14);
  return r;
}

}  // namespace

struct SqliteKnowledgeBase::Impl {
  sqlite3* db = nullptr;
  Embedder* embedder = nullptr;
  std::mutex mu;
  std::mutex import_mu;  // ImportOffers, whole; taken before mu
  // Statements by SQL text (searches differ by their filters). Guarded by mu.
  std::map<std::string, std::unique_ptr<sqlite::Statement>> statements;
  // Zones by number, read again when any connection changed the database (PRAGMA
  // data_version: an import by `botrunner kb import` while the server runs). Guarded by mu.
  std::map<std::string, std::vector<std::string>, std::less<>> zones;
  int64_t zones_version = -1;

  ~Impl() {
    statements.clear();
    sqlite3_close_v2(db);
  }

  Result<sqlite::Statement*> Prepared(const std::string& sql) {
    auto it = statements.find(sql);
    if (it != statements.end()) return it->second.get();
    auto stmt = std::make_unique<sqlite::Statement>();
    if (Status s = stmt->Prepare(db, sql); !s.ok()) return s;
    sqlite::Statement* raw = stmt.get();
    statements.emplace(sql, std::move(stmt));
    return raw;
  }

  // Runs `sql` with `bind` and collects the rows.
  template <typename Bind>
  Result<std::vector<Row>> Rows(const std::string& sql, Bind bind) {
    Result<sqlite::Statement*> stmt = Prepared(sql);
    if (!stmt.ok()) return stmt.status();
    sqlite::Scope scope(**stmt);
    bind(**stmt);
    std::vector<Row> rows;
    int rc;
    while ((rc = scope->Step()) == SQLITE_ROW) rows.push_back(ReadRow(*scope));
    if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "offers search");
    return rows;
  }
};

SqliteKnowledgeBase::SqliteKnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteKnowledgeBase::~SqliteKnowledgeBase() = default;

Result<std::unique_ptr<SqliteKnowledgeBase>> SqliteKnowledgeBase::Open(const std::string& path,
                                                                       Embedder* embedder) {
  auto impl = std::make_unique<Impl>();
  impl->embedder = embedder;
  Status opened = sqlite::OpenMigrated(path, SqliteOptions{}, &impl->db);
  if (!opened.ok()) return opened;
  // A catalogue of 10,000 offers is a few MB: its pages stay in memory between questions.
  if (Status s = sqlite::Exec(impl->db, "PRAGMA cache_size = -32768"); !s.ok()) return s;
  return std::unique_ptr<SqliteKnowledgeBase>(new SqliteKnowledgeBase(std::move(impl)));
}

Result<ImportReport> SqliteKnowledgeBase::ImportOffers(std::string_view number,
                                                       const std::string& file) {
  knowledge::OfferFile read = knowledge::ReadOfferFile(file);
  ImportReport report;
  if (!read.errors.empty()) {
    report.errors = std::move(read.errors);
    return report;
  }
  // One import at a time; searches go on meanwhile (the connection's lock, `mu`, is not held
  // while the embeddings provider answers).
  std::lock_guard<std::mutex> importing(impl_->import_mu);
  std::map<std::string, std::pair<std::string, bool>> existing;  // id -> fingerprint, offered
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    Result<sqlite::Statement*> stmt = impl_->Prepared(
        std::string("SELECT ") + kColumns + ", o.offered FROM offers o WHERE o.number = ?1");
    if (!stmt.ok()) return stmt.status();
    sqlite::Scope scope(**stmt);
    scope->Bind(1, number);
    while (scope->Step() == SQLITE_ROW) {
      Row row = ReadRow(*scope);
      existing[row.offer.id] = {Fingerprint(row.offer), scope->Int(15) != 0};
    }
  }
  std::vector<const Offer*> changed;
  for (const Offer& offer : read.offers) {
    auto it = existing.find(offer.id);
    if (it == existing.end() || it->second.first != Fingerprint(offer) || !it->second.second) {
      changed.push_back(&offer);
    }
  }
  std::map<std::string, std::string> embeddings;  // id -> blob
  if (impl_->embedder != nullptr && !changed.empty()) {
    for (size_t start = 0; start < changed.size(); start += 100) {
      std::vector<std::string> texts;
      for (size_t i = start; i < changed.size() && i < start + 100; ++i) {
        texts.push_back(EmbeddingText(*changed[i]));
      }
      Result<std::vector<std::vector<float>>> vectors = impl_->embedder->Embed(texts);
      if (!vectors.ok())
        return Status(vectors.status().code(), "embeddings: " + vectors.status().message());
      if (vectors->size() != texts.size())
        return BadResponse("embeddings: wrong number of vectors");
      for (size_t i = 0; i < texts.size(); ++i) {
        embeddings[changed[start + i]->id] = ToBlob((*vectors)[i]);
      }
    }
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  if (Status s = sqlite::Exec(impl_->db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](Status s) {
    (void)sqlite::Exec(impl_->db, "ROLLBACK");
    return s;
  };
  Result<sqlite::Statement*> upsert = impl_->Prepared(
      "INSERT INTO offers (number, offer_id, title, operation, zone, type, price_cents, currency, "
      "bedrooms, features, description, link, ad_ids, search_text, embedding, embedding_model, "
      "offered, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15, ?16, 1, ?17) ON CONFLICT (number, offer_id) DO UPDATE SET title = excluded.title, "
      "operation = excluded.operation, zone = excluded.zone, type = excluded.type, "
      "price_cents = excluded.price_cents, currency = excluded.currency, "
      "bedrooms = excluded.bedrooms, features = excluded.features, "
      "description = excluded.description, link = excluded.link, ad_ids = excluded.ad_ids, "
      "search_text = excluded.search_text, embedding = coalesce(excluded.embedding, embedding), "
      "embedding_model = coalesce(excluded.embedding_model, embedding_model), offered = 1, "
      "updated_at = excluded.updated_at");
  if (!upsert.ok()) return fail(upsert.status());
  const int64_t now = ToUnixMillis(SystemClock().Now());
  const std::string model = impl_->embedder ? impl_->embedder->model() : "";
  std::set<std::string> in_file;
  for (const Offer& offer : read.offers) in_file.insert(offer.id);
  for (const Offer* offer : changed) {
    const std::string features = JsonList(offer->features);
    const std::string ad_ids = JsonList(offer->ad_ids);
    const std::string search_text = knowledge::SearchText(*offer);
    sqlite::Scope stmt(**upsert);
    stmt->Bind(1, number);
    stmt->Bind(2, offer->id);
    stmt->Bind(3, offer->title);
    stmt->Bind(4, offer->operation);
    stmt->Bind(5, offer->zone);
    stmt->Bind(6, offer->type);
    stmt->Bind(7, offer->price_cents);
    stmt->Bind(8, offer->currency);
    stmt->Bind(9, static_cast<int64_t>(offer->bedrooms));
    stmt->Bind(10, features);
    stmt->Bind(11, offer->description);
    stmt->Bind(12, offer->link);
    stmt->Bind(13, ad_ids);
    stmt->Bind(14, search_text);
    auto embedding = embeddings.find(offer->id);
    if (embedding != embeddings.end()) {
      stmt->BindBlob(15, embedding->second);
      stmt->Bind(16, model);
    }
    stmt->Bind(17, now);
    if (Status s = stmt->Run(); !s.ok()) return fail(s);
    (existing.count(offer->id) ? report.updated : report.added) += 1;
  }
  report.unchanged = static_cast<int>(read.offers.size() - changed.size());
  Result<sqlite::Statement*> retire = impl_->Prepared(
      "UPDATE offers SET offered = 0, updated_at = ?3 WHERE number = ?1 AND offer_id = ?2");
  if (!retire.ok()) return fail(retire.status());
  for (const auto& [id, state] : existing) {
    if (in_file.count(id) || !state.second) continue;
    sqlite::Scope stmt(**retire);
    stmt->Bind(1, number);
    stmt->Bind(2, id);
    stmt->Bind(3, now);
    if (Status s = stmt->Run(); !s.ok()) return fail(s);
    ++report.removed;
  }
  if (Status s = sqlite::Exec(impl_->db, "COMMIT"); !s.ok()) return fail(s);
  impl_->zones.clear();
  return report;
}

Result<std::vector<std::string>> SqliteKnowledgeBase::Zones(std::string_view number) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Result<sqlite::Statement*> version = impl_->Prepared("PRAGMA data_version");
  if (!version.ok()) return version.status();
  int64_t now = -1;
  {
    sqlite::Scope scope(**version);
    if (scope->Step() == SQLITE_ROW) now = scope->Int(0);
  }
  // data_version ignores this connection's own writes: ImportOffers clears the cache itself.
  if (now != impl_->zones_version) {
    impl_->zones.clear();
    impl_->zones_version = now;
  }
  if (auto cached = impl_->zones.find(number); cached != impl_->zones.end()) return cached->second;
  Result<sqlite::Statement*> stmt = impl_->Prepared(
      "SELECT DISTINCT zone FROM offers WHERE number = ?1 AND offered = 1 ORDER BY zone");
  if (!stmt.ok()) return stmt.status();
  sqlite::Scope scope(**stmt);
  scope->Bind(1, number);
  std::vector<std::string> zones;
  while (scope->Step() == SQLITE_ROW) zones.push_back(scope->Text(0));
  impl_->zones[std::string(number)] = zones;
  return zones;
}

Result<std::optional<Offer>> SqliteKnowledgeBase::FindOffer(std::string_view number,
                                                            std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Result<std::vector<Row>> rows = impl_->Rows(
      std::string("SELECT ") + kColumns +
          " FROM offers o WHERE o.number = ?1 AND o.offered = 1 AND (o.offer_id = ?2 OR "
          "EXISTS (SELECT 1 FROM json_each(o.ad_ids) WHERE value = ?2)) ORDER BY o.offer_id = ?2 "
          "DESC LIMIT 1",
      [&](sqlite::Statement& s) {
        s.Bind(1, number);
        s.Bind(2, id);
      });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Offer>();
  return std::optional<Offer>(std::move(rows->front().offer));
}

Result<std::vector<Offer>> SqliteKnowledgeBase::List(std::string_view number) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Result<std::vector<Row>> rows =
      impl_->Rows(std::string("SELECT ") + kColumns +
                      " FROM offers o WHERE o.number = ?1 AND o.offered = 1 ORDER BY o.offer_id",
                  [&](sqlite::Statement& s) { s.Bind(1, number); });
  if (!rows.ok()) return rows.status();
  std::vector<Offer> offers;
  for (Row& row : *rows) offers.push_back(std::move(row.offer));
  return offers;
}

Result<SearchResult> SqliteKnowledgeBase::Search(std::string_view number, const OfferQuery& query) {
  SearchResult result;
  result.terms = knowledge::QuestionTerms(query.text);
  OfferQuery q = query;
  // What the question itself names overrides the conversation's filters: a zone of the
  // catalogue, a property type, an operation.
  Result<std::vector<std::string>> zones = Zones(number);
  if (!zones.ok()) return zones.status();
  std::vector<Choice> zone_choices;
  for (const std::string& zone : *zones) zone_choices.push_back({zone, {}});
  bool named_filter = false;
  if (ParseResult named = ParseChoice(query.text, zone_choices); named.ok) {
    q.zone = named.value.text();
    named_filter = true;
  }
  bool cheapest = false, facts = false;
  std::vector<std::string> content;
  std::set<std::string> zone_words;
  if (!q.zone.empty()) {
    for (const std::string& w : knowledge::IndexWords(q.zone)) zone_words.insert(w);
  }
  std::vector<std::string> numbers;  // rank offers that have them higher; never required
  std::set<std::string> operations;
  for (const std::string& term : result.terms) {
    if (term == "departamento" || term == "casa" || term == "terreno" || term == "oficina") {
      q.type = term;
      named_filter = true;
    }
    if (const char* operation = OperationOf(term)) operations.insert(operation);
    if (term[0] >= '0' && term[0] <= '9') numbers.push_back(term);
    cheapest = cheapest || knowledge::AsksCheapest(term);
    facts = facts || knowledge::IsFactWord(term);
  }
  // "renta con opción a compra" names both: no operation filter.
  if (operations.size() == 1) {
    q.operation = *operations.begin();
    named_filter = true;
  }
  // What the question asks about beyond its filters: the words an offer must have.
  for (const std::string& term : result.terms) {
    const char* operation = OperationOf(term);
    const bool filter = term == q.type || (operation != nullptr && q.operation == operation) ||
                        zone_words.count(term) > 0;
    if (!filter && !knowledge::IsGeneric(term) && !knowledge::IsFactWord(term) &&
        !(term[0] >= '0' && term[0] <= '9')) {
      content.push_back(term);
    }
  }

  std::string where = " o.number = ?1 AND o.offered = 1";
  std::vector<std::pair<int, std::string>> text_binds;
  std::vector<std::pair<int, int64_t>> int_binds;
  int next = 3;
  auto text_filter = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND o.") + column + " = ?" + std::to_string(next);
    text_binds.emplace_back(next++, value);
  };
  text_filter("zone", q.zone);
  text_filter("type", q.type);
  text_filter("operation", q.operation);
  text_filter("currency", q.currency);
  auto int_filter = [&](const char* expr, std::optional<int64_t> value) {
    if (!value) return;
    where += std::string(" AND ") + expr + " ?" + std::to_string(next);
    int_binds.emplace_back(next++, *value);
  };
  int_filter("o.price_cents >=", q.min_price_cents);
  int_filter("o.price_cents <=", q.max_price_cents);
  int_filter("o.bedrooms >=",
             q.min_bedrooms ? std::optional<int64_t>(*q.min_bedrooms) : std::nullopt);
  const std::string limit =
      std::to_string(std::max<size_t>(q.limit, q.embedding.empty() ? 0 : kPool));
  // Every content word, as a prefix ("entreg"* finds "entrega"): only an offer that has them
  // all can support an answer (below), so the index looks for those alone, which keeps a
  // common word ("luz") from ranking the whole catalogue. Numbers only rank: an offer with "3"
  // comes first for "cochera para 3 autos" (number_rank below).
  std::string match;
  for (const std::string& term : content) {
    match += (match.empty() ? "\"" : " AND \"") + std::string(knowledge::TermStem(term)) + "\"";
    if (knowledge::TermStem(term).size() < term.size()) match += "*";
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  auto bind = [&](sqlite::Statement& s) {
    s.Bind(1, number);
    if (!match.empty()) s.Bind(2, match);
    for (const auto& [i, v] : text_binds) s.Bind(i, v);
    for (const auto& [i, v] : int_binds) s.Bind(i, v);
  };
  // An offer with the question's numbers ("cochera para 3 autos") ranks first.
  std::string number_rank;
  for (const std::string& n : numbers) {
    number_rank += "(instr(' ' || o.search_text || ' ', ' " + n + " ') = 0) * 100000 + ";
  }
  // The offers are chosen from the index (the filters' covering index, or the full-text
  // index), then only the chosen rows are read: sorting whole rows (descriptions, index text)
  // would cost more than the search.
  const std::string chosen =
      match.empty()
          ? "SELECT o.id AS id, o.price_cents AS price, o.id AS rank FROM offers o WHERE ?2 IS "
            "NULL AND" +
                where + " ORDER BY o.price_cents, o.id LIMIT " + limit
          // Every match has every content word (the query is an AND), so what orders them is
          // what BM25's length normalisation would: the offer whose text is shortest, i.e. most
          // about those words, first. Scoring BM25 over thousands of matches would cost ~2 ms
          // at 10,000 offers; this reads kFtsPool matches unranked (0.1 ms), then the filters.
          : "SELECT o.id AS id, o.price_cents AS price, " + number_rank +
                "length(o.search_text) AS rank FROM "
                "(SELECT rowid FROM offers_fts WHERE offers_fts MATCH ?2 LIMIT " +
                std::to_string(kFtsPool) + ") f JOIN offers o ON o.id = f.rowid WHERE" + where +
                (cheapest ? " ORDER BY o.price_cents, o.id" : " ORDER BY rank, o.id") + " LIMIT " +
                limit;
  Result<std::vector<Row>> rows = impl_->Rows(
      std::string("SELECT ") + kColumns + " FROM (" + chosen + ") c JOIN offers o ON o.id = c.id" +
          (match.empty() || cheapest ? " ORDER BY c.price, c.id" : " ORDER BY c.rank, c.id"),
      bind);
  if (!rows.ok()) return rows.status();

  if (!q.embedding.empty()) {
    // The cosine ranking over the filtered offers, fused with BM25's by reciprocal rank.
    Result<std::vector<Row>> all = impl_->Rows(
        std::string("SELECT ") + kColumns + " FROM offers o WHERE ?2 IS NULL AND" + where,
        [&](sqlite::Statement& s) {
          s.Bind(1, number);
          for (const auto& [i, v] : text_binds) s.Bind(i, v);
          for (const auto& [i, v] : int_binds) s.Bind(i, v);
        });
    if (!all.ok()) return all.status();
    std::vector<std::pair<double, size_t>> by_cosine;
    for (size_t i = 0; i < all->size(); ++i) {
      by_cosine.emplace_back(Cosine(q.embedding, (*all)[i].embedding), i);
    }
    std::sort(by_cosine.begin(), by_cosine.end(), std::greater<>());
    std::unordered_map<int64_t, double> fused;
    std::unordered_map<int64_t, Row> by_id;
    for (size_t r = 0; r < rows->size(); ++r) {
      fused[(*rows)[r].rowid] += 1.0 / (kRrfK + r + 1);
      by_id.emplace((*rows)[r].rowid, (*rows)[r]);
    }
    for (size_t r = 0; r < by_cosine.size() && r < kPool; ++r) {
      if (by_cosine[r].first <= -2) break;
      Row& row = (*all)[by_cosine[r].second];
      fused[row.rowid] += 1.0 / (kRrfK + r + 1);
      by_id.emplace(row.rowid, row);
    }
    std::vector<std::pair<double, int64_t>> order;
    for (const auto& [id, score] : fused) order.emplace_back(score, id);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<Row> merged;
    for (const auto& [score, id] : order) merged.push_back(std::move(by_id[id]));
    *rows = std::move(merged);
  }

  for (size_t i = 0; i < rows->size() && i < q.limit; ++i) {
    Row& row = (*rows)[i];
    Passage passage;
    std::set<std::string> words;
    for (size_t a = 0, b; a < row.search_text.size(); a = b + 1) {
      b = row.search_text.find(' ', a);
      if (b == std::string::npos) b = row.search_text.size();
      words.insert(row.search_text.substr(a, b - a));
    }
    for (const std::string& term : result.terms) {
      for (const std::string& word : words) {
        if (!knowledge::WordMatches(word, term)) continue;
        passage.matched_terms.push_back(term);
        break;
      }
    }
    passage.score = 1.0 / (1 + i);
    passage.offer = std::move(row.offer);
    result.passages.push_back(std::move(passage));
  }
  // Supported: one offer has every content word of the question ("escuelas bilingües" is not
  // answered by an offer "cerca de escuelas").
  bool content_matched = false;
  for (const Passage& p : result.passages) {
    bool all = !content.empty();
    for (const std::string& term : content) {
      all = all && std::find(p.matched_terms.begin(), p.matched_terms.end(), term) !=
                       p.matched_terms.end();
    }
    content_matched = content_matched || all;
  }
  result.supported =
      !result.passages.empty() && (content.empty() ? facts || named_filter : content_matched);
  return result;
}

}  // namespace bot
