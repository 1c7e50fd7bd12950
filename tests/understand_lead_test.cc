// The lead parsers: budgets (amounts and ranges, currencies, per month), timing and choices.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "bot/understand.h"

namespace bot {
namespace {

using namespace std::chrono;

struct BudgetCase {
  const char* text;
  const char* expected;  // FormatBudget, or "" = not sure
};

TEST(ParseBudget, AmountsRangesCurrenciesAndPeriods) {
  const BudgetCase cases[] = {
      {"2 millones", "MXN 2000000-2000000"},
      {"entre 1.5 y 2 millones", "MXN 1500000-2000000"},
      {"entre 1,5 y 2 millones", "MXN 1500000-2000000"},
      {"1,5 millones", "MXN 1500000-1500000"},
      {"de 2 a 1.5 millones", "MXN 1500000-2000000"},
      {"USD 150 mil", "USD 150000-150000"},
      {"150k dólares", "USD 150000-150000"},
      {"150k dolares", "USD 150000-150000"},
      {"hasta 12 mil al mes", "MXN 0-12000/mes"},
      {"unos 15 mil mensuales", "MXN 15000-15000/mes"},
      {"de 8 a 10 mil", "MXN 8000-10000"},
      {"8-10 mil de renta", "MXN 8000-10000/mes"},
      {"$2,500,000", "MXN 2500000-2500000"},
      {"2.500.000 pesos", "MXN 2500000-2500000"},
      {"menos de 3 millones", "MXN 0-3000000"},
      {"más de 3 millones", "MXN 3000000-0"},
      {"mas de 3 millones", "MXN 3000000-0"},
      {"desde 900 mil", "MXN 900000-0"},
      {"máximo 4 millones", "MXN 0-4000000"},
      {"alrededor de 2 millones", "MXN 2000000-2000000"},
      {"como 2 melones", "MXN 2000000-2000000"},
      {"1.5M", "MXN 1500000-1500000"},
      {"1.5 m", "MXN 1500000-1500000"},
      {"3 mdp", "MXN 3000000-3000000"},
      {"un millón y medio", "MXN 1500000-1500000"},
      {"millon y medio", "MXN 1500000-1500000"},
      {"2 millones y medio", "MXN 2500000-2500000"},
      {"dos millones", "MXN 2000000-2000000"},
      {"tres millones de pesos", "MXN 3000000-3000000"},
      {"entre 800 mil y 1.2 millones", "MXN 800000-1200000"},
      {"tengo 2 millones más o menos", "MXN 2000000-2000000"},
      {"15000 al mes", "MXN 15000-15000/mes"},
      {"20 mil pesos mensuales", "MXN 20000-20000/mes"},
      {"US$180,000", "USD 180000-180000"},
      {"200 mil dlls", "USD 200000-200000"},
      {"hasta 250k usd", "USD 0-250000"},
      {"mi presupuesto es de 3.2 millones", "MXN 3200000-3200000"},
      {"2 o 3 millones", "MXN 2000000-3000000"},
      {"barato", ""},
      {"no sé", ""},
      {"3", ""},
      {"mil", ""},
      {"", ""},
      {"2 millones y 3 recámaras", ""},
      {"-2 millones", ""},
  };
  for (const BudgetCase& c : cases) {
    ParseResult r = ParseBudget(c.text);
    if (std::string(c.expected).empty()) {
      EXPECT_FALSE(r.ok) << c.text << " -> " << r.value.text();
    } else {
      EXPECT_TRUE(r.ok) << c.text << ": " << r.reason;
      EXPECT_EQ(r.value.text(), c.expected) << c.text;
    }
  }
}

TEST(ParseBudget, TheDefaultCurrencyAppliesWhenNoneIsSaid) {
  EXPECT_EQ(ParseBudget("200 mil", "USD").value.text(), "USD 200000-200000");
  EXPECT_EQ(ParseBudget("200 mil pesos", "USD").value.text(), "MXN 200000-200000");
}

TEST(ParseBudget, TheCanonicalTextReadsBack) {
  for (const char* text : {"MXN 1500000-2000000", "MXN 0-12000/mes", "USD 150000-150000",
                           "MXN 1500.50-1500.50", "MXN 3000000-0"}) {
    Budget b;
    ASSERT_TRUE(ParseBudgetText(text, &b)) << text;
    EXPECT_EQ(FormatBudget(b), text);
  }
  Budget b;
  EXPECT_FALSE(ParseBudgetText("MXN 15-", &b));
  EXPECT_FALSE(ParseBudgetText("nada", &b));
}

TEST(ParseTiming, Categories) {
  const year_month_day today{year{2026}, month{3}, day{10}};
  const std::pair<const char*, const char*> cases[] = {
      {"ya", "now"},
      {"lo antes posible", "now"},
      {"Urgente!!", "now"},
      {"este mes", "now"},
      {"en unos días", "now"},
      {"en 2 meses", "3m"},
      {"en 3 meses", "3m"},
      {"dentro de tres meses", "3m"},
      {"en un par de meses", "3m"},
      {"en 6 meses", "6m"},
      {"en unos meses", "6m"},
      {"en medio año", "6m"},
      {"para mayo", "3m"},
      {"en agosto", "6m"},
      {"el año que viene", "12m"},
      {"el próximo año", "12m"},
      {"en un año", "12m"},
      {"a fin de año", "12m"},
      {"el mes que viene", "now"},
      {"en 2 años", "later"},
      {"solo estoy viendo", "browsing"},
      {"nomás viendo", "browsing"},
      {"todavía no sé", "browsing"},
      {"solo cotizando", "browsing"},
  };
  for (const auto& [text, expected] : cases) {
    ParseResult r = ParseTiming(text, today);
    EXPECT_TRUE(r.ok) << text << ": " << r.reason;
    EXPECT_EQ(r.value.text(), expected) << text;
  }
  for (const char* text : {"", "depende", "la casa azul"}) {
    EXPECT_FALSE(ParseTiming(text, today).ok) << text;
  }
}

TEST(ParseChoice, WordsPluralsTyposPhrasesAndAmbiguity) {
  const std::vector<Choice> financing = {
      {"contado", {"efectivo", "de contado", "recursos propios"}},
      {"credito_hipotecario", {"credito", "hipoteca", "banco", "crédito hipotecario"}},
      {"infonavit", {"fovissste", "crédito infonavit"}},
      {"necesita_vender", {"necesito vender", "vender mi casa"}},
  };
  const std::pair<const char*, const char*> cases[] = {
      {"de contado", "contado"},
      {"Efectivo 💵", "contado"},
      {"con crédito del banco", "credito_hipotecario"},
      {"hipoteca", "credito_hipotecario"},
      {"crédito Infonavit", "infonavit"},
      {"infonabit", "infonavit"},
      {"FOVISSSTE", "infonavit"},
      {"necesito vender mi casa primero", "necesita_vender"},
      {"credito hipotecario", "credito_hipotecario"},
  };
  for (const auto& [text, expected] : cases) {
    ParseResult r = ParseChoice(text, financing);
    EXPECT_TRUE(r.ok) << text << ": " << r.reason;
    EXPECT_EQ(r.value.text(), expected) << text;
  }
  EXPECT_EQ(ParseChoice("contado o crédito", financing).reason, "ambiguous");
  EXPECT_EQ(ParseChoice("no sé", financing).reason, "not_an_option");

  const std::vector<Choice> zones = {{"Polanco", {}},
                                     {"Roma Norte", {"la roma"}},
                                     {"Santa Fe", {}},
                                     {"Del Valle", {}},
                                     {"Condesa", {}}};
  const std::pair<const char*, const char*> zone_cases[] = {
      {"Polnco", "Polanco"},        {"en polanco porfa", "Polanco"}, {"la Roma", "Roma Norte"},
      {"roma norte", "Roma Norte"}, {"roma", "Roma Norte"},          {"santa fe", "Santa Fe"},
      {"del valle", "Del Valle"},   {"CONDESA", "Condesa"},          {"la condesa", "Condesa"},
  };
  for (const auto& [text, expected] : zone_cases) {
    ParseResult r = ParseChoice(text, zones);
    EXPECT_TRUE(r.ok) << text << ": " << r.reason;
    EXPECT_EQ(r.value.text(), expected) << text;
  }
  EXPECT_FALSE(ParseChoice("Tlalpan", zones).ok);

  const std::vector<Choice> operation = {{"venta", {"comprar", "compra"}},
                                         {"renta", {"rentar", "alquilar"}}};
  EXPECT_EQ(ParseChoice("quiero comprar", operation).value.text(), "venta");
  EXPECT_EQ(ParseChoice("busco rentar un depa", operation).value.text(), "renta");
  EXPECT_EQ(ParseChoice("comprar o rentar", operation).reason, "ambiguous");
}

}  // namespace
}  // namespace bot
