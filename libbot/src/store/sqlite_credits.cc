#include "store/sqlite_credits.h"

#include <utility>
#include <vector>

#include "engine/local_time.h"

namespace bot {

std::string CreditsPolicy::TenantOf(const std::string& number) const {
  auto it = number_tenants.find(number);
  return it == number_tenants.end() ? std::string() : it->second;
}

const TenantCredits* CreditsPolicy::Find(const std::string& tenant) const {
  auto it = tenants.find(tenant);
  return it == tenants.end() ? nullptr : &it->second;
}

TimePoint NextLocalDayStart(TimePoint t, const std::string& zone) {
  const std::chrono::sys_days today(engine::LocalDate(t, zone));
  return engine::LocalTimeToUtc(std::chrono::year_month_day(today + std::chrono::days(1)), 0, zone);
}

namespace sqlite {
namespace {

// The ledger's reason for a message paid for.
const char* MessageReason(bool business_initiated) {
  return business_initiated ? "template" : "reply";
}

}  // namespace

Status CreditCharger::Prepare(sqlite3* db) {
  db_ = db;
  if (policy_.empty()) return Status::Ok();
  const std::pair<Statement*, const char*> statements[] = {
      {&balance_, "SELECT balance FROM credit_balances WHERE tenant = ?1"},
      {&upsert_balance_,
       "INSERT INTO credit_balances (tenant, balance, updated_at) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (tenant) DO UPDATE SET balance = excluded.balance, "
       "updated_at = excluded.updated_at"},
      {&insert_ledger_,
       "INSERT INTO credit_ledger (tenant, delta, balance_after, reason, actor, message_id, at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&count_today_,
       "SELECT count(*) FROM credit_ledger WHERE tenant = ?1 AND reason = 'template' "
       "AND at >= ?2 AND at < ?3"},
      {&set_status_,
       "UPDATE messages SET status = ?2, updated_at = ?3, "
       "next_attempt_at = CASE WHEN ?4 THEN ?3 ELSE next_attempt_at END WHERE id = ?1"},
      {&held_,
       "SELECT m.id, m.content_sid IS NOT NULL, c.channel FROM messages m "
       "JOIN contacts c ON c.id = m.contact_id WHERE m.status = ?1 ORDER BY m.id"},
      {&number_of_,
       "SELECT c.channel FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ?1"},
  };
  for (const auto& [stmt, sql] : statements) {
    if (Status s = stmt->Prepare(db, sql); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<int64_t> CreditCharger::Balance(const std::string& tenant) {
  Scope read(balance_);
  read->Bind(1, tenant);
  const int rc = read->Step();
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return Error(db_, rc, "read credit balance");
  return read->Int(0);
}

Result<std::string> CreditCharger::NumberOf(int64_t message_id) {
  if (policy_.empty()) return std::string();
  Scope read(number_of_);
  read->Bind(1, message_id);
  const int rc = read->Step();
  if (rc == SQLITE_DONE) return NotFound("outbound message " + std::to_string(message_id));
  if (rc != SQLITE_ROW) return Error(db_, rc, "read the number of a message");
  return read->Text(0);
}

Result<int64_t> CreditCharger::CountToday(const std::string& tenant, const TenantCredits& credits,
                                          TimePoint now) {
  const std::chrono::year_month_day day = engine::LocalDate(now, credits.time_zone);
  Scope count(count_today_);
  count->Bind(1, tenant);
  count->Bind(2, engine::LocalTimeToUtc(day, 0, credits.time_zone));
  count->Bind(3, NextLocalDayStart(now, credits.time_zone));
  const int rc = count->Step();
  if (rc != SQLITE_ROW) return Error(db_, rc, "count today's messages");
  return count->Int(0);
}

Result<int64_t> CreditCharger::Move(const std::string& tenant, int64_t delta,
                                    const std::string& reason, const std::string& actor,
                                    int64_t message_id, TimePoint now) {
  Result<int64_t> balance = Balance(tenant);
  if (!balance.ok()) return balance.status();
  const int64_t after = *balance + delta;
  {
    Scope set(upsert_balance_);
    set->Bind(1, tenant);
    set->Bind(2, after);
    set->Bind(3, now);
    if (Status s = set->Run(); !s.ok()) return s;
  }
  Scope insert(insert_ledger_);
  insert->Bind(1, tenant);
  insert->Bind(2, delta);
  insert->Bind(3, after);
  insert->Bind(4, reason);
  insert->Bind(5, actor);
  if (message_id != 0) insert->Bind(6, message_id);
  insert->Bind(7, now);
  if (Status s = insert->Run(); !s.ok()) return s;
  return after;
}

Result<std::string> CreditCharger::Decide(const std::string& tenant, const TenantCredits& credits,
                                          bool business_initiated, bool can_hold,
                                          int64_t message_id, TimePoint now) {
  if (business_initiated && credits.daily_cap > 0 && can_hold) {
    Result<int64_t> today = CountToday(tenant, credits, now);
    if (!today.ok()) return today.status();
    if (*today >= credits.daily_cap) return std::string(kOverCap);
  }
  if (can_hold) {
    Result<int64_t> balance = Balance(tenant);
    if (!balance.ok()) return balance.status();
    if (*balance < 1) return std::string(kNoCredits);
  }
  Result<int64_t> after =
      Move(tenant, -1, MessageReason(business_initiated), "bot", message_id, now);
  if (!after.ok()) return after.status();
  return std::string();
}

Status CreditCharger::SetStatus(int64_t message_id, std::string_view status, TimePoint now,
                                bool due_now) {
  Scope set(set_status_);
  set->Bind(1, message_id);
  set->Bind(2, status);
  set->Bind(3, now);
  set->Bind(4, static_cast<int64_t>(due_now));
  return set->Run();
}

Result<std::string> CreditCharger::Charge(int64_t message_id, const std::string& number,
                                          bool business_initiated, const std::string& status,
                                          TimePoint now) {
  if (policy_.empty()) return status;
  const std::string tenant = policy_.TenantOf(number);
  const TenantCredits* credits = policy_.Find(tenant);
  if (credits == nullptr) return status;
  if (!business_initiated && credits->charge != TenantCredits::Charge::kEveryMessage) {
    return status;
  }
  Result<std::string> held =
      Decide(tenant, *credits, business_initiated, status == "pending", message_id, now);
  if (!held.ok()) return held.status();
  if (held->empty()) return status;  // paid for
  if (Status s = SetStatus(message_id, *held, now, false); !s.ok()) return s;
  return held;
}

Status CreditCharger::Release(const std::string& tenant, const std::string& held, TimePoint now,
                              int64_t* released, int64_t* moved) {
  struct Held {
    int64_t id = 0;
    bool business_initiated = false;
    std::string channel;
  };
  Result<std::vector<Held>> rows = std::vector<Held>();
  {
    Scope list(held_);
    list->Bind(1, held);
    rows = CollectRows<Held>(*list, "held messages", [](const Statement& row, Held* h) {
      h->id = row.Int(0);
      h->business_initiated = row.Int(1) != 0;
      h->channel = row.Text(2);
      return Status::Ok();
    });
  }
  if (!rows.ok()) return rows.status();
  for (const Held& h : *rows) {
    if (policy_.TenantOf(h.channel) != tenant) continue;
    const TenantCredits* credits = policy_.Find(tenant);
    std::string now_held;
    if (credits != nullptr) {
      Result<std::string> decided = Decide(tenant, *credits, h.business_initiated, true, h.id, now);
      if (!decided.ok()) return decided.status();
      now_held = std::move(*decided);
    }
    if (now_held == held) {
      // Nothing left to pay with: this one and every later one keep waiting.
      if (held == kNoCredits) break;
      // The new day's cap is full again: it waits one more day from now.
      if (Status s = SetStatus(h.id, held, now, false); !s.ok()) return s;
      continue;
    }
    const std::string to = now_held.empty() ? "pending" : now_held;
    if (Status s = SetStatus(h.id, to, now, now_held.empty()); !s.ok()) return s;
    ++*(now_held.empty() ? released : moved);
  }
  return Status::Ok();
}

}  // namespace sqlite
}  // namespace bot
