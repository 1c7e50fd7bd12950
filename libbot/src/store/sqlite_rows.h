// Column lists and row readers shared by the SQLite store's statements, so a SELECT and the code
// reading it cannot drift apart.
#pragma once

#include "bot/session.h"
#include "bot/status.h"
#include "store/sqlite_statement.h"

namespace bot::sqlite {

// Spare bytes after JSON text read from a column, so simdjson parses it in place instead of
// copying it (equal to SIMDJSON_PADDING; checked in sqlite_rows.cc).
inline constexpr size_t kJsonPadding = 64;

// SELECT kSessionColumns FROM sessions ...; read with ReadSession(stmt, 0).
inline constexpr const char kSessionColumns[] =
    "id, dialog_id, dialog_version, state, slots, vars, status, attempts, started_at, updated_at";
inline constexpr int kSessionColumnCount = 10;
Result<Session> ReadSession(const Statement& stmt, int first);

// SELECT kContactColumns FROM contacts ...; read with ReadContact(stmt, 0).
inline constexpr const char kContactColumns[] =
    "id, channel, address, name, opted_out_at, last_inbound_at, coalesce(unreachable_code, ''), "
    "coalesce(unreachable_reason, ''), unreachable_at, tenant";
inline constexpr int kContactColumnCount = 10;
Contact ReadContact(const Statement& stmt, int first);

}  // namespace bot::sqlite
