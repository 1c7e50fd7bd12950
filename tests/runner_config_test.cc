// botrunner's config file: ${ENV} expansion, defaults, validation with file:line errors, and
// secrets kept out of error messages.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "config/config.h"

namespace runner {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RunnerConfigEnv, ExpandsReferencesAndDefaults) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case kCases[] = {
      {"plain", "plain"},
      {"${A}", "alpha"},
      {"x${A}y${B}z", "xalphaybz"},
      {"${MISSING:-fallback}", "fallback"},
      {"${EMPTY:-fallback}", "fallback"},
      {"${A:-fallback}", "alpha"},
      {"${MISSING:-}", ""},
      {"${DATA_DIR:-data}/bot.db", "data/bot.db"},
      {"cost $5 and $ {A}", "cost $5 and $ {A}"},
      {"${A:-a:-b}", "alpha"},
      {"${MISSING:-a:-b}", "a:-b"},
  };
  EnvLookup env = Env({{"A", "alpha"}, {"B", "b"}, {"EMPTY", ""}});
  for (const Case& c : kCases) {
    bot::Result<std::string> out = ExpandEnv(c.text, env);
    ASSERT_TRUE(out.ok()) << c.text << ": " << out.status().ToString();
    EXPECT_EQ(*out, c.expected) << c.text;
  }
}

TEST(RunnerConfigEnv, RejectsUnsetAndMalformedReferences) {
  EnvLookup env = Env({});
  for (const char* text : {"${UNSET}", "${", "${A", "${}", "${BAD NAME}", "${A-B}"}) {
    EXPECT_FALSE(ExpandEnv(text, env).ok()) << text;
  }
  bot::Result<std::string> unset = ExpandEnv("${TWILIO_AUTH_TOKEN}", env);
  EXPECT_NE(unset.status().message().find("TWILIO_AUTH_TOKEN"), std::string::npos);
}

constexpr const char* kMinimal = R"(
accounts:
  main: {sid: AC1, auth_token: "${TOKEN}"}
numbers:
  - to: whatsapp:+14155238886
    dialog: review_rating
)";

TEST(RunnerConfig, FillsDefaultsForAMinimalFile) {
  bot::Result<RunnerConfig> c = ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "s3cret"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->public_base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(c->inbound_path, "/twilio/inbound");
  EXPECT_EQ(c->status_path, "/twilio/status");
  EXPECT_EQ(c->database, "data/bot.db");
  EXPECT_EQ(c->reply_mode, ReplyChannel::kTwiml);
  EXPECT_EQ(c->rate_per_sender, 80);
  EXPECT_FALSE(c->insecure_skip_signature);
  ASSERT_EQ(c->numbers.size(), 1u);
  EXPECT_EQ(c->numbers[0].account, "main") << "the only account is the default";
  EXPECT_EQ(c->FindAccount("main")->auth_token, "s3cret");
  EXPECT_EQ(c->FindAccount("main")->api_origin, "https://api.twilio.com");
  EXPECT_EQ(c->FindAccountBySid("AC1"), c->FindAccount("main"));
}

TEST(RunnerConfig, DatabaseDefaultFollowsDataDir) {
  bot::Result<RunnerConfig> c =
      ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "t"}, {"DATA_DIR", "/var/lib/bot"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->database, "/var/lib/bot/bot.db");
  EXPECT_EQ(c->media_dir, "/var/lib/bot/media");
}

TEST(RunnerConfig, ReadsAFullFile) {
  const char* yaml = R"(
listen: {host: 0.0.0.0, port: "${PORT:-9000}"}
public_base_url: https://bot.example.com/
webhooks: {inbound: /wa/in, status: /wa/status}
database: /tmp/x.db
reply_mode: rest
rate_per_sender: 10
insecure_skip_signature: false
accounts:
  a: {sid: AC1, auth_token: t1, api_origin: "http://127.0.0.1:4010/"}
  b: {sid: AC2, auth_token: t2}
numbers:
  - to: whatsapp:+1
    dialog: review_rating
    account: b
    vars: {doctor: "Dra. Pérez", review_link: "https://g.page/r/X/review"}
    template: {content_sid: HX1, content_variables: '{"1":"x"}'}
  - {to: "whatsapp:+2", dialog: bench_review, account: a}
)";
  bot::Result<RunnerConfig> c = ParseConfig(yaml, "bot.yaml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->public_base_url, "https://bot.example.com");
  EXPECT_EQ(c->inbound_path, "/wa/in");
  EXPECT_EQ(c->reply_mode, ReplyChannel::kRest);
  EXPECT_EQ(c->rate_per_sender, 10);
  EXPECT_EQ(c->FindAccount("a")->api_origin, "http://127.0.0.1:4010");
  const NumberConfig* one = c->FindNumber("whatsapp:+1");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->account, "b");
  EXPECT_EQ(one->vars.at("doctor"), "Dra. Pérez");
  ASSERT_TRUE(one->template_message.has_value());
  EXPECT_EQ(one->template_message->content_sid, "HX1");
  EXPECT_EQ(one->template_message->content_variables, R"({"1":"x"})");
  EXPECT_EQ(c->FindNumber("whatsapp:+2")->dialog, "bench_review");
  EXPECT_EQ(c->FindNumber("whatsapp:+3"), nullptr);
}

TEST(RunnerConfig, ErrorsNameTheFileAndLine) {
  struct Case {
    const char* yaml;
    const char* fragment;
  };
  const Case kCases[] = {
      {"numbers: []\n", "at least one number"},
      {"reply_mode: fast\nnumbers: [{to: a, dialog: d}]\n", "bot.yaml:1: 'reply_mode'"},
      {"numbers:\n  - {to: a, dialog: d, account: nope}\n", "bot.yaml:2: number a: unknown account"},
      {"reply_mode: rest\nnumbers:\n  - {to: a, dialog: d}\n", "needs an account"},
      {"listen: {port: 70000}\nnumbers: [{to: a, dialog: d}]\n", "'port'"},
      {"webhooks: {inbound: nope}\nnumbers: [{to: a, dialog: d}]\n", "must start with '/'"},
      {"numbers:\n  - {to: a, dialog: d}\n  - {to: a, dialog: e}\n", "listed twice"},
      {"numbers:\n  - {to: a}\n", "needs 'dialog'"},
      {"accounts: {m: {sid: AC1}}\nnumbers: [{to: a, dialog: d}]\n", "needs an auth_token"},
      {"numbers: [{to: a, dialog: d}\n", "bot.yaml:"},
      {"public_base_url: ftp://x\nnumbers: [{to: a, dialog: d}]\n", "http:// or https://"},
  };
  for (const Case& c : kCases) {
    bot::Result<RunnerConfig> parsed = ParseConfig(c.yaml, "bot.yaml", Env({}));
    ASSERT_FALSE(parsed.ok()) << c.yaml;
    EXPECT_NE(parsed.status().message().find(c.fragment), std::string::npos)
        << c.yaml << "\n  got: " << parsed.status().message();
  }
}

TEST(RunnerConfig, AMissingSecretIsNamedButNoValueIsEverPrinted) {
  const char* yaml = R"(
accounts:
  main: {sid: AC1, auth_token: "${TWILIO_AUTH_TOKEN}"}
numbers: [{to: a, dialog: d, vars: {x: "${OTHER}"}}]
)";
  bot::Result<RunnerConfig> missing = ParseConfig(yaml, "bot.yaml", Env({{"OTHER", "x"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("TWILIO_AUTH_TOKEN"), std::string::npos);
  bot::Result<RunnerConfig> other =
      ParseConfig(yaml, "bot.yaml", Env({{"TWILIO_AUTH_TOKEN", "hunter2-secret"}}));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message().find("hunter2-secret"), std::string::npos);
}

TEST(RunnerConfig, TheExampleConfigStartsWithoutAnyCredentials) {
  bot::Result<RunnerConfig> c =
      LoadConfigFile(std::string(BOT_SOURCE_DIR) + "/runner/botrunner.example.yaml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->reply_mode, ReplyChannel::kTwiml);
  EXPECT_FALSE(c->insecure_skip_signature);
  ASSERT_FALSE(c->numbers.empty());
  EXPECT_FALSE(c->FindAccount(c->numbers[0].account)->auth_token.empty());
}

TEST(RunnerConfig, TheBenchConfigReadsTheHarnessEnvironment) {
  bot::Result<RunnerConfig> c = LoadConfigFile(
      std::string(BOT_SOURCE_DIR) + "/tests/bench/botrunner.yaml",
      Env({{"HOST", "127.0.0.1"}, {"PORT", "3900"}, {"AUTH_TOKEN", "tok"}, {"ACCOUNT_SID", "AC9"},
           {"BOT_NUMBER", "whatsapp:+14155238886"}, {"TWILIO_API_ORIGIN", "http://127.0.0.1:4010"},
           {"DATA_DIR", "/tmp/d"}, {"REPLY_MODE", "rest"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->public_base_url + c->inbound_path, "http://127.0.0.1:3900/twilio/inbound");
  EXPECT_EQ(c->reply_mode, ReplyChannel::kRest);
  EXPECT_EQ(c->database, "/tmp/d/bot.db");
  EXPECT_EQ(c->numbers[0].dialog, "bench_review");
  EXPECT_EQ(c->FindAccount("bench")->api_origin, "http://127.0.0.1:4010");
}

}  // namespace
}  // namespace runner
