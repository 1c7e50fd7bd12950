// Leads from Meta lead forms (the `leadgen` webhook), kept durable before the webhook is
// acknowledged and de-duplicated on the leadgen id: a notification is accepted, then its lead
// is fetched from the Graph API and its conversation started (or it fails with a reason).
// SQLite, over its own connection to the store's file; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"

namespace bot {

struct LeadNotification {
  int64_t id = 0;
  std::string leadgen_id;  // Meta's lead id, kept as text (64-bit ids overflow doubles)
  std::string page_id;
  std::string form_id;
  std::string ad_id;
  std::string status;  // "accepted", "started", "failed", "ignored"
  std::string reason;  // why it failed or was ignored
  TimePoint received_at;
};

class SqliteLeadInbox {
 public:
  static Result<std::unique_ptr<SqliteLeadInbox>> Open(const std::string& path);
  ~SqliteLeadInbox();

  // Stores a notification as accepted; false when its leadgen id was seen before (Meta retries).
  Result<bool> Accept(const LeadNotification& lead);
  // Accepted notifications whose lead was not started yet, oldest first (start-up recovery).
  Result<std::vector<LeadNotification>> Pending();
  Result<std::vector<LeadNotification>> List(int limit);
  Status Finish(std::string_view leadgen_id, std::string_view status, std::string_view reason,
                TimePoint now);

  struct Impl;

 private:
  explicit SqliteLeadInbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bot
