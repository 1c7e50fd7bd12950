// The events the dialog step emits (bot::Event): their names and their data as JSON. The
// catalogue of types and fields is docs/events.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bot/session.h"

namespace bot::engine {

// A record's event: "<kind>.<status>" when it has a status field ("application.preapproved"),
// else "<kind>.recorded" ("review.recorded"). Data: the record's fields, the contact and the
// number.
Event RecordEvent(const Record& record, const Contact& contact);

// lead.scored / lead.qualified: {"contact","number","dialog","score","status","explanation":
// [{"rule","points"}],"lead":{slot: text},"vars":{...}}. The Bot adds "transcript" to
// lead.qualified before it is stored.
struct LeadScore {
  int score = 0;
  bool hot = false;
  std::vector<std::pair<std::string, int>> fired;  // the rules that fired: why, points
};
Event LeadEvent(std::string type, const LeadScore& score, const Session& session,
                const Contact& contact);
// Adds "transcript": [{"direction","text"}] (oldest first) to an event's data.
void AddTranscript(const std::vector<std::pair<std::string, std::string>>& messages, Event* event);

// The Bot's own events: {"dialog","contact","number"} and {"contact","number","text",
// "message_id"}.
Event ConversationStartedEvent(const std::string& dialog_id, const Contact& contact);
Event MessageEvent(std::string type, const Contact& contact, std::string_view text,
                   std::string_view message_id);
// conversation.handoff, when a turn hands the conversation to a person: {"contact_id",
// "contact","number","dialog","state","reason"} (`reason`: what the user wrote, or the action).
Event HandoffEvent(const Session& session, const Contact& contact, std::string_view reason);

}  // namespace bot::engine
