// Loads dialogs from YAML files (dialogs/<id>.yaml) and their prompts
// (prompts/<locale>/common.yaml merged with prompts/<locale>/<id>.yaml).
#pragma once

#include <memory>
#include <string>

#include "bot/dialog.h"
#include "bot/status.h"

namespace bot {

// Loads and validates one dialog file. Errors name the file, the line and the problem:
// "dialogs/review_rating.yaml:27: transition to unknown state 'thanks'".
Result<Dialog> LoadDialogFile(const std::string& path, const std::string& prompts_dir);

// Loads every *.yaml in `dialogs_dir`. Fails on the first broken file.
Result<std::shared_ptr<const DialogSet>> LoadDialogDir(const std::string& dialogs_dir,
                                                       const std::string& prompts_dir);

// The dialog as a diagram: "mermaid" (stateDiagram-v2) or "dot" (Graphviz).
Result<std::string> RenderDialogGraph(const Dialog& dialog, const std::string& format);

}  // namespace bot
