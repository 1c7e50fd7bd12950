// The on-duty notice: one store commit for the agent's contact, then the outbox sends it.
#include "admin/on_duty_notice.h"

#include "server/webhook_handler.h"
#include "util/json_text.h"

namespace runner {

void OnDutyNotice::HandedOff(const std::string& number, const std::string& customer,
                             const bot::Session& session) {
  queue_->Submit(WebhookHandler::TurnLane(config_->from, config_->number),
                 [this, number, customer, session] {
                   bot::Status s = Notify(number, customer, session);
                   if (!s.ok()) {
                     log_->Error("admin: on-duty notice of the handoff of {}: {}",
                                 MaskAddress(customer), s.ToString());
                   }
                 });
}

bot::Status OnDutyNotice::Notify(const std::string& number, const std::string& customer,
                                 const bot::Session& session) {
  bot::Store& store = bot_->store();
  bot::Result<std::optional<bot::Contact>> handed_off = store.FindContact(number, customer);
  if (!handed_off.ok()) return handed_off.status();
  if (!handed_off->has_value()) return bot::NotFound("no contact " + customer);
  bot::Result<bot::Contact> agent = store.GetOrCreateContact(config_->from, config_->number);
  if (!agent.ok()) return agent.status();
  if (agent->opted_out) {
    log_->Warn("admin: the on-duty number opted out of {}: no notice of the handoff of {}",
               config_->from, MaskAddress(customer));
    return bot::Status::Ok();
  }
  // The handoff: the session and the moment it entered handoff. A second notice of the same
  // one (a turn replayed) is not written.
  const std::string handoff = "customer=" + customer + " session=" + std::to_string(session.id) +
                              " at=" + std::to_string(bot::ToUnixMillis(session.updated_at));
  bot::Result<std::vector<bot::StoredAudit>> audit = store.ListAudit(agent->id);
  if (!audit.ok()) return audit.status();
  for (const bot::StoredAudit& a : *audit) {
    if (a.event.kind == "on_duty_notice" && a.event.detail == handoff) return bot::Status::Ok();
  }
  const std::string link =
      config_->console_url + "#conversation=" + std::to_string((*handed_off)->id);
  std::string variables = "{\"1\":";
  AppendJsonString(&variables, customer);
  variables += ",\"2\":";
  AppendJsonString(&variables, session.dialog_id);
  variables += ",\"3\":";
  AppendJsonString(&variables, link);
  variables += "}";

  bot::TurnCommit commit;
  commit.contact = std::move(*agent);
  commit.now = bot_->clock().Now();
  commit.replies.push_back("Handoff: " + customer + " (" + session.dialog_id + ") " + link);
  commit.content_sid = config_->content_sid;
  commit.content_variables = std::move(variables);
  commit.audit.push_back({"on_duty_notice", handoff});
  bot::Result<bot::CommittedTurn> committed = store.CommitTurn(commit);
  if (!committed.ok()) return committed.status();
  // Sent once durable, like every reply.
  store.WhenDurable([outbox = outbox_](const bot::Status& s) {
    if (s.ok()) outbox->Wake();
  });
  return bot::Status::Ok();
}

}  // namespace runner
