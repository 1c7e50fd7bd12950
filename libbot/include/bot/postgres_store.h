// The PostgreSQL Store (bot::postgres, a library of its own so that plain users of libbot need no
// libpq): the same contract as the SQLite store, on a PostgreSQL 15 server, with versioned
// migrations applied at open (table schema_migrations). Several stores, in one process or in
// several, may share one database: inbound messages stay unique on (contact, provider id),
// status callbacks stay monotonic, with `outbox_lease` set DueOutbound claims rows so that no
// two stores send the same one, and a conversation is held by one store at a time
// (Store::TryHoldConversation: a session advisory lock).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "bot/status.h"
#include "bot/store.h"

namespace bot {

struct PostgresOptions {
  // The schema the tables live in: "" = the connection's default (public). Another name is
  // created when missing and put first on the search_path, e.g. one schema per tenant or test.
  std::string schema;
  // 0: DueOutbound only reads (as the SQLite store does). Above 0: the rows DueOutbound returns
  // are claimed (FOR UPDATE SKIP LOCKED) and not due again for this long, so another store
  // sharing the database does not get them; a store that dies before marking them leaves them
  // due again once the lease ends.
  std::chrono::milliseconds outbox_lease{0};
  // With a lease: DueOutbound claims only the oldest pending message of each contact, so that
  // stores sharing the database never send one contact's messages at once or out of order; the
  // next one is due once that one is no longer pending (sent, failed). Store::ReleaseOutbound
  // hands a claim back.
  bool outbox_oldest_per_contact = false;
  // The most connections the store's calls use at once (at least 1): each call borrows one for
  // its duration, so calls of different threads run in parallel, and a call that finds them all
  // lent waits for one. They are opened as calls need them. Conversation holds
  // (Store::TryHoldConversation) use one more connection of their own, opened by the first hold.
  int connections = 4;
};

// Connects to `conninfo` (libpq's "host=... dbname=..." or a postgresql:// URI), migrates the
// schema to the latest version and returns the store. Thread-safe: a pool of up to
// `options.connections` connections, one per call at a time. A broken connection is reset by the
// next call that borrows it; the call that found it broken fails Unavailable.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& options = {});

}  // namespace bot
