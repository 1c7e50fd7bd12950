#include "support/stored_turn.h"

namespace bot::testing {

Result<CommittedTurn> StoreTurn(Store& store, const StoredTurn& turn) {
  InboundMessage m;
  m.channel = turn.channel;
  m.from = turn.from;
  m.provider_id = turn.message_sid;
  m.profile_name = turn.name;
  m.text = turn.text;
  m.dialog_id = turn.dialog_id;
  m.received_at = turn.at;
  Result<Accepted> accepted = store.AcceptInbound(m);
  if (!accepted.ok()) return accepted.status();
  Result<TurnContext> context = store.LoadTurn(accepted->message_id);
  if (!context.ok()) return context.status();
  TurnCommit commit;
  commit.inbound_id = context->message_id;
  commit.contact = context->contact;
  commit.contact.name = turn.name;
  commit.session = Session{};
  commit.session->dialog_id = turn.dialog_id;
  commit.session->dialog_version = 1;
  commit.session->state = turn.state;
  commit.session->started_at = turn.at;
  commit.session->updated_at = turn.at;
  commit.replies = turn.replies;
  commit.reply_status = turn.reply_status;
  commit.records = turn.records;
  commit.now = turn.at;
  return store.CommitTurn(commit);
}

}  // namespace bot::testing
