// The durable queue between stored events (Store: TurnCommit::events, table `events`) and the
// event sinks (a CRM's webhook, a data pipeline): one delivery per event and sink, claimed in
// order per conversation, retried, dead-lettered. SQLite, over its own connection to the
// store's file; thread-safe. The runner's event worker drives it (docs/events.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/session.h"
#include "bot/status.h"

namespace bot {

struct Delivery {
  int64_t id = 0;
  int64_t event_id = 0;
  std::string sink;
  int64_t contact_id = 0;
  std::string status;  // "pending", "delivered", "dead"
  int attempts = 0;
  TimePoint next_attempt_at;
  std::string last_error;
  std::optional<TimePoint> delivered_at;
  Event event;
  TimePoint event_time;  // when the turn stored it
};

class SqliteEventQueue {
 public:
  static Result<std::unique_ptr<SqliteEventQueue>> Open(const std::string& path);
  ~SqliteEventQueue();

  // Adds a pending delivery for `sink` of every event stored since the sink's last fan-out
  // whose type is in `types` ("*" = every type), due at once. Durable and exactly once: the
  // sink's cursor moves in the same transaction. Returns how many were added.
  Result<int> Fanout(std::string_view sink, const std::vector<std::string>& types, TimePoint now);

  // Pending deliveries of `sink` due at `now`, each the oldest pending one of its conversation
  // (a conversation's events arrive in order), oldest first.
  Result<std::vector<Delivery>> Due(std::string_view sink, TimePoint now, int limit);
  // When the next delivery of `sink` Due() can return is due (a delivery waiting behind an
  // earlier one of its conversation does not count); nullopt when none is pending.
  Result<std::optional<TimePoint>> NextDue(std::string_view sink);

  Status MarkDelivered(int64_t id, TimePoint now);
  // One more failed attempt; tried again at `next`.
  Status MarkRetry(int64_t id, TimePoint next, std::string_view error);
  // One more failed attempt, the last: dead letter. A dead delivery no longer holds back the
  // later events of its conversation.
  Status MarkDead(int64_t id, std::string_view error);

  // Deliveries by status ("" = any) and sink ("" = any), newest first.
  Result<std::vector<Delivery>> List(std::string_view status, std::string_view sink, int limit);
  // Dead deliveries back to pending, attempts reset, due at `now`: one by id, or all of them
  // (id = nullopt). Returns how many.
  Result<int> Retry(std::optional<int64_t> id, TimePoint now);

  struct Impl;

 private:
  explicit SqliteEventQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot
