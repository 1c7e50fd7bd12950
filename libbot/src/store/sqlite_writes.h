// Rows that several writers add the same way, each over its own connection: the store's turns,
// the credit desk (bot/credit_desk.h) and the data erasure. One SQL text and one binder each, so
// an outbox message or an audit event written by the desk is exactly one a turn would write.
#pragma once

#include <cstdint>
#include <string_view>

#include "bot/session.h"
#include "bot/status.h"
#include "store/sqlite_statement.h"

namespace bot::sqlite {

// An outgoing message to a contact: status 'pending' is what the runner's outbox worker sends;
// 'inline' was answered in the webhook response. Bind with InsertOutbound.
inline constexpr char kInsertOutboundSql[] =
    "INSERT INTO messages (contact_id, session_id, channel, direction, text, status, "
    "next_attempt_at, created_at, updated_at) VALUES "
    "(?1, ?2, (SELECT channel FROM contacts WHERE id = ?1), 'out', ?3, ?4, ?5, ?5, ?5)";

inline constexpr char kInsertAuditSql[] =
    "INSERT INTO audit_events (contact_id, kind, detail, created_at) VALUES (?1, ?2, ?3, ?4)";

// Runs `stmt` (prepared from kInsertOutboundSql) for one message due at `now` and returns its
// id. `session_id` 0 stores NULL.
Result<int64_t> InsertOutbound(Statement& stmt, int64_t contact_id, int64_t session_id,
                               std::string_view text, std::string_view status, TimePoint now);

// Runs `stmt` (prepared from kInsertAuditSql).
Status InsertAudit(Statement& stmt, int64_t contact_id, const AuditEvent& event, TimePoint now);

}  // namespace bot::sqlite
