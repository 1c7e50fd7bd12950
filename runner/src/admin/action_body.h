// The body of an admin action (POST /admin/api/conversations/{id}/{action}): the reply's text,
// the state a release resumes at, or an approved WhatsApp template to send instead of text:
//   {"text": "..."}                                               free text (24 h window only)
//   {"content_sid": "HX...", "variables": {"1": "Ana", ...}}       any approved template
//   {"template": "ask_rating", "variables": {"name": "Ana", ...}}   one of the dialog's templates
//   {"state": "ask_term"}                                         release
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bot/dialog.h"
#include "bot/sqlite_conversations.h"
#include "bot/status.h"

namespace runner {

struct ActionBody {
  std::string text;
  std::string state;
  std::string content_sid;
  std::string template_name;  // a prompt key of the conversation's dialog's `templates:`
  std::vector<std::pair<std::string, std::string>> variables;  // in the order written

  bool has_template() const { return !content_sid.empty() || !template_name.empty(); }
};

// Reads an empty body or a JSON object (unknown members are ignored); InvalidArgument says
// what is wrong.
bot::Status ReadActionBody(const std::string& body, ActionBody* out);

// Fills the message action's content_sid, content_variables ({"1": ...}) and text (what the
// transcript shows: the template's prompt rendered with the variables, or the SID and the
// variables) from a template request. `dialog` is the conversation's (null when it has none).
// InvalidArgument when the SID is malformed, the dialog has no such template, or a variable is
// missing, unknown or over 1024 bytes.
bot::Status ResolveTemplate(const ActionBody& body, const bot::Dialog* dialog,
                            bot::ConversationAction* action);

// Whether `sid` is a Twilio Content SID: "HX" and 32 hex digits.
bool IsContentSid(std::string_view sid);

}  // namespace runner
