// The admin API's JSON: conversations as the API answers them (docs/runner.md, "Admin API").
#pragma once

#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/sqlite_conversations.h"
#include "server/http_server.h"

namespace runner {

// {"id", "number", "contact", "name", "status", "dialog", "state", "last_activity",
//  "last_inbound_at", "claimed_by", "last_text"}
std::string ConversationJson(const bot::ConversationSummary& c);

// {"conversations": [...], "next_cursor": "..." | null}
std::string ConversationListJson(const std::vector<bot::ConversationSummary>& page,
                                 const std::string& next_cursor);

// {"conversation", "window_open", "session", "messages", "records", "audit", "usage", "claim",
//  "templates"}. `window_start`: the user may be written freely if their last message is not
// older. `dialog` (the session's; may be null) gives the templates an agent may send:
// [{"name", "content_sid", "variables": [...], "text"}].
std::string ConversationDetailJson(const bot::ConversationDetail& d, bot::TimePoint window_start,
                                   const bot::Dialog* dialog);

// {"error": message}
std::string ErrorJson(std::string_view message);

// A JSON answer of the admin listener (Cache-Control: no-store, X-Content-Type-Options: nosniff).
Response AdminJson(int status, std::string body);
// AdminJson(status, ErrorJson(message)).
Response AdminError(int status, std::string_view message);

// The opaque cursor after `c`, and back; false for a malformed one.
std::string CursorAfter(const bot::ConversationSummary& c);
bool ParseCursor(std::string_view cursor, std::pair<bot::TimePoint, int64_t>* after);

}  // namespace runner
