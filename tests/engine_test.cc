// The dialog step and the Bot around it, on a dialog built through the C++ API.
#include <gtest/gtest.h>

#include "bot/bot.h"
#include "bot/session.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/memory_store.h"

namespace bot {
namespace {

using std::chrono::hours;

Transition To(std::string target, std::string condition = "", std::vector<Action> actions = {}) {
  Transition t;
  if (!condition.empty()) t.when = *Condition::Parse(condition);
  t.to = std::move(target);
  t.actions = std::move(actions);
  return t;
}

State AskState(std::string name, std::string slot) {
  State s;
  s.name = name;
  s.say = std::move(name);
  s.ask = std::move(slot);
  s.help = "help";
  s.max_attempts = 3;
  return s;
}

State EndState(std::string name) {
  State s;
  s.name = name;
  s.say = std::move(name);
  s.end = true;
  return s;
}

// A small review dialog built in C++: ask a rating, 4-5 thanks, 1-3 asks what went wrong.
Dialog ReviewDialog(int version = 1) {
  Dialog d;
  d.id = "review";
  d.version = version;
  d.start = "ask";
  d.inbound_start = "ask";
  d.session_timeout = hours(24);
  d.variables = {{"name", ""}, {"link", "https://g.page/r/X/review"}};
  SlotSpec rating;
  rating.name = "rating";
  rating.type = SlotType::kRating;
  rating.min = 1;
  rating.max = 5;
  SlotSpec feedback;
  feedback.name = "feedback";
  d.slots = {rating, feedback};
  State ask = AskState("ask", "rating");
  ask.on_exhausted = "unclear";
  ask.transitions = {To("thanks", "rating >= 4", {{"record", "review", {}}}), To("why")};
  State why = AskState("why", "feedback");
  why.transitions = {To("bye", "", {{"record", "review", {}}})};
  d.states = {ask, why, EndState("thanks"), EndState("bye"), EndState("unclear")};
  d.prompts = {{"ask", "Hola {{name}}, ¿del 1 al 5?"},
               {"help", "Responda con un número del 1 al 5."},
               {"thanks", "Gracias por su {{rating}}: {{link}}"},
               {"why", "¿Qué salió mal?"},
               {"bye", "Gracias por contarnos."},
               {"unclear", "No logramos entenderle."},
               {"optout_confirm", "Dado de baja."},
               {"optin_confirm", "Bienvenido de nuevo."},
               {"handoff_confirm", "Le atiende una persona."},
               {"restart_confirm", "Empecemos de nuevo."},
               {"dialog_changed", "Actualizamos el servicio."},
               {"media_unsupported", "Solo leo texto."},
               {"voice_unavailable", "No pude escuchar su nota de voz."},
               {"llm_slot_system", "Se preguntó «{{question}}»; extraiga «{{slot}}»."},
               {"help_default", "Escriba AYUDA."},
               {"closing", "Gracias."}};
  return d;
}

class StepTest : public ::testing::Test {
 protected:
  StepTest() : dialog_(ReviewDialog()) {
    contact_.id = 1;
    contact_.channel = "whatsapp:+14155238886";
    contact_.address = "whatsapp:+593987654321";
    contact_.name = "Ana";
  }

  // Sends `text` as the contact and keeps the resulting session, like the Bot would.
  TurnOutput Say(const std::string& text, std::vector<Media> media = {}) {
    TurnInput in;
    in.text = text;
    in.media = std::move(media);
    in.now = now_;
    TurnOutput out = Step(dialog_, contact_, session_, in);
    if (out.session) session_ = out.session;
    if (out.opted_out) contact_.opted_out = *out.opted_out;
    return out;
  }
  TurnOutput Start() {
    TurnInput in;
    in.kind = TurnInput::Kind::kStart;
    in.vars = {{"name", "Ana"}};
    in.now = now_;
    TurnOutput out = Step(dialog_, contact_, session_, in);
    if (out.session) session_ = out.session;
    return out;
  }

  Dialog dialog_;
  Contact contact_;
  std::optional<Session> session_;
  TimePoint now_ = FromUnixMillis(1767268800000);
};

TEST_F(StepTest, BotFirstStartSaysTheStartPromptWithVariables) {
  TurnOutput out = Start();
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(out.replies[0], "Hola Ana, ¿del 1 al 5?");
  EXPECT_EQ(session_->state, "ask");
  EXPECT_EQ(session_->status, SessionStatus::kActive);
}

TEST_F(StepTest, RatingOfFourOrMoreThanksWithTheLinkAndRecordsIt) {
  Start();
  TurnOutput out = Say("le doy un 5");
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(out.replies[0], "Gracias por su 5: https://g.page/r/X/review");
  EXPECT_EQ(session_->status, SessionStatus::kDone);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].kind, "review");
  EXPECT_EQ(out.records[0].fields.at("rating"), "5");
  EXPECT_EQ(out.records[0].fields.at("recorded_at"), "2026-01-01T12:00:00Z");
}

TEST_F(StepTest, LowRatingAsksWhatWentWrongThenRecordsTheFeedback) {
  Start();
  EXPECT_EQ(Say("2").replies.at(0), "¿Qué salió mal?");
  TurnOutput out = Say("2");  // any text is feedback
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].fields.at("feedback"), "2");
  EXPECT_EQ(out.replies.at(0), "Gracias por contarnos.");
  ASSERT_EQ(session_->status, SessionStatus::kDone);
  EXPECT_EQ(session_->slots.at("feedback").text(), "2");
}

TEST_F(StepTest, NotUnderstoodGetsHelpAndClosesPolitelyAfterThreeAttempts) {
  Start();
  EXPECT_EQ(Say("excelente").replies.at(0), "Responda con un número del 1 al 5.");
  EXPECT_EQ(Say("10").replies.at(0), "Responda con un número del 1 al 5.");
  EXPECT_EQ(session_->attempts, 2);
  TurnOutput out = Say("entre 3 y 4");
  EXPECT_EQ(out.replies.at(0), "No logramos entenderle.");
  EXPECT_EQ(session_->status, SessionStatus::kDone);
  EXPECT_TRUE(out.records.empty());
}

TEST_F(StepTest, HelpIntentRepeatsTheStateHelpWithoutCountingAnAttempt) {
  Start();
  EXPECT_EQ(Say("ayuda").replies.at(0), "Responda con un número del 1 al 5.");
  EXPECT_EQ(session_->attempts, 0);
  EXPECT_EQ(session_->state, "ask");
}

TEST_F(StepTest, OptOutConfirmsOnceThenStaysSilentUntilOptIn) {
  Start();
  TurnOutput out = Say("BAJA");
  EXPECT_EQ(out.replies, std::vector<std::string>{"Dado de baja."});
  EXPECT_EQ(out.opted_out, std::optional<bool>(true));
  EXPECT_EQ(session_->status, SessionStatus::kOptedOut);
  ASSERT_EQ(out.audit.size(), 1u);
  EXPECT_EQ(out.audit[0].kind, "optout");
  EXPECT_TRUE(Say("5").replies.empty());
  EXPECT_TRUE(Say("hola?").replies.empty());
  out = Say("ALTA");
  EXPECT_EQ(out.replies, std::vector<std::string>{"Bienvenido de nuevo."});
  EXPECT_EQ(out.opted_out, std::optional<bool>(false));
  // The next message starts a fresh conversation.
  EXPECT_EQ(Say("hola").replies.at(0), "Hola Ana, ¿del 1 al 5?");
  EXPECT_EQ(session_->status, SessionStatus::kActive);
}

TEST_F(StepTest, HumanHandoffSilencesTheBot) {
  Start();
  EXPECT_EQ(Say("quiero hablar con una persona").replies.at(0), "Le atiende una persona.");
  EXPECT_EQ(session_->status, SessionStatus::kHandoff);
  EXPECT_TRUE(Say("5").replies.empty());
  EXPECT_EQ(session_->status, SessionStatus::kHandoff);
}

TEST_F(StepTest, RestartClearsTheSlotsAndAsksAgain) {
  Start();
  Say("2");
  TurnOutput out = Say("empezar de nuevo");
  ASSERT_EQ(out.replies.size(), 2u);
  EXPECT_EQ(out.replies[0], "Empecemos de nuevo.");
  EXPECT_EQ(out.replies[1], "Hola Ana, ¿del 1 al 5?");
  EXPECT_TRUE(session_->slots.empty());
  EXPECT_EQ(session_->state, "ask");
}

TEST_F(StepTest, ASessionIdlePastTheTimeoutExpiresAndTheNextMessageStartsCleanly) {
  Start();
  Say("2");
  now_ += hours(25);
  EXPECT_EQ(EffectiveStatus(*session_, dialog_, now_), SessionStatus::kExpired);
  TurnOutput out = Say("5");
  ASSERT_TRUE(out.closed);
  EXPECT_EQ(out.closed->status, SessionStatus::kExpired);
  EXPECT_EQ(out.replies.at(0), "Hola Ana, ¿del 1 al 5?");
  EXPECT_EQ(session_->id, 0);  // a new session
  EXPECT_TRUE(session_->slots.empty());
}

TEST_F(StepTest, ADialogChangeKeepsTheSessionWhereItsStateStillExists) {
  Start();
  dialog_ = ReviewDialog(2);
  TurnOutput out = Say("5");
  EXPECT_EQ(out.replies.at(0), "Gracias por su 5: https://g.page/r/X/review");
  EXPECT_EQ(session_->dialog_version, 2);
  ASSERT_FALSE(out.audit.empty());
  EXPECT_EQ(out.audit[0].kind, "dialog_changed");
}

TEST_F(StepTest, ADialogChangeThatRemovedTheStateRestartsWithAClearMessage) {
  Start();
  Say("2");  // now in "why"
  Dialog v2 = ReviewDialog(2);
  std::erase_if(v2.states, [](const State& s) { return s.name == "why"; });
  v2.states[0].transitions = {To("thanks", "rating >= 4"), To("bye")};
  dialog_ = v2;
  TurnOutput out = Say("la atención fue lenta");
  ASSERT_EQ(out.replies.size(), 2u);
  EXPECT_EQ(out.replies[0], "Actualizamos el servicio.");
  EXPECT_EQ(out.replies[1], "Hola Ana, ¿del 1 al 5?");
  ASSERT_TRUE(out.closed);
  EXPECT_EQ(out.closed->state, "why");
}

TEST_F(StepTest, MediaWithoutTextGetsAPoliteReplyInATextOnlyDialog) {
  Start();
  Media voice;
  voice.url = "https://x/ME1";
  voice.content_type = "audio/ogg";
  TurnOutput out = Say("", {voice});
  EXPECT_EQ(out.replies.at(0), "Solo leo texto.");
  EXPECT_EQ(session_->attempts, 0);
}

TEST_F(StepTest, TheStepIsPureTheSameInputGivesTheSameOutput) {
  Start();
  std::optional<Session> before = session_;
  TurnInput in;
  in.text = "4";
  in.now = now_;
  TurnOutput a = Step(dialog_, contact_, before, in);
  TurnOutput b = Step(dialog_, contact_, before, in);
  EXPECT_EQ(a.replies, b.replies);
  EXPECT_EQ(a.session->state, b.session->state);
  EXPECT_EQ(a.records.size(), b.records.size());
}

class BotTest : public ::testing::Test {
 protected:
  BotTest() : store_(testing::NewMemoryStore()) {
    auto set = std::make_shared<DialogSet>();
    set->Add(std::make_shared<Dialog>(ReviewDialog()));
    bot_ = std::make_unique<Bot>(set, store_.get(), &clock_);
  }
  InboundMessage Message(const std::string& id, const std::string& text) {
    InboundMessage m;
    m.channel = "whatsapp:+14155238886";
    m.from = "whatsapp:+593987654321";
    m.provider_id = id;
    m.profile_name = "Ana";
    m.text = text;
    m.dialog_id = "review";
    m.vars = {{"name", "Ana"}};
    m.received_at = clock_.Now();
    return m;
  }

  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
};

TEST_F(BotTest, TheSameProviderMessageIdIsProcessedAndAnsweredOnce) {
  auto first = bot_->Handle(Message("SM1", "hola"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->replies.size(), 1u);
  auto again = bot_->Handle(Message("SM1", "hola"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_TRUE(again->replies.empty());
}

TEST_F(BotTest, AMessageAcceptedButNotProcessedIsProcessedLaterExactlyOnce) {
  auto accepted = bot_->Accept(Message("SM2", "hola"));
  ASSERT_TRUE(accepted.ok());
  auto pending = store_->UnprocessedInbound();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  auto turn = bot_->Process(pending->front());
  ASSERT_TRUE(turn.ok());
  EXPECT_EQ(turn->replies.size(), 1u);
  EXPECT_TRUE(bot_->Process(pending->front())->duplicate);
}

TEST_F(BotTest, ReleasingAHandoffLetsTheBotContinueWhereItWas) {
  ASSERT_TRUE(bot_->Start("whatsapp:+14155238886", "whatsapp:+593987654321", "review",
                          {{"name", "Ana"}}).ok());
  EXPECT_EQ(bot_->Handle(Message("SM3", "asesor"))->replies.size(), 1u);
  EXPECT_TRUE(bot_->Handle(Message("SM4", "5"))->replies.empty());
  ASSERT_TRUE(bot_->ReleaseHandoff("whatsapp:+14155238886", "whatsapp:+593987654321").ok());
  auto turn = bot_->Handle(Message("SM5", "5"));
  ASSERT_EQ(turn->replies.size(), 1u);
  EXPECT_EQ(turn->replies[0], "Gracias por su 5: https://g.page/r/X/review");
}

TEST_F(BotTest, StartNeedsTheRequiredVariables) {
  auto turn = bot_->Start("whatsapp:+14155238886", "whatsapp:+593987654321", "review", {});
  ASSERT_FALSE(turn.ok());
  EXPECT_EQ(turn.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(turn.status().message().find("name"), std::string::npos);
}

TEST_F(BotTest, LongRepliesAreSplitForWhatsAppInOrder) {
  std::string long_name(1700, 'a');
  for (size_t i = 10; i < long_name.size(); i += 11) long_name[i] = ' ';
  auto turn = bot_->Start("whatsapp:+14155238886", "whatsapp:+593987654321", "review",
                          {{"name", long_name}});
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->replies.size(), 2u);
  EXPECT_EQ(turn->replies[0].rfind("Hola ", 0), 0u);
  EXPECT_LE(turn->replies[0].size(), 1600u);
  EXPECT_EQ(turn->outbound_ids.size(), 2u);
  EXPECT_LT(turn->outbound_ids[0], turn->outbound_ids[1]);
}

}  // namespace
}  // namespace bot
