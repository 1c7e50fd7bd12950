// The PostgreSQL store's part of a business-initiated turn: the campaign recipient it moves
// along and the approved template it sends, both in the turn's transaction (as in
// sqlite_campaign_turns.cc).
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;

Status PostgresStore::WriteCampaignStep(pg::Connection& conn, const TurnCommit& turn,
                                        int64_t session_id) {
  if (!turn.campaign_step) return Status::Ok();
  const CampaignStep& step = *turn.campaign_step;
  // The row lock makes a second run of the same step wait, then find the status moved on.
  auto update = conn.Run(
      "UPDATE campaign_recipients SET status = $2, reason = $3, due_at = $4, "
      "session_id = coalesce($5, session_id), "
      "sent_at = CASE WHEN $2 = 'sent' THEN $6::bigint ELSE sent_at END, updated_at = $6 "
      "WHERE id = $1 AND status = $7",
      Params()
          .Add(step.recipient_id)
          .Add(step.to)
          .Add(step.reason)
          .Add(step.next_due)
          .AddIdOrNull(session_id)
          .Add(turn.now)
          .Add(step.from),
      "campaign step");
  if (!update.ok()) return update.status();
  if (update->Changed() == 0) {
    return Status(
        StatusCode::kAlreadyExists,
        "campaign recipient " + std::to_string(step.recipient_id) + " is no longer " + step.from);
  }
  return Status::Ok();
}

Result<int64_t> PostgresStore::InsertTemplateOutbound(pg::Connection& conn, const TurnCommit& turn,
                                                      int64_t session_id) {
  std::string text;
  for (const std::string& reply : turn.replies) {
    if (!text.empty()) text += "\n\n";
    text += reply;
  }
  auto id = conn.Run(
      "INSERT INTO messages (contact_id, session_id, channel, direction, text, status, "
      "next_attempt_at, created_at, updated_at, content_sid, content_variables) VALUES "
      "($1, $2, (SELECT channel FROM contacts WHERE id = $1), 'out', $3, $4, $5::bigint, "
      "$5::bigint, $5::bigint, $6, $7) RETURNING id",
      Params()
          .Add(turn.contact.id)
          .AddIdOrNull(session_id)
          .Add(text)
          .Add(turn.reply_status)
          .Add(turn.now)
          .Add(turn.content_sid)
          .AddOrNull(turn.content_variables),
      "insert template outbound");
  if (!id.ok()) return id.status();
  return id->Int(0, 0);
}

}  // namespace bot
