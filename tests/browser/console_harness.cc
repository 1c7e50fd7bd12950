// What the browser test (tests/browser/console_test.py) drives: the real botrunner server with
// its admin listener and a fake Twilio, both on 127.0.0.1, in rest mode (the bot's and the
// agent's messages go to the fake Twilio). Commands on stdin, one a line, answers on stdout:
//   (start)                 ready <admin_port> <token>
//   say <from> <text...>    said <HTTP status of the signed webhook>
//   wait_sent <n>           sent <count> <last body, JSON-quoted>   (waits up to 10 s for n)
//   quit                    bye   (the server stops gracefully)
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "admin/admin_auth.h"
#include "config/config.h"
#include "server/server.h"
#include "support/fake_twilio.h"
#include "support/webhook_client.h"
#include "util/json_text.h"

namespace {

using bot::testing::FakeTwilio;

constexpr char kToken[] = "console-browser-agent-token";
constexpr char kBase[] = "https://bot.example.test";
constexpr char kBotNumber[] = "whatsapp:+14155238886";

int Run() {
  FakeTwilio twilio;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("console_browser_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string yaml = "listen: {host: 127.0.0.1, port: 0}\n";
  yaml += std::string("public_base_url: ") + kBase + "\n";
  yaml += "database: " + (dir / "bot.db").string() + "\n";
  yaml += "media_dir: " + (dir / "media").string() + "\n";
  yaml += std::string("dialogs: ") + BOT_SOURCE_DIR + "/dialogs\n";
  yaml += std::string("prompts: ") + BOT_SOURCE_DIR + "/prompts\n";
  yaml += "reply_mode: rest\noutbox_poll_ms: 50\n";
  yaml += "accounts:\n  main: {sid: " + std::string(FakeTwilio::kAccountSid) +
          ", auth_token: " + FakeTwilio::kAuthToken + ", api_origin: \"" + twilio.origin() +
          "\"}\n";
  yaml += std::string("numbers:\n  - {to: \"") + kBotNumber + "\", dialog: review_rating}\n";
  yaml +=
      "admin:\n  listen: {host: 127.0.0.1, port: 0}\n"
      "  tokens:\n    - {name: ana, role: agent, sha256_env: CONSOLE_AGENT}\n";
  const std::string hash = runner::Sha256Hex(kToken);
  bot::Result<runner::RunnerConfig> config = runner::ParseConfig(
      yaml, "console_harness.yaml", [&](const std::string& name) -> std::optional<std::string> {
        if (name == "CONSOLE_AGENT") return hash;
        return std::nullopt;
      });
  if (!config.ok()) {
    std::cerr << config.status().ToString() << "\n";
    return 1;
  }
  runner::ServerOptions options;
  options.log_level = runner::LogLevel::kWarn;
  auto server = runner::Server::Create(std::move(*config), options);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::cerr << "the server did not start\n";
    return 1;
  }
  std::thread serving([&] { (*server)->Run(); });
  bot::testing::WebhookClient client((*server)->port(), kBase, FakeTwilio::kAuthToken);
  std::cout << "ready " << (*server)->admin_port() << " " << kToken << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command == "say") {
      std::string from, text;
      in >> from;
      std::getline(in >> std::ws, text);
      bot::testing::HttpReply r =
          client.Post("/twilio/inbound", client.Text(kBotNumber, from, text));
      std::cout << "said " << r.status << std::endl;
    } else if (command == "wait_sent") {
      size_t n = 0;
      in >> n;
      twilio.WaitForMessages(n, std::chrono::seconds(10));
      const auto messages = twilio.messages();
      std::string last;
      runner::AppendJsonString(&last, messages.empty() ? "" : messages.back().body);
      std::cout << "sent " << messages.size() << " " << last << std::endl;
    } else if (command == "quit") {
      break;
    } else {
      std::cout << "unknown command" << std::endl;
    }
  }
  (*server)->Stop();
  serving.join();
  server->reset();
  std::filesystem::remove_all(dir);
  std::cout << "bye" << std::endl;
  return 0;
}

}  // namespace

int main() { return Run(); }
