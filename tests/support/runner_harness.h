// botrunner in a test: a temporary data folder, the server built from YAML (as an operator's
// file would be) on 127.0.0.1 with a port chosen by the OS, running on its own thread, and a
// client that signs webhooks for it. Header-only: only test files that link botrunner_lib
// include it (test_support itself does not).
//
//   RunnerHarness h("credit");
//   ASSERT_TRUE(h.Start(h.BaseYaml(twilio, "credit_application") + providers, env));
//   auto replies = h.Say(kBot, "whatsapp:+52...", "Hola");
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "server/server.h"
#include "support/fake_twilio.h"
#include "support/webhook_client.h"

namespace bot::testing {

// The whole file at `path`; "" when it cannot be read.
inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class RunnerHarness {
 public:
  static constexpr const char* kBase = "https://bot.example.test";  // public_base_url
  static constexpr const char* kBotNumber = "whatsapp:+14155238886";

  // `name` tells this test's data folder apart from others running at the same time.
  explicit RunnerHarness(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("runner_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~RunnerHarness() {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  RunnerHarness(const RunnerHarness&) = delete;
  RunnerHarness& operator=(const RunnerHarness&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string database() const { return (dir_ / database_name_).string(); }
  // Later starts use another database file (a fresh store, breakers and ledger).
  void UseDatabase(const std::string& name) { database_name_ = name; }

  // Everything but `providers:`: `reply_mode` (twiml or rest), one number on `dialog` whose
  // account is the fake Twilio (so inbound media is downloaded from it and, in rest mode, the
  // replies are sent to it), the repository's dialogs and prompts.
  std::string BaseYaml(const FakeTwilio& twilio, const std::string& dialog,
                       const std::string& vars = "{}",
                       const std::string& reply_mode = "twiml") const {
    std::string yaml = "listen: {host: 127.0.0.1, port: 0}\n";
    yaml += "public_base_url: " + std::string(kBase) + "\n";
    yaml += "database: " + database() + "\n";
    yaml += "media_dir: " + (dir_ / "media").string() + "\n";
    yaml += "dialogs: " + std::string(BOT_SOURCE_DIR) + "/dialogs\n";
    yaml += "prompts: " + std::string(BOT_SOURCE_DIR) + "/prompts\n";
    yaml += "reply_mode: " + reply_mode + "\noutbox_poll_ms: 50\n";
    yaml += "accounts:\n  main: {sid: " + std::string(FakeTwilio::kAccountSid) +
            ", auth_token: " + FakeTwilio::kAuthToken + ", api_origin: \"" + twilio.origin() +
            "\"}\n";
    yaml += "numbers:\n  - {to: \"" + std::string(kBotNumber) + "\", dialog: " + dialog +
            ", vars: " + vars + "}\n";
    return yaml;
  }

  // Parses `yaml`, creates and starts the server, and runs it on a thread.
  ::testing::AssertionResult Start(const std::string& yaml, const runner::EnvLookup& env,
                                   const Clock* clock = nullptr) {
    bot::Result<runner::RunnerConfig> config = runner::ParseConfig(yaml, "test.yaml", env);
    if (!config.ok()) return ::testing::AssertionFailure() << config.status().ToString();
    runner::ServerOptions options;
    options.clock = clock;
    options.log_level = runner::LogLevel::kError;
    auto created = runner::Server::Create(std::move(*config), options);
    if (!created.ok()) return ::testing::AssertionFailure() << created.status().ToString();
    server_ = std::move(*created);
    bot::Status started = server_->Start();
    if (!started.ok()) return ::testing::AssertionFailure() << started.ToString();
    client_ = std::make_unique<WebhookClient>(server_->port(), kBase, FakeTwilio::kAuthToken);
    thread_ = std::thread([this] { server_->Run(); });
    return ::testing::AssertionSuccess();
  }

  // Stops the server (finishing what it accepted) and closes its store. Idempotent.
  void Stop() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
    server_.reset();
  }

  runner::Server& server() { return *server_; }
  WebhookClient& client() { return *client_; }

  // Posts the form and returns the replies of the TwiML answer.
  std::vector<std::string> Post(const FormParams& params) {
    HttpReply r = client_->Post("/twilio/inbound", params);
    EXPECT_EQ(r.status, 200) << r.body;
    return TwimlMessages(r.body);
  }
  std::vector<std::string> Say(const std::string& from, const std::string& text) {
    return Post(client_->Text(kBotNumber, from, text));
  }
  // Serves `bytes` from the fake Twilio's media endpoint and sends them as a message.
  std::vector<std::string> SendMedia(FakeTwilio& twilio, const std::string& from,
                                     const std::string& bytes, const std::string& content_type,
                                     FormParams* sent = nullptr) {
    FormParams params =
        client_->WithMedia(kBotNumber, from, twilio.AddMedia(bytes, content_type), content_type);
    if (sent != nullptr) *sent = params;
    return Post(params);
  }

  // The contact `from` of the bot number; fails the test when absent.
  Contact ContactOf(const std::string& from) {
    auto contact = server_->store().FindContact(kBotNumber, from);
    EXPECT_TRUE(contact.ok() && contact->has_value()) << "no contact " << from;
    return contact.ok() && contact->has_value() ? **contact : Contact{};
  }

  // The inbound messages of `from`, oldest first.
  std::vector<StoredMessage> Inbound(const std::string& from) {
    std::vector<StoredMessage> out;
    auto messages = server_->store().ListMessages(ContactOf(from).id);
    if (!messages.ok()) return out;
    for (auto& m : *messages) {
      if (m.direction == "in") out.push_back(std::move(m));
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  std::string database_name_ = "bot.db";
  std::unique_ptr<runner::Server> server_;
  std::unique_ptr<WebhookClient> client_;
  std::thread thread_;
};

}  // namespace bot::testing
