// Building blocks of the credit_application dialog: CURP validation, exact money arithmetic for
// quotes, es-MX formatting of money and dates, encryption at rest (AES-256-GCM) and the credit
// bureau interface. Everything here is pure or a small interface; nothing is a singleton.
//
// See docs/credit.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bot/http.h"
#include "bot/status.h"
#include "bot/value.h"  // FormatPesos

namespace bot {

// ---- CURP (Clave Única de Registro de Población) ----

// The outcome of ValidateCurp. When ok, birth_date, sex and state are filled in; otherwise
// `reason` is one of "format", "state", "date", "check_digit", "birth_date_mismatch" (the
// first problem found, in that order) and the other fields are what could be read.
struct CurpCheck {
  bool ok = false;
  std::string reason;
  std::chrono::year_month_day birth_date{};
  char sex = 0;       // 'H', 'M' or 'X'
  std::string state;  // two letters, e.g. "VZ"; "NE" = born abroad
};

// Validates an 18-character CURP (upper case ASCII; RENAPO writes Ñ as X): format, state code,
// birth date, RENAPO check digit and, when `birth_date` is given, that it matches the CURP.
CurpCheck ValidateCurp(std::string_view curp,
                       std::optional<std::chrono::year_month_day> birth_date = std::nullopt);

// The RENAPO check digit (0..9) of the first 17 characters of `curp`, or -1 when one of them is
// outside the 37-character dictionary "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ".
int CurpCheckDigit(std::string_view curp);

// ---- Money and quotes (centavos, int64; no floating point) ----

// Commission on `amount_centavos` at `rate_bp` basis points (1500 = 15.00%), rounded half-up to
// the centavo: 0.5 centavo and more rounds up. InvalidArgument on a negative input or overflow.
Result<int64_t> CommissionCentavos(int64_t amount_centavos, int64_t rate_bp);

// A loan quote: what the applicant receives, pays and when.
struct LoanQuote {
  int64_t amount = 0;  // centavos lent
  int term_days = 0;
  int64_t commission = 0;                  // centavos, CommissionCentavos(amount, rate)
  int64_t total = 0;                       // amount + commission
  std::chrono::year_month_day due_date{};  // start + term_days
};

// Builds a quote. InvalidArgument when amount <= 0, term_days <= 0, rate < 0, on overflow or
// when `start` is not a valid date.
Result<LoanQuote> MakeQuote(int64_t amount_centavos, int term_days, int64_t rate_bp,
                            std::chrono::year_month_day start);

// es-MX dates: "lunes 7 de diciembre" or, with `with_year`, "lunes 7 de diciembre de 2026".
// "" for an invalid date.
std::string FormatDateEs(std::chrono::year_month_day date, bool with_year = false);

// A peso amount typed by a person, as centavos: "1500", "1500.5", "1,500.50", "$1,500.50".
// Strict: an optional "$", digits with commas only between groups of exactly three, at most
// two decimals after a ".". InvalidArgument for anything else (signs, spaces, "1,50", "1.505",
// an empty text) or past 10^15 centavos.
Result<int64_t> ParsePesoAmount(std::string_view text);

// ---- Encryption at rest ----

// Data keys by id. Keys are 32 raw bytes (AES-256).
using Keyring = std::map<std::string, std::string>;

struct DataKeys {
  std::string active_id;  // the first key listed: new blobs are sealed with it
  Keyring keys;
};

// Parses BOT_DATA_KEYS: "k1:BASE64,k2:BASE64" (standard base64 of 32 bytes each; ids are
// [A-Za-z0-9_-], 1..255 chars, unique). The first key is the active one; the others still open
// older blobs, so keys rotate by prepending a new one. InvalidArgument on any bad entry.
Result<DataKeys> ParseDataKeys(std::string_view env_value);

// Encrypts `plaintext` with AES-256-GCM under `key` (32 bytes). The blob is
//   version (1 byte, 1) | key id length (1 byte) | key id | nonce (12 random bytes) |
//   ciphertext | tag (16 bytes)
// and the header (version, key id) is authenticated too. InvalidArgument on a bad key or id.
Result<std::string> Seal(std::string_view key_id, std::string_view key, std::string_view plaintext);

// Decrypts a Seal blob with the key its header names. NotFound when the keyring lacks that key;
// InvalidArgument when the blob is malformed or fails authentication (tampered or wrong key).
Result<std::string> Open(const Keyring& keyring, std::string_view blob);

// ---- Credit bureau ----

struct BureauRequest {
  std::string full_name;
  std::string curp;
  std::chrono::year_month_day birth_date{};
  std::string address;
};

struct BureauReport {
  int score = 0;
  std::string raw_body;  // the bureau's response as received; encrypt it before storing
};

// Checks an applicant with a credit bureau. Implementations are thread-safe.
class BureauProvider {
 public:
  virtual ~BureauProvider() = default;
  // The applicant's score. NotFound when the bureau has no record of the CURP; InvalidArgument
  // when it refuses our credentials; Unavailable / Timeout when it is down or slow (retrying
  // may help); BadResponse when its answer cannot be read.
  virtual Result<BureauReport> Check(const BureauRequest& request) = 0;
  // The same without blocking (bot/providers.h, "two forms"); the default calls Check.
  virtual void CheckAsync(const BureauRequest& request,
                          std::function<void(Result<BureauReport>)> done) {
    done(Check(request));
  }
};

struct HttpsBureauOptions {
  std::string url;      // https://...; plain http only for 127.0.0.1 / localhost (tests)
  std::string api_key;  // sent as "Authorization: Bearer <key>"
  std::chrono::milliseconds timeout{15000};
};

// A bureau speaking JSON over HTTPS: POST url {"name","curp","birth_date":"YYYY-MM-DD",
// "address"} → 200 {"score": N, ...}; 404 = no record. `http` (e.g. NewCurlHttpClient()) is
// not owned and must outlive the provider. InvalidArgument for a bad URL or empty key.
Result<std::unique_ptr<BureauProvider>> NewHttpsBureau(HttpsBureauOptions options,
                                                       HttpClient* http);

}  // namespace bot
