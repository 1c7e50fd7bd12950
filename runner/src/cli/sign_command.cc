// botrunner sign: prints the X-Twilio-Signature Twilio would send, so a webhook can be tried by
// hand with curl against a local server:
//   botrunner sign --token T --url http://127.0.0.1:8080/twilio/inbound From=whatsapp:+5939... Body=Hola
// or with --config (the token of the number's account and the configured public URL).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bot/twilio.h"
#include "cli/commands.h"
#include "config/config.h"

namespace runner {

namespace {

struct SignArgs {
  std::string config_path;
  std::string token;
  std::string url;
  std::vector<std::string> params;
  bool form = false;
};

int RunSign(const SignArgs& args) {
  bot::FormParams params;
  for (const std::string& p : args.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) {
      std::cerr << "botrunner sign: parameter '" << p << "' is not name=value\n";
      return 2;
    }
    params.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  std::string token = args.token;
  std::string url = args.url;
  if (!args.config_path.empty()) {
    bot::Result<RunnerConfig> config = LoadConfigFile(args.config_path, ProcessEnv());
    if (!config.ok()) {
      std::cerr << "botrunner sign: " << config.status().ToString() << "\n";
      return 2;
    }
    if (url.empty()) url = config->public_base_url + config->inbound_path;
    if (token.empty()) {
      std::string to;
      for (const auto& [name, value] : params) {
        if (name == "To") to = value;
      }
      const NumberConfig* number = config->FindNumber(to);
      if (number == nullptr) number = &config->numbers.front();
      const AccountConfig* account = config->FindAccount(number->account);
      if (account == nullptr) {
        std::cerr << "botrunner sign: number " << number->to << " has no account\n";
        return 2;
      }
      token = account->auth_token;
    }
  }
  if (token.empty() || url.empty()) {
    std::cerr << "botrunner sign: give --config, or --token and --url\n";
    return 2;
  }
  std::cout << bot::ComputeTwilioSignature(token, url, params) << "\n";
  if (args.form) std::cout << bot::FormEncode(params) << "\n";
  return 0;
}

}  // namespace

void AddSignCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "sign", "Print the X-Twilio-Signature of a webhook (to try the server with curl)");
  auto args = std::make_shared<SignArgs>();
  cmd->add_option("-c,--config", args->config_path,
                  "runner config: token of the To number's account, URL = public inbound URL");
  cmd->add_option("--token", args->token, "auth token (overrides the config's)");
  cmd->add_option("--url", args->url, "the webhook URL Twilio would call (overrides the config's)");
  cmd->add_flag("--form", args->form, "also print the parameters form-encoded (a curl body)");
  cmd->add_option("params", args->params, "webhook parameters as name=value");
  cmd->callback([exit_code, args] { *exit_code = RunSign(*args); });
}

}  // namespace runner
