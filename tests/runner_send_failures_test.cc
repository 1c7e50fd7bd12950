// Permanent send failures through botrunner: the real outbox worker sending to the fake Twilio
// on 127.0.0.1, which answers Twilio's error codes on send or in status callbacks; then
// `botrunner outbox failed | retry` as the shell runs them (docs/runner.md, "Permanent send
// failures").
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bot/sqlite_store.h"
#include "support/cli_run.h"
#include "support/eventually.h"
#include "support/fake_twilio.h"
#include "support/runner_harness.h"
#include "support/stored_turn.h"

namespace runner {
namespace {

using bot::testing::CliRun;
using bot::testing::Eventually;
using bot::testing::FakeTwilio;
using bot::testing::RunBotrunner;
using bot::testing::RunnerHarness;
using namespace std::chrono;

constexpr const char* kPedro = "whatsapp:+5215500000011";  // not a WhatsApp number
constexpr const char* kBea = "whatsapp:+5215500000022";
constexpr const char* kCarl = "whatsapp:+5215500000033";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SendFailuresTest : public ::testing::Test {
 protected:
  void StartServer() {
    ASSERT_TRUE(h_.Start(h_.BaseYaml(twilio_, "review_rating", "{}", "rest"),
                         [](const std::string&) { return std::nullopt; }));
  }

  bot::Contact Contact(const std::string& address) { return h_.ContactOf(address); }

  std::vector<bot::StoredMessage> Outbound(const std::string& address) {
    std::vector<bot::StoredMessage> out;
    auto messages = h_.server().store().ListMessages(Contact(address).id);
    if (!messages.ok()) return out;
    for (auto& m : *messages) {
      if (m.direction == "out") out.push_back(std::move(m));
    }
    return out;
  }

  std::vector<FakeTwilio::Message> SentTo(const std::string& address) {
    std::vector<FakeTwilio::Message> out;
    for (auto& m : twilio_.messages()) {
      if (m.to == address) out.push_back(std::move(m));
    }
    return out;
  }

  // Waits until `address`'s one outbound message was accepted by the fake and marked sent; its
  // MessageSid.
  std::string WaitUntilSent(const std::string& address, size_t n) {
    EXPECT_TRUE(Eventually([&] {
      auto out = Outbound(address);
      return out.size() >= n && out[n - 1].status == "sent";
    })) << address;
    auto out = Outbound(address);
    return out.size() >= n ? out[n - 1].provider_id : "";
  }

  // Twilio's status callback for the message `sid` to `to`.
  int StatusCallback(const std::string& to, const std::string& sid, const std::string& status,
                     const std::string& error_code) {
    bot::FormParams p = {{"AccountSid", FakeTwilio::kAccountSid},
                         {"From", RunnerHarness::kBotNumber},
                         {"To", to},
                         {"MessageSid", sid},
                         {"SmsSid", sid},
                         {"MessageStatus", status},
                         {"ErrorCode", error_code}};
    return h_.client().Post("/twilio/status", p).status;
  }

  CliRun Outbox(std::vector<std::string> args) {
    args.insert(args.begin(), "outbox");
    args.push_back("--db");
    args.push_back(h_.database());
    return RunBotrunner(args);
  }

  FakeTwilio twilio_;
  RunnerHarness h_{"send_failures"};  // last: the server stops before the fake goes away
};

TEST_F(SendFailuresTest, AnInvalidNumberMarksTheContactAndItsOtherMessagesFailUnsent) {
  // Three replies wait in the outbox for Pedro when the server starts; Twilio refuses the first
  // with 21211.
  {
    auto store = bot::OpenSqliteStore(h_.database());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    bot::testing::StoredTurn turn;
    turn.channel = RunnerHarness::kBotNumber;
    turn.from = kPedro;
    turn.name = "Pedro";
    turn.message_sid = "SM00000000000000000000000000000011";
    turn.dialog_id = "review_rating";
    turn.state = "ask_rating";
    turn.replies = {"uno", "dos", "tres"};
    turn.at = system_clock::now() - minutes(1);
    ASSERT_TRUE(bot::testing::StoreTurn(**store, turn).ok());
  }
  twilio_.FailNextWithError(1, 21211, "The 'To' number is not a valid phone number.");
  ASSERT_NO_FATAL_FAILURE(StartServer());

  ASSERT_TRUE(Eventually([&] {
    auto out = Outbound(kPedro);
    return out.size() == 3 && out[0].status == "failed" && out[1].status == "failed" &&
           out[2].status == "failed";
  }));
  for (const bot::StoredMessage& m : Outbound(kPedro)) EXPECT_EQ(m.error_code, "21211") << m.text;
  EXPECT_EQ(twilio_.message_requests(), 1u) << "only the first was tried";
  EXPECT_EQ(twilio_.message_count(), 0u);
  const bot::Contact pedro = Contact(kPedro);
  EXPECT_EQ(pedro.unreachable_code, "21211");
  EXPECT_FALSE(pedro.opted_out);
  auto audit = h_.server().store().ListAudit(pedro.id);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().event.kind, "contact_unreachable");

  // `outbox failed` lists the three, masked unless asked; retrying one is refused while the
  // contact is marked, and --force sends it (the fake now accepts) and clears the mark.
  // (The command reads the database over its own connection: the server's last writes are
  // there once its group commit flushes.)
  const std::vector<bot::StoredMessage> out = Outbound(kPedro);
  CliRun failed;
  ASSERT_TRUE(Eventually([&] {
    failed = Outbox({"failed"});
    return failed.exit_code == 0 && Contains(failed.out, std::to_string(out[2].id) + "\t");
  })) << failed.err
      << failed.out;
  EXPECT_TRUE(failed.out.starts_with("id\tcreated_at\tnumber\tto\tstatus\tcode\tcontact\terror\n"))
      << failed.out;
  for (const bot::StoredMessage& m : out) {
    EXPECT_TRUE(Contains(failed.out, std::to_string(m.id) + "\t")) << failed.out;
  }
  EXPECT_FALSE(Contains(failed.out, kPedro)) << "numbers are masked";
  EXPECT_TRUE(Contains(failed.out, "\tfailed\t21211\tunreachable:21211\tcontact unreachable: "))
      << failed.out;
  EXPECT_TRUE(Contains(Outbox({"failed", "--unmasked"}).out,
                       std::string("\t") + kPedro + "\tfailed\t21211\tunreachable:21211\t"));

  const std::string second = std::to_string(out[1].id);
  CliRun refused = Outbox({"retry", second, "--actor", "ana"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "1 refused")) << refused.err;
  EXPECT_EQ(Outbound(kPedro)[1].status, "failed");

  CliRun forced = Outbox({"retry", second, "--force", "--actor", "ana"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(forced.out.starts_with("1 message(s) queued again")) << forced.out;
  ASSERT_TRUE(twilio_.WaitForMessages(1, seconds(20)));
  EXPECT_EQ(SentTo(kPedro).at(0).body, "dos");
  EXPECT_EQ(Contact(kPedro).unreachable_code, "");
  ASSERT_TRUE(Eventually([&] { return Outbound(kPedro)[1].status == "sent"; }));
  EXPECT_EQ(Outbound(kPedro)[0].status, "failed") << "only the one retried was sent";
  EXPECT_EQ(Outbound(kPedro)[2].status, "failed");
}

TEST_F(SendFailuresTest, CallbackCodesFailAMessageOrMarkTheContactAsDocumented) {
  ASSERT_NO_FATAL_FAILURE(StartServer());

  // 63016 (outside the 24 h window) fails that message only: Bea's next reply goes out.
  h_.Say(kBea, "Hola");
  const std::string bea_sid = WaitUntilSent(kBea, 1);
  ASSERT_EQ(StatusCallback(kBea, bea_sid, "undelivered", "63016"), 200);
  EXPECT_EQ(Outbound(kBea)[0].status, "undelivered");
  EXPECT_EQ(Outbound(kBea)[0].error_code, "63016");
  EXPECT_EQ(Contact(kBea).unreachable_code, "");
  h_.Say(kBea, "5");
  WaitUntilSent(kBea, 2);

  // 21610 (the recipient sent STOP) marks Carl and opts him out, until he writes ALTA.
  h_.Say(kCarl, "Hola");
  const std::string carl_sid = WaitUntilSent(kCarl, 1);
  ASSERT_EQ(StatusCallback(kCarl, carl_sid, "failed", "21610"), 200);
  EXPECT_EQ(Outbound(kCarl)[0].status, "failed");
  bot::Contact carl = Contact(kCarl);
  EXPECT_EQ(carl.unreachable_code, "21610");
  EXPECT_TRUE(carl.opted_out);
  const size_t before_optin = SentTo(kCarl).size();
  h_.Say(kCarl, "ALTA");
  ASSERT_TRUE(Eventually([&] { return SentTo(kCarl).size() == before_optin + 1; }));
  EXPECT_TRUE(SentTo(kCarl).back().body.starts_with("¡Gracias! Volverá a recibir"))
      << SentTo(kCarl).back().body;
  carl = Contact(kCarl);
  EXPECT_EQ(carl.unreachable_code, "");
  EXPECT_FALSE(carl.opted_out);

  // Both failures are listed; Bea's is retried and the fake accepts it again.
  const std::string bea_first = std::to_string(Outbound(kBea)[0].id);
  CliRun failed;
  ASSERT_TRUE(Eventually([&] {
    failed = Outbox({"failed"});
    return failed.exit_code == 0 && Contains(failed.out, "\tfailed\t21610\treachable\t");
  })) << "Carl's mark was cleared by his opt-in\n"
      << failed.err << failed.out;
  EXPECT_TRUE(Contains(failed.out, bea_first + "\t")) << failed.out;
  EXPECT_TRUE(Contains(failed.out, "\tundelivered\t63016\treachable\t")) << failed.out;
  const size_t sent_to_bea = SentTo(kBea).size();
  CliRun retried = Outbox({"retry", bea_first, "--actor", "ana"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  ASSERT_TRUE(Eventually([&] { return SentTo(kBea).size() == sent_to_bea + 1; }));
  EXPECT_EQ(SentTo(kBea).back().body, SentTo(kBea).front().body);
  ASSERT_TRUE(Eventually([&] { return Outbound(kBea)[0].status == "sent"; }));
  EXPECT_FALSE(Contains(Outbox({"failed"}).out, bea_first + "\t"));
}

}  // namespace
}  // namespace runner
