// The engine's credit features on a small loan dialog (tests/data/dialogs/loan.yaml): the
// applicant's name on the profile, click-wrap consent evidence, the quote, photos read by OCR
// into document slots (and every reason to refuse one), the bureau check run after the commit
// with its raw report sealed, and "quiero cambiar el monto".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bot/bot.h"
#include "bot/credit.h"
#include "bot/dialog_loader.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/fake_providers.h"
#include "bot/testing/memory_store.h"
#include "bot/twilio.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

const std::string kData = BOT_SOURCE_DIR "/tests/data/dialogs";
constexpr const char* kChannel = "whatsapp:+14155238886";

// A CURP in the real format for Juan Pérez López, born 1990-03-15 in Mexico City, with its
// RENAPO check digit.
std::string Curp(std::string first17 = "PELJ900315HDFRPN0") {
  return first17 + std::to_string(CurpCheckDigit(first17));
}

OcrReply Reading(std::map<std::string, std::string> fields, double confidence = 0.95) {
  OcrReply reply;
  reply.model = "fake-vision";
  for (const auto& [name, text] : fields) {
    FieldValue value;
    value.text = text;
    value.confidence = confidence;
    reply.fields[name] = value;
  }
  return reply;
}

OcrReply Ine(std::map<std::string, std::string> changes = {}) {
  std::map<std::string, std::string> fields = {{"full_name", "JUAN PEREZ LOPEZ"},
                                               {"curp", Curp()},
                                               {"birth_date", "15/03/1990"},
                                               {"valid_until", "2019 - 2029"}};
  for (const auto& [k, v] : changes) fields[k] = v;
  return Reading(fields);
}

OcrReply Proof(const std::string& issued = "10/12/2025") {
  return Reading({{"address", "Calle Roble 12, Col. Centro, 06000, CDMX"}, {"issue_date", issued}});
}

class EngineDocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Dialog> dialog = LoadDialogFile(kData + "/loan.yaml", kData + "/prompts");
    ASSERT_TRUE(dialog.ok()) << dialog.status().ToString();
    auto set = std::make_shared<DialogSet>();
    set->Add(std::make_shared<const Dialog>(std::move(*dialog)));
    store_ = testing::NewMemoryStore();
    bot_ = std::make_unique<Bot>(set, store_.get(), &clock_);
    keys_.active_id = "k1";
    keys_.keys["k1"] = std::string(32, 'k');
    bot_->SetProviders({nullptr, nullptr, &ocr_, &bureau_, &keys_});
    photo_ = fs::temp_directory_path() / ("ine_" + std::to_string(::getpid()) + ".jpg");
    std::ofstream(photo_, std::ios::binary) << "\xFF\xD8\xFF fake jpeg bytes";
  }
  void TearDown() override { fs::remove(photo_); }

  std::vector<std::string> Send(const std::string& text, bool photo = false) {
    InboundMessage m;
    m.channel = kChannel;
    m.from = applicant_;
    m.provider_id = "SM" + std::to_string(++n_);
    m.text = text;
    m.dialog_id = "loan";
    m.received_at = clock_.Now();
    if (photo) {
      Media media;
      media.content_type = "image/jpeg";
      media.path = photo_.string();
      media.sha256 = Sha256Hex("\xFF\xD8\xFF fake jpeg bytes");
      m.media.push_back(media);
    }
    Result<TurnResult> turn = bot_->Handle(m);
    EXPECT_TRUE(turn.ok()) << turn.status().ToString();
    return turn.ok() ? turn->replies : std::vector<std::string>{};
  }

  Session Latest() {
    auto contact = store_->FindContact(kChannel, applicant_);
    auto session = store_->LatestSession((*contact)->id);
    return **session;
  }

  int64_t ContactId() { return (*store_->FindContact(kChannel, applicant_))->id; }

  // Up to the INE question: name, consent, $5,000 at 14 days, quote accepted.
  void ReachIne() {
    Send("Hola");
    Send("Juan Pérez");
    Send("sí, autorizo");
    Send("5 mil");
    Send("a la quincena");
    ASSERT_EQ(Send("va"), std::vector<std::string>{"Mándame una foto de tu INE."});
  }

  testing::FakeClock clock_;  // 2026-01-01T12:00:00Z = 06:00 in Mexico City
  testing::FakeOcrProvider ocr_;
  testing::FakeBureauProvider bureau_;
  DataKeys keys_;
  std::string applicant_ = "whatsapp:+5215512345678";
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
  fs::path photo_;
  int n_ = 0;
};

TEST_F(EngineDocumentsTest, AFullApplicationEndsPreapprovedWithEvidenceDocumentsAndSealedReport) {
  Send("Hola");
  Send("Juan Pérez");
  EXPECT_EQ(Send("si claro"), std::vector<std::string>{"¿Cuánto necesitas?"});
  Send("5 mil");
  // "a la quincena" is 15 days; the dialog offers 14.
  EXPECT_EQ(Send("a la quincena"),
            std::vector<std::string>{
                "Comisión $750.00, total $5,750.00, pagas el jueves 15 de enero. ¿Aceptas?"});
  Send("sí");
  ocr_.Enqueue(Ine());
  EXPECT_EQ(Send("", true), std::vector<std::string>{"Ahora tu comprobante de domicilio."});
  ocr_.Enqueue(Proof());
  bureau_.Enqueue(BureauReport{712, R"({"score":712,"folio":"F-1"})"});
  EXPECT_EQ(Send("", true),
            (std::vector<std::string>{"Consultando el buró…", "¡Preaprobado! Score 712."}));

  EXPECT_EQ(Latest().status, SessionStatus::kDone);
  auto contact = store_->FindContact(kChannel, applicant_);
  EXPECT_EQ((*contact)->name, "Juan Pérez");
  ASSERT_EQ(bureau_.requests().size(), 1u);
  EXPECT_EQ(bureau_.requests()[0].curp, Curp());
  EXPECT_EQ(bureau_.requests()[0].address, "Calle Roble 12, Col. Centro, 06000, CDMX");

  auto records = store_->ListRecords(ContactId());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  const Record& consent = (*records)[0].record;
  EXPECT_EQ(consent.kind, "consent");
  EXPECT_EQ(consent.fields.at("prompt"), "consent_v1");
  EXPECT_EQ(consent.fields.at("text_sha256"),
            Sha256Hex("Juan Pérez, ¿autorizas consultar tu historial en el buró de crédito? "
                      "(sí/no)"));
  EXPECT_EQ(consent.fields.at("message_id"), "SM3");
  EXPECT_EQ(consent.fields.at("channel"), kChannel);
  EXPECT_EQ(consent.fields.at("accepted_at"), "2026-01-01T12:00:00Z");
  const Record& application = (*records)[1].record;
  EXPECT_EQ(application.kind, "application");
  EXPECT_EQ(application.fields.at("status"), "preapproved");
  EXPECT_EQ(application.fields.at("amount"), "5000.00");
  EXPECT_EQ(application.fields.at("term"), "14");
  EXPECT_EQ(application.fields.at("commission"), "750.00");
  EXPECT_EQ(application.fields.at("bureau_score"), "712");
  EXPECT_EQ(application.fields.at("ine_curp"), Curp());
  EXPECT_EQ(application.fields.at("ine_birth_date"), "1990-03-15");

  auto documents = store_->ListDocuments(ContactId());
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].document.kind, "ine");
  EXPECT_EQ((*documents)[0].document.fields.at("valid_until"), "2029-12-31");
  EXPECT_EQ((*documents)[1].document.kind, "proof_of_address");

  auto reports = store_->ListReports(ContactId());
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].report.summary, "score=712");
  EXPECT_EQ((*reports)[0].report.key_id, "k1");
  EXPECT_EQ((*reports)[0].report.blob.find("folio"), std::string::npos);  // not in the clear
  Result<std::string> opened = Open(keys_.keys, (*reports)[0].report.blob);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, R"({"score":712,"folio":"F-1"})");
}

struct IneCase {
  const char* name;
  std::map<std::string, std::string> changes;
  double confidence;
  const char* reply;
};

TEST_F(EngineDocumentsTest, AnIneIsRefusedWithItsSpecificReason) {
  const IneCase cases[] = {
      {"expired", {{"valid_until", "2015 - 2025"}}, 0.95, "Tu INE está vencida."},
      {"check digit", {{"curp", "PELJ900315HDFRPN01"}}, 0.95, "La CURP no es válida."},
      {"birth date", {{"birth_date", "16/03/1990"}}, 0.95,
       "La CURP no coincide con tu fecha de nacimiento."},
      {"name", {{"full_name", "MARIA GOMEZ RUIZ"}}, 0.95, "El nombre de la INE no es Juan Pérez."},
      {"blurry", {}, 0.3, "No se lee bien tu INE."},
      {"missing field", {{"curp", ""}}, 0.95, "No se lee bien tu INE."},
      {"digits for a date", {{"valid_until", "20292029202920292029202920292029"}}, 0.95,
       "No se lee bien tu INE."},
  };
  int applicant = 0;
  for (const IneCase& c : cases) {
    SCOPED_TRACE(c.name);
    applicant_ = "whatsapp:+52155100000" + std::to_string(++applicant);
    ReachIne();
    OcrReply reply = Ine(c.changes);
    for (auto& [name, value] : reply.fields) value.confidence = c.confidence;
    ocr_.Enqueue(reply);
    EXPECT_EQ(Send("", true), std::vector<std::string>{c.reply});
    EXPECT_EQ(Latest().state, "ask_ine");
    EXPECT_EQ(Latest().attempts, 1);
    EXPECT_TRUE(store_->ListDocuments(ContactId())->empty());
  }
}

TEST_F(EngineDocumentsTest, TextWhereAPhotoIsExpectedGetsTheInstruction) {
  ReachIne();
  EXPECT_EQ(Send("ahorita se la mando"),
            std::vector<std::string>{"Necesito una foto de tu INE por el frente."});
  EXPECT_TRUE(ocr_.requests().empty());
}

TEST_F(EngineDocumentsTest, RepeatedRefusalsEndInTheExhaustedState) {
  ReachIne();
  for (int i = 0; i < 2; ++i) {
    ocr_.Enqueue(Ine({{"valid_until", "2020"}}));
    Send("", true);
  }
  ocr_.Enqueue(Ine({{"valid_until", "2020"}}));
  EXPECT_EQ(Send("", true), std::vector<std::string>{"Te paso con una persona."});
}

TEST_F(EngineDocumentsTest, OcrFailureIsNotCountedAgainstTheApplicant) {
  ReachIne();
  ocr_.Enqueue(Unavailable("vision down"));
  EXPECT_EQ(Send("", true),
            std::vector<std::string>{"No pude revisar su archivo ahora."});
  EXPECT_EQ(Latest().attempts, 0);
  ocr_.Enqueue(Ine());
  EXPECT_EQ(Send("", true), std::vector<std::string>{"Ahora tu comprobante de domicilio."});
}

TEST_F(EngineDocumentsTest, AProofOfAddressOlderThanThreeMonthsIsRefused) {
  ReachIne();
  ocr_.Enqueue(Ine());
  Send("", true);
  ocr_.Enqueue(Proof("30/09/2025"));  // today is 2026-01-01: the limit is 2025-10-01
  EXPECT_EQ(Send("", true), std::vector<std::string>{"El comprobante tiene más de 3 meses."});
  ocr_.Enqueue(Proof("1 de octubre de 2025"));
  bureau_.Enqueue(BureauReport{600, "{}"});
  EXPECT_EQ(Send("", true), (std::vector<std::string>{"Consultando el buró…",
                                                      "Lo sentimos, no fue aprobado."}));
}

TEST_F(EngineDocumentsTest, ResendingTheIneReplacesTheDocumentAndKeepsTheOldOne) {
  ReachIne();
  ocr_.Enqueue(Ine());
  Send("", true);
  EXPECT_EQ(Send("quiero cambiar el monto"), std::vector<std::string>{"¿Cuánto necesitas?"});
  Send("8 mil");
  Send("30");
  Send("sí");
  ocr_.Enqueue(Ine());
  Send("", true);
  auto documents = store_->ListDocuments(ContactId());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_TRUE((*documents)[0].replaced_at.has_value());
  EXPECT_FALSE((*documents)[1].replaced_at.has_value());
}

TEST_F(EngineDocumentsTest, AChangeRequestClearsTheAmountAndAsksAgain) {
  Send("Hola");
  Send("Juan Pérez");
  Send("sí");
  Send("5 mil");
  Send("14");
  EXPECT_EQ(Send("mejor quiero cambiar el monto"), std::vector<std::string>{"¿Cuánto necesitas?"});
  EXPECT_EQ(Latest().slots.count("amount"), 0u);
  EXPECT_EQ(Send("$12,000"),
            std::vector<std::string>{"¿A cuántos días? 7, 14 o 30."});
}

TEST_F(EngineDocumentsTest, ABureauOutageTakesTheFailurePathAndKeepsNoReport) {
  ReachIne();
  ocr_.Enqueue(Ine());
  Send("", true);
  ocr_.Enqueue(Proof());
  bureau_.Enqueue(Unavailable("bureau down"));
  EXPECT_EQ(Send("", true),
            (std::vector<std::string>{"Consultando el buró…", "Te paso con una persona."}));
  EXPECT_EQ(Latest().slots.at("bureau_error").text(), "unavailable");
  EXPECT_TRUE(store_->ListReports(ContactId())->empty());
}

TEST_F(EngineDocumentsTest, TheNameLeavesOutMeLlamo) {
  Send("Hola");
  EXPECT_EQ(Send("Me llamo Juan Pérez"),
            std::vector<std::string>{"Juan Pérez, ¿autorizas consultar tu historial en el buró "
                                     "de crédito? (sí/no)"});
  EXPECT_EQ(Latest().slots.at("name").text(), "Juan Pérez");
  EXPECT_EQ((*store_->FindContact(kChannel, applicant_))->name, "Juan Pérez");
}

TEST_F(EngineDocumentsTest, ConsentRefusedStoresNoEvidence) {
  Send("Hola");
  Send("Juan");
  EXPECT_EQ(Send("no"), std::vector<std::string>{"Sin tu autorización no podemos seguir."});
  EXPECT_TRUE(store_->ListRecords(ContactId())->empty());
}

// Load-time checks of the new features: each broken variant of loan.yaml names its line.
TEST(DocumentDialogLoadTest, BrokenFeaturesAreLoadErrors) {
  struct Case {
    const char* from;
    const char* to;
    const char* error;
  };
  const Case cases[] = {
      {"timezone: America/Mexico_City", "timezone: Mars/Olympus", "is not an IANA zone"},
      {"document: ine}", "document: passport}", "unknown document kind 'passport'"},
      {"check: bureau", "check: sat", "unknown check 'sat'"},
      {"do: [set_name name]", "do: [set_name amount]", "'set_name' needs a text slot"},
      {"do: [consent consent_v1]", "do: [consent consent_v9]", "unknown prompt 'consent_v9'"},
      {"    to: ask_amount\nstates:", "    to: nowhere\nstates:", "unknown state 'nowhere'"},
      {"    clear: [amount, ok]", "    clear: [amount, nope]", "clears unknown slot 'nope'"},
      {"status=preapproved]", "status]", "is not a field=value pair"},
      {"  commission_rate_bp: \"1500\"", "  rate_bp: \"1500\"", "'quote' needs"},
  };
  std::ifstream in(kData + "/loan.yaml");
  std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path dir = fs::temp_directory_path() / ("loan_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    std::string text = original;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, std::string(c.from).size(), c.to);
    std::ofstream(dir / "loan.yaml") << text;
    Result<Dialog> dialog = LoadDialogFile((dir / "loan.yaml").string(), kData + "/prompts");
    ASSERT_FALSE(dialog.ok());
    EXPECT_NE(dialog.status().message().find(c.error), std::string::npos)
        << dialog.status().ToString();
  }
  fs::remove_all(dir);
}

TEST(DocumentDialogLoadTest, AMissingRefusalPromptIsALoadError) {
  const fs::path dir = fs::temp_directory_path() / ("loanp_" + std::to_string(::getpid()));
  fs::create_directories(dir / "es");
  fs::copy_file(kData + "/prompts/es/common.yaml", dir / "es/common.yaml");
  std::ifstream in(kData + "/prompts/es/loan.yaml");
  std::ofstream out(dir / "es/loan.yaml");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ine_expired:", 0) != 0) out << line << "\n";
  }
  out.close();
  Result<Dialog> dialog = LoadDialogFile(kData + "/loan.yaml", dir.string());
  ASSERT_FALSE(dialog.ok());
  EXPECT_NE(dialog.status().message().find("the prompt 'ine_expired' is missing"),
            std::string::npos)
      << dialog.status().ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bot
