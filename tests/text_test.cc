// Tests of the text utilities (bot/text.h): Normalize, SplitForWhatsApp, CodePointCount.
#include "bot/text.h"

#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <string>
#include <vector>

#include "understand/normalize.h"

namespace bot {
namespace {

TEST(Normalize, LowerCasesStripsAccentsAndCollapsesSpaces) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"SÍ Ñandú", "si nandu"},
      {"Sí", "si"},
      {"  hola   mundo  ", "hola mundo"},
      {"BAJA", "baja"},
      {"5", "5"},
      {"", ""},
      {" \t\n ", ""},
      {"línea1\nlínea2", "linea1 linea2"},
      {"Calificación: 4", "calificacion: 4"},
      {"¿Qué tal? ¡Muy bien!", "¿que tal? ¡muy bien!"},
      {"ÁÉÍÓÚÜ áéíóúü", "aeiouu aeiouu"},
      {"e\u0301", "e"},                         // decomposed accent
      {"mañana\u00A0temprano", "manana temprano"},  // no-break space
      {"El consultorio estaba sucio 😞", "el consultorio estaba sucio 😞"},
      {"5️⃣", "5️⃣"},                            // keycap keeps U+FE0F and U+20E3
      {"👍🏽 OK", "👍🏽 ok"},                     // skin tone kept
      {"👨‍👩‍👧", "👨‍👩‍👧"},                        // ZWJ family kept
      {"🇲🇽 México", "🇲🇽 mexico"},
      {"❤️", "❤️"},
      {"ÇA", "ca"},
  };
  for (const Case& c : cases) EXPECT_EQ(Normalize(c.in), c.out) << c.in;
}

TEST(Normalize, IsIdempotent) {
  for (const char* s : {"SÍ Ñandú", "  x  y ", "👍🏽 OK", "Él llegó tarde 😞"}) {
    std::string once = Normalize(s);
    EXPECT_EQ(Normalize(once), once) << s;
  }
}

// Normalize handles ASCII, Latin-1 and emoji without ICU; it must agree with the ICU
// reference on every code point (alone and between letters) and on mixed text. Beyond the
// planes scanned here the fast path defers to ICU anyway.
TEST(Normalize, FastPathAgreesWithIcuOnEveryCodePoint) {
  int mismatches = 0;
  for (UChar32 c = 0; c <= 0xE01FF && mismatches < 10; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    if (c == 0x20000) c = 0xE0000;
    char buf[U8_MAX_LENGTH];
    int32_t len = 0;
    UBool error = false;
    U8_APPEND(buf, len, U8_MAX_LENGTH, c, error);
    ASSERT_FALSE(error);
    std::string cp(buf, static_cast<size_t>(len));
    for (const std::string& text : {"A" + cp + "b", "e" + cp + "\u0301 X"}) {
      std::string fast = Normalize(text);
      std::string icu = understand::NormalizeWithIcu(text);
      if (fast != icu) {
        ++mismatches;
        ADD_FAILURE() << "U+" << std::hex << c << ": '" << fast << "' vs ICU '" << icu << "'";
      }
    }
  }
  for (const char* text : {"SÍ Ñandú 👍🏽", "¿Qué tal? ¡Ça va! «Ø» × ÷ ß", "Ⅻ ΣΑΣ Straße İ", " ok\u00A0 ",
                           "\xff\xfe broken", "a\xc3"}) {
    EXPECT_EQ(Normalize(text), understand::NormalizeWithIcu(text)) << text;
  }
}

TEST(CodePointCount, CountsUtf8CodePoints) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("hola"), 4u);
  EXPECT_EQ(CodePointCount("ñandú"), 5u);
  EXPECT_EQ(CodePointCount("😞"), 1u);
  EXPECT_EQ(CodePointCount("5️⃣"), 3u);
  EXPECT_EQ(CodePointCount("👨‍👩‍👧"), 5u);
  EXPECT_EQ(CodePointCount("e\u0301"), 2u);
}

// Words (whitespace-separated) of `text`, in order.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!current.empty()) words.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Every part fits, none is empty, and no word is lost, reordered or (unless longer than the
// limit) cut.
void ExpectGoodSplit(const std::string& text, size_t max, const std::vector<std::string>& parts) {
  SCOPED_TRACE("split of \"" + text.substr(0, 60) + "\" at " + std::to_string(max));
  std::string joined;
  for (const std::string& p : parts) {
    EXPECT_FALSE(p.empty());
    EXPECT_LE(CodePointCount(p), max) << p;
    joined += (joined.empty() ? "" : " ") + p;
  }
  EXPECT_EQ(Words(joined), Words(text));
}

TEST(SplitForWhatsApp, KeepsShortTextInOnePart) {
  EXPECT_EQ(SplitForWhatsApp("Hola Ana 👋", 1600), std::vector<std::string>{"Hola Ana 👋"});
  EXPECT_EQ(SplitForWhatsApp("abc", 3), std::vector<std::string>{"abc"});
  EXPECT_TRUE(SplitForWhatsApp("", 1600).empty());
  EXPECT_TRUE(SplitForWhatsApp("   \n ", 1600).empty());
}

TEST(SplitForWhatsApp, BreaksAtSpacesWithinTheLimit) {
  struct Case {
    std::string text;
    size_t max;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"uno dos tres cuatro", 8, {"uno dos", "tres", "cuatro"}},
      {"uno dos tres cuatro", 7, {"uno dos", "tres", "cuatro"}},
      {"uno dos tres cuatro", 12, {"uno dos tres", "cuatro"}},
      {"hola   mundo", 6, {"hola", "mundo"}},
      {"ñandú ñandú ñandú", 11, {"ñandú ñandú", "ñandú"}},
      {"😞 😞 😞 😞", 3, {"😞 😞", "😞 😞"}},
      {"línea uno\nlínea dos", 10, {"línea uno", "línea dos"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> parts = SplitForWhatsApp(c.text, c.max);
    EXPECT_EQ(parts, c.parts) << c.text;
    ExpectGoodSplit(c.text, c.max, parts);
  }
}

TEST(SplitForWhatsApp, SplitsLongMessagesAt1600CodePoints) {
  std::string text = Repeat("La atención fue excelente, gracias doctora 👩‍⚕️. ", 100);
  std::vector<std::string> parts = SplitForWhatsApp(text);
  ASSERT_GE(parts.size(), 2u);
  ExpectGoodSplit(text, 1600, parts);
  // Greedy: every part but the last is close to the limit.
  for (size_t i = 0; i + 1 < parts.size(); ++i) EXPECT_GT(CodePointCount(parts[i]), 1500u);
}

TEST(SplitForWhatsApp, NeverCutsInsideAGraphemeCluster) {
  const std::string family = "👨‍👩‍👧";  // 5 code points
  const std::string flag = "🇲🇽";     // 2 code points
  const std::string accent = "e\u0301";  // 2 code points
  struct Case {
    std::string text;
    size_t max;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {Repeat(family, 3), 10, {family + family, family}},
      {Repeat(family, 3), 7, {family, family, family}},
      {Repeat(flag, 3), 3, {flag, flag, flag}},
      {Repeat(accent, 5), 3, {accent, accent, accent, accent, accent}},
      {Repeat(accent, 5), 4, {accent + accent, accent + accent, accent}},
      {"ab" + accent + "cd", 3, {"ab", accent + "c", "d"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> parts = SplitForWhatsApp(c.text, c.max);
    EXPECT_EQ(parts, c.parts) << c.text;
    std::string joined;
    for (const std::string& p : parts) joined += p;
    EXPECT_EQ(joined, c.text);
  }
}

TEST(SplitForWhatsApp, HardSplitsOnlyAWordLongerThanTheLimit) {
  std::string word = Repeat("a", 25);
  std::vector<std::string> parts = SplitForWhatsApp("hola " + word + " adios", 10);
  EXPECT_EQ(parts, (std::vector<std::string>{"hola", Repeat("a", 10), Repeat("a", 10),
                                             Repeat("a", 5), "adios"}));
}

TEST(SplitForWhatsApp, PrefersAWordBoundaryToAHardCut) {
  // No space within the limit, but a word boundary at the comma.
  std::vector<std::string> parts = SplitForWhatsApp("hola,mundo", 7);
  EXPECT_EQ(parts, (std::vector<std::string>{"hola,", "mundo"}));
}

TEST(SplitForWhatsApp, GivesAnOverLongGraphemeItsOwnPart) {
  // A five-code-point family emoji cannot fit in 3; it is kept whole rather than torn.
  std::vector<std::string> parts = SplitForWhatsApp("ab 👨‍👩‍👧 cd", 3);
  EXPECT_EQ(parts, (std::vector<std::string>{"ab", "👨‍👩‍👧", "cd"}));
}

}  // namespace
}  // namespace bot
