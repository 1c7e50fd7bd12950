// Charging outbound messages in credits (bot/message_credits.h) inside the caller's SQLite
// transaction: the store's turns, the credit desk's loan reminders, AddCredits and the cap's
// release each hold one CreditCharger over their own connection, so every writer charges alike.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "bot/message_credits.h"
#include "store/sqlite_statement.h"

namespace bot::sqlite {

// The outbox statuses of a held message.
inline constexpr char kNoCredits[] = "no_credits";
inline constexpr char kOverCap[] = "over_cap";

class CreditCharger {
 public:
  explicit CreditCharger(CreditsPolicy policy) : policy_(std::move(policy)) {}

  // Prepares the statements on `db` (nothing when no tenant pays in credits).
  Status Prepare(sqlite3* db);
  const CreditsPolicy& policy() const { return policy_; }

  // Inside a transaction: charges the outbound message `message_id`, just inserted with `status`
  // ("pending", or "inline": already answered in the webhook, so charged but never held, even
  // past zero), sent from bot number `number`. Returns the status it has now: unchanged, or
  // kNoCredits / kOverCap (the row is updated) when held.
  Result<std::string> Charge(int64_t message_id, const std::string& number, bool business_initiated,
                             const std::string& status, TimePoint now);

  // Inside a transaction: charges the messages of `tenant` held as `held` (kNoCredits or
  // kOverCap), oldest first, and puts each one paid for back in the outbox, due at `now`. Stops
  // at the first one the balance cannot pay for. `*released` counts those put back,
  // `*moved` those now held otherwise (by the cap, or for credits).
  Status Release(const std::string& tenant, const std::string& held, TimePoint now,
                 int64_t* released, int64_t* moved);

  // Inside a transaction: adds `delta` to the tenant's balance with a ledger row; the new
  // balance.
  Result<int64_t> Move(const std::string& tenant, int64_t delta, const std::string& reason,
                       const std::string& actor, int64_t message_id, TimePoint now);

  // The bot number outbound message `message_id` is sent from.
  Result<std::string> NumberOf(int64_t message_id);
  Result<int64_t> Balance(const std::string& tenant);
  // Business-initiated messages of `tenant` paid for on the local day of `now`.
  Result<int64_t> CountToday(const std::string& tenant, const TenantCredits& credits,
                             TimePoint now);

 private:
  // What a message of `tenant` becomes: "" when paid for (debited), else the status it waits
  // in. `can_hold` false: paid for whatever the balance.
  Result<std::string> Decide(const std::string& tenant, const TenantCredits& credits,
                             bool business_initiated, bool can_hold, int64_t message_id,
                             TimePoint now);
  Status SetStatus(int64_t message_id, std::string_view status, TimePoint now, bool due_now);

  CreditsPolicy policy_;
  sqlite3* db_ = nullptr;
  Statement balance_;
  Statement upsert_balance_;
  Statement insert_ledger_;
  Statement count_today_;
  Statement set_status_;
  Statement held_;
  Statement number_of_;
};

}  // namespace bot::sqlite
