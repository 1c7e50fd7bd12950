#include "store/sqlite_rows.h"

#include <simdjson.h>

namespace bot::sqlite {

static_assert(kJsonPadding == kJsonPadding);

Result<Session> ReadSession(const Statement& stmt, int first) {
  Session session;
  session.id = stmt.Int(first);
  session.dialog_id = stmt.Text(first + 1);
  session.dialog_version = static_cast<int>(stmt.Int(first + 2));
  session.state = stmt.Text(first + 3);
  const std::string slots = stmt.Text(first + 4, kJsonPadding);
  if (slots != "{}" && !SlotsFromJson(slots, &session.slots)) {
    return Internal("session " + std::to_string(session.id) + ": bad slots JSON");
  }
  const std::string vars = stmt.Text(first + 5, kJsonPadding);
  if (vars != "{}" && !VarsFromJson(vars, &session.vars)) {
    return Internal("session " + std::to_string(session.id) + ": bad vars JSON");
  }
  const std::string status = stmt.Text(first + 6);
  if (!ParseSessionStatus(status, &session.status)) {
    return Internal("session " + std::to_string(session.id) + ": unknown status '" + status + "'");
  }
  session.attempts = static_cast<int>(stmt.Int(first + 7));
  session.started_at = stmt.Time(first + 8);
  session.updated_at = stmt.Time(first + 9);
  return session;
}

Contact ReadContact(const Statement& stmt, int first) {
  Contact contact;
  contact.id = stmt.Int(first);
  contact.channel = stmt.Text(first + 1);
  contact.address = stmt.Text(first + 2);
  contact.name = stmt.Text(first + 3);
  contact.opted_out_at = stmt.OptionalTime(first + 4);
  contact.opted_out = contact.opted_out_at.has_value();
  contact.last_inbound_at = stmt.OptionalTime(first + 5);
  contact.unreachable_code = stmt.Text(first + 6);
  contact.unreachable_reason = stmt.Text(first + 7);
  contact.unreachable_at = stmt.OptionalTime(first + 8);
  contact.tenant = stmt.Text(first + 9);
  return contact;
}

}  // namespace bot::sqlite
