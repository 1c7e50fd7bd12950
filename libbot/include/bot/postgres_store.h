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
#include <ostream>
#include <string>

#include "bot/clock.h"
#include "bot/sqlite_store.h"  // ErasureReport
#include "bot/status.h"
#include "bot/store.h"
#include "bot/tenant_data.h"

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
  // The tenant of each bot number, as SqliteOptions::number_tenants: new contacts get their
  // number's; at open, contacts without a tenant get theirs, and a number whose contacts belong
  // to another tenant fails the open (InvalidArgument).
  NumberTenants number_tenants;
};

// Connects to `conninfo` (libpq's "host=... dbname=..." or a postgresql:// URI), migrates the
// schema to the latest version and returns the store. Thread-safe: a pool of up to
// `options.connections` connections, one per call at a time. A broken connection is reset by the
// next call that borrows it; the call that found it broken fails Unavailable.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& options = {});

// A tenant's rows as JSON Lines, as ExportTenantData (bot/tenant_data.h) writes them from SQLite:
// the same tables, order and format, every row of the tenant's contacts and campaigns, in one
// snapshot, over its own connection. Migrates the schema and assigns contacts stored before
// tenants were recorded (options.number_tenants) first, as OpenPostgresStore does; a number
// whose contacts belong to another tenant is refused the same way. InvalidArgument for an
// empty tenant.
Result<TenantExportCounts> ExportPostgresTenantData(const std::string& conninfo,
                                                    const PostgresOptions& options,
                                                    const std::string& tenant, std::ostream& out);

// Erases the personal data of every contact of `tenant`, as EraseTenantData (bot/tenant_data.h)
// does on SQLite: each contact as EraseContactData describes (bot/sqlite_store.h), in its own
// transaction with its row locked, audited "erasure" with `actor` and the counts. Contacts
// already erased are skipped, so running it again after a failure finishes the job; other
// tenants' contacts, the same person's included, are untouched. Migrates and assigns tenants
// first, as ExportPostgresTenantData. InvalidArgument for an empty tenant or actor.
Result<ErasureReport> ErasePostgresTenantData(const std::string& conninfo,
                                              const PostgresOptions& options,
                                              const std::string& tenant, const std::string& actor,
                                              const Clock& clock);

// Erases the personal data of `address` (on `channel`; "" = every channel it used), as
// EraseContactData (bot/sqlite_store.h) does on SQLite, each contact in its own transaction with
// its row locked, audited "erasure" with `actor`. NotFound when no contact has the address;
// InvalidArgument for an empty actor or address.
Result<ErasureReport> ErasePostgresContactData(const std::string& conninfo,
                                               const PostgresOptions& options,
                                               const std::string& channel,
                                               const std::string& address, const std::string& actor,
                                               const Clock& clock);

}  // namespace bot
