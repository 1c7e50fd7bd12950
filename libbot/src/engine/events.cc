#include "engine/events.h"

#include "util/json.h"

namespace bot::engine {
namespace {

void AppendMember(std::string* out, std::string_view name, std::string_view value) {
  if (out->back() != '{') *out += ',';
  json::AppendString(out, name);
  *out += ':';
  json::AppendString(out, value);
}

void AppendObject(std::string* out, std::string_view name,
                  const std::map<std::string, std::string>& fields) {
  if (out->back() != '{') *out += ',';
  json::AppendString(out, name);
  *out += ":{";
  for (const auto& [key, value] : fields) AppendMember(out, key, value);
  *out += '}';
}

}  // namespace

Event RecordEvent(const Record& record, const Contact& contact) {
  auto status = record.fields.find("status");
  Event event;
  event.type = record.kind + "." +
               (status != record.fields.end() && !status->second.empty() ? status->second
                                                                         : std::string("recorded"));
  std::string data = "{";
  AppendMember(&data, "contact", contact.address);
  AppendMember(&data, "number", contact.channel);
  AppendObject(&data, record.kind, record.fields);
  data += '}';
  event.data_json = std::move(data);
  return event;
}

Event LeadEvent(std::string type, const LeadScore& score, const Session& session,
                const Contact& contact) {
  std::string data = "{";
  AppendMember(&data, "contact", contact.address);
  AppendMember(&data, "number", contact.channel);
  AppendMember(&data, "dialog", session.dialog_id);
  data += ",\"score\":" + std::to_string(score.score);
  AppendMember(&data, "status", score.hot ? "hot" : "low_priority");
  data += ",\"explanation\":[";
  for (size_t i = 0; i < score.fired.size(); ++i) {
    if (i > 0) data += ',';
    data += "{\"rule\":";
    json::AppendString(&data, score.fired[i].first);
    data += ",\"points\":" + std::to_string(score.fired[i].second) + "}";
  }
  data += ']';
  std::map<std::string, std::string> lead;
  for (const auto& [name, value] : session.slots) {
    if (!value.is_none()) lead[name] = value.ToString();
  }
  AppendObject(&data, "lead", lead);
  AppendObject(&data, "vars",
               std::map<std::string, std::string>(session.vars.begin(), session.vars.end()));
  data += '}';
  return Event{std::move(type), std::move(data)};
}

void AddTranscript(const std::vector<std::pair<std::string, std::string>>& messages,
                   Event* event) {
  std::string transcript = ",\"transcript\":[";
  for (const auto& [direction, text] : messages) {
    if (transcript.back() != '[') transcript += ',';
    transcript += '{';
    AppendMember(&transcript, "direction", direction);
    AppendMember(&transcript, "text", text);
    transcript += '}';
  }
  event->data_json.insert(event->data_json.size() - 1, transcript + "]");
}

Event ConversationStartedEvent(const std::string& dialog_id, const Contact& contact) {
  std::string data = "{";
  AppendMember(&data, "dialog", dialog_id);
  AppendMember(&data, "contact", contact.address);
  AppendMember(&data, "number", contact.channel);
  return Event{"conversation.started", data + "}"};
}

Event MessageEvent(std::string type, const Contact& contact, std::string_view text,
                   std::string_view message_id) {
  std::string data = "{";
  AppendMember(&data, "contact", contact.address);
  AppendMember(&data, "number", contact.channel);
  AppendMember(&data, "text", text);
  AppendMember(&data, "message_id", message_id);
  return Event{std::move(type), data + "}"};
}

Event HandoffEvent(const Session& session, const Contact& contact, std::string_view reason) {
  // The contact's row id lets a receiver open the conversation in the admin API.
  std::string data = "{\"contact_id\":" + std::to_string(contact.id);
  AppendMember(&data, "contact", contact.address);
  AppendMember(&data, "number", contact.channel);
  AppendMember(&data, "dialog", session.dialog_id);
  AppendMember(&data, "state", session.state);
  AppendMember(&data, "reason", reason);
  return Event{"conversation.handoff", data + "}"};
}

}  // namespace bot::engine
