// The admin API's JSON, written by hand: the shapes are small and fixed.
#include "admin/admin_json.h"

#include <fmt/format.h>

#include <charconv>

#include "util/json_text.h"

namespace runner {
namespace {

void Key(std::string* out, std::string_view name) {
  if (out->back() != '{') *out += ',';
  AppendJsonString(out, name);
  *out += ':';
}

void Text(std::string* out, std::string_view name, std::string_view value) {
  Key(out, name);
  AppendJsonString(out, value);
}

// null for an empty value.
void TextOrNull(std::string* out, std::string_view name, std::string_view value) {
  Key(out, name);
  if (value.empty()) {
    *out += "null";
  } else {
    AppendJsonString(out, value);
  }
}

void Time(std::string* out, std::string_view name, std::optional<bot::TimePoint> t) {
  Key(out, name);
  if (t) {
    AppendJsonString(out, Rfc3339(*t));
  } else {
    *out += "null";
  }
}

// A JSON column the store wrote (slots, media, a record's fields), as is; `empty` when unset.
void Raw(std::string* out, std::string_view name, const std::string& json, const char* empty) {
  Key(out, name);
  *out += json.empty() ? empty : json;
}

// "name":[{...},...], each object's members written by `members`.
template <typename Items, typename Members>
void Array(std::string* out, std::string_view name, const Items& items, Members members) {
  Key(out, name);
  *out += '[';
  for (const auto& item : items) {
    if (out->back() != '[') *out += ',';
    *out += '{';
    members(out, item);
    *out += '}';
  }
  *out += ']';
}

}  // namespace

std::string ConversationJson(const bot::ConversationSummary& c) {
  std::string out = "{\"id\":" + std::to_string(c.contact_id);
  Text(&out, "number", c.channel);
  Text(&out, "contact", c.address);
  Text(&out, "name", c.name);
  TextOrNull(&out, "status", c.status);
  TextOrNull(&out, "dialog", c.dialog_id);
  TextOrNull(&out, "state", c.state);
  Time(&out, "last_activity", c.activity);
  Time(&out, "last_inbound_at", c.last_inbound_at);
  TextOrNull(&out, "claimed_by", c.claimed_by);
  Text(&out, "last_text", c.last_text);
  return out + "}";
}

std::string ConversationListJson(const std::vector<bot::ConversationSummary>& page,
                                 const std::string& next_cursor) {
  std::string out = "{\"conversations\":[";
  for (size_t i = 0; i < page.size(); ++i) {
    if (i > 0) out += ',';
    out += ConversationJson(page[i]);
  }
  out += "]";
  TextOrNull(&out, "next_cursor", next_cursor);
  return out + "}";
}

std::string ConversationDetailJson(const bot::ConversationDetail& d, bot::TimePoint window_start,
                                   const bot::Dialog* dialog) {
  std::string out = "{\"conversation\":" + ConversationJson(d.summary);
  Key(&out, "window_open");
  const bool open = d.summary.last_inbound_at && *d.summary.last_inbound_at >= window_start;
  out += open ? "true" : "false";
  Key(&out, "session");
  if (d.has_session) {
    out += "{\"id\":" + std::to_string(d.session_id);
    Text(&out, "status", d.session_status);
    Text(&out, "dialog", d.summary.dialog_id);
    Text(&out, "state", d.summary.state);
    Raw(&out, "slots", d.slots_json, "{}");
    Raw(&out, "vars", d.vars_json, "{}");
    Time(&out, "started_at", d.started_at);
    Time(&out, "updated_at", d.updated_at);
    out += '}';
  } else {
    out += "null";
  }
  Array(&out, "messages", d.messages, [](std::string* o, const bot::ConversationMessage& m) {
    Key(o, "id");
    *o += std::to_string(m.id);
    Text(o, "direction", m.direction);
    Text(o, "author", m.author);
    TextOrNull(o, "agent", m.agent);
    Text(o, "text", m.text);
    TextOrNull(o, "transcript", m.transcript);
    Text(o, "status", m.status);
    TextOrNull(o, "error_code", m.error_code);
    Raw(o, "media", m.media_json, "[]");
    Time(o, "created_at", m.created_at);
  });
  Array(&out, "records", d.records, [](std::string* o, const auto& r) {
    Text(o, "kind", r.kind);
    Raw(o, "data", r.data_json, "{}");
    Time(o, "created_at", r.created_at);
  });
  Array(&out, "audit", d.audit, [](std::string* o, const auto& a) {
    Text(o, "kind", a.kind);
    Text(o, "detail", a.detail);
    Time(o, "created_at", a.created_at);
  });
  out +=
      ",\"usage\":{\"calls\":" + std::to_string(d.usage.calls) +
      ",\"tokens_in\":" + std::to_string(d.usage.tokens_in) +
      ",\"tokens_out\":" + std::to_string(d.usage.tokens_out) + ",\"cost_usd\":\"" +
      fmt::format("{}.{:06d}", d.usage.cost_micro_usd / 1000000, d.usage.cost_micro_usd % 1000000) +
      "\"}";
  Key(&out, "claim");
  if (d.claimed_at) {
    out += '{';
    Text(&out, "agent", d.summary.claimed_by);
    Time(&out, "claimed_at", d.claimed_at);
    out += '}';
  } else {
    out += "null";
  }
  std::vector<const bot::MessageTemplate*> templates;
  if (dialog != nullptr) {
    for (const auto& [name, t] : dialog->templates) templates.push_back(&t);
  }
  Array(&out, "templates", templates, [dialog](std::string* o, const bot::MessageTemplate* t) {
    Text(o, "name", t->prompt);
    Text(o, "content_sid", t->content_sid);
    Key(o, "variables");
    *o += '[';
    for (size_t i = 0; i < t->variables.size(); ++i) {
      if (i > 0) *o += ',';
      AppendJsonString(o, t->variables[i]);
    }
    *o += ']';
    const std::string* prompt = dialog->FindPrompt(t->prompt);
    Text(o, "text", prompt != nullptr ? *prompt : "");
  });
  return out + "}";
}

std::string ErrorJson(std::string_view message) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, message);
  return out + "}";
}

std::string CursorAfter(const bot::ConversationSummary& c) {
  return std::to_string(bot::ToUnixMillis(c.activity)) + "_" + std::to_string(c.contact_id);
}

bool ParseCursor(std::string_view cursor, std::pair<bot::TimePoint, int64_t>* after) {
  const size_t sep = cursor.find('_');
  if (sep == std::string_view::npos) return false;
  int64_t millis = 0;
  int64_t id = 0;
  const char* end = cursor.data() + sep;
  auto [p1, e1] = std::from_chars(cursor.data(), end, millis);
  if (e1 != std::errc() || p1 != end || sep == 0) return false;
  const char* last = cursor.data() + cursor.size();
  auto [p2, e2] = std::from_chars(end + 1, last, id);
  if (e2 != std::errc() || p2 != last || end + 1 == last) return false;
  *after = {bot::FromUnixMillis(millis), id};
  return true;
}

Response AdminJson(int status, std::string body) {
  Response res = MakeResponse(status, "application/json; charset=utf-8", std::move(body));
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

Response AdminError(int status, std::string_view message) {
  return AdminJson(status, ErrorJson(message));
}

}  // namespace runner
