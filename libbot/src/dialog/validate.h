// Dialog validation with source locations. The loader records where each part of a dialog
// came from so that ValidateDialog's errors point at the offending line; a dialog built in C++
// has no such map and its errors name the dialog and the state lines it set, if any.
#pragma once

#include <map>
#include <string>

#include "bot/dialog.h"
#include "bot/status.h"

namespace bot {

struct DialogSources {
  struct Place {
    std::string file;
    int line = 0;  // 1-based; 0 = unknown
  };
  // Lines in the dialog file by path: "id", "start", "slots.rating", "slots.rating.min",
  // "variables.name", "states.intro.say", "states.intro.transitions.0.if".
  std::map<std::string, int> lines;
  // Where each prompt key was defined (the dialog's prompt file or common.yaml).
  std::map<std::string, Place> prompts;

  int Line(const std::string& path, int fallback = 0) const {
    auto it = lines.find(path);
    return it == lines.end() ? fallback : it->second;
  }
};

// "dialogs/x.yaml:12" or "dialog 'x'" (built in C++, no file), for error messages.
std::string DialogLocation(const Dialog& dialog, int line);

// The engine's prompts every dialog must have (common.yaml provides them).
extern const char* const kCommonPrompts[11];

Status ValidateDialog(const Dialog& dialog, const DialogSources& sources);

// True for names usable as states, slots and variables: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view name);

}  // namespace bot
