// Several processes on one database: a conversation held by one store at a time (a session
// advisory lock of the store's hold connection), its pending inbound messages, and outbox claims
// handed back.
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;

namespace {

// The lock's two keys: the schema (so that tenants' and tests' schemas on one database do not
// hold each other's contacts) and the contact. Contacts past 2^31 share a key with another: a
// process then leaves a conversation it could have run to the holder of the other, never runs
// two at once.
constexpr char kTryHold[] =
    "SELECT pg_try_advisory_lock(hashtext(current_schema()), ($1::bigint % 2147483648)::integer)";
constexpr char kRelease[] =
    "SELECT pg_advisory_unlock(hashtext(current_schema()), ($1::bigint % 2147483648)::integer)";

}  // namespace

Result<bool> PostgresStore::TryHoldConversation(int64_t contact_id) {
  std::lock_guard lock(hold_mu_);
  if (hold_conn_ == nullptr) {
    auto opened = pool_.OpenConnection();
    if (!opened.ok()) return opened.status();
    hold_conn_ = std::move(*opened);
  }
  auto held = hold_conn_->Run(kTryHold, Params().Add(contact_id), "hold conversation");
  if (!held.ok()) return held.status();
  return held->Text(0, 0) == "t";
}

Status PostgresStore::ReleaseConversation(int64_t contact_id) {
  std::lock_guard lock(hold_mu_);
  // No hold connection: nothing was held. False when the connection was reset since the hold
  // (the server released it then): nothing left to release.
  if (hold_conn_ == nullptr) return Status::Ok();
  auto released = hold_conn_->Run(kRelease, Params().Add(contact_id), "release conversation");
  return released.ok() ? Status::Ok() : released.status();
}

Result<std::vector<int64_t>> PostgresStore::UnprocessedInboundOf(int64_t contact_id) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto rows = conn.Run(
      "SELECT id FROM messages WHERE contact_id = $1 AND direction = 'in' AND "
      "status = 'accepted' ORDER BY id",
      Params().Add(contact_id), "unprocessed inbound of contact");
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> ids;
  for (int i = 0; i < rows->size(); ++i) ids.push_back(rows->Int(i, 0));
  return ids;
}

Status PostgresStore::ReleaseOutbound(const std::vector<int64_t>& ids) {
  if (options_.outbox_lease.count() == 0 || ids.empty()) return Status::Ok();
  std::string list = "{";
  for (int64_t id : ids) list += (list.size() > 1 ? "," : "") + std::to_string(id);
  list += "}";
  // The claim moved next_attempt_at to the claim's time + the lease: back to the claim's time,
  // which is due (it was at least the time the row was due).
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  pg::Connection& conn = **lease;
  auto released = conn.Run(
      "UPDATE messages SET next_attempt_at = next_attempt_at - $2 "
      "WHERE id = ANY($1::bigint[]) AND status = 'pending'",
      Params().Add(list).Add(static_cast<int64_t>(options_.outbox_lease.count())),
      "release outbound");
  return released.ok() ? Status::Ok() : released.status();
}

}  // namespace bot
