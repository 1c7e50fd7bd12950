// The .convo.txt transcript format (docs/transcripts.md) parsed into a Transcript: a list of
// blocks, each a list of directives with the line it came from. Parsing checks the syntax
// only; replay.cc runs the blocks against the engine.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/clock.h"
#include "bot/status.h"
#include "bot/transcript.h"
#include "replay/time_text.h"

namespace bot::replay {

// The defaults a #begin block may override.
inline constexpr char kDefaultDialog[] = "review_rating";
inline constexpr char kDefaultPhone[] = "+593990000001";
inline constexpr char kBotChannel[] = "whatsapp:+14155238886";
inline constexpr long long kDefaultNowMillis = 1767268800000;  // 2026-01-01T12:00:00Z

// A file attached to an inbound message. `path` is resolved against the transcript's folder.
struct MediaSpec {
  std::string path;
  std::string content_type;
  int line = 0;
};

// An expected field of a RECORD check: `pattern` may contain `*` wildcards.
struct FieldExpectation {
  std::string field;
  std::string pattern;
};

// One check of a #bot or #end block.
struct Check {
  enum class Kind {
    kNoReply,  // no reply left in this turn
    kSlot,     // name = slot, expected = value pattern ("-" = unset)
    kState,    // expected = state name
    kStatus,   // expected = session status name
    kRecord,   // name = record kind, fields
    kRecords,  // name = record kind, count = how many this contact has
    kDocument,     // name = document kind, fields (read fields and slot, sha256, replaced ...)
    kDocuments,    // name = document kind, count = how many, replaced ones included
    kReport,       // name = report kind, fields (summary, key_id, opened)
    kReports,      // name = report kind, count
    kContactName,  // expected = the contact's name
  };
  Kind kind = Kind::kNoReply;
  std::string name;
  std::string expected;
  std::vector<FieldExpectation> fields;
  int count = 0;
  int line = 0;
};

// A #me block: one inbound message (or none, when it only waits).
struct MeBlock {
  std::chrono::milliseconds wait{0};   // advance the fake clock first
  std::chrono::milliseconds pause{0};  // PAUSE: advance it after the message
  std::vector<std::string> text_lines;
  std::vector<MediaSpec> media;
  bool duplicate = false;  // re-deliver the previous inbound message, same provider id
  bool sends() const { return duplicate || !text_lines.empty() || !media.empty(); }
};

// A TEXT_CONTAINS or TEXT_REGEX argument.
struct TextCheck {
  std::string arg;
  int line = 0;
};

// A #bot block (or #end, which carries checks only).
struct BotBlock {
  std::vector<std::string> text_lines;  // the reply, `*` wildcards, as the matching mode says
  int text_line = 0;                    // first line of the text lines
  bool negated = false;                 // "!text": the reply must NOT match
  // When the text names an utterance (NAME.utterances.txt), its variants: the reply matches
  // the text when it matches any of them. Filled by ExpandTranscript.
  std::vector<std::string> variants;
  std::vector<TextCheck> contains;      // TEXT_CONTAINS
  std::vector<TextCheck> regexes;       // TEXT_REGEX (ECMAScript, search)
  std::vector<Check> checks;            // NO_REPLY and state checks, in file order
  std::chrono::milliseconds pause{0};   // PAUSE: advance the fake clock after the checks
  // Does the block consume one reply of the turn?
  bool consumes_reply() const {
    return !text_lines.empty() || !contains.empty() || !regexes.empty();
  }
};

// A partial convo to splice in: `#include NAME` or Botium's `INCLUDE NAME` logic hook.
struct IncludeRef {
  std::string name;  // the first line of a .pconvo.txt beside the transcript
  int line = 0;
};

struct Block {
  enum class Kind { kMe, kBot, kEnd, kInclude };
  Kind kind = Kind::kMe;
  int line = 0;      // the "#me"/"#bot"/"#end"/"#include" line
  std::string file;  // the partial convo the block is written in; "" = the transcript
  MeBlock me;
  BotBlock bot;
  // Partial convos that follow this block, in order (all a kInclude block holds).
  std::vector<IncludeRef> includes;
};

struct Transcript {
  std::string name;         // the first non-empty line
  std::string description;  // lines between the name and the first block
  std::string dialog_id = kDefaultDialog;
  int dialog_line = 1;                // the DIALOG line, for an unknown dialog
  std::string phone = kDefaultPhone;  // E.164, "+593..."
  std::string profile_name;
  std::map<std::string, std::string> vars;
  TimePoint now = FromUnixMillis(kDefaultNowMillis);
  bool start = false;  // the bot speaks first
  int start_line = 0;
  std::string cassette;  // provider exchanges to replay, relative to the transcript; "" = none
  int cassette_line = 0;
  std::string offers;  // the number's offers catalogue (CSV/JSONL), relative; "" = none
  int offers_line = 0;
  std::optional<MatchingMode> matching_mode;  // MATCHING_MODE; none = ReplayOptions'
  std::vector<Block> blocks;
  int last_line = 0;  // for checks at the end of the transcript
};

// Parses a transcript. Errors read "<file>:<line>: <problem>".
Result<Transcript> ParseTranscript(std::string_view text, const std::string& file);

// Parses a partial convo (.pconvo.txt): the same format, but #begin and #end must be empty
// (Botium ignores them in a partial convo).
Result<Transcript> ParsePartialConvo(std::string_view text, const std::string& file);

// Reads and parses a transcript file.
Result<Transcript> LoadTranscript(const std::string& path);

// The text of a file of the transcript format (.convo.txt, .pconvo.txt, .utterances.txt);
// NotFound naming the path when it cannot be read.
Result<std::string> ReadScriptFile(const std::string& path);

}  // namespace bot::replay
