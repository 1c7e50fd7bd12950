#include "replay/transcript_run.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "bot/credit.h"
#include "bot/twilio.h"  // Sha256Hex
#include "replay/cassette_providers.h"
#include "replay/wildcard.h"

namespace bot::replay {
namespace {

namespace fs = std::filesystem;

// A value for a failure report; continuation lines are indented under the first.
std::string Show(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "              ";
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

// A record, document or report as a check sees it: its kind and named fields.
struct Item {
  std::string kind;
  std::map<std::string, std::string> fields;
};

std::string FieldsText(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += ' ';
    out += name + "=\"" + value + "\"";
  }
  return out;
}

// One replay: the transcript's blocks in order, the replies of the current turn, and the
// first failure.
class Replay {
 public:
  Replay(const Transcript& t, const std::string& file, Bot& bot, testing::FakeClock& clock,
         MatchingMode mode)
      : t_(t),
        file_(file),
        bot_(bot),
        clock_(clock),
        mode_(t.matching_mode.value_or(mode)),
        address_("whatsapp:" + t.phone),
        source_(&file) {}

  std::string Run() {
    clock_.Set(t_.now);
    if (bot_.dialogs()->Find(t_.dialog_id) == nullptr) {
      Fail(t_.dialog_line, "unknown dialog '" + t_.dialog_id + "'");
      return failure_;
    }
    if (t_.start && !Start()) return failure_;
    for (const Block& block : t_.blocks) {
      // A block from a partial convo names its own file in a failure.
      source_ = block.file.empty() ? &file_ : &block.file;
      if (block.kind == Block::Kind::kInclude || !block.includes.empty()) {
        Fail(block.line, "partial convos are not spliced in (ExpandTranscript)");
        return failure_;
      }
      bool ok = block.kind == Block::Kind::kMe ? Me(block) : BotBlockChecks(block);
      if (!ok) return failure_;
    }
    source_ = &file_;
    NoLeftover(t_.last_line, "at the end of the transcript");
    return failure_;
  }

 private:
  // Records the failure with the turn's replies; always returns false.
  bool Fail(int line, const std::string& what) {
    failure_ = *source_ + ":" + std::to_string(line) + ": " + what;
    failure_ += "\n  replies this turn (" + std::to_string(replies_.size()) + "):";
    if (replies_.empty()) failure_ += " none";
    for (size_t i = 0; i < replies_.size(); ++i) {
      failure_ += "\n    " + std::to_string(i + 1) + ". " + Show(replies_[i]);
    }
    return false;
  }

  bool Mismatch(int line, const std::string& what, const std::string& expected,
                const std::string& actual) {
    return Fail(line, what + "\n  expected: " + Show(expected) + "\n  actual:   " + Show(actual));
  }

  bool Start() {
    Result<TurnResult> r = bot_.Start(kBotChannel, address_, t_.dialog_id, t_.vars);
    if (!r.ok()) return Fail(t_.start_line, "START failed: " + r.status().ToString());
    replies_ = r->replies;
    next_ = 0;
    return true;
  }

  bool NoLeftover(int line, const std::string& where) {
    if (next_ >= replies_.size()) return true;
    return Fail(line, "unexpected reply " + where + ": " + Show(replies_[next_]));
  }

  bool Me(const Block& block) {
    if (!NoLeftover(block.line, "before this #me")) return false;
    clock_.Advance(block.me.wait);
    replies_.clear();
    next_ = 0;
    if (!block.me.sends()) {
      clock_.Advance(block.me.pause);
      return true;
    }

    InboundMessage message;
    if (block.me.duplicate) {
      // The parser rejects DUPLICATE before any message of its file; one after an INCLUDE
      // relies on the partial convo to have sent one.
      if (!last_) return Fail(block.line, "DUPLICATE needs an earlier inbound message");
      message = *last_;
    } else {
      char id[40];
      std::snprintf(id, sizeof id, "SM%032llx", ++counter_);
      message.channel = kBotChannel;
      message.from = address_;
      message.provider_id = id;
      message.profile_name = t_.profile_name;
      message.text = Join(block.me.text_lines);
      message.raw = "transcript " + file_ + ":" + std::to_string(block.line);
      message.dialog_id = t_.dialog_id;
      message.vars = t_.vars;
      for (const MediaSpec& spec : block.me.media) {
        std::optional<Media> media = LoadMedia(spec);
        if (!media) return false;
        message.media.push_back(std::move(*media));
      }
    }
    message.received_at = clock_.Now();
    last_ = message;
    Result<TurnResult> r = bot_.Handle(message, ReplyMode::kOutbox);
    if (!r.ok()) return Fail(block.line, "the engine failed: " + r.status().ToString());
    replies_ = r->replies;
    clock_.Advance(block.me.pause);  // Botium pauses once the message is sent
    return true;
  }

  std::optional<Media> LoadMedia(const MediaSpec& spec) {
    fs::path path = fs::path(*source_).parent_path() / spec.path;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      Fail(spec.line, "cannot read media file " + path.string());
      return std::nullopt;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    Media media;
    media.url = "file://" + fs::absolute(path).lexically_normal().string();
    media.content_type = spec.content_type;
    media.path = path.string();
    media.size = static_cast<int64_t>(bytes.str().size());
    media.sha256 = Sha256Hex(bytes.str());
    return media;
  }

  bool BotBlockChecks(const Block& block) {
    const BotBlock& bot = block.bot;
    if (bot.consumes_reply() && !ReplyChecks(bot)) return false;
    for (const Check& check : bot.checks) {
      if (!StateCheck(check)) return false;
    }
    clock_.Advance(bot.pause);  // Botium pauses once the bot's message is checked
    return true;
  }

  bool ReplyChecks(const BotBlock& bot) {
    int line = bot.text_line;
    if (line == 0) line = bot.contains.empty() ? bot.regexes[0].line : bot.contains[0].line;
    if (next_ >= replies_.size()) {
      std::string expected = bot.text_lines.empty() ? "a reply" : Join(bot.text_lines);
      return Mismatch(line, "missing reply", expected, "(no more replies this turn)");
    }
    const std::string& reply = replies_[next_++];
    if (!bot.text_lines.empty() && !TextMatchesReply(bot, line, reply)) return false;
    for (const TextCheck& c : bot.contains) {
      if (reply.find(c.arg) == std::string::npos) {
        return Mismatch(c.line, "TEXT_CONTAINS: the reply lacks the text", c.arg, reply);
      }
    }
    for (const TextCheck& c : bot.regexes) {
      bool found = false;
      try {
        found = std::regex_search(reply, std::regex(c.arg, std::regex::ECMAScript));
      } catch (const std::regex_error& e) {
        return Fail(c.line, std::string("TEXT_REGEX failed: ") + e.what());
      }
      if (!found) return Mismatch(c.line, "TEXT_REGEX: no match in the reply", c.arg, reply);
    }
    return true;
  }

  // The block's text against the reply, as the matching mode says: the text, or any variant
  // of the utterance it names, must match (must not, when negated).
  bool TextMatchesReply(const BotBlock& bot, int line, const std::string& reply) {
    std::string text = NormalizeLines(Join(bot.text_lines));
    std::vector<std::string> patterns;
    for (const std::string& v : bot.variants) patterns.push_back(NormalizeLines(v));
    if (patterns.empty()) patterns.push_back(text);
    std::string actual = NormalizeLines(reply);
    bool matched = false;
    for (const std::string& p : patterns) matched = matched || TextMatches(mode_, p, actual);
    if (matched != bot.negated) return true;

    std::string expected = bot.variants.empty() ? text : "one of the utterance " + text + ":";
    if (!bot.variants.empty()) {
      for (const std::string& p : patterns) expected += "\n" + p;
    }
    std::string what =
        bot.negated ? "the reply matches what it must not (!)" : "the reply does not match";
    if (mode_ != MatchingMode::kWildcardExact)
      what += " (" + std::string(MatchingModeName(mode_)) + ")";
    return Mismatch(line, what, bot.negated ? "not " + expected : expected, reply);
  }

  bool StateCheck(const Check& check) {
    if (check.kind == Check::Kind::kNoReply) {
      return NoLeftover(check.line, "where NO_REPLY expected none");
    }
    Result<std::optional<Contact>> contact = bot_.store().FindContact(kBotChannel, address_);
    if (!contact.ok()) return Fail(check.line, "store: " + contact.status().ToString());
    if (!contact->has_value()) return Fail(check.line, "no contact " + address_ + " in the store");
    const int64_t contact_id = (*contact)->id;
    switch (check.kind) {
      case Check::Kind::kRecord:
      case Check::Kind::kRecords:
      case Check::Kind::kDocument:
      case Check::Kind::kDocuments:
      case Check::Kind::kReport:
      case Check::Kind::kReports:
        return StoreItemsCheck(check, **contact);
      case Check::Kind::kContactName: {
        const std::string& name = (*contact)->name;
        std::string actual = name.empty() ? "-" : name;
        bool ok = name.empty() ? check.expected == "-" : WildcardMatch(check.expected, name);
        if (!ok) return Mismatch(check.line, "CONTACT_NAME", check.expected, actual);
        return true;
      }
      default:
        break;
    }

    Result<std::optional<Session>> session = bot_.store().LatestSession(contact_id);
    if (!session.ok()) return Fail(check.line, "store: " + session.status().ToString());
    if (!session->has_value()) return Fail(check.line, "no session for " + address_);
    const Session& s = **session;
    switch (check.kind) {
      case Check::Kind::kSlot: {
        auto it = s.slots.find(check.name);
        bool unset = it == s.slots.end() || it->second.is_none();
        std::string actual = unset ? "-" : it->second.ToString();
        bool ok = unset ? check.expected == "-"
                        : check.expected != "-" && WildcardMatch(check.expected, actual);
        if (!ok) return Mismatch(check.line, "SLOT " + check.name, check.expected, actual);
        return true;
      }
      case Check::Kind::kState:
        if (s.state != check.expected) {
          return Mismatch(check.line, "STATE", check.expected, s.state);
        }
        return true;
      case Check::Kind::kStatus: {
        std::shared_ptr<const Dialog> dialog = bot_.dialogs()->Find(s.dialog_id);
        SessionStatus status = dialog ? EffectiveStatus(s, *dialog, clock_.Now()) : s.status;
        std::string actual = SessionStatusName(status);
        if (actual != check.expected) return Mismatch(check.line, "STATUS", check.expected, actual);
        return true;
      }
      default:
        return true;
    }
  }

  // What the store holds for the contact, of the kind of store item `check` is about, each as
  // the fields a check may name.
  Result<std::vector<Item>> Items(const Check& check, const Contact& contact) {
    std::vector<Item> items;
    switch (check.kind) {
      case Check::Kind::kRecord:
      case Check::Kind::kRecords: {
        Result<std::vector<StoredRecord>> records = bot_.store().ListRecords(contact.id);
        if (!records.ok()) return records.status();
        for (const StoredRecord& r : *records) items.push_back({r.record.kind, r.record.fields});
        break;
      }
      case Check::Kind::kDocument:
      case Check::Kind::kDocuments: {
        Result<std::vector<StoredDocument>> documents = bot_.store().ListDocuments(contact.id);
        if (!documents.ok()) return documents.status();
        for (const StoredDocument& stored : *documents) items.push_back(DocumentItem(stored));
        break;
      }
      default: {
        Result<std::vector<StoredReport>> reports = bot_.store().ListReports(contact.id);
        if (!reports.ok()) return reports.status();
        for (const StoredReport& stored : *reports) items.push_back(ReportItem(stored));
        break;
      }
    }
    return items;
  }

  static Item DocumentItem(const StoredDocument& stored) {
    const Document& d = stored.document;
    Item item{d.kind, d.fields};
    item.fields["slot"] = d.slot;
    item.fields["path"] = d.path;
    item.fields["sha256"] = d.sha256;
    item.fields["content_type"] = d.content_type;
    item.fields["message_id"] = d.message_id;
    item.fields["replaced"] = stored.replaced_at ? "yes" : "no";
    return item;
  }

  // A report is checked through the replay's data key too: `opened` is the plaintext, so a
  // transcript can see that what was sealed is the provider's answer.
  static Item ReportItem(const StoredReport& stored) {
    const SealedReport& r = stored.report;
    Item item{r.kind, {{"summary", r.summary}, {"key_id", r.key_id}}};
    Keyring keyring{{CassetteProviders::kDataKeyId, CassetteProviders::kDataKey}};
    Result<std::string> opened = Open(keyring, r.blob);
    item.fields["opened"] =
        opened.ok() ? *opened : "(cannot open: " + opened.status().message() + ")";
    return item;
  }

  bool StoreItemsCheck(const Check& check, const Contact& contact) {
    bool counts = false;
    const char* word = "REPORT";
    const char* lower = "report";
    switch (check.kind) {
      case Check::Kind::kRecords:
        counts = true;
        [[fallthrough]];
      case Check::Kind::kRecord:
        word = "RECORD";
        lower = "record";
        break;
      case Check::Kind::kDocuments:
        counts = true;
        [[fallthrough]];
      case Check::Kind::kDocument:
        word = "DOCUMENT";
        lower = "document";
        break;
      default:
        counts = check.kind == Check::Kind::kReports;
        break;
    }
    Result<std::vector<Item>> items = Items(check, contact);
    if (!items.ok()) return Fail(check.line, "store: " + items.status().ToString());
    if (counts) {
      int count = 0;
      for (const Item& item : *items) count += item.kind == check.name;
      if (count == check.count) return true;
      return Mismatch(check.line, std::string(word) + "S " + check.name,
                      std::to_string(check.count), std::to_string(count));
    }
    std::string seen;
    for (const Item& item : *items) {
      if (item.kind != check.name) continue;
      bool all = true;
      for (const FieldExpectation& want : check.fields) {
        auto it = item.fields.find(want.field);
        all = all && it != item.fields.end() && WildcardMatch(want.pattern, it->second);
      }
      if (all) return true;
      seen += "\n" + check.name + " " + FieldsText(item.fields);
    }
    std::map<std::string, std::string> wanted;
    for (const FieldExpectation& want : check.fields) wanted[want.field] = want.pattern;
    return Mismatch(check.line, std::string(word) + ": no matching " + lower,
                    check.name + " " + FieldsText(wanted),
                    seen.empty() ? "(no " + check.name + " " + lower + ")" : seen.substr(1));
  }

  const Transcript& t_;
  const std::string& file_;
  Bot& bot_;
  testing::FakeClock& clock_;
  const MatchingMode mode_;
  const std::string address_;
  const std::string* source_;         // the file of the block being run
  std::vector<std::string> replies_;  // the current turn's replies
  size_t next_ = 0;                   // the first reply no #bot has consumed
  unsigned long long counter_ = 0;    // provider ids: SM + 32 hex digits
  std::optional<InboundMessage> last_;
  std::string failure_;
};

}  // namespace

std::string RunTranscript(const Transcript& transcript, const std::string& file, Bot& bot,
                          testing::FakeClock& clock, MatchingMode mode) {
  return Replay(transcript, file, bot, clock, mode).Run();
}

}  // namespace bot::replay
