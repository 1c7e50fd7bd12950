// Value's canonical text and the JSON the store keeps slots and variables in.
#include "bot/value.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bot {
namespace {

// Each map survives ToJson then FromJson unchanged.
template <typename Map>
void ExpectRoundTrips(const std::vector<Map>& cases, std::string (*to_json)(const Map&),
                      bool (*from_json)(const std::string&, Map*)) {
  for (const Map& map : cases) {
    const std::string json = to_json(map);
    Map back;
    ASSERT_TRUE(from_json(json, &back)) << json;
    EXPECT_EQ(back, map) << json;
  }
}

TEST(ValueToString, GivesTheCanonicalTextOfEachKind) {
  struct Case {
    Value value;
    std::string text;
  };
  const std::vector<Case> cases = {
      {Value(), ""},
      {Value::Bool(true), "true"},
      {Value::Bool(false), "false"},
      {Value::Int(42), "42"},
      {Value::Int(-7), "-7"},
      {Value::Money(500000), "5000.00"},
      {Value::Money(350050), "3500.50"},
      {Value::Money(5), "0.05"},
      {Value::Money(0), "0.00"},
      {Value::Money(-1250), "-12.50"},
      {Value::Money(INT64_MIN), "-92233720368547758.08"},
      {Value::Text("muy bien 👍"), "muy bien 👍"},
  };
  for (const Case& c : cases) EXPECT_EQ(c.value.ToString(), c.text);
}

TEST(SlotsToJson, WritesEachKindAndOmitsUnsetSlots) {
  const SlotMap slots = {{"amount", Value::Money(500000)},
                         {"feedback", Value::Text("la espera")},
                         {"missing", Value()},
                         {"ok", Value::Bool(true)},
                         {"rating", Value::Int(5)}};
  EXPECT_EQ(SlotsToJson(slots),
            R"({"amount":{"centavos":500000},"feedback":"la espera","ok":true,"rating":5})");
  EXPECT_EQ(SlotsToJson({}), "{}");
}

TEST(SlotsToJson, EscapesQuotesBackslashesAndControlCharactersButNotUtf8) {
  const SlotMap slots = {{"t", Value::Text("dijo \"hola\"\\\n\t\r\b\f\x01 ñ 😀")}};
  EXPECT_EQ(SlotsToJson(slots), R"({"t":"dijo \"hola\"\\\n\t\r\b\f\u0001 ñ 😀"})");
}

TEST(SlotsJson, RoundTripsEveryKind) {
  const std::vector<SlotMap> cases = {
      {},
      {{"rating", Value::Int(4)}},
      {{"big", Value::Int(INT64_MAX)}, {"small", Value::Int(INT64_MIN)}},
      {{"yes", Value::Bool(true)}, {"no", Value::Bool(false)}},
      {{"amount", Value::Money(1250050)}, {"debt", Value::Money(-99)}},
      {{"feedback", Value::Text("el doctor llegó tarde 😡🙏🏽 — “muy” mal")}},
      {{"quoted \"key\"", Value::Text("line1\nline2\ttab \\ back \x1f")}},
      {{"empty", Value::Text("")}},
      {{"ñandú", Value::Text("👨‍👩‍👧‍👦 familia")}},
  };
  ExpectRoundTrips(cases, &SlotsToJson, &SlotsFromJson);
}

TEST(SlotsFromJson, ReadsEscapesWrittenByOtherTools) {
  SlotMap slots;
  ASSERT_TRUE(SlotsFromJson(R"({"t":"caf\u00e9 \ud83d\ude00 \/","n":null})", &slots));
  ASSERT_EQ(slots.size(), 1u);  // null = unset
  EXPECT_EQ(slots["t"], Value::Text("café 😀 /"));
}

TEST(SlotsFromJson, RejectsWhatIsNotASlotObjectAndKeepsTheOutput) {
  const std::vector<std::string> bad = {
      "",
      "[]",
      "\"text\"",
      "{",
      R"({"a":1.5})",
      R"({"a":[1]})",
      R"({"a":{}})",
      R"({"a":{"centavos":"5"}})",
      R"({"a":tru})",
      R"({"a":99999999999999999999})",
  };
  for (const std::string& json : bad) {
    SlotMap slots = {{"kept", Value::Int(1)}};
    EXPECT_FALSE(SlotsFromJson(json, &slots)) << json;
    EXPECT_EQ(slots, (SlotMap{{"kept", Value::Int(1)}})) << json;
  }
}

TEST(VarsJson, RoundTripsStringsWithEscapesAndEmoji) {
  const std::vector<VarMap> cases = {
      {},
      {{"name", "María José"}, {"doctor", "Dra. Pérez"}},
      {{"review_link", "https://g.page/r/abc?x=1&y=\"2\""}},
      {{"multi", "línea 1\nlínea 2\r\n\ttab"}, {"emoji", "⭐⭐⭐⭐⭐ 5️⃣"}},
      {{"", "empty key"}, {"ctl", std::string("a\0b", 3)}},
  };
  ExpectRoundTrips(cases, &VarsToJson, &VarsFromJson);
}

TEST(VarsToJson, WritesAnObjectOfStringsInKeyOrder) {
  EXPECT_EQ(VarsToJson({{"name", "Ana"}, {"doctor", "Dr. \"Luis\""}}),
            R"({"doctor":"Dr. \"Luis\"","name":"Ana"})");
}

TEST(VarsFromJson, RejectsNonStringValues) {
  const std::vector<std::string> bad = {R"({"a":1})", R"({"a":null})", R"({"a":{"b":"c"}})",
                                        "[\"a\"]", "nope"};
  for (const std::string& json : bad) {
    VarMap vars;
    EXPECT_FALSE(VarsFromJson(json, &vars)) << json;
  }
}

}  // namespace
}  // namespace bot
