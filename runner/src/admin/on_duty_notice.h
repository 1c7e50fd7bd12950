// The notice to the agent on duty (`admin.on_duty`; docs/runner.md "Web console"): when a turn
// puts a conversation in handoff, one approved WhatsApp template goes to the on-duty agent's
// number, from a bot number, through the durable outbox. It is committed to the store as a
// business-initiated message of the agent's own contact on that number ({{1}} the customer's
// number, {{2}} the dialog, {{3}} the console's link to the conversation), with an audit event
// `on_duty_notice` that names the handoff, so a handoff is never announced twice. Thread-safe:
// the work runs in the agent's conversation lane of the work queue.
#pragma once

#include <string>

#include "bot/bot.h"
#include "config/config.h"
#include "server/log.h"
#include "server/outbox_worker.h"
#include "server/work_queue.h"

namespace runner {

class OnDutyNotice {
 public:
  // Everything must outlive the object.
  OnDutyNotice(const OnDutyConfig* config, bot::Bot* bot, WorkQueue* queue, OutboxWorker* outbox,
               const Logger* log)
      : config_(config), bot_(bot), queue_(queue), outbox_(outbox), log_(log) {}

  // The turn of `customer` on bot number `number` put `session` in handoff: queues the notice.
  void HandedOff(const std::string& number, const std::string& customer,
                 const bot::Session& session);

 private:
  // The store work of HandedOff, in the on-duty agent's lane.
  bot::Status Notify(const std::string& number, const std::string& customer,
                     const bot::Session& session);

  const OnDutyConfig* config_;
  bot::Bot* bot_;
  WorkQueue* queue_;
  OutboxWorker* outbox_;
  const Logger* log_;
};

}  // namespace runner
