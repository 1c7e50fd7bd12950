// A whole credit_application through botrunner: signed webhooks on 127.0.0.1, the INE photo and
// the proof of address downloaded from the fake Twilio's media endpoint, vision OCR on a fake
// OpenAI-compatible server, the fake bureau over HTTP, BOT_DATA_KEYS sealing its report. The
// config is YAML, as an operator writes it; the checks read the store and the database file.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bot/credit.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "support/fake_bureau.h"
#include "support/fake_llm_server.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"

namespace runner {
namespace {

using bot::testing::FakeBureau;
using bot::testing::FakeLlmServer;
using bot::testing::FakeTwilio;
using bot::testing::OcrField;
using bot::testing::ReadWholeFile;
using bot::testing::RunnerHarness;

constexpr const char* kAna = "whatsapp:+5215512345601";
constexpr const char* kChat = "/v1/chat/completions";
constexpr const char* kCurp = "LOHA900512MDFPRN08";
// 32 bytes 0x00..0x1f, base64: the data key "k1".
constexpr const char* kDataKeys = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string Media(const std::string& name) {
  return ReadWholeFile(std::string(BOT_SOURCE_DIR) + "/fixtures/transcripts/credit_application/" +
                       "media/" + name);
}

// One reply, starting with `prefix`.
void ExpectReply(const std::vector<std::string>& replies, const std::string& prefix) {
  ASSERT_EQ(replies.size(), 1u) << (replies.empty() ? "no reply" : replies.back());
  EXPECT_TRUE(StartsWith(replies[0], prefix)) << replies[0];
}

// Run once with the replies in the webhook's TwiML answer, once sent through Twilio's REST API
// (the bureau check's follow-up turn must reach the user either way).
class RunnerCreditTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    rest_ = std::string(GetParam()) == "rest";
    // Tuesday 2026-03-10 10:15 in Mexico City: the INE is valid, the bill is 23 days old.
    clock_.Set(bot::FromUnixMillis(1773159300000));
    bureau_.SetScore(kCurp, 712);
    std::string yaml =
        h_.BaseYaml(twilio_, "credit_application", "{}", GetParam()) +
        "providers:\n"
        "  llm: {base_url: \"" +
        llm_.base_url() +
        "\", model: gpt-4o-mini, api_key_env: OPENAI_API_KEY}\n"
        "  ocr: {kind: vision, base_url: \"" +
        vision_.base_url() +
        "\", model: gpt-4o-mini, api_key_env: OPENAI_API_KEY}\n"
        "  bureau: {url: \"" +
        bureau_.url() +
        "\", api_key_env: BUREAU_API_KEY, timeout_ms: 5000}\n"
        "  prices: {gpt-4o-mini: {input_per_mtok: \"0.15\", output_per_mtok: \"0.60\"}}\n"
        "  retry: {base_delay_ms: 5, max_delay_ms: 20}\n";
    EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "OPENAI_API_KEY") return std::string(FakeLlmServer::kApiKey);
      if (name == "BUREAU_API_KEY") return std::string(FakeBureau::kApiKey);
      if (name == "BOT_DATA_KEYS") return std::string(kDataKeys);
      return std::nullopt;
    };
    ASSERT_TRUE(h_.Start(yaml, env, &clock_));
  }

  // Sends what `send` sends and returns the `expected` replies: from the TwiML answer, or in rest
  // mode the messages the server then posted to the fake Twilio.
  std::vector<std::string> Replies(const std::function<std::vector<std::string>()>& send,
                                   size_t expected) {
    if (!rest_) return send();
    size_t before = twilio_.message_count();
    EXPECT_TRUE(send().empty()) << "rest mode answers the webhook with no message";
    EXPECT_TRUE(twilio_.WaitForMessages(before + expected, std::chrono::seconds(20)));
    std::vector<std::string> out;
    std::vector<FakeTwilio::Message> sent = twilio_.messages();
    for (size_t i = before; i < sent.size(); ++i) {
      EXPECT_EQ(sent[i].to, kAna);
      out.push_back(sent[i].body);
    }
    return out;
  }
  std::vector<std::string> Say(const std::string& text, size_t expected = 1) {
    return Replies([&] { return h_.Say(kAna, text); }, expected);
  }
  std::vector<std::string> Send(const std::string& bytes, const std::string& content_type,
                                size_t expected, bot::FormParams* sent = nullptr) {
    return Replies([&] { return h_.SendMedia(twilio_, kAna, bytes, content_type, sent); },
                   expected);
  }

  bool rest_ = false;
  bot::testing::FakeClock clock_;
  FakeTwilio twilio_;
  FakeLlmServer llm_;     // the slot fallback: must not be needed in this conversation
  FakeLlmServer vision_;  // vision OCR
  FakeBureau bureau_;
  RunnerHarness h_{"credit"};  // last: the server stops before the fakes go away
};

TEST_P(RunnerCreditTest, AFullApplicationEndsPreapprovedWithDocumentsAndASealedReport) {
  ExpectReply(Say("Hola, vi su anuncio en Facebook, quiero un préstamo"),
              "¡Hola! 👋 Soy el asistente de Financiera Ejemplo.");
  std::vector<std::string> consent = Say("Ana María López Hernández", 2);
  ASSERT_EQ(consent.size(), 2u);
  EXPECT_EQ(consent[0], "Mucho gusto, Ana María López Hernández. 😊");
  EXPECT_TRUE(StartsWith(consent[1], "Para revisar tu solicitud necesitamos tu autorización"));
  ExpectReply(Say("Sí, acepto"), "¿Cuánto dinero necesitas?");
  ExpectReply(Say("5 mil"), "¿En cuánto tiempo lo quieres pagar?");
  std::vector<std::string> quote = Say("a la quincena");
  ASSERT_EQ(quote.size(), 1u);
  EXPECT_NE(quote[0].find("💰 Total a pagar: $5,750.00"), std::string::npos) << quote[0];
  EXPECT_NE(quote[0].find("📅 Fecha de pago: miércoles 25 de marzo"), std::string::npos);
  ExpectReply(Say("Sí"), "Perfecto. Ahora mándame una foto del frente de tu INE");

  // The INE photo: downloaded from Twilio, read by the vision model, checked, kept.
  const std::string ine = Media("ine_ana.jpg");
  ASSERT_FALSE(ine.empty());
  vision_.Enqueue(kChat,
                  bot::testing::VisionOcrReply("INSTITUTO NACIONAL ELECTORAL CREDENCIAL PARA VOTAR",
                                               {{"full_name", "LÓPEZ HERNÁNDEZ ANA MARÍA"},
                                                {"curp", kCurp},
                                                {"birth_date", "12/05/1990"},
                                                {"valid_until", "2029"}}));
  bot::FormParams ine_webhook;
  ExpectReply(Send(ine, "image/jpeg", 1, &ine_webhook), "¡Listo, ya tengo tu INE! ✅");
  ASSERT_EQ(vision_.request_count(kChat), 1u);
  EXPECT_NE(vision_.requests()[0].body.find("data:image/jpeg;base64,"), std::string::npos);

  // Twilio delivers the same webhook again: answered, not processed a second time.
  bot::testing::HttpReply again = h_.client().Post("/twilio/inbound", ine_webhook);
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(bot::testing::TwimlMessages(again.body).empty()) << again.body;
  EXPECT_EQ(vision_.request_count(kChat), 1u) << "the duplicate went to OCR";

  // The proof of address as a PDF; then the bureau check runs and both replies come back.
  const std::string bill = Media("telmex_fernanda.pdf");
  ASSERT_FALSE(bill.empty());
  vision_.Enqueue(kChat, bot::testing::VisionOcrReply(
                             "TELMEX DOMICILIO CALLE ALAMO 123 FECHA 15/02/2026",
                             {{"address", "CALLE ALAMO 123, COL DEL VALLE, BENITO JUAREZ, CDMX"},
                              {"issue_date", "15/02/2026"}}));
  std::vector<std::string> decision = Send(bill, "application/pdf", 2);
  ASSERT_EQ(decision.size(), 2u) << (decision.empty() ? "" : decision[0]);
  EXPECT_TRUE(StartsWith(decision[0], "¡Gracias, Ana María López Hernández! Ya tengo tus"));
  EXPECT_TRUE(StartsWith(decision[1], "¡Buenas noticias, Ana María López Hernández! 🎉"));
  ASSERT_EQ(vision_.request_count(kChat), 2u);
  EXPECT_NE(vision_.requests()[1].body.find("\"type\":\"file\""), std::string::npos);
  EXPECT_TRUE(llm_.requests().empty()) << "every answer was clear to the parsers";
  if (rest_) {
    EXPECT_EQ(twilio_.message_count(), 10u) << "the duplicate sent nothing";
  }

  ASSERT_EQ(bureau_.requests().size(), 1u);
  const std::string asked = bureau_.requests()[0].body;
  EXPECT_NE(asked.find(std::string("\"curp\":\"") + kCurp + "\""), std::string::npos) << asked;
  EXPECT_NE(asked.find("\"birth_date\":\"1990-05-12\""), std::string::npos) << asked;
  EXPECT_NE(asked.find("CALLE ALAMO 123"), std::string::npos) << asked;

  bot::Store& store = h_.server().store();
  const int64_t contact = h_.ContactOf(kAna).id;
  std::map<std::string, std::vector<bot::StoredRecord>> records;
  auto stored = store.ListRecords(contact);
  ASSERT_TRUE(stored.ok());
  for (const auto& r : *stored) records[r.record.kind].push_back(r);
  ASSERT_EQ(records["consent"].size(), 1u);
  EXPECT_EQ(records["consent"][0].record.fields.at("prompt"), "consent_bureau_v1");
  ASSERT_EQ(records["application"].size(), 1u);
  const auto& application = records["application"][0].record.fields;
  EXPECT_EQ(application.at("status"), "preapproved");
  EXPECT_EQ(application.at("amount"), "5000.00");
  EXPECT_EQ(application.at("term"), "15");
  EXPECT_EQ(application.at("commission"), "750.00");
  EXPECT_EQ(application.at("bureau_score"), "712");

  // Both documents are files in media_dir, byte for byte what Twilio served.
  auto documents = store.ListDocuments(contact);
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u) << "the duplicate stored no second INE";
  std::map<std::string, bot::Document> by_kind;
  for (const auto& d : *documents) by_kind[d.document.kind] = d.document;
  EXPECT_EQ(ReadWholeFile(by_kind["ine"].path), ine);
  EXPECT_EQ(by_kind["ine"].fields.at("curp"), kCurp);
  EXPECT_EQ(ReadWholeFile(by_kind["proof_of_address"].path), bill);
  EXPECT_EQ(by_kind["proof_of_address"].content_type, "application/pdf");
  EXPECT_EQ(h_.Inbound(kAna).size(), 8u) << "the duplicate was not stored twice";

  // The bureau's raw answer is sealed under k1 and opens with the key.
  auto reports = store.ListReports(contact);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  const bot::SealedReport& report = (*reports)[0].report;
  EXPECT_EQ(report.kind, "bureau");
  EXPECT_EQ(report.key_id, "k1");
  EXPECT_EQ(report.summary, "score=712");
  bot::Result<bot::DataKeys> keys = bot::ParseDataKeys(kDataKeys);
  ASSERT_TRUE(keys.ok());
  bot::Result<std::string> raw = bot::Open(keys->keys, report.blob);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_NE(raw->find("\"folio\":\"F-000001\""), std::string::npos) << *raw;

  // Usage: two OCR calls, priced.
  auto ledger = bot::OpenSqliteUsageLedger(h_.database(), {});
  ASSERT_TRUE(ledger.ok());
  std::vector<bot::UsageRecord> usage = (*ledger)->Records();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].purpose, "ocr:ine");
  EXPECT_EQ(usage[1].purpose, "ocr:proof_of_address");
  // 1200 tokens in at $0.15/M + 80 out at $0.60/M = 180 + 48 micro-dollars.
  EXPECT_EQ(usage[0].cost_micro_usd, 228);
  ledger->reset();

  // Nothing of the raw report is readable in the database files.
  h_.Stop();
  std::string files;
  for (const char* suffix : {"", "-wal", "-journal"})
    files += ReadWholeFile(h_.database() + suffix);
  EXPECT_NE(files.find("score=712"), std::string::npos) << "the check below reads the real files";
  EXPECT_EQ(files.find("F-000001"), std::string::npos) << "the raw report is in plaintext";
}

INSTANTIATE_TEST_SUITE_P(ReplyModes, RunnerCreditTest, ::testing::Values("twiml", "rest"));

}  // namespace
}  // namespace runner
