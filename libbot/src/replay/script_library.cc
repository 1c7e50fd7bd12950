#include "replay/script_library.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "replay/wildcard.h"

namespace bot::replay {
namespace {

namespace fs = std::filesystem;

bool EndsWith(const fs::path& path, std::string_view suffix) {
  const std::string name = path.filename().string();
  return name.size() > suffix.size() && name.ends_with(suffix);
}

// Records that `file` defines `name`; an error when another file did first.
Status Define(std::map<std::string, std::string>& defined_in, const std::string& name,
              const std::string& file, const char* what) {
  auto [it, added] = defined_in.emplace(name, file);
  if (added) return Status::Ok();
  return InvalidArgument(file + ":1: " + what + " '" + name + "' is already defined in " +
                         it->second);
}

}  // namespace

Result<Utterance> ParseUtterances(std::string_view text, const std::string& file) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  Utterance utterance;
  utterance.file = file;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(start, nl - start));
    start = nl + 1;
    if (line.empty()) continue;
    if (utterance.name.empty()) {
      utterance.name = std::string(line);
    } else {
      utterance.variants.emplace_back(line);
    }
  }
  if (utterance.name.empty()) {
    return InvalidArgument(file + ":1: empty utterances file: the first line must be its name");
  }
  if (utterance.variants.empty()) {
    return InvalidArgument(file + ": utterance '" + utterance.name +
                           "' has no variants (one per line after the name)");
  }
  return utterance;
}

Result<ScriptLibrary> LoadScriptLibrary(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir.empty() ? "." : dir, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (EndsWith(it->path(), ".utterances.txt") || EndsWith(it->path(), ".pconvo.txt")) {
      files.push_back(it->path());
    }
  }
  if (ec) return Unavailable(dir + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());

  ScriptLibrary library;
  std::map<std::string, std::string> utterance_files, partial_files;  // name -> file
  for (const fs::path& path : files) {
    const std::string file = path.string();
    Result<std::string> text = ReadScriptFile(file);
    if (!text.ok()) return text.status();
    if (EndsWith(path, ".utterances.txt")) {
      Result<Utterance> utterance = ParseUtterances(*text, file);
      if (!utterance.ok()) return utterance.status();
      const std::string name = utterance->name;
      if (Status s = Define(utterance_files, name, file, "utterance"); !s.ok()) return s;
      library.utterances.emplace(name, std::move(*utterance));
    } else {
      Result<Transcript> partial = ParsePartialConvo(*text, file);
      if (!partial.ok()) return partial.status();
      const std::string name = partial->name;
      if (Status s = Define(partial_files, name, file, "partial convo"); !s.ok()) return s;
      library.partials.emplace(name, std::move(*partial));
    }
  }
  return library;
}

}  // namespace bot::replay
