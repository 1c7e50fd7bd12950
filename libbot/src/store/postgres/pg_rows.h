// Column lists and row readers of the PostgreSQL store, so a SELECT and the code reading it
// cannot drift apart (the same columns as the SQLite store's store/sqlite_rows.h).
#pragma once

#include "bot/session.h"
#include "bot/status.h"
#include "store/postgres/pg_connection.h"

namespace bot::pg {

inline constexpr char kSessionColumns[] =
    "id, dialog_id, dialog_version, state, slots, vars, status, attempts, started_at, updated_at";
Result<Session> ReadSession(const Rows& rows, int row, int first);

inline constexpr char kContactColumns[] =
    "id, channel, address, name, opted_out_at, last_inbound_at, unreachable_code, "
    "unreachable_reason, unreachable_at, tenant";
Contact ReadContact(const Rows& rows, int row, int first);

}  // namespace bot::pg
