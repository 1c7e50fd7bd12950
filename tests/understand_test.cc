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

// What a parser should make of one answer: a value when sure, else the reason it gives.
struct Expect {
  bool ok = false;
  Value value;
  std::string reason;
};
Expect Is(Value v) { return {true, std::move(v), ""}; }
Expect Int(int64_t i) { return Is(Value::Int(i)); }
Expect Money(int64_t centavos) { return Is(Value::Money(centavos)); }
Expect Bool(bool b) { return Is(Value::Bool(b)); }
Expect Text(std::string t) { return Is(Value::Text(std::move(t))); }
Expect No(std::string reason) { return {false, Value(), std::move(reason)}; }

struct Case {
  std::string text;
  Expect expect;
};

void ExpectParse(const char* parser, const std::string& text, const Expect& e,
                 const ParseResult& r) {
  SCOPED_TRACE(std::string(parser) + "(\"" + text + "\")");
  ASSERT_EQ(r.ok, e.ok) << "reason: " << r.reason << ", value: " << r.value.as_int() << " "
                        << r.value.text();
  if (e.ok) {
    EXPECT_EQ(r.value.kind(), e.value.kind());
    EXPECT_EQ(r.value.as_int(), e.value.as_int());
    EXPECT_EQ(r.value.text(), e.value.text());
  } else {
    EXPECT_EQ(r.reason, e.reason);
  }
}

TEST(ParseRating, UnderstandsOneToFiveAndRefusesWhatIsNotSure) {
  const std::vector<Case> cases = {
      {"5", Int(5)},
      {"1", Int(1)},
      {" 5 ", Int(5)},
      {"5!", Int(5)},
      {"5.", Int(5)},
      {"Cuatro", Int(4)},
      {"cinco", Int(5)},
      {"CINCO!!!", Int(5)},
      {"sinco", Int(5)},
      {"uno", Int(1)},
      {"tres 😐", Int(3)},
      {"5️⃣", Int(5)},
      {"5\u20E3", Int(5)},
      {"Le pongo 4️⃣", Int(4)},
      {"⭐⭐⭐⭐", Int(4)},
      {"⭐⭐⭐⭐⭐", Int(5)},
      {"★★★", Int(3)},
      {"⭐", Int(1)},
      {"5 ⭐", Int(5)},
      {"⭐⭐⭐⭐⭐ 5", Int(5)},
      {"4 de 5", Int(4)},
      {"5/5", Int(5)},
      {"4/5", Int(4)},
      {"3 estrellas de 5", Int(3)},
      {"le doy un 4", Int(4)},
      {"un 5", Int(5)},
      {"una estrella", Int(1)},
      {"cinco estrellas", Int(5)},
      {"calificación: 4", Int(4)},
      {"Le doy 5, muy buena atención", Int(5)},
      {"5 5 5", Int(5)},
      {"cinco, 5", Int(5)},
      {"4.0", Int(4)},
      {"entre 3 y 4", No("ambiguous")},
      {"3 o 4", No("ambiguous")},
      {"3-4", No("ambiguous")},
      {"⭐⭐⭐ 5", No("ambiguous")},
      {"10", No("out_of_range")},
      {"0", No("out_of_range")},
      {"cero", No("out_of_range")},
      {"-3", No("out_of_range")},
      {"mil", No("out_of_range")},
      {"99999999999999999999999", No("out_of_range")},
      {"4.5", No("not_integer")},
      {"4,5", No("not_integer")},
      {"excelente", No("not_a_number")},
      {"hola?", No("not_a_number")},
      {"no sé", No("not_a_number")},
      {"una", Int(1)},
      {"", No("empty")},
      {"   ", No("empty")},
  };
  for (const Case& c : cases) ExpectParse("ParseRating", c.text, c.expect, ParseRating(c.text));
}

TEST(ParseRating, UsesTheCallersRange) {
  ExpectParse("ParseRating 0-10", "10", Int(10), ParseRating("10", 0, 10));
  ExpectParse("ParseRating 0-10", "0", Int(0), ParseRating("0", 0, 10));
  ExpectParse("ParseRating 0-10", "8 de 10", Int(8), ParseRating("8 de 10", 0, 10));
  ExpectParse("ParseRating 0-10", "once", No("out_of_range"), ParseRating("once", 0, 10));
  ExpectParse("ParseRating 1-100", "treinta y dos", Int(32), ParseRating("treinta y dos", 1, 100));
}

TEST(IsChangeRequest, NeedsAChangeVerbAndOneOfTheWords) {
  const std::vector<std::string> amount = {"monto", "cantidad"};
  struct Case {
    const char* text;
    bool expect;
  };
  const Case cases[] = {
      {"quiero cambiar el monto", true},
      {"Mejor otra cantidad", true},
      {"me equivoqué en el monto", true},
      {"CAMBIAR MONTO", true},
      {"los montos cambian?", false},  // no change verb of the list
      {"el monto está bien", false},
      {"quiero cambiar el plazo", false},
      {"", false},
      {"perdón es que la verdad no sé bien cómo decirlo pero creo que mejor quisiera poder "
       "cambiar el monto que puse antes", false},  // too long to be a command
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsChangeRequest(c.text, amount), c.expect) << c.text;
  }
}

TEST(ParseYesNo, UnderstandsClearAnswersAndRefusesHedges) {
  const std::vector<Case> cases = {
      {"sí", Bool(true)},
      {"si", Bool(true)},
      {"SI", Bool(true)},
      {"Sí claro", Bool(true)},
      {"claro", Bool(true)},
      {"claro que sí", Bool(true)},
      {"va", Bool(true)},
      {"dale", Bool(true)},
      {"sí autorizo", Bool(true)},
      {"Autorizo", Bool(true)},
      {"ándale", Bool(true)},
      {"me late", Bool(true)},
      {"no autorizo", Bool(false)},
      {"no acepto", Bool(false)},
      {"ok", Bool(true)},
      {"okey", Bool(true)},
      {"OK!", Bool(true)},
      {"de acuerdo", Bool(true)},
      {"acepto", Bool(true)},
      {"por supuesto", Bool(true)},
      {"sí, gracias", Bool(true)},
      {"Sí, me interesa", Bool(true)},
      {"👍", Bool(true)},
      {"👍🏽", Bool(true)},
      {"👍🏻👍🏻", Bool(true)},
      {"simón", Bool(true)},
      {"no", Bool(false)},
      {"NO", Bool(false)},
      {"nel", Bool(false)},
      {"nop", Bool(false)},
      {"no gracias", Bool(false)},
      {"No, gracias.", Bool(false)},
      {"para nada", Bool(false)},
      {"claro que no", Bool(false)},
      {"👎", Bool(false)},
      {"👎🏿", Bool(false)},
      {"No, ya no me interesa", Bool(false)},
      {"sí pero no", No("unsure")},
      {"no sé", No("unsure")},
      {"tal vez", No("unsure")},
      {"quizás", No("unsure")},
      {"a lo mejor", No("unsure")},
      {"si no", No("ambiguous")},
      {"👍 no", No("ambiguous")},
      {"hola", No("not_yes_no")},
      {"5", No("not_yes_no")},
      {"si me llamas mañana te digo", No("not_yes_no")},
      {"", No("empty")},
  };
  for (const Case& c : cases) ExpectParse("ParseYesNo", c.text, c.expect, ParseYesNo(c.text));
}

TEST(ParseAmount, ReadsPesosAsExactCentavos) {
  const std::vector<Case> cases = {
      {"5 mil", Money(500000)},
      {"5mil", Money(500000)},
      {"$5,000.00", Money(500000)},
      {"$5,000", Money(500000)},
      {"5000", Money(500000)},
      {"5,000 pesos", Money(500000)},
      {"cinco mil pesos", Money(500000)},
      {"tres mil quinientos", Money(350000)},
      {"dos mil quinientos", Money(250000)},
      {"12.500", Money(1250000)},
      {"12,500.50", Money(1250050)},
      {"$1,234.5", Money(123450)},
      {"1.234,50", Money(123450)},
      {"$1,000,000", Money(100000000)},
      {"1.5 mil", Money(150000)},
      {"1,5 mil", Money(150000)},
      {"mil quinientos", Money(150000)},
      {"mil", Money(100000)},
      {"diez mil", Money(1000000)},
      {"dies mil", Money(1000000)},
      {"cien", Money(10000)},
      {"ciento cincuenta", Money(15000)},
      {"quinientos pesos", Money(50000)},
      {"veinticinco mil", Money(2500000)},
      {"cuarenta y cinco mil", Money(4500000)},
      {"un millón", Money(100000000)},
      {"5 mil 500", Money(550000)},
      {"5k", Money(500000)},
      {"Necesito $3,500 para el viernes", Money(350000)},
      {"99.99", Money(9999)},
      {"un peso", Money(100)},
      {"cero", Money(0)},
      {"entre 3 y 5 mil", No("ambiguous")},
      {"3 o 4 mil", No("ambiguous")},
      {"-500", No("negative")},
      {"menos 500", No("negative")},
      {"no sé", No("not_a_number")},
      {"mucho dinero", No("not_a_number")},
      {"1,000.125", No("not_centavos")},
      {"99999999999999999999999", No("out_of_range")},
      {"", No("empty")},
  };
  for (const Case& c : cases) ExpectParse("ParseAmount", c.text, c.expect, ParseAmount(c.text));
}

TEST(ParseTermDays, ConvertsSpanishDurationsToDays) {
  const std::vector<Case> cases = {
      {"una quincena", Int(15)},
      {"a la quincena", Int(15)},
      {"quincena", Int(15)},
      {"2 quincenas", Int(30)},
      {"dos quincenas", Int(30)},
      {"2 semanas", Int(14)},
      {"una semana", Int(7)},
      {"Una Semana", Int(7)},
      {"un mes", Int(30)},
      {"al mes", Int(30)},
      {"3 meses", Int(90)},
      {"tres meses", Int(90)},
      {"medio mes", Int(15)},
      {"mes y medio", Int(45)},
      {"una semana y media", No("not_integer")},
      {"30", Int(30)},
      {"30 días", Int(30)},
      {"30 dias", Int(30)},
      {"treinta dias", Int(30)},
      {"treinta días", Int(30)},
      {"14 dias", Int(14)},
      {"catorce días", Int(14)},
      {"45 días", Int(45)},
      {"un año", Int(365)},
      {"1 dia", Int(1)},
      {"en 2 semanas", Int(14)},
      {"a 30 días por favor", Int(30)},
      {"2 semanas (14 días)", Int(14)},
      {"pronto", No("not_a_number")},
      {"cuando pueda", No("not_a_number")},
      {"semanas", No("ambiguous")},
      {"2 semanas o un mes", No("ambiguous")},
      {"entre 15 y 30 días", No("ambiguous")},
      {"0 días", No("out_of_range")},
      {"-5", No("out_of_range")},
      {"1.5", No("not_integer")},
      {"", No("empty")},
  };
  for (const Case& c : cases) {
    ExpectParse("ParseTermDays", c.text, c.expect, ParseTermDays(c.text));
  }
}

TEST(ParsePhone, FormatsValidNumbersAsE164) {
  struct PhoneCase {
    Case c;
    std::string region;
  };
  const std::vector<PhoneCase> cases = {
      {{"55 1234 5678", Text("+525512345678")}, "MX"},
      {{"5512345678", Text("+525512345678")}, "MX"},
      {{"(55) 1234-5678", Text("+525512345678")}, "MX"},
      {{"55.1234.5678", Text("+525512345678")}, "MX"},
      {{"+52 55 1234 5678", Text("+525512345678")}, "MX"},
      {{"mi cel es 55 1234 5678", Text("+525512345678")}, "MX"},
      {{" +593 98 765 4321 ", Text("+593987654321")}, "MX"},
      {{"0987654321", Text("+593987654321")}, "EC"},
      {{"098 765 4321", Text("+593987654321")}, "EC"},
      {{"+1 650 253 0000", Text("+16502530000")}, "MX"},
      {{"12345", No("invalid")}, "MX"},
      {{"55 1234 5678 o 55 8765 4321", No("ambiguous")}, "MX"},
      {{"no tengo", No("not_a_phone")}, "MX"},
      {{"", No("empty")}, "MX"},
  };
  for (const PhoneCase& p : cases) {
    ExpectParse("ParsePhone", p.c.text, p.c.expect, ParsePhone(p.c.text, p.region));
  }
}

TEST(ParseEmail, TrimsAndLowerCasesTheDomain) {
  const std::vector<Case> cases = {
      {"juan.perez@Gmail.com", Text("juan.perez@gmail.com")},
      {"  ana@hotmail.com  ", Text("ana@hotmail.com")},
      {"Ana.Lopez@EMPRESA.COM.MX", Text("Ana.Lopez@empresa.com.mx")},
      {"mi correo es pepe+citas@yahoo.com.", Text("pepe+citas@yahoo.com")},
      {"<maria_g@outlook.es>", Text("maria_g@outlook.es")},
      {"juan.perez@gmail", No("invalid")},
      {"juan@.com", No("invalid")},
      {"@gmail.com", No("invalid")},
      {"juan..perez@gmail.com", No("invalid")},
      {"juan perez gmail.com", No("not_an_email")},
      {"a@b.com o c@d.com", No("ambiguous")},
      {"", No("empty")},
  };
  for (const Case& c : cases) ExpectParse("ParseEmail", c.text, c.expect, ParseEmail(c.text));
}

TEST(ParseDate, ReadsDayFirstDatesAndRelativeDays) {
  const year_month_day today{std::chrono::year{2026}, std::chrono::month{3}, std::chrono::day{30}};
  const std::vector<Case> cases = {
      {"15/12/2026", Text("2026-12-15")},
      {"15-12-2026", Text("2026-12-15")},
      {"15.12.2026", Text("2026-12-15")},
      {"2026-12-15", Text("2026-12-15")},
      {"5/1/27", Text("2027-01-05")},
      {"15/12", Text("2026-12-15")},
      {"15 de diciembre", Text("2026-12-15")},
      {"15 de diciembre de 2026", Text("2026-12-15")},
      {"el 15 de Diciembre del 2027", Text("2027-12-15")},
      {"quince de dic", Text("2026-12-15")},
      {"1 de septiembre", Text("2026-09-01")},
      {"hoy", Text("2026-03-30")},
      {"mañana", Text("2026-03-31")},
      {"manana", Text("2026-03-31")},
      {"pasado mañana", Text("2026-04-01")},
      {"mañana en la mañana", Text("2026-03-31")},
      {"31/02/2026", No("invalid_date")},
      {"32 de enero", No("invalid_date")},
      {"hoy o mañana", No("ambiguous")},
      {"15/12/2026 o 16/12/2026", No("ambiguous")},
      {"cuando pueda", No("not_a_date")},
      {"", No("empty")},
  };
  for (const Case& c : cases) ExpectParse("ParseDate", c.text, c.expect, ParseDate(c.text, today));
}

TEST(ParseDate, RollsOverMonthAndYearEnds) {
  const year_month_day new_years_eve{std::chrono::year{2026}, std::chrono::month{12},
                                     std::chrono::day{31}};
  ExpectParse("ParseDate", "mañana", Text("2027-01-01"), ParseDate("mañana", new_years_eve));
  ExpectParse("ParseDate", "pasado mañana", Text("2027-01-02"), ParseDate("pasado mañana", new_years_eve));
  const year_month_day leap{std::chrono::year{2028}, std::chrono::month{2}, std::chrono::day{28}};
  ExpectParse("ParseDate", "mañana", Text("2028-02-29"), ParseDate("mañana", leap));
  ExpectParse("ParseDate", "29/02", Text("2028-02-29"), ParseDate("29/02", leap));
}

TEST(ParseFreeText, AcceptsAnythingNonEmptyTrimmed) {
  const std::vector<Case> cases = {
      {"  La espera fue larga  ", Text("La espera fue larga")},
      {"😞", Text("😞")},
      {"\u00A0ok\u00A0", Text("ok")},
      {"\n\t ", No("empty")},
      {"", No("empty")},
  };
  for (const Case& c : cases) {
    ExpectParse("ParseFreeText", c.text, c.expect, ParseFreeText(c.text));
  }
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
