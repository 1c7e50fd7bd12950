#include "replay/transcript_parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include "replay/wildcard.h"

namespace bot::replay {
namespace {

constexpr std::string_view kStatuses[] = {"active", "done", "opted_out", "handoff", "expired"};

// The checks of what the store holds for the contact: a matching item, or how many.
struct StoreCheck {
  std::string_view word;
  Check::Kind kind;
  const char* what;
  bool counts;  // "<kind> <n>" rather than "<kind> <field>=<value> ..."
};
constexpr StoreCheck kStoreChecks[] = {
    {"RECORD", Check::Kind::kRecord, "record", false},
    {"RECORDS", Check::Kind::kRecords, "record", true},
    {"DOCUMENT", Check::Kind::kDocument, "document", false},
    {"DOCUMENTS", Check::Kind::kDocuments, "document", true},
    {"REPORT", Check::Kind::kReport, "report", false},
    {"REPORTS", Check::Kind::kReports, "report", true},
};

const StoreCheck* FindStoreCheck(std::string_view word) {
  for (const StoreCheck& c : kStoreChecks) {
    if (c.word == word) return &c;
  }
  return nullptr;
}

// The first word of a line and the trimmed rest.
void SplitWord(std::string_view line, std::string_view* word, std::string_view* rest) {
  size_t end = line.find_first_of(" \t");
  if (end == std::string_view::npos) {
    *word = line;
    *rest = {};
  } else {
    *word = line.substr(0, end);
    *rest = Trim(line.substr(end));
  }
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsE164(std::string_view s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+') return false;
  for (char c : s.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A value that may be "double quoted" (with \" and \\ escapes) to hold spaces.
std::string Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
    out += s[i];
  }
  return out;
}

// "rating=5 feedback=\"muy lento\"" -> fields. False with `error` set on bad syntax.
bool ParseFields(std::string_view s, std::vector<FieldExpectation>* fields, std::string* error) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == s.size()) return true;
    size_t start = i;
    bool quoted = false;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && quoted && i + 1 < s.size()) {
        ++i;
      } else if (s[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && (s[i] == ' ' || s[i] == '\t')) {
        break;
      }
    }
    std::string_view token = s.substr(start, i - start);
    if (quoted) {
      *error = "unterminated quote in '" + std::string(token) + "'";
      return false;
    }
    size_t eq = token.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      *error = "expected <field>=<value>, got '" + std::string(token) + "'";
      return false;
    }
    fields->push_back({std::string(token.substr(0, eq)), Unquote(token.substr(eq + 1))});
  }
}

class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {}

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
    if (!any) return Error(number, "no #me or #bot block");
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
        return escaped ? Text(number, line) : BlockLine(number, line);
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
    if (word == "#me") {
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

  Status BeginLine(int number, std::string_view line) {
    std::string_view word, rest;
    SplitWord(line, &word, &rest);
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
    } else {
      return Error(number, "unknown #begin directive '" + std::string(word) +
                               "' (DIALOG, CONTACT, VAR, NOW, START, CASSETTE, OFFERS)");
    }
    return Status::Ok();
  }

  Status BlockLine(int number, std::string_view line) {
    Block& block = t_.blocks.back();
    std::string_view word, rest;
    SplitWord(line, &word, &rest);
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
      return Text(number, line);
    }
    BotBlock& bot = block.bot;
    Check check;
    check.line = number;
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
    if (word == "NO_REPLY") {
      if (!rest.empty()) return Error(number, "NO_REPLY takes no argument");
      check.kind = Check::Kind::kNoReply;
    } else if (word == "SLOT") {
      std::string_view name, value;
      SplitWord(rest, &name, &value);
      if (!IsIdentifier(name) || value.empty()) {
        return Error(number, "SLOT needs a slot name and a value ('-' = unset)");
      }
      check.kind = Check::Kind::kSlot;
      check.name = std::string(name);
      check.expected = Unquote(value);
    } else if (word == "STATE") {
      if (!IsIdentifier(rest)) return Error(number, "STATE needs a state name");
      check.kind = Check::Kind::kState;
      check.expected = std::string(rest);
    } else if (word == "STATUS") {
      bool known = false;
      for (std::string_view s : kStatuses) known = known || s == rest;
      if (!known) {
        return Error(number, "STATUS must be active, done, opted_out, handoff or expired; got '" +
                                 std::string(rest) + "'");
      }
      check.kind = Check::Kind::kStatus;
      check.expected = std::string(rest);
    } else if (const StoreCheck* store = FindStoreCheck(word)) {
      std::string_view kind, tail;
      SplitWord(rest, &kind, &tail);
      check.name = std::string(kind);
      if (!store->counts) {
        if (!IsIdentifier(kind)) return Error(number, std::string(word) + " needs a " + store->what + " kind");
        std::string error;
        if (!ParseFields(tail, &check.fields, &error)) {
          return Error(number, std::string(word) + ": " + error);
        }
      } else {
        if (!IsIdentifier(kind) || tail.empty() || tail.size() > 6 ||
            tail.find_first_not_of("0123456789") != std::string_view::npos) {
          return Error(number, std::string(word) + " needs a " + store->what + " kind and a count");
        }
        check.count = std::stoi(std::string(tail));
      }
      check.kind = store->kind;
    } else if (word == "CONTACT_NAME") {
      if (rest.empty()) return Error(number, "CONTACT_NAME needs a name ('-' = none)");
      check.kind = Check::Kind::kContactName;
      check.expected = Unquote(rest);
    } else {
      if (block.kind == Block::Kind::kEnd) {
        return Error(number, "unknown #end check '" + std::string(word) + "'");
      }
      return Text(number, line);
    }
    bot.checks.push_back(std::move(check));
    return Status::Ok();
  }

  // A text line of the current #me or #bot block; blank lines between text lines are kept.
  Status Text(int number, std::string_view line) {
    Block& block = t_.blocks.back();
    if (block.kind == Block::Kind::kEnd) return Error(number, "#end takes state checks only");
    std::vector<std::string>& lines =
        block.kind == Block::Kind::kMe ? block.me.text_lines : block.bot.text_lines;
    if (block.kind == Block::Kind::kBot && block.bot.text_line == 0) block.bot.text_line = number;
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
      if (!me.sends() && me.wait.count() == 0) return Error(block.line, "empty #me block");
      sent_any_ = sent_any_ || me.sends();
    } else if (block.kind == Block::Kind::kBot) {
      if (!block.bot.consumes_reply() && block.bot.checks.empty()) {
        return Error(block.line, "empty #bot block");
      }
    }
    return Status::Ok();
  }

  std::string file_;
  Transcript t_;
  Section section_ = Section::kHeader;
  int blank_lines_ = 0;
  bool sent_any_ = false;
  int duplicate_line_ = 0;
};

// Reads `digits` decimal digits from `s` at `*pos`.
bool ReadNumber(std::string_view s, size_t* pos, int digits, int* out) {
  if (*pos + digits > s.size()) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += digits;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

Result<Transcript> ParseTranscript(std::string_view text, const std::string& file) {
  return Parser(file).Run(text);
}

Result<Transcript> LoadTranscript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the transcript");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParseTranscript(buffer.str(), path);
}

bool ParseDuration(std::string_view text, std::chrono::milliseconds* out) {
  using namespace std::chrono;
  text = Trim(text);
  if (text.empty()) return false;
  milliseconds total{0};
  size_t i = 0;
  while (i < text.size()) {
    long long n = 0;
    size_t digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      if (n > 1'000'000'000) return false;
      n = n * 10 + (text[i] - '0');
    }
    if (digits == 0) return false;
    std::string_view unit = text.substr(i);
    if (unit.substr(0, 2) == "ms") {
      total += milliseconds(n);
      i += 2;
    } else if (!unit.empty() &&
               (unit[0] == 's' || unit[0] == 'm' || unit[0] == 'h' || unit[0] == 'd')) {
      switch (unit[0]) {
        case 's':
          total += seconds(n);
          break;
        case 'm':
          total += minutes(n);
          break;
        case 'h':
          total += hours(n);
          break;
        default:
          total += hours(24 * n);
          break;
      }
      ++i;
    } else {
      return false;
    }
  }
  *out = total;
  return true;
}

bool ParseIsoTime(std::string_view s, TimePoint* out) {
  using namespace std::chrono;
  s = Trim(s);
  size_t pos = 0;
  int y, mo, d, h, mi, sec = 0;
  if (!ReadNumber(s, &pos, 4, &y) || !Expect(s, &pos, '-') || !ReadNumber(s, &pos, 2, &mo) ||
      !Expect(s, &pos, '-') || !ReadNumber(s, &pos, 2, &d)) {
    return false;
  }
  if (!Expect(s, &pos, 'T') && !Expect(s, &pos, ' ')) return false;
  if (!ReadNumber(s, &pos, 2, &h) || !Expect(s, &pos, ':') || !ReadNumber(s, &pos, 2, &mi)) {
    return false;
  }
  if (Expect(s, &pos, ':') && !ReadNumber(s, &pos, 2, &sec)) return false;
  milliseconds fraction{0};
  if (Expect(s, &pos, '.')) {
    int scale = 100, digits = 0;
    for (; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++digits) {
      fraction += milliseconds((s[pos] - '0') * scale);
      scale /= 10;
    }
    if (digits == 0) return false;
  }
  minutes offset{0};
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadNumber(s, &pos, 2, &oh)) return false;
    Expect(s, &pos, ':');
    if (!ReadNumber(s, &pos, 2, &om)) return false;
    offset = minutes(sign * (oh * 60 + om));
  } else {
    Expect(s, &pos, 'Z');  // no offset at all also means UTC
  }
  if (pos != s.size()) return false;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 60) return false;
  *out = TimePoint(duration_cast<system_clock::duration>(sys_days(date).time_since_epoch() +
                                                         hours(h) + minutes(mi) + seconds(sec) +
                                                         fraction - offset));
  return true;
}

}  // namespace bot::replay
