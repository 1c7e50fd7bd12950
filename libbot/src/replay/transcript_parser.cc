#include "replay/transcript_parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include "replay/botium_keywords.h"
#include "replay/directive_args.h"
#include "replay/transcript_checks.h"
#include "replay/wildcard.h"

namespace bot::replay {
namespace {

// The directive words of a #bot block, which a leading "!" cannot negate.
bool IsBotDirective(std::string_view word) {
  constexpr std::string_view kWords[] = {"TEXT_CONTAINS", "TEXT_REGEX", "PAUSE", "INCLUDE"};
  for (std::string_view w : kWords) {
    if (w == word) return true;
  }
  return IsCheckWord(word);
}

// PAUSE's argument: whole milliseconds, as Botium's PauseLogicHook takes them.
bool ParsePause(std::string_view text, std::chrono::milliseconds* out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != text.npos) {
    return false;
  }
  *out = std::chrono::milliseconds(std::stoll(std::string(text)));
  return true;
}

bool IsE164(std::string_view s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+') return false;
  for (char c : s.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(const std::string& file, bool partial) : file_(file), partial_(partial) {}

  Result<Transcript> Run(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
    int number = 0;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      ++number;
      if (Status s = Line(number, text.substr(start, nl - start)); !s.ok()) return s;
      start = nl + 1;
    }
    if (Status s = FinishBlock(); !s.ok()) return s;
    if (t_.name.empty()) return Error(1, "empty transcript: the first line must be its name");
    number = std::max(number, 1);
    bool any = false;
    for (const Block& b : t_.blocks) any = any || b.kind != Block::Kind::kEnd;
    if (!any) return Error(number, "no #me, #bot or #include block");
    t_.last_line = number;
    return std::move(t_);
  }

 private:
  enum class Section { kHeader, kBegin, kBlock, kEnd };

  Status Error(int line, const std::string& message) const {
    return InvalidArgument(file_ + ":" + std::to_string(line) + ": " + message);
  }

  Status Line(int number, std::string_view raw) {
    std::string_view line = Trim(raw);
    bool escaped = false;
    if (line.size() > 1 && line[0] == '\\' && line[1] != '*') {
      line.remove_prefix(1);  // "\#5", "\WAIT": literal text
      escaped = true;
    }
    if (!escaped && line.substr(0, 2) == "//") return Status::Ok();
    if (t_.name.empty()) {
      if (!escaped && !line.empty() && line[0] == '#') {
        return Error(number, "the first line must be the transcript's name, not a block");
      }
      if (!line.empty()) t_.name = std::string(line);
      return Status::Ok();
    }
    if (!escaped && !line.empty() && line[0] == '#') return Header(number, line);
    switch (section_) {
      case Section::kHeader:
        if (!line.empty()) {
          if (!t_.description.empty()) t_.description += '\n';
          t_.description += line;
        }
        return Status::Ok();
      case Section::kBegin:
        return line.empty() ? Status::Ok() : BeginLine(number, line);
      case Section::kBlock:
      case Section::kEnd:
        if (line.empty()) {
          ++blank_lines_;
          return Status::Ok();
        }
        if (t_.blocks.back().kind == Block::Kind::kInclude) {
          t_.blocks.back().includes.push_back({std::string(line), number});
          return Status::Ok();
        }
        return escaped ? Text(number, line, true) : BlockLine(number, line);
    }
    return Status::Ok();
  }

  Status Header(int number, std::string_view line) {
    std::string_view word, rest;  // Botium may name a participant after the header: ignored
    SplitWord(line, &word, &rest);
    if (Status s = FinishBlock(); !s.ok()) return s;
    if (section_ == Section::kEnd) return Error(number, "nothing may follow the #end block");
    if (word == "#begin") {
      if (section_ != Section::kHeader) return Error(number, "#begin must be the first block");
      section_ = Section::kBegin;
      return Status::Ok();
    }
    Block block;
    block.line = number;
    if (partial_) block.file = file_;
    if (word == "#include") {  // Botium: "#include NAME", or one name per line below it
      block.kind = Block::Kind::kInclude;
      if (!rest.empty()) block.includes.push_back({std::string(rest), number});
    } else if (word == "#me") {
      block.kind = Block::Kind::kMe;
    } else if (word == "#bot") {
      block.kind = Block::Kind::kBot;
    } else if (word == "#end") {
      block.kind = Block::Kind::kEnd;
    } else {
      return Error(number, "unknown block '" + std::string(word) +
                               "' (write \\# for text that starts with #)");
    }
    section_ = block.kind == Block::Kind::kEnd ? Section::kEnd : Section::kBlock;
    t_.blocks.push_back(std::move(block));
    blank_lines_ = 0;
    return Status::Ok();
  }

  // An error when Botium would read `line` as one of its keywords; OK when it would not.
  Status BotiumKeyword(int number, std::string_view line, BotiumSection section) const {
    std::string keyword;
    const char* kind = BotiumKeywordKind(line, section, &keyword);
    if (kind == nullptr) return Status::Ok();
    bool supported = keyword == "PAUSE" || keyword == "INCLUDE" ||
                     (section == BotiumSection::kMe && keyword == "MEDIA");
    if (!supported) return Error(number, UnsupportedBotiumKeyword(keyword, kind));
    if (line[0] == '?' || line[0] == '!') {
      return Error(number, "'" + std::string(line) +
                               "': the replay takes Botium's ? and ! only before #bot text");
    }
    return Error(number, keyword + " goes in a #me or #bot block");
  }

  Status BeginLine(int number, std::string_view line) {
    std::string_view word, rest;
    SplitWord(line, &word, &rest);
    if (partial_) {
      return Error(number,
                   "a partial convo's #begin must be empty: set-up belongs to the "
                   "transcript that includes it");
    }
    if (word == "DIALOG") {
      if (!IsIdentifier(rest)) return Error(number, "DIALOG needs a dialog id");
      t_.dialog_id = std::string(rest);
      t_.dialog_line = number;
    } else if (word == "CONTACT") {
      std::string_view phone, name;
      SplitWord(rest, &phone, &name);
      if (!IsE164(phone)) return Error(number, "CONTACT needs an E.164 phone like +593987654321");
      t_.phone = std::string(phone);
      t_.profile_name = std::string(name);
    } else if (word == "VAR") {
      std::string_view name, value;
      SplitWord(rest, &name, &value);
      if (!IsIdentifier(name)) return Error(number, "VAR needs a variable name and a value");
      t_.vars[std::string(name)] = Unquote(value);
    } else if (word == "NOW") {
      if (!ParseIsoTime(rest, &t_.now)) {
        return Error(number, "NOW needs an ISO-8601 time like 2026-01-01T12:00:00Z, got '" +
                                 std::string(rest) + "'");
      }
    } else if (word == "CASSETTE") {
      if (rest.empty()) return Error(number, "CASSETTE needs the path of a cassette file");
      t_.cassette = std::string(rest);
      t_.cassette_line = number;
    } else if (word == "OFFERS") {
      if (rest.empty()) return Error(number, "OFFERS needs the path of an offers catalogue");
      t_.offers = std::string(rest);
      t_.offers_line = number;
    } else if (word == "START") {
      if (!rest.empty()) return Error(number, "START takes no argument");
      t_.start = true;
      t_.start_line = number;
    } else if (word == "MATCHING_MODE") {
      Result<MatchingMode> mode = ParseMatchingMode(rest);
      if (!mode.ok()) return Error(number, mode.status().message());
      t_.matching_mode = *mode;
    } else {
      if (Status s = BotiumKeyword(number, line, BotiumSection::kBegin); !s.ok()) return s;
      return Error(number,
                   "unknown #begin directive '" + std::string(word) +
                       "' (DIALOG, CONTACT, VAR, NOW, START, CASSETTE, OFFERS, MATCHING_MODE)");
    }
    return Status::Ok();
  }

  Status BlockLine(int number, std::string_view line) {
    Block& block = t_.blocks.back();
    std::string_view word, rest;
    SplitWord(line, &word, &rest);
    if (partial_ && block.kind == Block::Kind::kEnd) {
      return Error(number,
                   "a partial convo's #end must be empty (Botium ignores it): put the "
                   "checks in a #bot block");
    }
    if ((word == "PAUSE" || word == "INCLUDE") && block.kind != Block::Kind::kEnd) {
      return LogicHook(number, word, rest, block);
    }
    if (block.kind == Block::Kind::kMe) {
      MeBlock& me = block.me;
      if (word == "WAIT") {
        std::chrono::milliseconds d;
        if (!ParseDuration(rest, &d)) {
          return Error(number, "WAIT needs a duration like 90s, 30m, 25h or 2d");
        }
        me.wait += d;
        return Status::Ok();
      }
      if (word == "MEDIA") {
        std::string_view path, type;
        SplitWord(rest, &path, &type);
        if (path.empty() || type.empty() || type.find('/') == std::string_view::npos) {
          return Error(number, "MEDIA needs a path and a content type like image/jpeg");
        }
        me.media.push_back({std::string(path), std::string(type), number});
        return Status::Ok();
      }
      if (word == "DUPLICATE") {
        if (!rest.empty()) return Error(number, "DUPLICATE takes no argument");
        if (!sent_any_) return Error(number, "DUPLICATE needs an earlier inbound message");
        me.duplicate = true;
        duplicate_line_ = number;
        return Status::Ok();
      }
      if (Status s = BotiumKeyword(number, line, BotiumSection::kMe); !s.ok()) return s;
      return Text(number, line, false);
    }
    BotBlock& bot = block.bot;
    if (word == "TEXT_CONTAINS" || word == "TEXT_REGEX") {
      if (block.kind == Block::Kind::kEnd) return Error(number, "#end takes state checks only");
      if (rest.empty()) return Error(number, std::string(word) + " needs an argument");
      if (word == "TEXT_CONTAINS") {
        bot.contains.push_back({Unquote(rest), number});
        return Status::Ok();
      }
      try {
        std::regex re{std::string(rest), std::regex::ECMAScript};
      } catch (const std::regex_error& e) {
        return Error(number, "bad TEXT_REGEX: " + std::string(e.what()));
      }
      bot.regexes.push_back({std::string(rest), number});
      return Status::Ok();
    }
    if (IsCheckWord(word)) {
      Result<Check> check = ParseCheck(word, rest, number);
      if (!check.ok()) return Error(number, check.status().message());
      bot.checks.push_back(std::move(*check));
      return Status::Ok();
    }
    bool end = block.kind == Block::Kind::kEnd;
    BotiumSection section = end ? BotiumSection::kEnd : BotiumSection::kBot;
    if (Status s = BotiumKeyword(number, line, section); !s.ok()) return s;
    if (end) return Error(number, "unknown #end check '" + std::string(word) + "'");
    return Text(number, line, false);
  }

  // PAUSE <ms> or INCLUDE <name> in a #me or #bot block: Botium's logic hooks.
  Status LogicHook(int number, std::string_view word, std::string_view rest, Block& block) {
    if (word == "INCLUDE") {
      if (rest.empty() || rest.find('|') != std::string_view::npos) {
        return Error(number, "INCLUDE needs the name of one partial convo");
      }
      block.includes.push_back({std::string(rest), number});
      return Status::Ok();
    }
    std::chrono::milliseconds ms;
    if (!ParsePause(rest, &ms)) return Error(number, "PAUSE needs whole milliseconds, like 1500");
    (block.kind == Block::Kind::kMe ? block.me.pause : block.bot.pause) += ms;
    return Status::Ok();
  }

  // The first text line of a #bot block as Botium reads it: "?" marks an optional message
  // (unsupported), "!" a negated one; "??" and "!!" stand for a literal "?" and "!".
  Status BotPrefix(int number, std::string_view* line, BotBlock& bot) const {
    if (line->substr(0, 1) == "?") {
      if (line->substr(0, 2) != "??") {
        return Error(number,
                     "optional bot messages (Botium's leading ?) are not supported; "
                     "write ?? or \\? for a literal ?");
      }
      line->remove_prefix(1);
    }
    if (line->substr(0, 1) != "!") return Status::Ok();
    if (line->substr(0, 2) == "!!") {
      line->remove_prefix(1);
      return Status::Ok();
    }
    line->remove_prefix(1);
    std::string_view word, rest;
    SplitWord(Trim(*line), &word, &rest);
    if (word.empty()) return Error(number, "! needs the text the reply must not match");
    if (IsBotDirective(word)) {
      return Error(number, "! negates the reply text only, not " + std::string(word));
    }
    bot.negated = true;
    return Status::Ok();
  }

  // A text line of the current #me or #bot block; blank lines between text lines are kept.
  // `escaped` lines ("\!...") are text as they are.
  Status Text(int number, std::string_view line, bool escaped) {
    Block& block = t_.blocks.back();
    if (block.kind == Block::Kind::kEnd) return Error(number, "#end takes state checks only");
    std::vector<std::string>& lines =
        block.kind == Block::Kind::kMe ? block.me.text_lines : block.bot.text_lines;
    if (block.kind == Block::Kind::kBot && block.bot.text_line == 0) {
      block.bot.text_line = number;
      if (!escaped) {
        if (Status s = BotPrefix(number, &line, block.bot); !s.ok()) return s;
      }
    }
    if (!lines.empty()) lines.insert(lines.end(), blank_lines_, std::string());
    blank_lines_ = 0;
    lines.emplace_back(line);
    return Status::Ok();
  }

  Status FinishBlock() {
    blank_lines_ = 0;
    if (section_ != Section::kBlock || t_.blocks.empty()) return Status::Ok();
    const Block& block = t_.blocks.back();
    if (block.kind == Block::Kind::kMe) {
      const MeBlock& me = block.me;
      if (me.duplicate && (!me.text_lines.empty() || !me.media.empty())) {
        return Error(duplicate_line_, "DUPLICATE cannot be combined with text or MEDIA");
      }
      bool empty = !me.sends() && me.wait.count() == 0 && me.pause.count() == 0;
      if (empty && block.includes.empty()) return Error(block.line, "empty #me block");
      sent_any_ = sent_any_ || me.sends();
    } else if (block.kind == Block::Kind::kBot) {
      const BotBlock& bot = block.bot;
      bool empty = !bot.consumes_reply() && bot.checks.empty() && bot.pause.count() == 0;
      if (empty && block.includes.empty()) return Error(block.line, "empty #bot block");
    } else if (block.kind == Block::Kind::kInclude && block.includes.empty()) {
      return Error(block.line, "#include needs the name of a partial convo");
    }
    // A partial convo may send the message a later DUPLICATE repeats (the replay checks).
    if (!block.includes.empty()) sent_any_ = true;
    return Status::Ok();
  }

  std::string file_;
  bool partial_;  // a .pconvo.txt
  Transcript t_;
  Section section_ = Section::kHeader;
  int blank_lines_ = 0;
  bool sent_any_ = false;
  int duplicate_line_ = 0;
};

}  // namespace

Result<Transcript> ParseTranscript(std::string_view text, const std::string& file) {
  return Parser(file, false).Run(text);
}

Result<Transcript> ParsePartialConvo(std::string_view text, const std::string& file) {
  return Parser(file, true).Run(text);
}

Result<Transcript> LoadTranscript(const std::string& path) {
  Result<std::string> text = ReadScriptFile(path);
  if (!text.ok()) return text.status();
  return ParseTranscript(*text, path);
}

Result<std::string> ReadScriptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace bot::replay
