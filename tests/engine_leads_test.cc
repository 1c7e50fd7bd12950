// lead_qualification in the engine: questions answered from the offers catalogue in the middle
// of the qualification (facts, an LLM answer checked against them, or "I don't know"), the
// budget's bounds, the score and its events.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/providers.h"
#include "bot/sqlite_knowledge.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/fake_providers.h"
#include "bot/testing/memory_store.h"
#include "bot/understand.h"
#include "engine/offers_text.h"
#include "support/temp_dir.h"

namespace bot {
namespace {

constexpr const char* kChannel = "whatsapp:+14155238886";
constexpr const char* kLead = "whatsapp:+5215512345678";

constexpr const char* kOffers =
    "id,title,operation,zone,type,price,currency,bedrooms,features,description,link\n"
    "P1,Departamento en Polanco con terraza,venta,Polanco,departamento,4500000,MXN,2,"
    "cochera para 2 autos;elevador;terraza,Piso 8 con vista al parque,https://ej.mx/p1\n"
    "C1,Loft en Condesa,renta,Condesa,departamento,18500,MXN,1,"
    "acepta mascotas;amueblado,A una calle del parque México,https://ej.mx/c1\n"
    "R1,Casa en Roma Norte,venta,Roma Norte,casa,7800000,MXN,3,"
    "jardín;cochera;roof garden,Casa porfiriana remodelada,https://ej.mx/r1\n";

class EngineLeadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    dialogs_ = *loaded;
    const std::string csv = dir_.path() + "/offers.csv";
    std::ofstream(csv) << kOffers;
    auto kb = SqliteKnowledgeBase::Open(":memory:");
    ASSERT_TRUE(kb.ok()) << kb.status().ToString();
    kb_ = std::move(*kb);
    auto report = kb_->ImportOffers(kChannel, csv);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].reason;
    store_ = testing::NewMemoryStore();
  }

  void MakeBot(LlmProvider* llm = nullptr, std::vector<std::string> events = {"*"}) {
    BotOptions options;
    options.event_types = std::move(events);
    bot_ = std::make_unique<Bot>(dialogs_, store_.get(), &clock_, options);
    BotProviders providers;
    providers.llm = llm;
    providers.knowledge = kb_.get();
    bot_->SetProviders(providers);
  }

  TurnResult Send(const std::string& text) {
    InboundMessage m;
    m.channel = kChannel;
    m.from = kLead;
    m.provider_id = "SM" + std::to_string(++n_);
    m.text = text;
    m.dialog_id = "lead_qualification";
    m.received_at = clock_.Now();
    Result<TurnResult> r = bot_->Handle(m);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    clock_.Advance(std::chrono::seconds(30));
    return r.ok() ? *r : TurnResult{};
  }

  std::string Joined(const TurnResult& r) {
    std::string out;
    for (const std::string& reply : r.replies) out += reply + "\n";
    return out;
  }

  std::shared_ptr<const DialogSet> dialogs_;
  testing::TempDir dir_;
  std::unique_ptr<SqliteKnowledgeBase> kb_;
  std::unique_ptr<Store> store_;
  testing::FakeClock clock_;
  std::unique_ptr<Bot> bot_;
  int n_ = 0;
};

TEST_F(EngineLeadsTest, AQuestionInTheMiddleIsAnsweredWithTheOffersFactsThenTheQuestionAgain) {
  MakeBot();
  Send("Hola");
  Send("Me llamo Ana López");
  TurnResult r = Send("¿tienen algo con cochera en Polanco?");
  const std::string said = Joined(r);
  EXPECT_NE(said.find("Departamento en Polanco con terraza"), std::string::npos) << said;
  EXPECT_NE(said.find("cochera para 2 autos"), std::string::npos) << said;
  EXPECT_NE(said.find("$4,500,000 MXN"), std::string::npos) << said;
  // Then the question it was asking, and the state does not move or count an attempt.
  EXPECT_NE(said.find("¿Buscas *comprar* o *rentar*?"), std::string::npos) << said;
  ASSERT_TRUE(r.session);
  EXPECT_EQ(r.session->state, "ask_operation");
  EXPECT_EQ(r.session->attempts, 0);
}

TEST_F(EngineLeadsTest, AQuestionTheCatalogueCannotAnswerGetsIDontKnowAndTheAdvisor) {
  MakeBot();
  Send("Hola");
  Send("Ana");
  TurnResult r = Send("¿aceptan pagos con criptomonedas?");
  const std::string said = Joined(r);
  EXPECT_NE(said.find("No tengo ese dato"), std::string::npos) << said;
  EXPECT_NE(said.find("*asesor*"), std::string::npos) << said;
  EXPECT_EQ(said.find("$"), std::string::npos) << "no price may appear: " << said;
}

TEST_F(EngineLeadsTest, TheLlmAnswerIsUsedOnlyWhenItsNumbersAreInTheOffers) {
  testing::FakeLlmProvider llm;
  MakeBot(&llm);
  Send("Hola");
  Send("Ana");
  llm.EnqueueText(R"({"answer":"Sí: el Loft en Condesa acepta mascotas y cuesta $18,500 al mes.",)"
                  R"("supported":true,"offer_ids":"C1"})");
  std::string said = Joined(Send("¿aceptan mascotas?"));
  EXPECT_NE(said.find("el Loft en Condesa acepta mascotas y cuesta $18,500 al mes."),
            std::string::npos)
      << said;

  // An invented price: the engine says the offers' own facts instead.
  llm.EnqueueText(R"({"answer":"Sí, el Loft en Condesa cuesta $9,900 al mes.","supported":true,)"
                  R"("offer_ids":"C1"})");
  said = Joined(Send("¿cuánto cuesta el loft de la condesa?"));
  EXPECT_EQ(said.find("9,900"), std::string::npos) << said;
  EXPECT_NE(said.find("Esto encontré en nuestras propiedades:"), std::string::npos) << said;
  EXPECT_NE(said.find("$18,500 MXN al mes"), std::string::npos) << said;

  // The LLM says the offers do not answer it: "I don't know".
  llm.EnqueueText(R"({"answer":"","supported":false,"offer_ids":""})");
  said = Joined(Send("¿el loft tiene cochera?"));
  EXPECT_NE(said.find("No tengo ese dato"), std::string::npos) << said;
}

TEST_F(EngineLeadsTest, AHotLeadIsScoredRecordedAndQualified) {
  MakeBot();
  Send("Hola");
  Send("Ana López");
  Send("comprar");
  Send("depa");
  Send("polnco");  // a typo of a catalogue zone
  TurnResult r = Send("entre 4 y 5 millones");
  ASSERT_TRUE(r.session);
  EXPECT_EQ(r.session->slots["zone"].text(), "Polanco");
  EXPECT_EQ(r.session->slots["budget_min"], Value::Money(400000000));
  EXPECT_EQ(r.session->slots["budget_max"], Value::Money(500000000));
  EXPECT_EQ(r.session->slots["budget_currency"].text(), "MXN");
  Send("2");
  Send("ya");
  Send("de contado");
  r = Send("ana@example.com");
  ASSERT_TRUE(r.session);
  EXPECT_EQ(r.session->state, "hot_close");
  EXPECT_EQ(r.session->status, SessionStatus::kDone);
  // 30 now + 25 cash + 10 budget + 10 zone + 5 bedrooms + 5 e-mail.
  EXPECT_EQ(r.session->slots["score"], Value::Int(85));
  EXPECT_EQ(r.session->slots["lead_status"].text(), "hot");

  auto contact = store_->FindContact(kChannel, kLead);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  auto records = store_->ListRecords((*contact)->id);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].record.kind, "lead");
  EXPECT_EQ((*records)[0].record.fields.at("score"), "85");
  EXPECT_NE((*records)[0].record.fields.at("score_rules").find("paga de contado (+25)"),
            std::string::npos);
}

TEST_F(EngineLeadsTest, ALowLeadIsKeptAsLowPriority) {
  MakeBot();
  for (const char* text : {"Hola", "Beto", "rentar", "departamento", "cualquiera",
                           "hasta 12 mil al mes", "1", "solo estoy viendo", "no"}) {
    Send(text);
  }
  auto contact = store_->FindContact(kChannel, kLead);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  auto session = store_->LatestSession((*contact)->id);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->state, "low_close");
  // 20 rent + 10 budget + 5 bedrooms - 10 browsing; "cualquiera" is no zone.
  EXPECT_EQ((*session)->slots["score"], Value::Int(25));
  EXPECT_EQ((*session)->slots["lead_status"].text(), "low_priority");
  EXPECT_EQ((*session)->slots["budget_period"].text(), "month");
}

TEST(IsQuestion, QuestionsAndAnswers) {
  for (const char* q : {"¿tiene cochera?", "tiene cochera", "Cuanto es el mantenimiento",
                        "hay algo mas barato en polanco", "aceptan mascotas?",
                        "Hola, tienen departamentos en la Condesa", "buenas tardes cuánto cuesta",
                        "sigue disponible el depa?", "que incluye el precio", "y la cochera?"}) {
    EXPECT_TRUE(IsQuestion(q)) << q;
  }
  for (const char* a : {"que sea en Polanco", "como 2 millones", "comprar", "Ana López",
                        "entre 1.5 y 2 millones", "ya", "de contado", "solo estoy viendo", ""}) {
    EXPECT_FALSE(IsQuestion(a)) << a;
  }
}

TEST(OffersText, AnAnswersNumbersMustBeInTheOffers) {
  const std::string context =
      "[id P1] Departamento. Precio: $4,500,000 MXN. Recámaras: 2. Características: cochera "
      "para 2 autos; mantenimiento $3,200 al mes.";
  EXPECT_TRUE(
      engine::NumbersAreGrounded("Cuesta $4,500,000 y tiene cochera para 2 autos.", context));
  EXPECT_TRUE(engine::NumbersAreGrounded("Cuesta 4.5 millones.", context));
  EXPECT_TRUE(engine::NumbersAreGrounded("El mantenimiento es de $3,200 al mes.", context));
  EXPECT_TRUE(engine::NumbersAreGrounded("Sí, tiene cochera.", context));
  EXPECT_FALSE(engine::NumbersAreGrounded("Cuesta $4,200,000.", context));
  EXPECT_FALSE(engine::NumbersAreGrounded("El mantenimiento es de $2,500.", context));
  EXPECT_FALSE(engine::NumbersAreGrounded("Tiene 3 recámaras.", context));
}

TEST(OffersText, PricesAreWrittenPerCurrencyAndOperation) {
  Offer sale;
  sale.price_cents = 245000000;
  EXPECT_EQ(engine::FormatOfferPrice(sale), "$2,450,000 MXN");
  Offer rent;
  rent.operation = "renta";
  rent.price_cents = 1850050;
  EXPECT_EQ(engine::FormatOfferPrice(rent), "$18,500.50 MXN al mes");
  Offer dollars;
  dollars.currency = "USD";
  dollars.price_cents = 18000000;
  EXPECT_EQ(engine::FormatOfferPrice(dollars), "US$180,000");
}

}  // namespace
}  // namespace bot
