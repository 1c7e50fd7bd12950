// Erasing a contact's personal data, on either store (bot/sqlite_store.h EraseContactData,
// bot/postgres_store.h ErasePostgresTenantData): what happens to each table is written once here,
// over the small ErasureDb interface each store implements inside its erasure's transaction. The
// SQL numbers its parameters $1, $2 as PostgreSQL does (the SQLite side runs them as ?1, ?2).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bot/clock.h"
#include "bot/sqlite_store.h"  // ErasureReport
#include "bot/status.h"

namespace bot::erasure {

using Param = std::variant<int64_t, std::string>;

class ErasureDb {
 public:
  virtual ~ErasureDb() = default;
  // The (id, text) rows a query returns; a NULL text is "".
  virtual Result<std::vector<std::pair<int64_t, std::string>>> Rows(
      const char* sql, const std::vector<Param>& params) = 0;
  // Runs a statement; the rows it changed.
  virtual Result<int64_t> Run(const char* sql, const std::vector<Param>& params) = 0;
};

// Erases contact `contact_id` (its address `address`): every row of it as EraseContactData
// describes, the files it names deleted (each once, listed in `files`), counts added to
// `report`. Inside the caller's transaction.
Status EraseContact(ErasureDb& db, int64_t contact_id, const std::string& address,
                    std::set<std::string>* files, ErasureReport* report);

// Audits an erasure of `contact_id`: an "erasure" event with the actor and the counts, nothing
// personal.
Status Audit(ErasureDb& db, int64_t contact_id, const std::string& actor,
             const ErasureReport& report, TimePoint now);

// Adds `one` to `total`.
void Add(const ErasureReport& one, ErasureReport* total);

}  // namespace bot::erasure
