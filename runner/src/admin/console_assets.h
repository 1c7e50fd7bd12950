// The web console's static files (runner/web/*), compiled into the binary by CMake
// (runner/web/embed_assets.cmake): botrunner serves the console with nothing beside it.
#pragma once

#include <string_view>

namespace runner {

struct ConsoleAsset {
  std::string_view name;          // "console.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view bytes;
};

// The file called `name` (no folder), or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace runner
