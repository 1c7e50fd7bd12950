// Message credits and the daily cap per tenant (docs/campaigns.md, "Credits and the daily cap").
// A tenant with credits on pays one credit for each business-initiated message (an approved
// template: campaign openings and reminders, loan reminders), or for every message, in the same
// store transaction that puts it in the outbox. With no credit left the message is held as
// `no_credits`; past the tenant's daily cap of business-initiated messages, as `over_cap`. Held
// messages are never dropped and never sent until released: `no_credits` ones by AddCredits,
// `over_cap` ones at the tenant's next local day start (CapReleaseSource). Every movement of a
// balance is a row of the ledger (table credit_ledger). Only the SQLite store charges credits.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/campaigns.h"
#include "bot/clock.h"
#include "bot/status.h"

namespace bot {

// What a tenant with credits on pays for and how many business-initiated messages it may send
// per local day.
struct TenantCredits {
  enum class Charge {
    kBusinessInitiated,  // approved templates only
    kEveryMessage,       // templates and ordinary replies
  };
  Charge charge = Charge::kBusinessInitiated;
  int64_t daily_cap = 0;          // business-initiated messages per local day; 0 = no cap
  std::string time_zone = "UTC";  // IANA id: where the cap's day starts
};

// Which tenants pay in credits, and the tenant of each bot number. A number whose tenant is not
// in `tenants` (or no number at all) is never charged nor held.
struct CreditsPolicy {
  std::map<std::string, TenantCredits> tenants;       // by tenant; only those with credits on
  std::map<std::string, std::string> number_tenants;  // bot address ("whatsapp:+1...") -> tenant

  bool empty() const { return tenants.empty(); }
  // The tenant of bot number `number`; "" when it has none.
  std::string TenantOf(const std::string& number) const;
  // The tenant's settings; nullptr when it does not pay in credits.
  const TenantCredits* Find(const std::string& tenant) const;
};

// The start of the local day after the one `t` falls in, in IANA zone `zone`.
TimePoint NextLocalDayStart(TimePoint t, const std::string& zone);

struct CreditsAdded {
  int64_t balance = 0;         // after the credits and the released messages
  int64_t released = 0;        // no_credits messages put back in the outbox (each paid for)
  int64_t moved_over_cap = 0;  // no_credits messages now waiting for the next day (cap reached)
};

// Adds `amount` (> 0) credits to `tenant` (which must be in `policy.tenants`) with a ledger row
// naming `reason` and `actor`, and in the same transaction releases its `no_credits` messages,
// oldest first, while the balance pays for them: each is debited (its own ledger row) and put
// back in the outbox as due now. A running server's outbox worker sends them at its next poll.
// InvalidArgument for an unknown tenant, an amount <= 0, an empty reason or actor.
Result<CreditsAdded> AddCredits(const std::string& db_path, const CreditsPolicy& policy,
                                const std::string& tenant, int64_t amount,
                                const std::string& reason, const std::string& actor, TimePoint now);

// An outbound message held by credits or the cap.
struct HeldMessage {
  int64_t id = 0;
  std::string tenant;   // "" when its number has none
  std::string channel;  // the bot number
  std::string address;  // the recipient
  std::string status;   // no_credits, over_cap
  bool business_initiated = false;
  TimePoint created_at;
};

struct LedgerRow {
  int64_t id = 0;
  int64_t delta = 0;
  int64_t balance_after = 0;
  std::string reason;      // "template", "reply" (a message paid for) or the reason given
  std::string actor;       // "bot" for a message, else who added the credits
  int64_t message_id = 0;  // 0 when none
  TimePoint at;
};

struct TenantCreditsReport {
  std::string tenant;
  int64_t balance = 0;
  int64_t today = 0;      // business-initiated messages paid for on the tenant's local day
  int64_t daily_cap = 0;  // 0 = none
  std::string time_zone;
  std::string day;                // the local day, "2026-01-02"
  std::vector<HeldMessage> held;  // oldest first
  std::vector<LedgerRow> recent;  // the last `ledger_rows`, newest first
};

// The state of `tenant` (in `policy.tenants`) at `now`. InvalidArgument for an unknown tenant.
Result<TenantCreditsReport> ShowCredits(const std::string& db_path, const CreditsPolicy& policy,
                                        const std::string& tenant, TimePoint now,
                                        int ledger_rows = 10);

// Every held message (no_credits, over_cap), oldest first, with its tenant by `policy`.
Result<std::vector<HeldMessage>> ListHeldOutbound(const std::string& db_path,
                                                  const CreditsPolicy& policy);

// Releases `over_cap` messages at their tenant's next local day start after they were held:
// each is charged again (it may then wait as no_credits, or stay over_cap for one more day if
// the new day's cap fills) and put back in the outbox. Reads and writes over a connection of its
// own to the database at `db_path`. Not thread-safe: one Scheduler calls it.
class CapReleaseSource final : public ScheduledSource {
 public:
  CapReleaseSource(std::string db_path, CreditsPolicy policy);
  ~CapReleaseSource() override;
  Result<std::optional<TimePoint>> NextDue() override;
  Result<int64_t> RunDue(TimePoint now) override;

 private:
  std::string db_path_;
  CreditsPolicy policy_;
};

}  // namespace bot
