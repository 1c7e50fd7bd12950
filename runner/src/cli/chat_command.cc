// `botrunner chat`: talk to a dialog in the terminal with the same engine and SQLite store.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/sqlite_knowledge.h"
#include "bot/sqlite_store.h"
#include "cli/commands.h"

namespace runner {
namespace {

struct ChatOptions {
  std::string dialog = "review_rating";
  std::vector<std::string> vars;
  std::string dialogs_dir = "dialogs";
  std::string prompts_dir = "prompts";
  std::string database;  // "" = a fresh temporary file
  std::string contact = "whatsapp:+593987654321";
  std::string name = "Ana";
  std::string offers;  // an offers catalogue for dialogs with `knowledge: offers`
};

void PrintTurn(const bot::Result<bot::TurnResult>& turn) {
  if (!turn.ok()) {
    std::cout << "error: " << turn.status().ToString() << "\n";
    return;
  }
  if (turn->replies.empty()) std::cout << "(no reply)\n";
  for (const std::string& reply : turn->replies) std::cout << "bot> " << reply << "\n";
  if (turn->session) {
    std::cout << "     [" << turn->session->state << ", "
              << bot::SessionStatusName(turn->session->status) << "]\n";
  }
}

int RunChat(const ChatOptions& o) {
  auto dialogs = bot::LoadDialogDir(o.dialogs_dir, o.prompts_dir);
  if (!dialogs.ok()) {
    std::cerr << dialogs.status().message() << "\n";
    return 1;
  }
  auto dialog = (*dialogs)->Find(o.dialog);
  if (!dialog) {
    std::cerr << "no dialog '" << o.dialog << "' in " << o.dialogs_dir << "\n";
    return 1;
  }
  bot::VarMap vars;
  for (const std::string& kv : o.vars) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::cerr << "--var wants name=value, got '" << kv << "'\n";
      return 2;
    }
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string db = o.database;
  if (db.empty()) {
    db = (std::filesystem::temp_directory_path() / ("botrunner-chat-" + std::to_string(::getpid()) + ".db")).string();
  }
  auto store = bot::OpenSqliteStore(db);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  bot::SystemClock clock;
  bot::Bot engine(*dialogs, store->get(), &clock);
  const std::string channel = "whatsapp:+14155238886";
  auto knowledge = bot::SqliteKnowledgeBase::Open(db);
  if (!knowledge.ok()) {
    std::cerr << knowledge.status().message() << "\n";
    return 1;
  }
  if (!o.offers.empty()) {
    auto report = (*knowledge)->ImportOffers(channel, o.offers);
    if (!report.ok() || !report->errors.empty()) {
      std::cerr << o.offers << ": "
                << (report.ok() ? "line " + std::to_string(report->errors[0].line) + ": " +
                                      report->errors[0].reason
                                : report.status().message())
                << "\n";
      return 1;
    }
  }
  bot::BotProviders providers;
  providers.knowledge = knowledge->get();
  engine.SetProviders(providers);
  std::cout << "Chatting with '" << o.dialog << "' (store: " << db << ").\n"
            << "Type messages; /release ends a human handoff; /quit or Ctrl-D leaves.\n";

  // The bot speaks first when every required variable was given.
  bool can_start = true;
  for (const auto& [name, def] : dialog->variables) {
    if (def.empty() && !vars.contains(name)) can_start = false;
  }
  if (can_start) PrintTurn(engine.Start(channel, o.contact, o.dialog, vars));

  std::string line;
  int n = 0;
  while (std::cout << "you> " << std::flush, std::getline(std::cin, line)) {
    if (line == "/quit") break;
    if (line == "/release") {
      bot::Status s = engine.ReleaseHandoff(channel, o.contact);
      std::cout << (s.ok() ? "(handoff released)" : s.ToString()) << "\n";
      continue;
    }
    bot::InboundMessage m;
    m.channel = channel;
    m.from = o.contact;
    m.provider_id = "chat-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
    m.profile_name = o.name;
    m.text = line;
    m.dialog_id = o.dialog;
    m.vars = vars;
    m.received_at = clock.Now();
    PrintTurn(engine.Handle(m));
  }
  std::cout << "\n";
  if (o.database.empty()) {
    knowledge->reset();
    store->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  return 0;
}

}  // namespace

void AddChatCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* cmd = app.add_subcommand("chat", "Talk to a dialog in the terminal");
  cmd->add_option("--dialog", options->dialog, "Dialog id")->capture_default_str();
  cmd->add_option("--var", options->vars, "Prompt variable name=value (repeatable)");
  cmd->add_option("--dialogs", options->dialogs_dir, "Dialogs folder")->capture_default_str();
  cmd->add_option("--prompts", options->prompts_dir, "Prompts folder")->capture_default_str();
  cmd->add_option("--db", options->database, "SQLite file to keep (default: a temporary one)");
  cmd->add_option("--name", options->name, "Your WhatsApp profile name")->capture_default_str();
  cmd->add_option("--offers", options->offers,
                  "An offers catalogue (.csv/.jsonl) the dialog answers questions from");
  cmd->callback([options, exit_code] { *exit_code = RunChat(*options); });
}

}  // namespace runner
