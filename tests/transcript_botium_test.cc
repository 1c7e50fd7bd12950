// The Botium subset of the transcript replay (docs/transcripts.md, "Botium compatibility"):
// negation, utterance files, partial convos, PAUSE, matching modes, and a clear error for
// every other Botium keyword. Each feature has a case that passes and one that must fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bot/transcript.h"
#include "replay/script_library.h"
#include "replay/transcript_expand.h"
#include "replay/transcript_parser.h"
#include "replay/wildcard.h"
#include "support/replay_fixture.h"
#include "support/temp_dir.h"

namespace bot::replay {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// The error ParseTranscript gives for `text`, "" when it parses.
std::string ParseError(std::string_view text) {
  Result<Transcript> t = ParseTranscript(text, "t.convo.txt");
  return t.ok() ? "" : t.status().message();
}

// A folder of Botium files written by the test, replayed with the source tree's dialogs.
class BotiumFolder {
 public:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name), std::ios::binary) << text;
  }
  ReplayResult Replay(const std::string& name, ReplayOptions options = SourceOptions()) {
    return ReplayTranscript(dir_.File(name), options);
  }
  std::string File(const std::string& name) const { return dir_.File(name); }

 private:
  testing::TempDir dir_{"transcript_botium"};
};

// A #begin block (lines 2 to 7 after a name line) where the review_rating dialog speaks first
// to Ana; `extra` goes first in the block, on line 3.
std::string AnaStarts(const std::string& extra = "") {
  return "#begin\n" + extra +
         "CONTACT +593990001122 Ana\nVAR name Ana\nVAR doctor la Dra. Paredes\n"
         "VAR review_link https://g.page/r/ConsultorioParedes/review\nSTART\n";
}

// ---- Negation: "!" before the text of a #bot block ----

TEST(BotiumNegation, ReadsTheBangOfTheFirstTextLineAsNegation) {
  Transcript t = MustParse("n\n#me\nhi\n#bot\n!Adiós\n#bot\n!!Hola\n#bot\n\\!Hola\n#bot\n??\n");
  ASSERT_EQ(t.blocks.size(), 5u);
  EXPECT_TRUE(t.blocks[1].bot.negated);
  EXPECT_EQ(t.blocks[1].bot.text_lines, std::vector<std::string>{"Adiós"});
  EXPECT_FALSE(t.blocks[2].bot.negated) << "!! is a literal !";
  EXPECT_EQ(t.blocks[2].bot.text_lines, std::vector<std::string>{"!Hola"});
  EXPECT_FALSE(t.blocks[3].bot.negated) << "an escaped line is text";
  EXPECT_EQ(t.blocks[3].bot.text_lines, std::vector<std::string>{"!Hola"});
  EXPECT_EQ(t.blocks[4].bot.text_lines, std::vector<std::string>{"?"}) << "?? is a literal ?";
}

TEST(BotiumNegation, RejectsOptionalMessagesAndNegatedDirectives) {
  EXPECT_THAT(ParseError("n\n#me\nhi\n#bot\n?Hola\n"),
              HasSubstr("t.convo.txt:5: optional bot messages (Botium's leading ?)"));
  EXPECT_THAT(ParseError("n\n#me\nhi\n#bot\n!\n"), HasSubstr("t.convo.txt:5: ! needs the text"));
  EXPECT_THAT(ParseError("n\n#me\nhi\n#bot\n!SLOT rating 5\n"),
              HasSubstr("t.convo.txt:5: ! negates the reply text only, not SLOT"));
}

TEST(BotiumNegation, PassesWhenTheReplyDoesNotMatch) {
  BotiumFolder folder;
  folder.Write("n.convo.txt",
               "negada\n" + AnaStarts() + "#bot\n!Adiós*\n#me\n2\n#bot\n!¡Muchas gracias*\n");
  ReplayResult r = folder.Replay("n.convo.txt");
  EXPECT_TRUE(r.passed) << r.failure;
}

TEST(BotiumNegation, FailsWhenTheNegatedTextMatches) {
  BotiumFolder folder;
  folder.Write("n.convo.txt",
               "negada\n" + AnaStarts() + "#bot\n*\n#me\n5\n#bot\n!¡Muchas gracias*\n");
  ReplayResult r = folder.Replay("n.convo.txt");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.failure, HasSubstr("n.convo.txt:13: the reply matches what it must not (!)"));
  EXPECT_THAT(r.failure, HasSubstr("expected: not ¡Muchas gracias*"));
  EXPECT_THAT(r.failure, HasSubstr("actual:   ¡Muchas gracias por su calificación de 5!"));
}

// ---- Botium keywords the replay does not run ----

TEST(BotiumKeywords, RejectsEveryOtherKeywordNamingTheFileLineAndKeyword) {
  struct Case {
    const char* text;
    int line;
    const char* message;
  };
  const Case kCases[] = {
      {"n\n#me\nhi\n#bot\nBUTTONS Sí|No\n", 5, "BUTTONS is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nHola\nMEDIA foto.jpg\n", 6, "MEDIA is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nCARDS Oferta\n", 5, "CARDS is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nFORMS nombre\n", 5, "FORMS is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nJSON_PATH $.x\n", 5, "JSON_PATH is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nENTITIES fecha\n", 5, "ENTITIES is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nINTENT saludo\n", 5, "INTENT is a Botium asserter"},
      {"n\n#me\nhi\n#bot\n!INTENT saludo\n", 5, "INTENT is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nTEXT_CONTAINS_ANY hola\n", 5, "TEXT_CONTAINS_ANY is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nPAUSE_ASSERTER 100\n", 5, "PAUSE_ASSERTER is a Botium asserter"},
      {"n\n#me\nhi\n#bot\nWAITFORBOT 1000\n", 5, "WAITFORBOT is a Botium logic hook"},
      {"n\n#me\nhi\nSET_SCRIPTING_MEMORY x|1\n", 4, "SET_SCRIPTING_MEMORY is a Botium logic hook"},
      {"n\n#me\nCLEAR_SCRIPTING_MEMORY x\nhi\n", 3,
       "CLEAR_SCRIPTING_MEMORY is a Botium logic hook"},
      {"n\n#me\nhi\nUPDATE_CUSTOM SET_DIALOGFLOW_CONTEXT|x\n", 4, "UPDATE_CUSTOM is a Botium"},
      {"n\n#me\nhi\n#bot\nCONDITIONAL_STEP_TIME_BASED x\n", 5, "CONDITIONAL_STEP_TIME_BASED is"},
      {"n\n#me\nBUTTON Sí\n", 3, "BUTTON is a Botium user input"},
      {"n\n#me\nFORM nombre|Ana\n", 3, "FORM is a Botium user input"},
      {"n\n#begin\nSET_SCRIPTING_MEMORY x|1\n#me\nhi\n", 3, "SET_SCRIPTING_MEMORY is a Botium"},
      {"n\n#me\nhi\n#end\nBOT_CONSUMED\n", 5, "BOT_CONSUMED is a Botium asserter"},
      {"n\n#me\nhi\n#end\nPAUSE 100\n", 5, "PAUSE goes in a #me or #bot block"},
      {"n\n#begin\nINCLUDE saludo\n#me\nhi\n", 3, "INCLUDE goes in a #me or #bot block"},
      {"n\n#me\nhi\n#bot\n!PAUSE 100\n", 5, "'!PAUSE 100': the replay takes Botium's ? and !"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    std::string error = ParseError(c.text);
    EXPECT_THAT(error, HasSubstr("t.convo.txt:" + std::to_string(c.line) + ": " + c.message));
  }
}

TEST(BotiumKeywords, LeavesTextBotiumWouldReadAsText) {
  // Asserters are text in a #me block (Botium reads them only where the bot speaks), and an
  // escaped keyword is text anywhere.
  Transcript t = MustParse("n\n#me\nINTENT\n#bot\n\\BUTTONS Sí|No\n");
  EXPECT_EQ(t.blocks[0].me.text_lines, std::vector<std::string>{"INTENT"});
  EXPECT_EQ(t.blocks[1].bot.text_lines, std::vector<std::string>{"BUTTONS Sí|No"});
}

// ---- PAUSE <ms> ----

TEST(BotiumPause, ReadsWholeMillisecondsInMeAndBotBlocks) {
  Transcript t = MustParse("n\n#me\nhi\nPAUSE 1500\nPAUSE 500\n#bot\n*\nPAUSE 90000000\n");
  EXPECT_EQ(t.blocks[0].me.pause.count(), 2000);
  EXPECT_EQ(t.blocks[1].bot.pause.count(), 90000000);
  EXPECT_THAT(ParseError("n\n#me\nhi\nPAUSE 1.5s\n"),
              HasSubstr("t.convo.txt:4: PAUSE needs whole milliseconds"));
  EXPECT_THAT(ParseError("n\n#me\nhi\n#bot\nPAUSE\n"),
              HasSubstr("t.convo.txt:5: PAUSE needs whole milliseconds"));
}

TEST_F(ReplayInMemory, PauseAdvancesTheFakeClockAfterTheMessageAndAfterTheChecks) {
  std::string failure = Run("p\n" + AnaStarts() +
                            "#bot\nHola Ana 👋*\nPAUSE 90000000\n"  // 25 h: past the 24 h timeout
                            "#bot\nSTATUS expired\n"
                            "#me\nHola\nPAUSE 1500\n#bot\n*\n");
  EXPECT_EQ(failure, "");
  EXPECT_EQ(ToUnixMillis(clock_.Now()), kDefaultNowMillis + 90000000 + 1500);
}

TEST_F(ReplayInMemory, PauseTooShortLeavesTheSessionActive) {
  std::string failure =
      Run("p\n" + AnaStarts() + "#bot\nHola Ana 👋*\nPAUSE 1000\n#bot\nSTATUS expired\n");
  EXPECT_THAT(failure, HasSubstr("inline.convo.txt:12: STATUS"));
  EXPECT_THAT(failure, HasSubstr("expected: expired\n  actual:   active"));
}

// ---- Matching modes (Botium's SCRIPTING_MATCHING_MODE) ----

TEST(BotiumMatching, MatchesInEachMode) {
  struct Case {
    MatchingMode mode;
    const char* pattern;
    const char* text;
    bool match;
  };
  const MatchingMode kExact = MatchingMode::kWildcardExact;
  const MatchingMode kExactIc = MatchingMode::kWildcardExactIgnoreCase;
  const MatchingMode kAnywhere = MatchingMode::kWildcard;
  const MatchingMode kAnywhereIc = MatchingMode::kWildcardIgnoreCase;
  const Case kCases[] = {
      {kExact, "Hola Ana", "Hola Ana", true},
      {kExact, "hola ana", "Hola Ana", false},
      {kExact, "Hola", "Hola Ana", false},
      {kExactIc, "HOLA * ÁNGELA", "hola doña ángela", true},
      {kExactIc, "hola", "hola ana", false},
      {kAnywhere, "Ana", "Hola Ana, ¿cómo está?", true},
      {kAnywhere, "ana", "Hola Ana", false},
      {kAnywhere, "Hola*está", "Buenas. Hola Ana, ¿cómo está?", true},
      {kAnywhere, "está*Hola", "Hola Ana, ¿cómo está?", false},
      {kAnywhereIc, "so...", "You said: So.....", true},
      {kAnywhereIc, "this is a * text", "THIS IS A LONG TEXT", true},
      {kAnywhereIc, "*notthere*", "This is a long text", false},
      {kAnywhereIc, "calificación de 5", "¡CALIFICACIÓN DE 5!", true},
      {kAnywhereIc, "\\*negrita\\*", "es *NEGRITA*", true},
      {kAnywhereIc, "\\*negrita\\*", "es negrita", false},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(TextMatches(c.mode, c.pattern, c.text), c.match)
        << MatchingModeName(c.mode) << ": " << c.pattern << " vs " << c.text;
  }
  EXPECT_EQ(FoldCase("ÁÉÍÓÚ Ñandú ÜBER"), "áéíóú ñandú über");
}

TEST(BotiumMatching, ReadsBotiumsModeNamesAndRejectsOthers) {
  for (MatchingMode mode : {MatchingMode::kWildcardExact, MatchingMode::kWildcardExactIgnoreCase,
                            MatchingMode::kWildcard, MatchingMode::kWildcardIgnoreCase}) {
    Result<MatchingMode> read = ParseMatchingMode(MatchingModeName(mode));
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(*read, mode);
  }
  Result<MatchingMode> regexp = ParseMatchingMode("regexpIgnoreCase");
  ASSERT_FALSE(regexp.ok());
  EXPECT_THAT(regexp.status().message(), HasSubstr("unknown matching mode 'regexpIgnoreCase'"));
  EXPECT_THAT(ParseError("n\n#begin\nMATCHING_MODE equals\n#me\nhi\n"),
              HasSubstr("t.convo.txt:3: unknown matching mode 'equals' (the replay has "
                        "wildcardExact, wildcardExactIgnoreCase, wildcard, wildcardIgnoreCase)"));
  EXPECT_EQ(MustParse("n\n#begin\nMATCHING_MODE wildcard\n#me\nhi\n").matching_mode,
            MatchingMode::kWildcard);
}

TEST(BotiumMatching, IgnoresCaseAnywhereInTheReplyWhenTheTranscriptOrTheOptionsSaySo) {
  BotiumFolder folder;
  folder.Write("own.convo.txt",
               "propio\n" + AnaStarts("MATCHING_MODE wildcardIgnoreCase\n") + "#bot\nhola ana\n");
  folder.Write("plain.convo.txt", "sin modo\n" + AnaStarts() + "#bot\nhola ana\n");
  ReplayResult own = folder.Replay("own.convo.txt");
  EXPECT_TRUE(own.passed) << own.failure;

  ReplayOptions botium = SourceOptions();
  botium.matching_mode = MatchingMode::kWildcardIgnoreCase;
  ReplayResult by_option = folder.Replay("plain.convo.txt", botium);
  EXPECT_TRUE(by_option.passed) << by_option.failure;
}

TEST(BotiumMatching, KeepsTheWholeCaseSensitiveReplyAsTheDefault) {
  BotiumFolder folder;
  folder.Write("plain.convo.txt", "sin modo\n" + AnaStarts() + "#bot\nhola ana\n");
  ReplayResult r = folder.Replay("plain.convo.txt");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.failure, HasSubstr("plain.convo.txt:9: the reply does not match\n"));
  EXPECT_THAT(r.failure, HasSubstr("expected: hola ana"));

  ReplayOptions botium = SourceOptions();
  botium.matching_mode = MatchingMode::kWildcardIgnoreCase;
  folder.Write("exact.convo.txt",
               "exacto\n" + AnaStarts("MATCHING_MODE wildcardExact\n") + "#bot\nhola ana\n");
  ReplayResult own = folder.Replay("exact.convo.txt", botium);
  EXPECT_FALSE(own.passed) << "the transcript's MATCHING_MODE wins over the options";
}

// ---- Utterances: NAME.utterances.txt ----

ScriptLibrary Library(std::vector<Utterance> utterances, std::vector<std::string> partials = {}) {
  ScriptLibrary library;
  for (Utterance& u : utterances) library.utterances[u.name] = std::move(u);
  for (const std::string& text : partials) {
    Result<Transcript> partial = ParsePartialConvo(text, "p.pconvo.txt");
    EXPECT_TRUE(partial.ok()) << partial.status().ToString();
    if (partial.ok()) library.partials[partial->name] = *partial;
  }
  return library;
}

TEST(BotiumUtterances, ReadsTheNameThenOneVariantPerLine) {
  Result<Utterance> u =
      ParseUtterances("\xEF\xBB\xBFUTT_HOLA\nhola\n\n  buenas tardes \n", "u.txt");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->name, "UTT_HOLA");
  EXPECT_EQ(u->variants, (std::vector<std::string>{"hola", "buenas tardes"}));
  EXPECT_THAT(ParseUtterances("UTT_HOLA\n", "u.txt").status().message(),
              HasSubstr("u.txt: utterance 'UTT_HOLA' has no variants"));
  EXPECT_THAT(ParseUtterances("\n\n", "u.txt").status().message(),
              HasSubstr("u.txt:1: empty utterances file"));
}

TEST(BotiumUtterances, RunsEveryCombinationOfTheVariantsSentTheFirstVaryingSlowest) {
  ScriptLibrary library = Library({{"UTT_A", {"a1", "a2"}, "a.utterances.txt"},
                                   {"UTT_ONE", {"solo"}, "one.utterances.txt"},
                                   {"UTT_B", {"b1", "b2", "b3"}, "b.utterances.txt"}});
  Transcript t = MustParse("n\n#me\nUTT_A\n#bot\n*\n#me\nUTT_ONE\n#me\nUTT_B\n#me\nUTT_A x\n");
  t.blocks.pop_back();  // "UTT_A x" is checked below
  Result<std::vector<TranscriptRun>> runs = ExpandTranscript(t, library, "t.convo.txt");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 6u);
  std::vector<std::string> labels, sent;
  for (const TranscriptRun& run : *runs) {
    labels.push_back(run.label);
    sent.push_back(run.transcript.blocks[0].me.text_lines[0] + "," +
                   run.transcript.blocks[2].me.text_lines[0] + "," +
                   run.transcript.blocks[3].me.text_lines[0]);
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"UTT_A-L1/UTT_B-L1", "UTT_A-L1/UTT_B-L2",
                                              "UTT_A-L1/UTT_B-L3", "UTT_A-L2/UTT_B-L1",
                                              "UTT_A-L2/UTT_B-L2", "UTT_A-L2/UTT_B-L3"}));
  EXPECT_EQ(sent[0], "a1,solo,b1");
  EXPECT_EQ(sent[5], "a2,solo,b3");
}

TEST(BotiumUtterances, MatchesABotTextThatNamesAnUtteranceAgainstEachVariant) {
  ScriptLibrary library = Library({{"UTT_GRACIAS", {"gracias", "muchas gracias"}, "g.txt"}});
  Result<std::vector<TranscriptRun>> runs =
      ExpandTranscript(MustParse("n\n#me\nhi\n#bot\nUTT_GRACIAS\n"), library, "t.convo.txt");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].label, "");
  EXPECT_EQ((*runs)[0].transcript.blocks[1].bot.variants,
            (std::vector<std::string>{"gracias", "muchas gracias"}));
}

TEST(BotiumUtterances, RejectsArgumentsTooManyRunsAndSeveralRunsWithACassette) {
  std::vector<std::string> ten;
  for (int i = 0; i < 10; ++i) ten.push_back("v" + std::to_string(i));
  ScriptLibrary library = Library({{"UTT_X", ten, "x.txt"}});
  auto error = [&](const std::string& text) {
    Result<std::vector<TranscriptRun>> runs =
        ExpandTranscript(MustParse(text), library, "t.convo.txt");
    return runs.ok() ? std::string() : runs.status().message();
  };
  EXPECT_THAT(error("n\n#me\nUTT_X Ana\n"),
              HasSubstr("t.convo.txt:2: utterance 'UTT_X' with arguments ('UTT_X Ana')"));
  EXPECT_THAT(error("n\n#me\nUTT_X\n#me\nUTT_X\n#me\nUTT_X\n"),
              HasSubstr("t.convo.txt:6: the utterances sent so far make more than 100 runs"));
  EXPECT_THAT(error("n\n#begin\nCASSETTE c.jsonl\n#me\nUTT_X\n"),
              HasSubstr("t.convo.txt:4: utterance 'UTT_X' makes several runs, but a transcript "
                        "with a CASSETTE runs once (line 3)"));
}

TEST(BotiumUtterances, ReplaysEveryVariantInAFreshStore) {
  ReplayResult r = ReplayTranscript(
      Src("fixtures/transcripts/botium/01_calificacion_alta_en_cada_variante.convo.txt"),
      SourceOptions());
  EXPECT_TRUE(r.passed) << r.failure;
  EXPECT_EQ(r.runs, 4);
}

TEST(BotiumUtterances, FailsNamingTheRunOfTheVariantThatFails) {
  BotiumFolder folder;
  folder.Write("cinco.utterances.txt", "UTT_CINCO\n5\ndos\ncinco\n");
  folder.Write("gracias.utterances.txt", "UTT_GRACIAS\nmil gracias\ngracias totales\n");
  folder.Write("me.convo.txt",
               "me\n" + AnaStarts() + "#bot\n*\n#me\nUTT_CINCO\n#bot\n¡Muchas gracias por su *\n");
  ReplayResult me = folder.Replay("me.convo.txt");
  EXPECT_FALSE(me.passed);
  EXPECT_EQ(me.runs, 2) << "stops at the first run that fails";
  EXPECT_THAT(me.failure, HasSubstr("run 2 of 3 (UTT_CINCO-L2): " + folder.File("me.convo.txt") +
                                    ":13: the reply does not match"));

  folder.Write("bot.convo.txt", "bot\n" + AnaStarts() + "#bot\n*\n#me\n5\n#bot\nUTT_GRACIAS\n");
  ReplayResult bot = folder.Replay("bot.convo.txt");
  EXPECT_FALSE(bot.passed);
  EXPECT_THAT(bot.failure, HasSubstr("expected: one of the utterance UTT_GRACIAS:\n"
                                     "              mil gracias\n"
                                     "              gracias totales"));
}

// ---- Partial convos: NAME.pconvo.txt, #include and INCLUDE ----

TEST(BotiumPartialConvos, ReadsIncludeBlocksAndIncludeLines) {
  Transcript t = MustParse("n\n#include Saludo\n#include\nUno\nDos\n#me\nhi\nINCLUDE Tres\n");
  ASSERT_EQ(t.blocks.size(), 3u);
  EXPECT_EQ(t.blocks[0].kind, Block::Kind::kInclude);
  EXPECT_EQ(t.blocks[0].includes[0].name, "Saludo");
  ASSERT_EQ(t.blocks[1].includes.size(), 2u);
  EXPECT_EQ(t.blocks[1].includes[1].name, "Dos");
  EXPECT_EQ(t.blocks[1].includes[1].line, 5);
  EXPECT_EQ(t.blocks[2].includes[0].name, "Tres");
  EXPECT_THAT(ParseError("n\n#me\nhi\n#include\n"), HasSubstr("t.convo.txt:4: #include needs"));
  EXPECT_THAT(ParseError("n\n#me\nhi\nINCLUDE a|b\n"), HasSubstr("t.convo.txt:4: INCLUDE needs"));
  Result<Transcript> partial = ParsePartialConvo("p\n#begin\nSTART\n#me\nhi\n", "p.pconvo.txt");
  EXPECT_THAT(partial.status().message(), HasSubstr("p.pconvo.txt:3: a partial convo's #begin"));
  partial = ParsePartialConvo("p\n#me\nhi\n#end\nSTATUS done\n", "p.pconvo.txt");
  EXPECT_THAT(partial.status().message(), HasSubstr("p.pconvo.txt:5: a partial convo's #end"));
}

TEST(BotiumPartialConvos, SplicesThePartialAfterTheBlockThatIncludesIt) {
  ScriptLibrary library = Library(
      {}, {"Login\n#begin\n#bot\nclave\n#me\n1234\n#end\n", "Todo\n#include Login\n#me\nfin\n"});
  Transcript t = MustParse("n\n#me\nhola\nINCLUDE Todo\n#bot\nadiós\n#end\nSTATUS done\n");
  Result<std::vector<TranscriptRun>> runs = ExpandTranscript(t, library, "t.convo.txt");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  const std::vector<Block>& blocks = (*runs)[0].transcript.blocks;
  std::vector<std::string> texts;
  for (const Block& b : blocks) {
    const std::vector<std::string>& lines =
        b.kind == Block::Kind::kMe ? b.me.text_lines : b.bot.text_lines;
    texts.push_back((lines.empty() ? "#end" : lines[0]) + "@" + b.file);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"hola@", "clave@p.pconvo.txt", "1234@p.pconvo.txt",
                                             "fin@p.pconvo.txt", "adiós@", "#end@"}));
  for (const Block& b : blocks) EXPECT_TRUE(b.includes.empty());
}

TEST(BotiumPartialConvos, RejectsAnUnknownOrCircularPartial) {
  ScriptLibrary library = Library({}, {"A\n#include B\n", "B\n#me\nhi\nINCLUDE A\n"});
  Result<std::vector<TranscriptRun>> unknown =
      ExpandTranscript(MustParse("n\n#include C\n"), library, "t.convo.txt");
  EXPECT_THAT(unknown.status().message(), HasSubstr("t.convo.txt:2: no partial convo named 'C'"));
  Result<std::vector<TranscriptRun>> circular =
      ExpandTranscript(MustParse("n\n#include A\n"), library, "t.convo.txt");
  EXPECT_THAT(circular.status().message(),
              HasSubstr("p.pconvo.txt:4: partial convo 'A' includes itself: A -> B -> A"));
}

TEST(BotiumPartialConvos, LoadsTheFolderAndRejectsANameDefinedTwice) {
  BotiumFolder folder;
  folder.Write("a.pconvo.txt", "Saludo\n#bot\nhola*\n");
  folder.Write("a.utterances.txt", "UTT_HOLA\nhola\n");
  testing::TempDir nothing("transcript_botium_empty");
  Result<ScriptLibrary> empty = LoadScriptLibrary(nothing.path());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->utterances.empty() && empty->partials.empty());
  Result<ScriptLibrary> library =
      LoadScriptLibrary(fs::path(folder.File("a.pconvo.txt")).parent_path());
  ASSERT_TRUE(library.ok()) << library.status().ToString();
  EXPECT_EQ(library->partials.count("Saludo"), 1u);
  EXPECT_EQ(library->utterances.count("UTT_HOLA"), 1u);
  folder.Write("b.pconvo.txt", "Saludo\n#bot\nbuenas*\n");
  folder.Write("t.convo.txt", "t\n#me\nhola\n#bot\n*\n");  // any transcript of the folder
  ReplayResult r = folder.Replay("t.convo.txt");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.failure, HasSubstr("b.pconvo.txt:1: partial convo 'Saludo' is already defined in " +
                                   folder.File("a.pconvo.txt")));
}

TEST(BotiumPartialConvos, ReplaysTheIncludedBlocksAndNamesThePartialInAFailure) {
  ReplayResult passes = ReplayTranscript(
      Src("fixtures/transcripts/botium/01_calificacion_alta_en_cada_variante.convo.txt"),
      SourceOptions());
  EXPECT_TRUE(passes.passed) << passes.failure;

  BotiumFolder folder;
  folder.Write("saludo.pconvo.txt", "Saludo\n\n#bot\nHola Pedro*\n");
  folder.Write("i.convo.txt", "incluye\n" + AnaStarts() + "#include Saludo\n");
  ReplayResult r = folder.Replay("i.convo.txt");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.failure,
              HasSubstr(folder.File("saludo.pconvo.txt") + ":4: the reply does not match"));
}

}  // namespace
}  // namespace bot::replay
