// The engine with providers: a voice note is handled like typed text, and the LLM is asked
// only when the slot's own parser is unsure — and its answer must pass that parser too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/providers.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/fake_providers.h"
#include "bot/testing/memory_store.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

class EngineProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    // review_rating with the LLM fallback switched on for its rating slot.
    auto dialog = std::make_shared<Dialog>(*(*loaded)->Find("review_rating"));
    for (SlotSpec& slot : dialog->slots) slot.llm_fallback = slot.name == "rating";
    auto set = std::make_shared<DialogSet>();
    set->Add(dialog);
    store_ = testing::NewMemoryStore();
    bot_ = std::make_unique<Bot>(set, store_.get(), &clock_);
    bot_->SetProviders({&stt_, &llm_});
    ASSERT_TRUE(bot_->Start(kChannel, kPatient, "review_rating", {{"name", "Ana"}}).ok());
    voice_ = fs::temp_directory_path() / ("voice_" + std::to_string(::getpid()) + ".ogg");
    std::ofstream(voice_, std::ios::binary) << "OggS fake opus bytes";
  }
  void TearDown() override { fs::remove(voice_); }

  Result<TurnResult> Send(const std::string& text, bool with_voice = false) {
    InboundMessage m;
    m.channel = kChannel;
    m.from = kPatient;
    m.provider_id = "SM" + std::to_string(++n_);
    m.text = text;
    m.dialog_id = "review_rating";
    m.received_at = clock_.Now();
    if (with_voice) {
      Media media;
      media.content_type = "audio/ogg";
      media.path = voice_.string();
      m.media.push_back(media);
    }
    return bot_->Handle(m);
  }

  static constexpr const char* kChannel = "whatsapp:+14155238886";
  static constexpr const char* kPatient = "whatsapp:+593987654321";
  testing::FakeClock clock_;
  testing::FakeSttProvider stt_;
  testing::FakeLlmProvider llm_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
  fs::path voice_;
  int n_ = 0;
};

TEST_F(EngineProvidersTest, AVoiceNoteIsTranscribedAndHandledLikeTypedText) {
  stt_.EnqueueText("le doy un cinco");
  auto turn = Send("", /*with_voice=*/true);
  ASSERT_TRUE(turn.ok()) << turn.status().ToString();
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_NE(turn->replies[0].find("calificación de 5"), std::string::npos) << turn->replies[0];
  ASSERT_EQ(stt_.requests().size(), 1u);
  EXPECT_EQ(stt_.requests()[0].audio, "OggS fake opus bytes");
  EXPECT_EQ(stt_.requests()[0].language, "es");
  EXPECT_TRUE(llm_.requests().empty());  // the parser was sure of the transcript
  // The transcript is kept with the inbound message.
  auto contact = store_->FindContact(kChannel, kPatient);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  auto messages = store_->ListMessages((*contact)->id);
  ASSERT_TRUE(messages.ok());
  bool found = false;
  for (const StoredMessage& m : *messages) {
    if (m.direction == "in") found = m.transcript == "le doy un cinco";
  }
  EXPECT_TRUE(found);
}

TEST_F(EngineProvidersTest, AFailedTranscriptionGetsAPoliteApologyNotSilence) {
  stt_.Enqueue(Unavailable("provider down"));
  auto turn = Send("", /*with_voice=*/true);
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_NE(turn->replies[0].find("nota de voz"), std::string::npos) << turn->replies[0];
}

TEST_F(EngineProvidersTest, TheLlmMapsAnAnswerOnlyItCanUnderstand) {
  llm_.EnqueueText(R"({"value":"5"})");
  auto turn = Send("pues la verdad excelente, nada que decir");
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_NE(turn->replies[0].find("calificación de 5"), std::string::npos) << turn->replies[0];
  ASSERT_EQ(llm_.requests().size(), 1u);
  const LlmRequest asked = llm_.requests()[0];
  ASSERT_TRUE(asked.schema);
  EXPECT_EQ(asked.messages.back().text, "pues la verdad excelente, nada que decir");
  EXPECT_NE(asked.messages.front().text.find("Ana"), std::string::npos)  // the question asked
      << asked.messages.front().text;
}

// ProcessAsync holds nothing while the LLM works: the turn is a callback until the answer
// comes back, and the rest of the turn runs as a job of the caller's executor.
TEST_F(EngineProvidersTest, ProcessAsyncWaitsForTheLlmWithoutHoldingTheCaller) {
  llm_.Hold();
  InboundMessage m;
  m.channel = kChannel;
  m.from = kPatient;
  m.provider_id = "SM-async";
  m.text = "pues la verdad excelente, nada que decir";
  m.dialog_id = "review_rating";
  m.received_at = clock_.Now();
  Result<Accepted> accepted = bot_->Accept(m);
  ASSERT_TRUE(accepted.ok());

  std::vector<std::function<void()>> jobs;
  std::optional<Result<TurnResult>> turn;
  bot_->ProcessAsync(
      accepted->message_id, [] { return ReplyMode::kOutbox; },
      [&](std::function<void()> job) { jobs.push_back(std::move(job)); },
      [&](Result<TurnResult> result) { turn.emplace(std::move(result)); });
  EXPECT_FALSE(turn.has_value()) << "ProcessAsync returned with the call pending";
  EXPECT_EQ(llm_.held(), 1u);
  EXPECT_TRUE(jobs.empty());

  llm_.EnqueueText(R"({"value":"5"})");
  EXPECT_EQ(llm_.Release(), 1u);
  ASSERT_EQ(jobs.size(), 1u) << "the answer comes back through the executor";
  EXPECT_FALSE(turn.has_value());
  jobs[0]();
  ASSERT_TRUE(turn.has_value());
  ASSERT_TRUE(turn->ok()) << turn->status().ToString();
  ASSERT_EQ((*turn)->replies.size(), 1u);
  EXPECT_NE((*turn)->replies[0].find("calificación de 5"), std::string::npos);
  auto again = bot_->Process(accepted->message_id);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate) << "processed once";
}

TEST_F(EngineProvidersTest, TheLlmIsNotAskedWhenTheParserIsSure) {
  auto turn = Send("4");
  ASSERT_TRUE(turn.ok());
  EXPECT_TRUE(llm_.requests().empty());
}

TEST_F(EngineProvidersTest, AnLlmAnswerOutsideTheSlotsRangeIsNotUnderstood) {
  llm_.EnqueueText(R"({"value":"7"})");
  auto turn = Send("mas o menos bien");
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_NE(turn->replies[0].find("del 1 al 5"), std::string::npos) << turn->replies[0];
  EXPECT_EQ(turn->session->attempts, 1);
}

TEST_F(EngineProvidersTest, AnLlmOutageFallsBackToTheDeterministicHelp) {
  llm_.Enqueue(Unavailable("budget: daily cap reached"));
  auto turn = Send("pues la verdad excelente");
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_NE(turn->replies[0].find("del 1 al 5"), std::string::npos) << turn->replies[0];
}

}  // namespace
}  // namespace bot
