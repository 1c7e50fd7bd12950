// The SQLite store's part of a business-initiated turn: the campaign recipient it moves along
// and the approved template it sends, both in the turn's transaction; and the credits a turn's
// outbound messages take (bot/message_credits.h).
#include "store/sqlite_store_impl.h"

namespace bot {

using sqlite::Scope;

Status SqliteStore::WriteCampaignStep(const TurnCommit& turn, int64_t session_id) {
  if (!turn.campaign_step) return Status::Ok();
  const CampaignStep& step = *turn.campaign_step;
  Scope update(campaign_step_);
  update->Bind(1, step.recipient_id);
  update->Bind(2, step.to);
  update->Bind(3, step.reason);
  update->BindOrNull(4, step.next_due);
  if (session_id != 0) update->Bind(5, session_id);
  update->Bind(6, turn.now);
  update->Bind(7, step.from);
  if (Status s = Run(*update, "campaign step"); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) {
    return Status(
        StatusCode::kAlreadyExists,
        "campaign recipient " + std::to_string(step.recipient_id) + " is no longer " + step.from);
  }
  return Status::Ok();
}

Result<int64_t> SqliteStore::InsertTemplateOutbound(const TurnCommit& turn, int64_t session_id) {
  std::string text;
  for (const std::string& reply : turn.replies) {
    if (!text.empty()) text += "\n\n";
    text += reply;
  }
  Scope insert(insert_template_outbound_);
  insert->Bind(1, turn.contact.id);
  if (session_id != 0) insert->Bind(2, session_id);
  insert->Bind(3, text);
  insert->Bind(4, turn.reply_status);
  insert->Bind(5, turn.now);
  insert->Bind(6, turn.content_sid);
  insert->BindOrNull(7, turn.content_variables);
  if (Status s = Run(*insert, "insert template outbound"); !s.ok()) return s;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status SqliteStore::ChargeOutbound(const TurnCommit& turn, int64_t id, bool business_initiated,
                                   CommittedTurn* committed) {
  Result<std::string> status =
      credits_.Charge(id, turn.contact.channel, business_initiated, turn.reply_status, turn.now);
  if (!status.ok()) return status.status();
  if (*status != turn.reply_status) committed->held_ids.push_back(id);
  return Status::Ok();
}

}  // namespace bot
