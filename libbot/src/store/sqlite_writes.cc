#include "store/sqlite_writes.h"

namespace bot::sqlite {

Result<int64_t> InsertOutbound(Statement& stmt, int64_t contact_id, int64_t session_id,
                               std::string_view text, std::string_view status, TimePoint now) {
  Scope insert(stmt);
  insert->Bind(1, contact_id);
  if (session_id != 0) insert->Bind(2, session_id);
  insert->Bind(3, text);
  insert->Bind(4, status);
  insert->Bind(5, now);
  const int rc = insert->Step();
  if (rc != SQLITE_DONE) return Error(stmt.db(), rc, "insert outbound");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(stmt.db()));
}

Status InsertAudit(Statement& stmt, int64_t contact_id, const AuditEvent& event, TimePoint now) {
  Scope insert(stmt);
  insert->Bind(1, contact_id);
  insert->Bind(2, event.kind);
  insert->Bind(3, event.detail);
  insert->Bind(4, now);
  const int rc = insert->Step();
  if (rc != SQLITE_DONE) return Error(stmt.db(), rc, "insert audit event");
  return Status::Ok();
}

}  // namespace bot::sqlite
