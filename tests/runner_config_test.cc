// botrunner's config file: ${ENV} expansion, defaults, validation with file:line errors, and
// secrets kept out of error messages.
#include <gtest/gtest.h>

#include <chrono>
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
  EXPECT_TRUE(c->group_commit);
  EXPECT_EQ(c->sqlite_cache_kib, 8192);
  ASSERT_EQ(c->numbers.size(), 1u);
  EXPECT_EQ(c->numbers[0].account, "main") << "the only account is the default";
  EXPECT_EQ(c->FindAccount("main")->auth_token, "s3cret");
  EXPECT_EQ(c->FindAccount("main")->api_origin, "https://api.twilio.com");
  EXPECT_EQ(c->FindAccountBySid("AC1"), c->FindAccount("main"));
}

TEST(RunnerConfig, RefusesTextThatIsNotUtf8WithItsLine) {
  std::string latin1 = kMinimal;
  latin1.replace(latin1.find("review_rating"), 13,
                 "review_rating\n    vars: {doctor: \"Cl\xednica\"}");
  bot::Result<RunnerConfig> c = ParseConfig(latin1, "bot.yaml", Env({{"TOKEN", "t"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "bot.yaml:7: not valid UTF-8 (byte 23 of the line)");
  // A value from the environment is checked after expansion.
  c = ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "s\xff"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bot.yaml:3: 'auth_token': the environment gave a value "
                                      "that is not UTF-8"),
            std::string::npos)
      << c.status().message();
}

TEST(RunnerConfig, RefusesAnUnknownTopLevelKey) {
  bot::Result<RunnerConfig> c = ParseConfig(std::string(kMinimal) + "media_timout_ms: 3000\n",
                                            "bot.yaml", Env({{"TOKEN", "t"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "bot.yaml:7: unknown key 'media_timout_ms' in the config");
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
group_commit: false
sqlite_cache_kib: 4096
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
  EXPECT_FALSE(c->group_commit);
  EXPECT_EQ(c->sqlite_cache_kib, 4096);
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

constexpr const char* kLender = R"(
accounts:
  lender: {sid: AC1, auth_token: t}
  clinic: {sid: AC2, auth_token: u}
numbers:
  - {to: "whatsapp:+5215500000000", dialog: credit_application, account: lender}
  - {to: "whatsapp:+14155238886", dialog: review_rating}
)";

TEST(RunnerConfig, ReadsLoanRemindersWithDefaultsAndANumberAsPeopleTypeIt) {
  bot::Result<RunnerConfig> none = ParseConfig(kLender, "bot.yaml", Env({}));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->loan_reminders.has_value());

  bot::Result<RunnerConfig> c =
      ParseConfig(std::string(kLender) +
                      "loan_reminders:\n"
                      "  number: \"+5215500000000\"\n"
                      "  content_sid: {before: HXb, due: \"${DUE_SID}\", overdue: HXo}\n",
                  "bot.yaml", Env({{"DUE_SID", "HXd"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->loan_reminders.has_value());
  EXPECT_EQ(c->loan_reminders->number, "whatsapp:+5215500000000");
  const std::map<std::string, std::string> sids = {
      {"before", "HXb"}, {"due", "HXd"}, {"overdue", "HXo"}};
  EXPECT_EQ(c->loan_reminders->content_sid, sids);
  EXPECT_EQ(c->loan_reminders->hour, 9);
  EXPECT_EQ(c->loan_reminders->time_zone, "America/Mexico_City");

  c = ParseConfig(std::string(kLender) +
                      "loan_reminders:\n"
                      "  number: whatsapp:+5215500000000\n"
                      "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n"
                      "  hour: 0\n"
                      "  time_zone: America/Guayaquil\n",
                  "bot.yaml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->loan_reminders->hour, 0);
  EXPECT_EQ(c->loan_reminders->time_zone, "America/Guayaquil");
}

TEST(RunnerConfig, RefusesLoanRemindersThatCouldNotBeSent) {
  struct Case {
    const char* section;
    const char* fragment;
  };
  const Case kCases[] = {
      {"loan_reminders: [a]\n", "bot.yaml:8: 'loan_reminders' must be a mapping"},
      {"loan_reminders:\n  number: \"+5215599999999\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n",
       "bot.yaml:9: loan_reminders: number '+5215599999999' is not in numbers"},
      {"loan_reminders:\n  number: \"+14155238886\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n",
       "needs an account to send the reminders with"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n", "needs content_sid"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n  content_sid: {before: HXb, due: HXd}\n",
       "no ContentSid for the 'overdue' loan reminder"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo, late: HXl}\n",
       "'late'"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n  hour: 24\n",
       "'hour'"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n  time_zone: Mars/Olympus\n",
       "unknown time zone 'Mars/Olympus'"},
      {"loan_reminders:\n  number: \"+5215500000000\"\n"
       "  content_sid: {before: HXb, due: HXd, overdue: HXo}\n  timezone: UTC\n",
       "'timezone'"},
  };
  for (const Case& c : kCases) {
    bot::Result<RunnerConfig> parsed =
        ParseConfig(std::string(kLender) + c.section, "bot.yaml", Env({}));
    ASSERT_FALSE(parsed.ok()) << c.section;
    EXPECT_NE(parsed.status().message().find(c.fragment), std::string::npos)
        << c.section << "\n  got: " << parsed.status().message();
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

// ---- providers: ----

const std::string kKey1 = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";  // 32 x 'A'

std::string WithProviders(const std::string& providers) {
  return "numbers: [{to: a, dialog: d}]\nproviders:\n" + providers;
}

TEST(RunnerProvidersConfig, NothingIsConfiguredWhenTheSectionIsLeftOut) {
  bot::Result<RunnerConfig> c = ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "t"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->providers.any());
  EXPECT_FALSE(c->providers.data_keys.has_value());
  EXPECT_EQ(c->providers.turn_deadline, std::chrono::seconds(20));
  EXPECT_EQ(c->providers.retry.max_attempts, bot::RetryOptions().max_attempts);
}

TEST(RunnerProvidersConfig, ReadsEveryProviderWithKeysFromTheEnvironment) {
  const char* yaml = R"(
numbers: [{to: a, dialog: d}]
providers:
  llm:
    kind: openai
    name: openrouter
    base_url: https://openrouter.ai/api/v1/
    model: openai/gpt-4o-mini
    api_key_env: OPENROUTER_API_KEY
    timeout_ms: 12000
    strict_schema: false
    headers: {HTTP-Referer: "https://clinica.example", X-Title: Clinica}
  stt: {base_url: "https://api.openai.com/v1", model: whisper-1, api_key_env: OPENAI_API_KEY}
  ocr: {kind: vision, model: gpt-4o-mini, api_key_env: OPENAI_API_KEY, timeout_ms: 45000}
  bureau: {url: "https://buro.example.mx/v1/score", api_key_env: BUREAU_KEY, timeout_ms: 9000}
  budgets: {tokens_per_conversation: 20000, usd_per_conversation: "0.05", tokens_per_day: 1000000,
            usd_per_day: 5}
  prices:
    gpt-4o-mini: {input_per_mtok: 0.15, output_per_mtok: "0.60"}
    whisper-1: {per_audio_minute: 0.006}
  retry: {max_attempts: 4, base_delay_ms: 100, max_delay_ms: 2000, max_retry_after_ms: 30000,
          deadline_ms: 25000, breaker_failures: 3, breaker_cooldown_ms: 10000}
  turn_deadline_s: 30
)";
  bot::Result<RunnerConfig> c = ParseConfig(yaml, "bot.yaml",
                                            Env({{"OPENROUTER_API_KEY", "sk-or-1\n"},
                                                 {"OPENAI_API_KEY", "sk-2"},
                                                 {"BUREAU_KEY", "b-3"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const ProvidersConfig& p = c->providers;
  ASSERT_TRUE(p.llm.has_value());
  EXPECT_EQ(p.llm->kind, LlmKind::kOpenAi);
  EXPECT_EQ(p.llm->llm.provider, "openrouter");
  EXPECT_EQ(p.llm->llm.base_url, "https://openrouter.ai/api/v1");
  EXPECT_EQ(p.llm->llm.model, "openai/gpt-4o-mini");
  EXPECT_EQ(p.llm->llm.api_key, "sk-or-1") << "trimmed: `export K=$(cat file)` keeps the newline";
  EXPECT_EQ(p.llm->llm.timeout, std::chrono::milliseconds(12000));
  EXPECT_FALSE(p.llm->llm.strict_schema);
  EXPECT_EQ(p.llm->llm.extra_headers,
            (bot::HttpHeaders{{"HTTP-Referer", "https://clinica.example"}, {"X-Title", "Clinica"}}));
  ASSERT_TRUE(p.stt.has_value());
  EXPECT_EQ(p.stt->llm.model, "whisper-1");
  EXPECT_EQ(p.stt->llm.api_key, "sk-2");
  ASSERT_TRUE(p.ocr.has_value());
  EXPECT_EQ(p.ocr->kind, OcrKind::kVision);
  EXPECT_EQ(p.ocr->vision.base_url, "https://api.openai.com/v1") << "the default";
  EXPECT_EQ(p.ocr->vision.timeout, std::chrono::milliseconds(45000));
  ASSERT_TRUE(p.bureau.has_value());
  EXPECT_EQ(p.bureau->options.url, "https://buro.example.mx/v1/score");
  EXPECT_EQ(p.bureau->options.api_key, "b-3");
  EXPECT_EQ(p.bureau->options.timeout, std::chrono::milliseconds(9000));
  EXPECT_EQ(p.budgets.tokens_per_conversation, 20000);
  EXPECT_EQ(p.budgets.micro_usd_per_conversation, 50000);
  EXPECT_EQ(p.budgets.tokens_per_day, 1000000);
  EXPECT_EQ(p.budgets.micro_usd_per_day, 5000000);
  EXPECT_EQ(p.prices.at("gpt-4o-mini").input_per_mtok, 150000);
  EXPECT_EQ(p.prices.at("gpt-4o-mini").output_per_mtok, 600000);
  EXPECT_EQ(p.prices.at("whisper-1").per_audio_minute, 6000);
  EXPECT_EQ(p.retry.max_attempts, 4);
  EXPECT_EQ(p.retry.base_delay, std::chrono::milliseconds(100));
  EXPECT_EQ(p.retry.max_delay, std::chrono::milliseconds(2000));
  EXPECT_EQ(p.retry.max_retry_after, std::chrono::milliseconds(30000));
  EXPECT_EQ(p.retry.deadline, std::chrono::milliseconds(25000));
  EXPECT_EQ(p.retry.breaker_failures, 3);
  EXPECT_EQ(p.retry.breaker_cooldown, std::chrono::milliseconds(10000));
  EXPECT_EQ(p.turn_deadline, std::chrono::seconds(30));
}

TEST(RunnerProvidersConfig, ReadsAnthropicTesseractAndALocalServerWithoutAKey) {
  const char* yaml = R"(
numbers: [{to: a, dialog: d}]
providers:
  llm: {kind: anthropic, model: claude-sonnet-4-5, api_key_env: ANTHROPIC_API_KEY}
  stt: {base_url: "http://127.0.0.1:8000/v1", model: whisper-large-v3}
  ocr: {kind: tesseract, datapath: /usr/share/tessdata}
)";
  bot::Result<RunnerConfig> c =
      ParseConfig(yaml, "bot.yaml", Env({{"ANTHROPIC_API_KEY", "sk-ant"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->providers.llm->kind, LlmKind::kAnthropic);
  EXPECT_EQ(c->providers.llm->llm.provider, "anthropic");
  EXPECT_EQ(c->providers.llm->llm.base_url, "https://api.anthropic.com/v1");
  EXPECT_TRUE(c->providers.llm->llm.strict_schema);
  EXPECT_EQ(c->providers.stt->llm.api_key, "") << "plain http: a local server, no key needed";
  EXPECT_EQ(c->providers.ocr->kind, OcrKind::kTesseract);
  EXPECT_EQ(c->providers.ocr->tesseract.language, "spa");
  EXPECT_EQ(c->providers.ocr->tesseract.datapath, "/usr/share/tessdata");
  EXPECT_FALSE(c->providers.bureau.has_value());
}

TEST(RunnerProvidersConfig, LimitsPerProviderAndTheTwimlBudget) {
  const char* yaml = R"(
numbers: [{to: a, dialog: d}]
twiml_budget_ms: 8000
media_timeout_ms: 3000
providers:
  llm: {base_url: "http://127.0.0.1:8000/v1", model: m, max_in_flight: 50, requests_per_minute: 500,
        tokens_per_minute: 200000, connections: 10}
  stt: {base_url: "http://127.0.0.1:8000/v1", model: whisper-1}
  ocr: {kind: vision, base_url: "http://127.0.0.1:8000/v1", model: m, max_in_flight: 4}
)";
  bot::Result<RunnerConfig> c = ParseConfig(yaml, "bot.yaml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->twiml_budget, std::chrono::milliseconds(8000));
  EXPECT_EQ(c->media_timeout, std::chrono::milliseconds(3000));
  const LimitsConfig& llm = c->providers.llm->limits;
  EXPECT_EQ(llm.limits.max_in_flight, 50);
  EXPECT_EQ(llm.limits.requests_per_minute, 500);
  EXPECT_EQ(llm.limits.tokens_per_minute, 200000);
  EXPECT_EQ(llm.connections, 10);
  const LimitsConfig& stt = c->providers.stt->limits;
  EXPECT_EQ(stt.limits.max_in_flight, bot::ProviderLimits().max_in_flight) << "the default";
  EXPECT_EQ(stt.limits.requests_per_minute, 0) << "no cap unless asked";
  EXPECT_EQ(stt.connections, stt.limits.max_in_flight);
  EXPECT_EQ(c->providers.ocr->limits.limits.max_in_flight, 4);
  EXPECT_EQ(c->providers.ocr->limits.connections, 4);

  bot::Result<RunnerConfig> minimal = ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "t"}}));
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->twiml_budget, std::chrono::milliseconds(10000)) << "well under Twilio's 15 s";
  EXPECT_EQ(minimal->media_timeout, std::chrono::milliseconds(10000));
  for (const char* bad :
       {"twiml_budget_ms: 15000\n", "twiml_budget_ms: 0\n", "media_timeout_ms: 60000\n"}) {
    bot::Result<RunnerConfig> r =
        ParseConfig(std::string(kMinimal) + bad, "bot.yaml", Env({{"TOKEN", "t"}}));
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok())
      EXPECT_NE(r.status().message().find(std::string(bad).substr(0, 10)), std::string::npos);
  }
}

TEST(RunnerProvidersConfig, UsdAmountsAreReadExactly) {
  struct Case {
    const char* text;
    int64_t micro_usd;  // -1: an error
  };
  const Case kCases[] = {
      {"0.15", 150000}, {"5", 5000000},     {"0.000125", 125}, {"2.5", 2500000},
      {"0", 0},         {".5", 500000},     {"10.", 10000000}, {"0.0000001", -1},
      {"-1", -1},       {"1.2.3", -1},      {"1e3", -1},       {"abc", -1},
      {".", -1},        {"99999999999999999999", -1},
  };
  for (const Case& c : kCases) {
    std::string yaml = WithProviders(std::string("  budgets: {usd_per_day: \"") + c.text + "\"}\n");
    bot::Result<RunnerConfig> parsed = ParseConfig(yaml, "bot.yaml", Env({}));
    if (c.micro_usd < 0) {
      ASSERT_FALSE(parsed.ok()) << c.text;
      EXPECT_NE(parsed.status().message().find("bot.yaml:3: 'usd_per_day'"), std::string::npos)
          << parsed.status().message();
    } else {
      ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().ToString();
      EXPECT_EQ(parsed->providers.budgets.micro_usd_per_day, c.micro_usd) << c.text;
    }
  }
}

TEST(RunnerProvidersConfig, ErrorsNameTheFileLineAndProblem) {
  struct Case {
    const char* providers;
    const char* fragment;
  };
  const Case kCases[] = {
      {"  llm: [openai]\n", "bot.yaml:3: 'providers.llm' must be a mapping"},
      {"  llm: {kind: gemini, model: m, api_key_env: K}\n", "bot.yaml:3: providers.llm: 'kind'"},
      {"  llm: {api_key_env: K}\n", "providers.llm needs 'model'"},
      {"  llm: {model: m}\n", "providers.llm needs 'api_key_env'"},
      {"  llm: {model: m, api_key_env: UNSET_KEY}\n",
       "bot.yaml:3: providers.llm: environment variable UNSET_KEY (api_key_env) is not set"},
      {"  llm: {model: m, api_key_env: \"sk-abc123\"}\n", "NAME of an environment variable"},
      {"  llm: {model: m, api_key: K}\n", "unknown key 'api_key' in providers.llm (secrets"},
      {"  llm: {modle: m, api_key_env: K}\n", "unknown key 'modle' in providers.llm"},
      {"  llm: {model: m, api_key_env: K, base_url: ftp://x}\n", "'base_url' must start with"},
      {"  llm: {model: m, api_key_env: K, timeout_ms: 0}\n", "'timeout_ms' must be an integer"},
      {"  llm: {model: m, api_key_env: K, strict_schema: maybe}\n", "'strict_schema'"},
      {"  llm: {model: m, api_key_env: K, max_in_flight: 0}\n", "'max_in_flight' must be"},
      {"  llm: {model: m, api_key_env: K, requests_per_minute: -1}\n", "'requests_per_minute'"},
      {"  llm: {model: m, api_key_env: K, max_inflight: 9}\n", "unknown key 'max_inflight'"},
      {"  llm:\n    model: m\n    api_key_env: K\n    headers: {Authorization: Bearer x}\n",
       "bot.yaml:6: providers.llm.headers: 'Authorization' is set from api_key_env"},
      {"  stt: {kind: deepgram, model: nova}\n", "providers.stt: 'kind' must be openai"},
      {"  stt: {base_url: \"http://127.0.0.1:1/v1\"}\n", "providers.stt needs 'model'"},
      {"  ocr: {model: m, api_key_env: K}\n", "providers.ocr: 'kind' must be vision or tesseract"},
      {"  ocr: {kind: tesseract, model: m}\n", "unknown key 'model' in providers.ocr (tesseract)"},
      {"  ocr: {kind: tesseract, language: \"\"}\n", "'language' must not be empty"},
      {"  bureau: {api_key_env: K}\n", "providers.bureau: 'url' must be https://"},
      {"  bureau: {url: \"http://buro.example.mx/v1/score\", api_key_env: K}\n",
       "plain http only on 127.0.0.1"},
      {"  bureau: {url: \"https://buro.example.mx/v1/score\"}\n",
       "providers.bureau needs 'api_key_env'"},
      {"  budgets: {tokens_per_day: -5}\n", "'tokens_per_day' must be an integer"},
      {"  budgets: {usd_per_month: 5}\n", "unknown key 'usd_per_month' in providers.budgets"},
      {"  prices: {gpt-4o-mini: 0.15}\n", "providers.prices.gpt-4o-mini must be a mapping"},
      {"  prices: {gpt-4o-mini: {input: 0.15}}\n", "unknown key 'input' in providers.prices"},
      {"  retry: {max_attempts: 0}\n", "'max_attempts' must be an integer in [1, 10]"},
      {"  retry: {base_delay_ms: 5000, max_delay_ms: 100}\n", "'max_delay_ms' is below"},
      {"  turn_deadline_s: 0\n", "'turn_deadline_s'"},
      {"  tts: {model: m}\n", "bot.yaml:3: unknown key 'tts' in providers"},
      {"  ocr: {kind: vision, api_key_env: K}\n", "providers.ocr needs 'model'"},
      {"  ocr: {kind: vision, model: m}\n", "providers.ocr needs 'api_key_env'"},
      {"  llm: {model: m, api_key_env: K, headers: [x]}\n",
       "'providers.llm.headers' must be a mapping"},
      {"  prices: [gpt-4o-mini]\n", "bot.yaml:3: 'providers.prices' must be a mapping"},
      {"  bureau: {url: \"https://b.mx/s\", api_key_env: K, timeout_ms: abc}\n",
       "'timeout_ms' must be an integer"},
      {"  bureau: {url: \"https://b.mx/s\", api_key_env: K, key: x}\n",
       "unknown key 'key' in providers.bureau (secrets are never written in the file"},
      {"  budgets: {usd_per_conversation: \"-0.5\"}\n", "'usd_per_conversation' must be"},
      {"  retry: {deadline_ms: 0}\n", "'deadline_ms' must be an integer"},
  };
  for (const Case& c : kCases) {
    bot::Result<RunnerConfig> parsed =
        ParseConfig(WithProviders(c.providers), "bot.yaml", Env({{"K", "secret-value-42"}}));
    ASSERT_FALSE(parsed.ok()) << c.providers;
    EXPECT_NE(parsed.status().message().find(c.fragment), std::string::npos)
        << c.providers << "\n  got: " << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("secret-value-42"), std::string::npos)
        << "a key was printed: " << parsed.status().message();
  }
  bot::Result<RunnerConfig> not_a_map =
      ParseConfig("numbers: [{to: a, dialog: d}]\nproviders: [llm]\n", "bot.yaml", Env({}));
  ASSERT_FALSE(not_a_map.ok());
  EXPECT_NE(not_a_map.status().message().find("bot.yaml:2: 'providers' must be a mapping"),
            std::string::npos)
      << not_a_map.status().message();
}

TEST(RunnerProvidersConfig, DataKeysComeFromBotDataKeys) {
  bot::Result<RunnerConfig> c = ParseConfig(
      kMinimal, "bot.yaml",
      Env({{"TOKEN", "t"}, {"BOT_DATA_KEYS", std::string("k2:") + kKey1 + ",k1:" + kKey1}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->providers.data_keys.has_value());
  EXPECT_EQ(c->providers.data_keys->active_id, "k2");
  EXPECT_EQ(c->providers.data_keys->keys.size(), 2u);
  EXPECT_EQ(c->providers.data_keys->keys.at("k1"), std::string(32, 'A'));

  for (std::string bad : {std::string("k1:") + kKey1.substr(0, 20), std::string("k1") + kKey1,
                          std::string("k1:") + kKey1 + ",k1:" + kKey1}) {
    bot::Result<RunnerConfig> parsed =
        ParseConfig(kMinimal, "bot.yaml", Env({{"TOKEN", "t"}, {"BOT_DATA_KEYS", bad}}));
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("BOT_DATA_KEYS"), std::string::npos);
    EXPECT_EQ(parsed.status().message().find(kKey1.substr(0, 20)), std::string::npos)
        << "a key was printed: " << parsed.status().message();
  }
}

TEST(RunnerProvidersConfig, TheExampleConfigsProvidersBlockIsValidOnceUncommented) {
  std::ifstream in(std::string(BOT_SOURCE_DIR) + "/runner/botrunner.example.yaml");
  std::string yaml, line;
  bool in_block = false;
  int uncommented = 0;
  while (std::getline(in, line)) {
    in_block = in_block ? line.rfind("#", 0) == 0 : line == "# providers:";
    if (in_block) {
      line = line.substr(2);
      ++uncommented;
    }
    yaml += line + "\n";
  }
  ASSERT_GT(uncommented, 5) << "the example lost its providers block";
  bot::Result<RunnerConfig> c = ParseConfig(yaml, "botrunner.example.yaml",
                                            Env({{"OPENAI_API_KEY", "sk-1"},
                                                 {"BUREAU_API_KEY", "b-1"},
                                                 {"BOT_DATA_KEYS", "k1:" + kKey1}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->providers.llm && c->providers.stt && c->providers.ocr && c->providers.bureau);
  EXPECT_EQ(c->providers.prices.at("whisper-1").per_audio_minute, 6000);
  EXPECT_TRUE(c->providers.data_keys.has_value());
}

TEST(RunnerConfigEventSinks, ReadsSinksAndTheirSecretsFromTheEnvironment) {
  bot::Result<RunnerConfig> c =
      ParseConfig(std::string(kMinimal) +
                      "event_sinks:\n"
                      "  - {name: crm, url: \"https://crm.example.com/hooks\", format: webhook,\n"
                      "     secret_env: CRM_SECRET, types: [lead.qualified], max_attempts: 5}\n"
                      "  - {name: pipeline, url: \"http://127.0.0.1:9000/events\"}\n",
                  "t.yaml", Env({{"CRM_SECRET", "whsec_abc"}, {"TOKEN", "t"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->event_sinks.size(), 2u);
  EXPECT_EQ(c->event_sinks[0].format, EventSinkConfig::Format::kWebhook);
  EXPECT_EQ(c->event_sinks[0].secret, "whsec_abc");
  EXPECT_EQ(c->event_sinks[0].max_attempts, 5);
  EXPECT_EQ(c->event_sinks[1].format, EventSinkConfig::Format::kCloudEvents);
  EXPECT_EQ(c->event_sinks[1].types, std::vector<std::string>{"*"});
  EXPECT_EQ(c->SubscribedEventTypes(), (std::vector<std::string>{"lead.qualified", "*"}));
}

TEST(RunnerConfigEventSinks, RejectsBadSinksWithTheirLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"event_sinks:\n  - {url: \"https://x\"}\n", "needs a name"},
      {"event_sinks:\n  - {name: crm, url: ftp://x}\n", "http(s) url"},
      {"event_sinks:\n  - {name: crm, url: \"https://x\", format: xml}\n",
       "cloudevents or webhook"},
      {"event_sinks:\n  - {name: crm, url: \"https://x\", secret_env: NOPE}\n", "NOPE"},
      {"event_sinks:\n  - {name: crm, url: \"https://x\", colour: red}\n", "colour"},
      {"event_sinks:\n  - {name: a, url: \"https://x\"}\n  - {name: a, url: \"https://y\"}\n",
       "twice"},
  };
  for (const auto& [yaml, expected] : cases) {
    bot::Result<RunnerConfig> c =
        ParseConfig(std::string(kMinimal) + yaml, "t.yaml", Env({{"TOKEN", "t"}}));
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_NE(c.status().message().find(expected), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find("t.yaml:"), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace runner
