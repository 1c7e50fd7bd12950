// botrunner serve --config <file>: the Twilio WhatsApp webhook server.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/config.h"
#include "server/server.h"

namespace runner {

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the Twilio WhatsApp webhook server");
  auto config_path = std::make_shared<std::string>();
  cmd->add_option("-c,--config", *config_path, "YAML config file (see runner/botrunner.example.yaml)")
      ->required();
  cmd->callback([exit_code, config_path] {
    bot::Result<RunnerConfig> config = LoadConfigFile(*config_path, ProcessEnv());
    if (!config.ok()) {
      std::cerr << "botrunner serve: " << config.status().ToString() << "\n";
      *exit_code = 2;
      return;
    }
    ServerOptions options;
    options.handle_signals = true;
    const char* level = std::getenv("BOTRUNNER_LOG");
    options.log_level = ParseLogLevel(level ? level : "info");
    bot::Result<std::unique_ptr<Server>> server = Server::Create(std::move(*config), options);
    if (!server.ok()) {
      std::cerr << "botrunner serve: " << server.status().ToString() << "\n";
      *exit_code = 1;
      return;
    }
    bot::Status started = (*server)->Start();
    if (!started.ok()) {
      std::cerr << "botrunner serve: " << started.ToString() << "\n";
      *exit_code = 1;
      return;
    }
    (*server)->Run();
    *exit_code = 0;
  });
}

}  // namespace runner
