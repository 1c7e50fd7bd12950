// The Botium files beside a transcript that it refers to by name: utterance lists
// (NAME.utterances.txt) and partial convos (NAME.pconvo.txt). docs/transcripts.md.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bot/status.h"
#include "replay/transcript_parser.h"

namespace bot::replay {

// An utterance list: its first line is the name, each following non-empty line a variant.
struct Utterance {
  std::string name;
  std::vector<std::string> variants;
  std::string file;
};

// What a folder of transcripts defines, by name (the first line of each file, as Botium
// names them; the file name does not matter).
struct ScriptLibrary {
  std::map<std::string, Utterance> utterances;
  std::map<std::string, Transcript> partials;  // parsed by ParsePartialConvo
};

// Parses an utterances file; an error names the file when it has no name or no variant.
Result<Utterance> ParseUtterances(std::string_view text, const std::string& file);

// Reads every *.utterances.txt and *.pconvo.txt directly in `dir` (not below it). An error
// names the file: one that does not parse, or a name two files define.
Result<ScriptLibrary> LoadScriptLibrary(const std::string& dir);

}  // namespace bot::replay
