#include "store/postgres/pg_rows.h"

namespace bot::pg {

Result<Session> ReadSession(const Rows& rows, int row, int first) {
  Session session;
  session.id = rows.Int(row, first);
  session.dialog_id = rows.Text(row, first + 1);
  session.dialog_version = static_cast<int>(rows.Int(row, first + 2));
  session.state = rows.Text(row, first + 3);
  const std::string slots = rows.Text(row, first + 4);
  if (slots != "{}" && !SlotsFromJson(slots, &session.slots)) {
    return Internal("session " + std::to_string(session.id) + ": bad slots JSON");
  }
  const std::string vars = rows.Text(row, first + 5);
  if (vars != "{}" && !VarsFromJson(vars, &session.vars)) {
    return Internal("session " + std::to_string(session.id) + ": bad vars JSON");
  }
  const std::string status = rows.Text(row, first + 6);
  if (!ParseSessionStatus(status, &session.status)) {
    return Internal("session " + std::to_string(session.id) + ": unknown status '" + status + "'");
  }
  session.attempts = static_cast<int>(rows.Int(row, first + 7));
  session.started_at = rows.Time(row, first + 8);
  session.updated_at = rows.Time(row, first + 9);
  return session;
}

Contact ReadContact(const Rows& rows, int row, int first) {
  Contact contact;
  contact.id = rows.Int(row, first);
  contact.channel = rows.Text(row, first + 1);
  contact.address = rows.Text(row, first + 2);
  contact.name = rows.Text(row, first + 3);
  contact.opted_out_at = rows.OptionalTime(row, first + 4);
  contact.opted_out = contact.opted_out_at.has_value();
  contact.last_inbound_at = rows.OptionalTime(row, first + 5);
  contact.unreachable_code = rows.Text(row, first + 6);
  contact.unreachable_reason = rows.Text(row, first + 7);
  contact.unreachable_at = rows.OptionalTime(row, first + 8);
  contact.tenant = rows.Text(row, first + 9);
  return contact;
}

}  // namespace bot::pg
