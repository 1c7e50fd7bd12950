// Transcript replay: the .convo.txt parser, the matching rules, and replays against the real
// engine that must pass (every fixture) or must fail (tests/data/transcripts/failing).
#include "bot/transcript.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/http.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/memory_store.h"
#include "cli/commands.h"
#include "replay/canned_http.h"
#include "replay/transcript_parser.h"
#include "replay/transcript_run.h"
#include "replay/wildcard.h"
#include "support/replay_fixture.h"
#include "support/test_postgres.h"

namespace bot::replay {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// ---- The parser ----

TEST(TranscriptParser, ReadsNameDescriptionAndBeginDirectives) {
  Transcript t = MustParse(
      "// a comment before the name\n"
      "\n"
      "Calificación con cinco\n"
      "Una descripción\n"
      "en dos líneas\n"
      "#begin\n"
      "DIALOG bench_review\n"
      "CONTACT +593987654321 María José\n"
      "VAR name María José\n"
      "VAR doctor \"la Dra.  Paredes\"\n"
      "NOW 2026-03-10T15:30:00-05:00\n"
      "START\n"
      "#bot\n"
      "Hola *\n");
  EXPECT_EQ(t.name, "Calificación con cinco");
  EXPECT_EQ(t.description, "Una descripción\nen dos líneas");
  EXPECT_EQ(t.dialog_id, "bench_review");
  EXPECT_EQ(t.dialog_line, 7);
  EXPECT_EQ(t.phone, "+593987654321");
  EXPECT_EQ(t.profile_name, "María José");
  EXPECT_EQ(t.vars.at("name"), "María José");
  EXPECT_EQ(t.vars.at("doctor"), "la Dra.  Paredes");
  TimePoint expected;
  ASSERT_TRUE(ParseIsoTime("2026-03-10T20:30:00Z", &expected));
  EXPECT_EQ(t.now, expected);
  EXPECT_TRUE(t.start);
  EXPECT_EQ(t.start_line, 12);
  ASSERT_EQ(t.blocks.size(), 1u);
  EXPECT_EQ(t.blocks[0].line, 13);
}

TEST(TranscriptParser, UsesDefaultsWithoutABeginBlock) {
  Transcript t = MustParse("name\n#me\nHola\n");
  EXPECT_EQ(t.dialog_id, "review_rating");
  EXPECT_EQ(t.phone, "+593990000001");
  EXPECT_EQ(t.profile_name, "");
  EXPECT_EQ(ToUnixMillis(t.now), 1767268800000);  // 2026-01-01T12:00:00Z
  EXPECT_FALSE(t.start);
  EXPECT_EQ(t.last_line, 3);
}

TEST(TranscriptParser, JoinsTheTextLinesOfAMeBlockIntoOneMessage) {
  Transcript t = MustParse("n\n#me\n\n  Primera línea  \n\nTercera\n\n\n#bot\nok\n");
  ASSERT_EQ(t.blocks.size(), 2u);
  const MeBlock& me = t.blocks[0].me;
  EXPECT_EQ(me.text_lines, (std::vector<std::string>{"Primera línea", "", "Tercera"}));
  EXPECT_TRUE(me.sends());
}

TEST(TranscriptParser, ReadsMeDirectives) {
  Transcript t = MustParse(
      "n\n"
      "#me\nWAIT 30m\nMEDIA media/nota.ogg audio/ogg\nWAIT 90s\n"
      "#me\nDUPLICATE\n"
      "#me\nWAIT 25h\n");
  ASSERT_EQ(t.blocks.size(), 3u);
  const MeBlock& first = t.blocks[0].me;
  EXPECT_EQ(first.wait, std::chrono::minutes(31) + std::chrono::seconds(30));
  ASSERT_EQ(first.media.size(), 1u);
  EXPECT_EQ(first.media[0].path, "media/nota.ogg");
  EXPECT_EQ(first.media[0].content_type, "audio/ogg");
  EXPECT_EQ(first.media[0].line, 4);
  EXPECT_TRUE(first.sends());
  EXPECT_TRUE(t.blocks[1].me.duplicate);
  EXPECT_TRUE(t.blocks[1].me.sends());
  EXPECT_FALSE(t.blocks[2].me.sends()) << "a #me with only WAIT sends nothing";
  EXPECT_EQ(t.blocks[2].me.wait, std::chrono::hours(25));
}

TEST(TranscriptParser, ReadsBotTextAndChecks) {
  Transcript t = MustParse(
      "n\n#me\n2\n"
      "#bot\n"
      "Lamentamos *\n"
      "segunda línea\n"
      "TEXT_CONTAINS qué salió mal\n"
      "TEXT_REGEX ^Lamentamos\n"
      "NO_REPLY\n"
      "SLOT feedback la espera fue larga\n"
      "SLOT rating -\n"
      "STATE ask_feedback\n"
      "STATUS active\n"
      "RECORD review rating=2 feedback=\"muy \\\"lento\\\" & caro\" note=*\n"
      "RECORDS review 0\n");
  const BotBlock& bot = t.blocks[1].bot;
  EXPECT_EQ(bot.text_lines, (std::vector<std::string>{"Lamentamos *", "segunda línea"}));
  EXPECT_EQ(bot.text_line, 5);
  ASSERT_EQ(bot.contains.size(), 1u);
  EXPECT_EQ(bot.contains[0].arg, "qué salió mal");
  EXPECT_EQ(bot.contains[0].line, 7);
  ASSERT_EQ(bot.regexes.size(), 1u);
  EXPECT_EQ(bot.regexes[0].arg, "^Lamentamos");
  EXPECT_TRUE(bot.consumes_reply());
  ASSERT_EQ(bot.checks.size(), 7u);
  EXPECT_EQ(bot.checks[0].kind, Check::Kind::kNoReply);
  EXPECT_EQ(bot.checks[1].kind, Check::Kind::kSlot);
  EXPECT_EQ(bot.checks[1].name, "feedback");
  EXPECT_EQ(bot.checks[1].expected, "la espera fue larga");
  EXPECT_EQ(bot.checks[2].expected, "-");
  EXPECT_EQ(bot.checks[3].kind, Check::Kind::kState);
  EXPECT_EQ(bot.checks[3].expected, "ask_feedback");
  EXPECT_EQ(bot.checks[4].kind, Check::Kind::kStatus);
  const Check& record = bot.checks[5];
  EXPECT_EQ(record.kind, Check::Kind::kRecord);
  EXPECT_EQ(record.name, "review");
  EXPECT_EQ(record.line, 14);
  ASSERT_EQ(record.fields.size(), 3u);
  EXPECT_EQ(record.fields[0].field, "rating");
  EXPECT_EQ(record.fields[0].pattern, "2");
  EXPECT_EQ(record.fields[1].pattern, "muy \"lento\" & caro");
  EXPECT_EQ(record.fields[2].pattern, "*");
  EXPECT_EQ(bot.checks[6].kind, Check::Kind::kRecords);
  EXPECT_EQ(bot.checks[6].count, 0);
}

TEST(TranscriptParser, ReadsDocumentReportAndContactChecks) {
  Transcript t = MustParse(
      "n\n#me\nMEDIA ine.jpg image/jpeg\n"
      "#bot\n"
      "DOCUMENT ine curp=LOHA900512MDFPRN08 full_name=\"ANA MARÍA\" replaced=no\n"
      "DOCUMENTS ine 2\n"
      "REPORT bureau summary=score=712 opened=*712*\n"
      "REPORTS bureau 1\n"
      "CONTACT_NAME \"Ana María López\"\n");
  const std::vector<Check>& checks = t.blocks[1].bot.checks;
  ASSERT_EQ(checks.size(), 5u);
  EXPECT_EQ(checks[0].kind, Check::Kind::kDocument);
  EXPECT_EQ(checks[0].name, "ine");
  ASSERT_EQ(checks[0].fields.size(), 3u);
  EXPECT_EQ(checks[0].fields[1].field, "full_name");
  EXPECT_EQ(checks[0].fields[1].pattern, "ANA MARÍA");
  EXPECT_EQ(checks[1].kind, Check::Kind::kDocuments);
  EXPECT_EQ(checks[1].count, 2);
  EXPECT_EQ(checks[2].kind, Check::Kind::kReport);
  ASSERT_EQ(checks[2].fields.size(), 2u);
  EXPECT_EQ(checks[2].fields[0].field, "summary");
  EXPECT_EQ(checks[2].fields[0].pattern, "score=712") << "a value may hold '='";
  EXPECT_EQ(checks[3].kind, Check::Kind::kReports);
  EXPECT_EQ(checks[3].count, 1);
  EXPECT_EQ(checks[4].kind, Check::Kind::kContactName);
  EXPECT_EQ(checks[4].expected, "Ana María López");
  EXPECT_EQ(checks[4].line, 9);
}

TEST(TranscriptParser, ABotBlockWithOnlyStateChecksConsumesNoReply) {
  Transcript t = MustParse("n\n#me\nWAIT 25h\n#bot\nSTATUS expired\n#end\nRECORDS review 0\n");
  ASSERT_EQ(t.blocks.size(), 3u);
  EXPECT_FALSE(t.blocks[1].bot.consumes_reply());
  EXPECT_EQ(t.blocks[2].kind, Block::Kind::kEnd);
  ASSERT_EQ(t.blocks[2].bot.checks.size(), 1u);
}

TEST(TranscriptParser, SkipsCommentsAndReadsEscapedLinesAsText) {
  Transcript t = MustParse(
      "n\n"
      "#me Ana\n"  // Botium's participant name after the header is ignored
      "// not sent\n"
      "\\#1 en la lista\n"
      "\\WAIT es texto\n"
      "#bot\n"
      "\\STATE es texto\n"
      "\\* literal\n");
  EXPECT_EQ(t.blocks[0].me.text_lines,
            (std::vector<std::string>{"#1 en la lista", "WAIT es texto"}));
  EXPECT_EQ(t.blocks[1].bot.text_lines,
            (std::vector<std::string>{"STATE es texto", "\\* literal"}));
  EXPECT_TRUE(t.blocks[1].bot.checks.empty());
}

struct MalformedCase {
  const char* text;
  int line;
  const char* message;
};

TEST(TranscriptParser, RejectsMalformedTranscriptsNamingTheLine) {
  const MalformedCase kCases[] = {
      {"", 1, "empty transcript"},
      {"#me\nhola\n", 1, "first line must be the transcript's name"},
      {"solo un nombre\n", 1, "no #me, #bot or #include block"},
      {"n\n#begin\nFOO x\n#me\nhi\n", 3, "unknown #begin directive 'FOO'"},
      {"n\n#begin\nDIALOG\n#me\nhi\n", 3, "DIALOG needs a dialog id"},
      {"n\n#begin\nCONTACT 0987654321 Ana\n#me\nhi\n", 3, "E.164"},
      {"n\n#begin\nVAR 1x y\n#me\nhi\n", 3, "VAR needs a variable name"},
      {"n\n#begin\nNOW ayer\n#me\nhi\n", 3, "ISO-8601"},
      {"n\n#begin\nSTART now\n#me\nhi\n", 3, "START takes no argument"},
      {"n\n#me\nWAIT pronto\n", 3, "WAIT needs a duration"},
      {"n\n#me\nMEDIA foto.jpg\n", 3, "MEDIA needs a path and a content type"},
      {"n\n#me\nDUPLICATE\n", 3, "DUPLICATE needs an earlier inbound message"},
      {"n\n#me\nhola\n#me\nDUPLICATE\nhola\n", 5, "cannot be combined with text or MEDIA"},
      {"n\n#me\n#bot\nx\n", 2, "empty #me block"},
      {"n\n#me\nhi\n#bot\n\n#me\nhi\n", 4, "empty #bot block"},
      {"n\n#me\nhi\n#bot\nSTATUS finished\n", 5, "STATUS must be active, done"},
      {"n\n#me\nhi\n#bot\nSTATE\n", 5, "STATE needs a state name"},
      {"n\n#me\nhi\n#bot\nSLOT rating\n", 5, "SLOT needs a slot name and a value"},
      {"n\n#me\nhi\n#bot\nNO_REPLY please\n", 5, "NO_REPLY takes no argument"},
      {"n\n#me\nhi\n#bot\nTEXT_CONTAINS\n", 5, "TEXT_CONTAINS needs an argument"},
      {"n\n#me\nhi\n#bot\nTEXT_REGEX (abc\n", 5, "bad TEXT_REGEX"},
      {"n\n#me\nhi\n#bot\nRECORD review rating\n", 5, "expected <field>=<value>"},
      {"n\n#me\nhi\n#bot\nRECORD review f=\"abc\n", 5, "unterminated quote"},
      {"n\n#me\nhi\n#bot\nRECORDS review muchos\n", 5, "RECORDS needs a record kind and a count"},
      {"n\n#me\nhi\n#bot\nDOCUMENT\n", 5, "DOCUMENT needs a document kind"},
      {"n\n#me\nhi\n#bot\nDOCUMENT ine curp\n", 5, "DOCUMENT: expected <field>=<value>"},
      {"n\n#me\nhi\n#bot\nDOCUMENTS ine dos\n", 5, "DOCUMENTS needs a document kind and a count"},
      {"n\n#me\nhi\n#bot\nREPORT bureau summary=\"x\n", 5, "REPORT: unterminated quote"},
      {"n\n#me\nhi\n#bot\nREPORTS\n", 5, "REPORTS needs a report kind and a count"},
      {"n\n#me\nhi\n#bot\nCONTACT_NAME\n", 5, "CONTACT_NAME needs a name"},
      {"n\n#me\nhi\n#robot\n", 4, "unknown block '#robot'"},
      {"n\n#me\nhi\n#begin\n", 4, "#begin must be the first block"},
      {"n\n#me\nhi\n#end\nhola\n", 5, "unknown #end check 'hola'"},
      {"n\n#me\nhi\n#end\nTEXT_CONTAINS x\n", 5, "#end takes state checks only"},
      {"n\n#me\nhi\n#end\n#me\nhi\n", 5, "nothing may follow the #end block"},
  };
  for (const MalformedCase& c : kCases) {
    SCOPED_TRACE(c.text);
    Result<Transcript> t = ParseTranscript(c.text, "t.convo.txt");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr("t.convo.txt:" + std::to_string(c.line) + ": "));
    EXPECT_THAT(t.status().message(), HasSubstr(c.message));
  }
}

TEST(TranscriptParser, ReportsAMissingFile) {
  Result<Transcript> t = LoadTranscript(Src("tests/data/transcripts/no_such.convo.txt"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
}

TEST(TranscriptParser, ReadsDurations) {
  using std::chrono::milliseconds;
  const std::pair<const char*, long long> kGood[] = {
      {"90s", 90'000},      {"30m", 1'800'000}, {"25h", 90'000'000},      {"2d", 172'800'000},
      {"1h30m", 5'400'000}, {"500ms", 500},     {" 1d12h ", 129'600'000},
  };
  for (const auto& [text, ms] : kGood) {
    milliseconds d;
    ASSERT_TRUE(ParseDuration(text, &d)) << text;
    EXPECT_EQ(d.count(), ms) << text;
  }
  for (const char* bad : {"", "5", "h", "5x", "-5m", "1.5h", "m30"}) {
    milliseconds d;
    EXPECT_FALSE(ParseDuration(bad, &d)) << bad;
  }
}

TEST(TranscriptParser, ReadsIsoTimes) {
  const std::pair<const char*, long long> kGood[] = {
      {"2026-01-01T12:00:00Z", 1767268800000},     {"2026-01-01T07:00:00-05:00", 1767268800000},
      {"2026-01-01T13:30:00+0130", 1767268800000}, {"2026-01-01 12:00", 1767268800000},
      {"2026-01-01T12:00:00.250Z", 1767268800250},
  };
  for (const auto& [text, ms] : kGood) {
    TimePoint t;
    ASSERT_TRUE(ParseIsoTime(text, &t)) << text;
    EXPECT_EQ(ToUnixMillis(t), ms) << text;
  }
  for (const char* bad : {"", "2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T25:00:00Z", "ayer",
                          "2026-01-01T12:00:00Zjunk", "2026-01-01T12:00:00."}) {
    TimePoint t;
    EXPECT_FALSE(ParseIsoTime(bad, &t)) << bad;
  }
}

TEST(TranscriptMatching, MatchesWildcards) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case kCases[] = {
      {"Hola", "Hola", true},
      {"Hola", "Hola!", false},
      {"*", "", true},
      {"*", "cualquier cosa", true},
      {"Hola *", "Hola Ana 👋", true},
      {"Hola *", "Hola", false},
      {"*5!*", "calificación de 5! ⭐", true},
      {"a*b*c", "abc", true},
      {"a*b*c", "axxbyyc", true},
      {"a*b*c", "acb", false},
      {"a*a", "a", false},
      {"\\*negrita\\*", "*negrita*", true},
      {"\\*negrita\\*", "xnegritax", false},
      {"línea 1*línea 2", "línea 1\nlínea 2", true},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(WildcardMatch(c.pattern, c.text), c.match) << c.pattern << " vs " << c.text;
  }
}

TEST(TranscriptMatching, ComparesRepliesWithTrimmedLines) {
  EXPECT_EQ(NormalizeLines("\n  Hola  \n\t mundo\t\n\n"), "Hola\nmundo");
  EXPECT_EQ(NormalizeLines("a\n\n b"), "a\n\nb");
  EXPECT_EQ(NormalizeLines("   "), "");
}

// ---- Replays against the engine ----

TEST_F(ReplayInMemory, GivesCounterProviderIdsAndRedeliversTheSameIdOnDuplicate) {
  std::string failure =
      Run("ids\n#begin\nCONTACT +593987000010 Ana María\n"
          "#me\nHola\n#bot\n*\n"
          "#me\nWAIT 2h\n4\n#bot\n*\n"
          "#me\nDUPLICATE\n#bot\nNO_REPLY\n");
  ASSERT_EQ(failure, "");
  std::vector<std::string> inbound;
  for (const StoredMessage& m : Messages("whatsapp:+593987000010")) {
    if (m.direction == "in") inbound.push_back(m.provider_id);
  }
  EXPECT_EQ(inbound, (std::vector<std::string>{"SM00000000000000000000000000000001",
                                               "SM00000000000000000000000000000002"}));
  EXPECT_EQ(ToUnixMillis(clock_.Now()), 1767268800000 + 2 * 3600 * 1000) << "WAIT moved the clock";
  Result<std::optional<Contact>> contact =
      store_->FindContact(kBotChannel, "whatsapp:+593987000010");
  ASSERT_TRUE(contact.ok() && contact->has_value());
  EXPECT_EQ((*contact)->name, "Ana María") << "CONTACT's name is the WhatsApp profile name";
}

TEST_F(ReplayInMemory, AttachesMediaWithItsSizeAndSha256) {
  std::string failure =
      Run("media\n#begin\nVAR name Ana\nSTART\n#bot\n*\n"
          "#me\nMEDIA ../../../fixtures/transcripts/review_rating/media/nota_de_voz.ogg audio/ogg\n"
          "#bot\nPor ahora solo puedo leer mensajes de texto. *\n");
  ASSERT_EQ(failure, "");
  std::vector<StoredMessage> messages = Messages("whatsapp:+593990000001");
  const StoredMessage* in = nullptr;
  for (const StoredMessage& m : messages) {
    if (m.direction == "in") in = &m;
  }
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->media.size(), 1u);
  EXPECT_EQ(in->media[0].content_type, "audio/ogg");
  EXPECT_EQ(in->media[0].size, 332);
  EXPECT_EQ(in->media[0].sha256,
            "12e003dddc29badfbcbcc524a2af095693421778385e6350ab28b128ffaa3586");
  EXPECT_THAT(in->media[0].url, HasSubstr("file:///"));
  EXPECT_THAT(in->media[0].url,
              HasSubstr("fixtures/transcripts/review_rating/media/nota_de_voz.ogg"));
}

TEST_F(ReplayInMemory, ShowsEveryReplyOfTheTurnAtAMismatch) {
  std::string failure =
      Run("restart\n#begin\nVAR name Ana\nSTART\n#bot\n*\n"
          "#me\nempezar de nuevo\n"
          "#bot\nMuy bien, empecemos de nuevo.\n"
          "#bot\nAdiós\n");
  EXPECT_THAT(failure, HasSubstr("inline.convo.txt:12: the reply does not match"));
  EXPECT_THAT(failure, HasSubstr("expected: Adiós"));
  EXPECT_THAT(failure, HasSubstr("actual:   ¡Hola! Soy el asistente virtual"));
  EXPECT_THAT(failure, HasSubstr("replies this turn (2):"));
  EXPECT_THAT(failure, HasSubstr("1. Muy bien, empecemos de nuevo."));
  EXPECT_THAT(failure, HasSubstr("2. ¡Hola! Soy el asistente virtual"));
}

TEST(TranscriptReplay, EveryFixtureTranscriptPasses) {
  std::vector<ReplayResult> results = ReplayPaths({Src("fixtures/transcripts")}, SourceOptions());
  EXPECT_GE(results.size(), 25u);
  for (const ReplayResult& r : results) {
    EXPECT_TRUE(r.passed) << r.file << " (" << r.name << ")\n" << r.failure;
    EXPECT_FALSE(r.name.empty()) << r.file;
  }
}

// The same fixtures with the conversation store on PostgreSQL: a fresh schema per run.
TEST(TranscriptReplay, EveryFixtureTranscriptPassesOnPostgres) {
  testing::TestSchemas schemas;
  ReplayOptions options = SourceOptions();
  size_t stores = 0;
  options.open_store = [&]() -> Result<std::unique_ptr<Store>> {
    ++stores;
    return OpenPostgresStore(testing::TestPostgresConninfo(), {.schema = schemas.NewName()});
  };
  std::vector<ReplayResult> results = ReplayPaths({Src("fixtures/transcripts")}, options);
  EXPECT_GE(results.size(), 25u);
  size_t runs = 0;
  for (const ReplayResult& r : results) {
    EXPECT_TRUE(r.passed) << r.file << " (" << r.name << ")\n" << r.failure;
    runs += static_cast<size_t>(r.runs);
  }
  EXPECT_EQ(stores, runs);  // every run was on PostgreSQL
}

struct FailingCase {
  const char* file;
  int line;
  const char* what;
  const char* detail;  // also in the report
};

TEST(TranscriptReplay, FailsOnPurposeAtTheFirstMismatch) {
  const FailingCase kCases[] = {
      {"wrong_text", 14, "the reply does not match",
       "actual:   ¡Muchas gracias por su calificación de 5!"},
      {"missing_reply", 17, "missing reply", "(no more replies this turn)"},
      {"extra_reply", 16, "unexpected reply before this #me", "¡Hola! Soy el asistente virtual"},
      {"extra_reply_at_end", 7, "unexpected reply at the end of the transcript", "Hola Ana 👋"},
      {"wrong_slot", 15, "SLOT rating", "expected: 4\n  actual:   5"},
      {"wrong_status", 14, "STATUS", "expected: active\n  actual:   done"},
      {"wrong_record", 20, "RECORD: no matching record", "feedback=\"la espera\""},
      {"reply_where_none_expected", 13, "unexpected reply where NO_REPLY expected none",
       "Para calificar"},
      {"missing_media", 10, "cannot read media file", "no_such_file.ogg"},
      {"unknown_dialog", 3, "unknown dialog 'no_such_dialog'", ""},
      {"syntax_error", 6, "STATUS must be", ""},
      {"unmatched_cassette", 17, "the reply does not match",
       "the cassette has no answer for a provider request: "},
      {"wrong_contact_name", 10, "CONTACT_NAME", "expected: Pedro\n  actual:   María"},
      {"wrong_documents_count", 15, "DOCUMENTS ine", "expected: 1\n  actual:   0"},
      {"wrong_report", 16, "REPORT: no matching report", "actual:   (no bureau report)"},
      {"wrong_document", 60, "DOCUMENT: no matching document",
       "actual:   ine birth_date=\"1994-01-15\" content_type=\"image/jpeg\" curp=\"PECJ940115HOCRRN09\""},
  };
  for (const FailingCase& c : kCases) {
    std::string path = Src("tests/data/transcripts/failing/") + c.file + ".convo.txt";
    SCOPED_TRACE(path);
    ReplayResult r = ReplayTranscript(path, SourceOptions());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.file, path);
    EXPECT_THAT(r.failure, HasSubstr(path + ":" + std::to_string(c.line) + ": " + c.what));
    EXPECT_THAT(r.failure, HasSubstr(c.detail));
  }
}

TEST(TranscriptReplay, FindsOnlyConvoFilesSortedAndReportsMissingPaths) {
  std::vector<ReplayResult> results =
      ReplayPaths({Src("tests/data/transcripts/failing"), Src("no/such/folder")}, SourceOptions());
  ASSERT_EQ(results.size(), 17u);
  EXPECT_EQ(results[0].file, Src("no/such/folder"));
  EXPECT_THAT(results[0].failure, HasSubstr("no such file or folder"));
  for (size_t i = 1; i < results.size(); ++i) {
    EXPECT_FALSE(results[i].passed) << results[i].file;
    if (i > 1) {
      EXPECT_LT(results[i - 1].file, results[i].file);
    }
  }
}

TEST(TranscriptReplay, FailsEveryTranscriptWhenTheDialogsDoNotLoad) {
  ReplayOptions options = SourceOptions();
  options.dialogs_dir = Src("no/such/dialogs");
  ReplayResult r = ReplayTranscript(
      Src("fixtures/transcripts/review_rating/01_bot_first_cinco_en_digito.convo.txt"), options);
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.failure, HasSubstr("cannot load the dialogs"));
}

TEST(TranscriptReplay, RemovesItsTemporaryDatabase) {
  fs::path dir = fs::path(::testing::TempDir()) / "transcript_test_work";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ReplayOptions options = SourceOptions();
  options.work_dir = dir.string();
  ReplayResult r = ReplayTranscript(
      Src("fixtures/transcripts/review_rating/23_mensaje_duplicado.convo.txt"), options);
  EXPECT_TRUE(r.passed) << r.failure;
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

// ---- Recording cassettes from canned answers ----

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

Result<HttpResponse> SendTo(HttpClient& http, const std::string& url, const std::string& body) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body;
  return http.Fetch(std::move(request));
}

// A folder under the test's temp dir, empty.
fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(CannedHttpClient, HandsOutTheAnswersOfEachUrlInFileOrder) {
  fs::path dir = FreshDir("canned_order");
  WriteAll(dir / "a.answers.jsonl",
           "// the bureau, twice\n"
           "{\"url\": \"https://buro.example.mx/v1/score\", \"body\": {\"score\": 712}}\n"
           "\n"
           "{\"url\": \"https://api.openai.com/v1/audio/transcriptions\", \"body\": "
           "\"{\\\"text\\\":\\\"hola\\\"}\"}\n"
           "{\"url\": \"https://buro.example.mx/v1/score\", \"status\": 500, \"body\": \"caido\", "
           "\"headers\": {\"Retry-After\": \"3\"}}\n");
  testing::FakeClock clock;
  Result<std::unique_ptr<CannedHttpClient>> http =
      CannedHttpClient::Open((dir / "a.answers.jsonl").string(), &clock);
  ASSERT_TRUE(http.ok()) << http.status().ToString();
  EXPECT_EQ((*http)->Unused(), 3u);

  Result<HttpResponse> first = SendTo(**http, "https://buro.example.mx/v1/score", "{}");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "{\"score\":712}") << "a JSON body is sent as its text";
  EXPECT_EQ(first->Header("content-type"), "application/json");
  Result<HttpResponse> stt =
      SendTo(**http, "https://api.openai.com/v1/audio/transcriptions", "audio");
  ASSERT_TRUE(stt.ok());
  EXPECT_EQ(stt->body, "{\"text\":\"hola\"}") << "a string body is sent as is";
  Result<HttpResponse> second = SendTo(**http, "https://buro.example.mx/v1/score", "{}");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 500);
  EXPECT_EQ(second->body, "caido");
  EXPECT_EQ(second->Header("Retry-After"), "3");
  EXPECT_EQ(second->Header("Content-Type"), "") << "given headers replace the default";
  EXPECT_EQ((*http)->Unused(), 0u);

  Result<HttpResponse> none = SendTo(**http, "https://buro.example.mx/v1/score", "{}");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(),
              HasSubstr("has no more answers for POST https://buro.example.mx/v1/score"));
  Result<HttpResponse> never = SendTo(**http, "https://example.com/x", "");
  ASSERT_FALSE(never.ok());
  EXPECT_THAT(never.status().message(), HasSubstr("has no answer for POST https://example.com/x"));
}

TEST(CannedHttpClient, WrapsChatContentInAnOpenAiEnvelope) {
  fs::path dir = FreshDir("canned_chat");
  WriteAll(dir / "chat.answers.jsonl",
           "{\"url\": \"https://api.openai.com/v1/chat/completions\", \"content\": {\"value\": \"5\"}}\n");
  testing::FakeClock clock(FromUnixMillis(1767268800000));
  Result<std::unique_ptr<CannedHttpClient>> http =
      CannedHttpClient::Open((dir / "chat.answers.jsonl").string(), &clock);
  ASSERT_TRUE(http.ok()) << http.status().ToString();
  Result<HttpResponse> r =
      SendTo(**http, "https://api.openai.com/v1/chat/completions", std::string(400, 'x'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body,
            "{\"id\":\"chatcmpl-replay-1\",\"object\":\"chat.completion\",\"created\":1767268800,"
            "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
            "\"assistant\",\"content\":\"{\\\"value\\\":\\\"5\\\"}\",\"refusal\":null},"
            "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":101,\"completion_tokens\":4,"
            "\"total_tokens\":105}}");
}

TEST(CannedHttpClient, RejectsMalformedAnswersNamingTheLine) {
  const struct {
    const char* line;
    const char* message;
  } kCases[] = {
      {"not json", "not a JSON object"},
      {"{\"body\": \"x\"}", "no \"url\""},
      {"{\"url\": \"u\", \"status\": 42, \"body\": \"x\"}", "\"status\" must be an HTTP status code"},
      {"{\"url\": \"u\"}", "give exactly one of \"body\" and \"content\""},
      {"{\"url\": \"u\", \"body\": \"x\", \"content\": \"y\"}", "give exactly one of"},
      {"{\"url\": \"u\", \"body\": \"x\", \"headers\": {\"A\": 1}}", "header values must be strings"},
      {"{\"url\": \"u\", \"body\": \"x\", \"stauts\": 200}", "unknown key \"stauts\""},
  };
  fs::path dir = FreshDir("canned_bad");
  testing::FakeClock clock;
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.line);
    std::string path = (dir / "bad.answers.jsonl").string();
    WriteAll(path, std::string("// first line\n") + c.line + "\n");
    Result<std::unique_ptr<CannedHttpClient>> http = CannedHttpClient::Open(path, &clock);
    ASSERT_FALSE(http.ok());
    EXPECT_EQ(http.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(http.status().message(), HasSubstr(path + ":2: " + c.message));
  }
  Result<std::unique_ptr<CannedHttpClient>> missing =
      CannedHttpClient::Open((dir / "none.jsonl").string(), &clock);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(CannedHttpClient, NamesTheAnswersFileOfACassette) {
  EXPECT_EQ(AnswersPathFor("d/01_x.cassette.jsonl"), "d/01_x.answers.jsonl");
  EXPECT_EQ(AnswersPathFor("d/x.jsonl"), "d/x.jsonl.answers.jsonl");
}

// The review voice note of the providers issue, in a folder of its own.
fs::path VoiceNoteTranscript(const std::string& name, const std::string& answers) {
  fs::path dir = FreshDir(name);
  fs::copy_file(Src("fixtures/transcripts/review_rating_providers/nota_de_voz.ogg"),
                dir / "nota_de_voz.ogg");
  WriteAll(dir / "voz.convo.txt",
           "Nota de voz\n#begin\nCASSETTE voz.cassette.jsonl\nVAR name Rosa\nSTART\n"
           "#bot\nHola Rosa 👋, *\n"
           "#me\nMEDIA nota_de_voz.ogg audio/ogg\n"
           "#bot\n¡Muchas gracias por su calificación de 5! *\nSLOT rating 5\n");
  WriteAll(dir / "voz.answers.jsonl", answers);
  return dir;
}

constexpr char kVoiceAnswer[] =
    "{\"url\": \"https://api.openai.com/v1/audio/transcriptions\", \"body\": {\"text\": \"Le doy "
    "un cinco.\"}}\n";

TEST(ReplayRecording, RecordsTheCassetteThroughTheRealProvidersThenReplaysIt) {
  fs::path dir = VoiceNoteTranscript("record_voice", kVoiceAnswer);
  ReplayOptions options = SourceOptions();
  options.record = true;
  ReplayResult recorded = ReplayTranscript((dir / "voz.convo.txt").string(), options);
  EXPECT_TRUE(recorded.passed) << recorded.failure;
  std::string cassette = ReadAll(dir / "voz.cassette.jsonl");
  EXPECT_THAT(cassette, HasSubstr("\"url\":\"https://api.openai.com/v1/audio/transcriptions\""));
  EXPECT_THAT(cassette, HasSubstr("sha256:12e003dddc29badfbcbcc524a2af095693421778385e6350ab28b128ffaa3586"))
      << "the audio is referenced by hash";
  EXPECT_THAT(cassette, HasSubstr("\"Authorization\":\"[redacted]\""));
  EXPECT_EQ(std::count(cassette.begin(), cassette.end(), '\n'), 1);

  fs::remove(dir / "voz.answers.jsonl");  // replaying needs only the cassette
  ReplayResult replayed = ReplayTranscript((dir / "voz.convo.txt").string(), SourceOptions());
  EXPECT_TRUE(replayed.passed) << replayed.failure;
}

TEST(ReplayRecording, FailsOnAMissingOrAnUnusedAnswer) {
  ReplayOptions options = SourceOptions();
  options.record = true;

  fs::path dir = VoiceNoteTranscript("record_missing", "// nothing\n");
  ReplayResult missing = ReplayTranscript((dir / "voz.convo.txt").string(), options);
  EXPECT_FALSE(missing.passed);
  EXPECT_THAT(missing.failure,
              HasSubstr("the answers file has no answer for a provider request: answers file "));
  EXPECT_THAT(missing.failure,
              HasSubstr("has no answer for POST https://api.openai.com/v1/audio/transcriptions"));

  dir = VoiceNoteTranscript("record_unused", std::string(kVoiceAnswer) + kVoiceAnswer);
  ReplayResult unused = ReplayTranscript((dir / "voz.convo.txt").string(), options);
  EXPECT_FALSE(unused.passed);
  EXPECT_THAT(unused.failure,
              HasSubstr("the answers file has 1 answer(s) the conversation never asked for"));

  dir = VoiceNoteTranscript("record_other_answers", "");
  WriteAll(dir / "other.jsonl", kVoiceAnswer);
  options.answers = (dir / "other.jsonl").string();
  ReplayResult other = ReplayTranscript((dir / "voz.convo.txt").string(), options);
  EXPECT_TRUE(other.passed) << "--answers names the file: " << other.failure;
}

// Every committed cassette that has an answers file is what recording produces now: the
// cassettes come from the real provider code, and cannot be edited by hand unnoticed.
TEST(ReplayRecording, ReRecordingReproducesEveryCommittedCassette) {
  int compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(Src("fixtures/transcripts"))) {
    const std::string file = entry.path().filename().string();
    constexpr std::string_view kSuffix = ".answers.jsonl";
    if (!file.ends_with(kSuffix)) continue;
    const std::string stem = file.substr(0, file.size() - kSuffix.size());
    const fs::path source = entry.path().parent_path();
    SCOPED_TRACE(source / file);
    // As deep as under fixtures/, so that relative paths (OFFERS ../../offers/x.csv) resolve.
    fs::path root = FreshDir("rerecord");
    fs::create_directory_symlink(Src("fixtures/offers"), root / "offers");
    fs::path dir = root / "transcripts" / "set";
    fs::create_directories(dir);
    fs::copy_file(source / (stem + ".convo.txt"), dir / (stem + ".convo.txt"));
    fs::copy_file(entry.path(), dir / file);
    if (fs::exists(source / "media")) fs::create_directory_symlink(source / "media", dir / "media");
    ReplayOptions options = SourceOptions();
    options.record = true;
    ReplayResult r = ReplayTranscript((dir / (stem + ".convo.txt")).string(), options);
    EXPECT_TRUE(r.passed) << r.failure;
    EXPECT_EQ(ReadAll(dir / (stem + ".cassette.jsonl")),
              ReadAll(source / (stem + ".cassette.jsonl")))
        << "re-record it: botrunner replay --record " << (source / (stem + ".convo.txt")).string();
    ++compared;
  }
  EXPECT_GE(compared, 25);
}

// ---- botrunner replay ----

int RunCli(std::vector<std::string> args, std::string* out) {
  CLI::App app;
  int exit_code = -1;
  runner::AddReplayCommand(app, &exit_code);
  args.insert(args.begin(), "replay");
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  ::testing::internal::CaptureStdout();
  app.parse(args);
  *out = ::testing::internal::GetCapturedStdout();
  return exit_code;
}

// `botrunner replay <file>` over the source tree's dialogs.
int ReplayWithSourceDialogs(const std::string& file, std::string* out) {
  return RunCli({file, "--dialogs", Src("dialogs"), "--prompts", Src("prompts")}, out);
}

TEST(ReplayCommand, PrintsPassAndASummaryAndExitsZero) {
  std::string out;
  std::string file = Src("fixtures/transcripts/review_rating/04_estrellas.convo.txt");
  EXPECT_EQ(ReplayWithSourceDialogs(file, &out), 0);
  EXPECT_THAT(out, HasSubstr("PASS " + file + " (Bot-first: calificación con cuatro estrellas"));
  EXPECT_THAT(out, HasSubstr("1 passed, 0 failed\n"));
}

TEST(ReplayCommand, PrintsTheMismatchAndExitsNonZeroOnFailure) {
  std::string out;
  std::string file = Src("tests/data/transcripts/failing/wrong_slot.convo.txt");
  EXPECT_EQ(ReplayWithSourceDialogs(file, &out), 1);
  EXPECT_THAT(out, HasSubstr("FAIL " + file + " (Fails on purpose: the slot holds 5, not 4)\n"));
  EXPECT_THAT(out, HasSubstr("    expected: 4\n    actual:   5\n"));
  EXPECT_THAT(out, HasSubstr("0 passed, 1 failed\n"));
}

TEST(ReplayCommand, RefusesAnswersWithoutRecordOrForSeveralTranscripts) {
  std::string out;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunCli({"a.convo.txt", "--answers", "a.answers.jsonl"}, &out), 2);
  EXPECT_EQ(RunCli({"a.convo.txt", "b.convo.txt", "--record", "--answers", "a.jsonl"}, &out), 2);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("--answers needs --record and exactly one transcript"));
}

TEST(ReplayCommand, TakesBotiumsMatchingModeAndRefusesAnUnknownOne) {
  std::string out;
  std::string file = Src("fixtures/transcripts/review_rating/04_estrellas.convo.txt");
  EXPECT_EQ(RunCli({file, "--dialogs", Src("dialogs"), "--prompts", Src("prompts"),
                    "--matching-mode", "wildcardIgnoreCase"},
                   &out),
            0);
  EXPECT_THAT(out, HasSubstr("1 passed, 0 failed\n"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunCli({file, "--matching-mode", "regexp"}, &out), 2);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("--matching-mode: unknown matching mode 'regexp'"));
}

TEST(ReplayCommand, ExitsNonZeroWhenNoTranscriptIsFound) {
  fs::path dir = fs::path(::testing::TempDir()) / "transcript_test_empty";
  fs::create_directories(dir);
  std::string out;
  EXPECT_EQ(RunCli({dir.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("no transcripts (*.convo.txt) found"));
  EXPECT_THAT(out, HasSubstr("0 passed, 0 failed"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bot::replay
