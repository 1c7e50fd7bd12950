// Table-driven tests of the deterministic parsers (bot/understand.h) and of
// `botrunner parse`. Each table row is one WhatsApp answer and what the parser should make
// of it; rows with ok == false name the reason the parser gives for not being sure.
#include "bot/understand.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "understand/numbers.h"
#include "understand/tokens.h"

namespace bot {
namespace {

using std::chrono::year_month_day;

// One row: input, then either the expected value or the reason for not being sure.
struct IntCase {
  std::string text;
  bool ok;
  int64_t value;       // when ok
  std::string reason;  // when !ok
};

void ExpectInt(const char* parser, const IntCase& c, const ParseResult& r) {
  SCOPED_TRACE(std::string(parser) + "(\"" + c.text + "\")");
  ASSERT_EQ(r.ok, c.ok) << "reason: " << r.reason;
  if (c.ok) {
    EXPECT_EQ(r.value.kind(), Value::Kind::kInt);
    EXPECT_EQ(r.value.as_int(), c.value);
  } else {
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(ParseRating, UnderstandsOneToFiveAndRefusesWhatIsNotSure) {
  const std::vector<IntCase> cases = {
      {"5", true, 5, ""},
      {"1", true, 1, ""},
      {" 5 ", true, 5, ""},
      {"5!", true, 5, ""},
      {"5.", true, 5, ""},
      {"Cuatro", true, 4, ""},
      {"cinco", true, 5, ""},
      {"CINCO!!!", true, 5, ""},
      {"sinco", true, 5, ""},
      {"uno", true, 1, ""},
      {"tres 😐", true, 3, ""},
      {"5️⃣", true, 5, ""},
      {"5\u20E3", true, 5, ""},
      {"Le pongo 4️⃣", true, 4, ""},
      {"⭐⭐⭐⭐", true, 4, ""},
      {"⭐⭐⭐⭐⭐", true, 5, ""},
      {"★★★", true, 3, ""},
      {"⭐", true, 1, ""},
      {"5 ⭐", true, 5, ""},
      {"⭐⭐⭐⭐⭐ 5", true, 5, ""},
      {"4 de 5", true, 4, ""},
      {"5/5", true, 5, ""},
      {"4/5", true, 4, ""},
      {"3 estrellas de 5", true, 3, ""},
      {"le doy un 4", true, 4, ""},
      {"un 5", true, 5, ""},
      {"una estrella", true, 1, ""},
      {"cinco estrellas", true, 5, ""},
      {"calificación: 4", true, 4, ""},
      {"Le doy 5, muy buena atención", true, 5, ""},
      {"5 5 5", true, 5, ""},
      {"cinco, 5", true, 5, ""},
      {"4.0", true, 4, ""},
      {"entre 3 y 4", false, 0, "ambiguous"},
      {"3 o 4", false, 0, "ambiguous"},
      {"3-4", false, 0, "ambiguous"},
      {"⭐⭐⭐ 5", false, 0, "ambiguous"},
      {"10", false, 0, "out_of_range"},
      {"0", false, 0, "out_of_range"},
      {"cero", false, 0, "out_of_range"},
      {"-3", false, 0, "out_of_range"},
      {"mil", false, 0, "out_of_range"},
      {"99999999999999999999999", false, 0, "out_of_range"},
      {"4.5", false, 0, "not_integer"},
      {"4,5", false, 0, "not_integer"},
      {"excelente", false, 0, "not_a_number"},
      {"hola?", false, 0, "not_a_number"},
      {"no sé", false, 0, "not_a_number"},
      {"una", true, 1, ""},
      {"", false, 0, "empty"},
      {"   ", false, 0, "empty"},
  };
  for (const IntCase& c : cases) ExpectInt("ParseRating", c, ParseRating(c.text));
}

TEST(ParseRating, UsesTheCallersRange) {
  ExpectInt("ParseRating 0-10", {"10", true, 10, ""}, ParseRating("10", 0, 10));
  ExpectInt("ParseRating 0-10", {"0", true, 0, ""}, ParseRating("0", 0, 10));
  ExpectInt("ParseRating 0-10", {"8 de 10", true, 8, ""}, ParseRating("8 de 10", 0, 10));
  ExpectInt("ParseRating 0-10", {"once", false, 0, "out_of_range"}, ParseRating("once", 0, 10));
  ExpectInt("ParseRating 1-100", {"treinta y dos", true, 32, ""},
            ParseRating("treinta y dos", 1, 100));
}

struct BoolCase {
  std::string text;
  bool ok;
  bool value;
  std::string reason;
};

TEST(ParseYesNo, UnderstandsClearAnswersAndRefusesHedges) {
  const std::vector<BoolCase> cases = {
      {"sí", true, true, ""},
      {"si", true, true, ""},
      {"SI", true, true, ""},
      {"Sí claro", true, true, ""},
      {"claro", true, true, ""},
      {"claro que sí", true, true, ""},
      {"va", true, true, ""},
      {"dale", true, true, ""},
      {"ok", true, true, ""},
      {"okey", true, true, ""},
      {"OK!", true, true, ""},
      {"de acuerdo", true, true, ""},
      {"acepto", true, true, ""},
      {"por supuesto", true, true, ""},
      {"sí, gracias", true, true, ""},
      {"Sí, me interesa", true, true, ""},
      {"👍", true, true, ""},
      {"👍🏽", true, true, ""},
      {"👍🏻👍🏻", true, true, ""},
      {"simón", true, true, ""},
      {"no", true, false, ""},
      {"NO", true, false, ""},
      {"nel", true, false, ""},
      {"nop", true, false, ""},
      {"no gracias", true, false, ""},
      {"No, gracias.", true, false, ""},
      {"para nada", true, false, ""},
      {"claro que no", true, false, ""},
      {"👎", true, false, ""},
      {"👎🏿", true, false, ""},
      {"No, ya no me interesa", true, false, ""},
      {"sí pero no", false, false, "unsure"},
      {"no sé", false, false, "unsure"},
      {"tal vez", false, false, "unsure"},
      {"quizás", false, false, "unsure"},
      {"a lo mejor", false, false, "unsure"},
      {"si no", false, false, "ambiguous"},
      {"👍 no", false, false, "ambiguous"},
      {"hola", false, false, "not_yes_no"},
      {"5", false, false, "not_yes_no"},
      {"si me llamas mañana te digo", false, false, "not_yes_no"},
      {"", false, false, "empty"},
  };
  for (const BoolCase& c : cases) {
    SCOPED_TRACE("ParseYesNo(\"" + c.text + "\")");
    ParseResult r = ParseYesNo(c.text);
    ASSERT_EQ(r.ok, c.ok) << "reason: " << r.reason;
    if (c.ok) {
      EXPECT_EQ(r.value.kind(), Value::Kind::kBool);
      EXPECT_EQ(r.value.as_bool(), c.value);
    } else {
      EXPECT_EQ(r.reason, c.reason);
    }
  }
}

TEST(ParseAmount, ReadsPesosAsExactCentavos) {
  const std::vector<IntCase> cases = {
      {"5 mil", true, 500000, ""},
      {"5mil", true, 500000, ""},
      {"$5,000.00", true, 500000, ""},
      {"$5,000", true, 500000, ""},
      {"5000", true, 500000, ""},
      {"5,000 pesos", true, 500000, ""},
      {"cinco mil pesos", true, 500000, ""},
      {"tres mil quinientos", true, 350000, ""},
      {"dos mil quinientos", true, 250000, ""},
      {"12.500", true, 1250000, ""},
      {"12,500.50", true, 1250050, ""},
      {"$1,234.5", true, 123450, ""},
      {"1.234,50", true, 123450, ""},
      {"$1,000,000", true, 100000000, ""},
      {"1.5 mil", true, 150000, ""},
      {"1,5 mil", true, 150000, ""},
      {"mil quinientos", true, 150000, ""},
      {"mil", true, 100000, ""},
      {"diez mil", true, 1000000, ""},
      {"dies mil", true, 1000000, ""},
      {"cien", true, 10000, ""},
      {"ciento cincuenta", true, 15000, ""},
      {"quinientos pesos", true, 50000, ""},
      {"veinticinco mil", true, 2500000, ""},
      {"cuarenta y cinco mil", true, 4500000, ""},
      {"un millón", true, 100000000, ""},
      {"5 mil 500", true, 550000, ""},
      {"5k", true, 500000, ""},
      {"Necesito $3,500 para el viernes", true, 350000, ""},
      {"99.99", true, 9999, ""},
      {"un peso", true, 100, ""},
      {"cero", true, 0, ""},
      {"entre 3 y 5 mil", false, 0, "ambiguous"},
      {"3 o 4 mil", false, 0, "ambiguous"},
      {"-500", false, 0, "negative"},
      {"menos 500", false, 0, "negative"},
      {"no sé", false, 0, "not_a_number"},
      {"mucho dinero", false, 0, "not_a_number"},
      {"1,000.125", false, 0, "not_centavos"},
      {"99999999999999999999999", false, 0, "out_of_range"},
      {"", false, 0, "empty"},
  };
  for (const IntCase& c : cases) {
    SCOPED_TRACE("ParseAmount(\"" + c.text + "\")");
    ParseResult r = ParseAmount(c.text);
    ASSERT_EQ(r.ok, c.ok) << "reason: " << r.reason;
    if (c.ok) {
      EXPECT_EQ(r.value.kind(), Value::Kind::kMoney);
      EXPECT_EQ(r.value.centavos(), c.value);
    } else {
      EXPECT_EQ(r.reason, c.reason);
    }
  }
}

TEST(ParseTermDays, ConvertsSpanishDurationsToDays) {
  const std::vector<IntCase> cases = {
      {"una quincena", true, 15, ""},
      {"a la quincena", true, 15, ""},
      {"quincena", true, 15, ""},
      {"2 quincenas", true, 30, ""},
      {"dos quincenas", true, 30, ""},
      {"2 semanas", true, 14, ""},
      {"una semana", true, 7, ""},
      {"Una Semana", true, 7, ""},
      {"un mes", true, 30, ""},
      {"al mes", true, 30, ""},
      {"3 meses", true, 90, ""},
      {"tres meses", true, 90, ""},
      {"medio mes", true, 15, ""},
      {"mes y medio", true, 45, ""},
      {"una semana y media", false, 0, "not_integer"},
      {"30", true, 30, ""},
      {"30 días", true, 30, ""},
      {"30 dias", true, 30, ""},
      {"treinta dias", true, 30, ""},
      {"treinta días", true, 30, ""},
      {"14 dias", true, 14, ""},
      {"catorce días", true, 14, ""},
      {"45 días", true, 45, ""},
      {"un año", true, 365, ""},
      {"1 dia", true, 1, ""},
      {"en 2 semanas", true, 14, ""},
      {"a 30 días por favor", true, 30, ""},
      {"2 semanas (14 días)", true, 14, ""},
      {"pronto", false, 0, "not_a_number"},
      {"cuando pueda", false, 0, "not_a_number"},
      {"semanas", false, 0, "ambiguous"},
      {"2 semanas o un mes", false, 0, "ambiguous"},
      {"entre 15 y 30 días", false, 0, "ambiguous"},
      {"0 días", false, 0, "out_of_range"},
      {"-5", false, 0, "out_of_range"},
      {"1.5", false, 0, "not_integer"},
      {"", false, 0, "empty"},
  };
  for (const IntCase& c : cases) ExpectInt("ParseTermDays", c, ParseTermDays(c.text));
}

struct TextCase {
  std::string text;
  bool ok;
  std::string value;   // when ok
  std::string reason;  // when !ok
};

void ExpectText(const char* parser, const TextCase& c, const ParseResult& r) {
  SCOPED_TRACE(std::string(parser) + "(\"" + c.text + "\")");
  ASSERT_EQ(r.ok, c.ok) << "reason: " << r.reason << " value: " << r.value.text();
  if (c.ok) {
    EXPECT_EQ(r.value.kind(), Value::Kind::kText);
    EXPECT_EQ(r.value.text(), c.value);
  } else {
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(ParsePhone, FormatsValidNumbersAsE164) {
  struct PhoneCase {
    TextCase c;
    std::string region;
  };
  const std::vector<PhoneCase> cases = {
      {{"55 1234 5678", true, "+525512345678", ""}, "MX"},
      {{"5512345678", true, "+525512345678", ""}, "MX"},
      {{"(55) 1234-5678", true, "+525512345678", ""}, "MX"},
      {{"55.1234.5678", true, "+525512345678", ""}, "MX"},
      {{"+52 55 1234 5678", true, "+525512345678", ""}, "MX"},
      {{"mi cel es 55 1234 5678", true, "+525512345678", ""}, "MX"},
      {{" +593 98 765 4321 ", true, "+593987654321", ""}, "MX"},
      {{"0987654321", true, "+593987654321", ""}, "EC"},
      {{"098 765 4321", true, "+593987654321", ""}, "EC"},
      {{"+1 650 253 0000", true, "+16502530000", ""}, "MX"},
      {{"12345", false, "", "invalid"}, "MX"},
      {{"55 1234 5678 o 55 8765 4321", false, "", "ambiguous"}, "MX"},
      {{"no tengo", false, "", "not_a_phone"}, "MX"},
      {{"", false, "", "empty"}, "MX"},
  };
  for (const PhoneCase& p : cases) ExpectText("ParsePhone", p.c, ParsePhone(p.c.text, p.region));
}

TEST(ParseEmail, TrimsAndLowerCasesTheDomain) {
  const std::vector<TextCase> cases = {
      {"juan.perez@Gmail.com", true, "juan.perez@gmail.com", ""},
      {"  ana@hotmail.com  ", true, "ana@hotmail.com", ""},
      {"Ana.Lopez@EMPRESA.COM.MX", true, "Ana.Lopez@empresa.com.mx", ""},
      {"mi correo es pepe+citas@yahoo.com.", true, "pepe+citas@yahoo.com", ""},
      {"<maria_g@outlook.es>", true, "maria_g@outlook.es", ""},
      {"juan.perez@gmail", false, "", "invalid"},
      {"juan@.com", false, "", "invalid"},
      {"@gmail.com", false, "", "invalid"},
      {"juan..perez@gmail.com", false, "", "invalid"},
      {"juan perez gmail.com", false, "", "not_an_email"},
      {"a@b.com o c@d.com", false, "", "ambiguous"},
      {"", false, "", "empty"},
  };
  for (const TextCase& c : cases) ExpectText("ParseEmail", c, ParseEmail(c.text));
}

TEST(ParseDate, ReadsDayFirstDatesAndRelativeDays) {
  const year_month_day today{std::chrono::year{2026}, std::chrono::month{3}, std::chrono::day{30}};
  const std::vector<TextCase> cases = {
      {"15/12/2026", true, "2026-12-15", ""},
      {"15-12-2026", true, "2026-12-15", ""},
      {"15.12.2026", true, "2026-12-15", ""},
      {"2026-12-15", true, "2026-12-15", ""},
      {"5/1/27", true, "2027-01-05", ""},
      {"15/12", true, "2026-12-15", ""},
      {"15 de diciembre", true, "2026-12-15", ""},
      {"15 de diciembre de 2026", true, "2026-12-15", ""},
      {"el 15 de Diciembre del 2027", true, "2027-12-15", ""},
      {"quince de dic", true, "2026-12-15", ""},
      {"1 de septiembre", true, "2026-09-01", ""},
      {"hoy", true, "2026-03-30", ""},
      {"mañana", true, "2026-03-31", ""},
      {"manana", true, "2026-03-31", ""},
      {"pasado mañana", true, "2026-04-01", ""},
      {"mañana en la mañana", true, "2026-03-31", ""},
      {"31/02/2026", false, "", "invalid_date"},
      {"32 de enero", false, "", "invalid_date"},
      {"hoy o mañana", false, "", "ambiguous"},
      {"15/12/2026 o 16/12/2026", false, "", "ambiguous"},
      {"cuando pueda", false, "", "not_a_date"},
      {"", false, "", "empty"},
  };
  for (const TextCase& c : cases) ExpectText("ParseDate", c, ParseDate(c.text, today));
}

TEST(ParseDate, RollsOverMonthAndYearEnds) {
  const year_month_day new_years_eve{std::chrono::year{2026}, std::chrono::month{12},
                                     std::chrono::day{31}};
  ExpectText("ParseDate", {"mañana", true, "2027-01-01", ""}, ParseDate("mañana", new_years_eve));
  ExpectText("ParseDate", {"pasado mañana", true, "2027-01-02", ""},
             ParseDate("pasado mañana", new_years_eve));
  const year_month_day leap{std::chrono::year{2028}, std::chrono::month{2}, std::chrono::day{28}};
  ExpectText("ParseDate", {"mañana", true, "2028-02-29", ""}, ParseDate("mañana", leap));
  ExpectText("ParseDate", {"29/02", true, "2028-02-29", ""}, ParseDate("29/02", leap));
}

TEST(ParseFreeText, AcceptsAnythingNonEmptyTrimmed) {
  const std::vector<TextCase> cases = {
      {"  La espera fue larga  ", true, "La espera fue larga", ""},
      {"😞", true, "😞", ""},
      {"\u00A0ok\u00A0", true, "ok", ""},
      {"\n\t ", false, "", "empty"},
      {"", false, "", "empty"},
  };
  for (const TextCase& c : cases) ExpectText("ParseFreeText", c, ParseFreeText(c.text));
}

TEST(DetectIntent, FindsGlobalIntentsConservatively) {
  struct IntentCase {
    std::string text;
    Intent intent;
  };
  const std::vector<IntentCase> cases = {
      {"BAJA", Intent::kOptOut},
      {"baja", Intent::kOptOut},
      {"BAJA.", Intent::kOptOut},
      {"Stop!", Intent::kOptOut},
      {"STOP", Intent::kOptOut},
      {"ya no me escriban", Intent::kOptOut},
      {"Por favor ya no me escriban!!", Intent::kOptOut},
      {"No quiero recibir más mensajes", Intent::kOptOut},
      {"no me manden mas mensajes", Intent::kOptOut},
      {"cancelar suscripción", Intent::kOptOut},
      {"ALTA", Intent::kOptIn},
      {"start", Intent::kOptIn},
      {"asesor", Intent::kHuman},
      {"Asesor 🙏", Intent::kHuman},
      {"Quiero hablar con una persona", Intent::kHuman},
      {"puedo hablar con un humano?", Intent::kHuman},
      {"comuníqueme con un agente", Intent::kHuman},
      {"una persona real por favor", Intent::kHuman},
      {"ayuda", Intent::kHelp},
      {"ayuda?", Intent::kHelp},
      {"¿Ayuda?", Intent::kHelp},
      {"help", Intent::kHelp},
      {"menú", Intent::kHelp},
      {"empezar de nuevo", Intent::kRestart},
      {"reiniciar", Intent::kRestart},
      {"quiero volver a empezar", Intent::kRestart},
      {"La espera fue demasiado larga, casi una hora.", Intent::kNone},
      {"La recepcionista no fue amable conmigo.", Intent::kNone},
      {"No me explicaron bien el tratamiento & los costos <urgente>", Intent::kNone},
      {"El consultorio estaba sucio 😞", Intent::kNone},
      {"Me cobraron de más en la factura; quisiera que me llamen al 099 123 4567.", Intent::kNone},
      {"El doctor llegó tarde y la atención fue muy rápida, sentí que no me escuchó.",
       Intent::kNone},
      {"no sé", Intent::kNone},
      {"hola?", Intent::kNone},
      {"Hola", Intent::kNone},
      {"5", Intent::kNone},
      {"me dieron de baja la cita", Intent::kNone},
      {"la ayuda fue poca", Intent::kNone},
      {"bajaron el precio", Intent::kNone},
      {"stopped", Intent::kNone},
      {"", Intent::kNone},
  };
  for (const IntentCase& c : cases) {
    EXPECT_EQ(IntentName(DetectIntent(c.text)), std::string(IntentName(c.intent))) << c.text;
  }
}

TEST(IntentName, NamesEveryIntent) {
  EXPECT_STREQ(IntentName(Intent::kNone), "none");
  EXPECT_STREQ(IntentName(Intent::kOptOut), "optout");
  EXPECT_STREQ(IntentName(Intent::kOptIn), "optin");
  EXPECT_STREQ(IntentName(Intent::kHuman), "human");
  EXPECT_STREQ(IntentName(Intent::kHelp), "help");
  EXPECT_STREQ(IntentName(Intent::kRestart), "restart");
}

TEST(NumberWords, ReadsSpanishNumbersUpToAMillion) {
  struct WordsCase {
    std::string text;
    int64_t value;
  };
  const std::vector<WordsCase> cases = {
      {"cero", 0},         {"uno", 1},           {"cinco", 5},        {"dies", 10},
      {"quince", 15},      {"dieciseis", 16},    {"veinte", 20},      {"veintiuno", 21},
      {"veintidos", 22},   {"treinta y dos", 32}, {"noventa y nueve", 99}, {"cien", 100},
      {"ciento uno", 101}, {"ciento veinte", 120}, {"doscientos", 200}, {"quinientos", 500},
      {"novecientos noventa y nueve", 999}, {"mil", 1000},     {"mil uno", 1001},
      {"dos mil quinientos", 2500}, {"cien mil", 100000},
      {"novecientos noventa y nueve mil novecientos noventa y nueve", 999999},
  };
  for (const WordsCase& c : cases) {
    std::string text = c.text;
    std::vector<understand::Token> tokens = understand::Tokenize(text);
    understand::Number n;
    ASSERT_TRUE(understand::ReadNumber(tokens, 0, &n)) << c.text;
    EXPECT_EQ(n.end, tokens.size()) << c.text;
    EXPECT_EQ(n.milli, c.value * understand::kMilli) << c.text;
  }
}

TEST(NumberWords, KeepsSeparateNumbersApart) {
  for (const char* text : {"dos tres", "cinco 5", "treinta quince", "cien cinco", "mil mil"}) {
    std::string s = text;
    std::vector<understand::Token> tokens = understand::Tokenize(s);
    understand::Number n;
    ASSERT_TRUE(understand::ReadNumber(tokens, 0, &n)) << text;
    EXPECT_LT(n.end, tokens.size()) << text;
  }
}

TEST(NumberWords, LooksUpSingleWordsIncludingMisspellings) {
  EXPECT_EQ(understand::NumberWordValue("sinco"), 5);
  EXPECT_EQ(understand::NumberWordValue("dies"), 10);
  EXPECT_EQ(understand::NumberWordValue("veintidos"), 22);
  EXPECT_EQ(understand::NumberWordValue("seis"), 6);
  EXPECT_EQ(understand::NumberWordValue("quinientos"), 500);
  EXPECT_EQ(understand::NumberWordValue("hola"), -1);
}

// `botrunner parse`, run in-process: stdout and the exit code.
struct CliRun {
  int exit_code = 0;
  std::string out;
};

CliRun RunParse(std::vector<std::string> args) {
  CLI::App app;
  app.require_subcommand(1);
  CliRun run;
  runner::AddParseCommand(app, &run.exit_code);
  args.insert(args.begin(), "parse");
  std::vector<const char*> argv = {"botrunner"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  testing::internal::CaptureStdout();
  try {
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  } catch (const CLI::ParseError& e) {
    run.exit_code = e.get_exit_code() == 0 ? 1 : e.get_exit_code();
  }
  run.out = testing::internal::GetCapturedStdout();
  return run;
}

TEST(ParseCommand, PrintsOneJsonObjectPerType) {
  struct CliCase {
    std::vector<std::string> args;
    std::string out;
  };
  const std::vector<CliCase> cases = {
      {{"rating", "4", "--json"}, "{\"type\":\"rating\",\"ok\":true,\"value\":4}\n"},
      {{"rating", "10", "--json"}, "{\"type\":\"rating\",\"ok\":false,\"reason\":\"out_of_range\"}\n"},
      {{"rating", "le", "doy", "un", "4", "--json"}, "{\"type\":\"rating\",\"ok\":true,\"value\":4}\n"},
      {{"yesno", "sí claro", "--json"}, "{\"type\":\"yesno\",\"ok\":true,\"value\":true}\n"},
      {{"yesno", "nel", "--json"}, "{\"type\":\"yesno\",\"ok\":true,\"value\":false}\n"},
      {{"amount", "5 mil", "--json"},
       "{\"type\":\"amount\",\"ok\":true,\"value\":5000.00,\"centavos\":500000}\n"},
      {{"amount", "$1,234.5", "--json"},
       "{\"type\":\"amount\",\"ok\":true,\"value\":1234.50,\"centavos\":123450}\n"},
      {{"term", "una quincena", "--json"}, "{\"type\":\"term\",\"ok\":true,\"value\":15}\n"},
      {{"phone", "55 1234 5678", "--json"},
       "{\"type\":\"phone\",\"ok\":true,\"value\":\"+525512345678\"}\n"},
      {{"phone", "0987654321", "--region", "EC", "--json"},
       "{\"type\":\"phone\",\"ok\":true,\"value\":\"+593987654321\"}\n"},
      {{"email", "juan.perez@Gmail.com", "--json"},
       "{\"type\":\"email\",\"ok\":true,\"value\":\"juan.perez@gmail.com\"}\n"},
      {{"date", "mañana", "--today", "2026-12-31", "--json"},
       "{\"type\":\"date\",\"ok\":true,\"value\":\"2027-01-01\"}\n"},
      {{"intent", "BAJA", "--json"}, "{\"type\":\"intent\",\"ok\":true,\"value\":\"optout\"}\n"},
      {{"intent", "Hola", "--json"}, "{\"type\":\"intent\",\"ok\":false,\"reason\":\"none\"}\n"},
      {{"rating", "4"}, "rating: 4\n"},
      {{"rating", "10"}, "rating: not sure (out_of_range)\n"},
      {{"amount", "5000"}, "amount: 5000.00\n"},
      {{"intent", "asesor"}, "intent: human\n"},
      {{"intent", "hola"}, "intent: none\n"},
  };
  for (const CliCase& c : cases) {
    CliRun run = RunParse(c.args);
    EXPECT_EQ(run.exit_code, 0) << c.args[1];
    EXPECT_EQ(run.out, c.out) << c.args[1];
  }
}

TEST(ParseCommand, DateDefaultsToTheSystemClock) {
  CliRun run = RunParse({"date", "hoy", "--json"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("{\"type\":\"date\",\"ok\":true,\"value\":\"20", 0), 0u) << run.out;
}

TEST(ParseCommand, RejectsBadUsageWithNonZeroExit) {
  EXPECT_NE(RunParse({"colour", "rojo"}).exit_code, 0);
  EXPECT_NE(RunParse({"rating"}).exit_code, 0);
  EXPECT_NE(RunParse({"date", "hoy", "--today", "ayer"}).exit_code, 0);
}

}  // namespace
}  // namespace bot
