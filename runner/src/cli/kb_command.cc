// botrunner kb import <file> --number N [--db FILE]: loads a number's offers catalogue (all or
// nothing; each bad row reported with its line). botrunner kb search "<question>" --number N:
// what the engine would find for a question.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/sqlite_knowledge.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/postgres_config.h"
#include "server/providers.h"

namespace runner {
namespace {

struct KbArgs {
  std::string config;  // botrunner.yaml: its database, and its embeddings provider
  std::string file;
  std::string question;
  std::string number;
  std::string db = "data/bot.db";
  std::string zone;
  int limit = 3;
};

// "+5215512345678" and "whatsapp:+5215512345678" both name the WhatsApp number.
std::string Channel(const std::string& number) {
  return number.find(':') == std::string::npos ? "whatsapp:" + number : number;
}

int RunImport(KbArgs args) {
  // With the server's config: its database, and its embeddings provider (`providers:
  // embeddings:`) embeds the offers that changed, for the hybrid search.
  bot::SystemClock clock;
  std::unique_ptr<RunnerProviders> providers;
  if (!args.config.empty()) {
    bot::Result<RunnerConfig> config = LoadConfigFile(args.config, ProcessEnv());
    if (!config.ok()) {
      std::cerr << "botrunner kb import: " << config.status().ToString() << "\n";
      return 1;
    }
    bot::Result<std::string> db = SqliteFileOf(*config, "botrunner kb");
    if (!db.ok()) {
      std::cerr << "botrunner kb import: " << db.status().ToString() << "\n";
      return 1;
    }
    args.db = *db;
    auto created = RunnerProviders::Create(config->providers, config->database, &clock);
    if (!created.ok()) {
      std::cerr << "botrunner kb import: " << created.status().ToString() << "\n";
      return 1;
    }
    providers = std::move(*created);
  }
  auto kb = bot::SqliteKnowledgeBase::Open(args.db, providers ? providers->embedder() : nullptr);
  if (!kb.ok()) {
    std::cerr << "botrunner kb import: " << kb.status().ToString() << "\n";
    return 1;
  }
  bot::Result<bot::ImportReport> report = (*kb)->ImportOffers(Channel(args.number), args.file);
  if (!report.ok()) {
    std::cerr << "botrunner kb import: " << report.status().ToString() << "\n";
    return 1;
  }
  if (!report->errors.empty()) {
    for (const bot::ImportError& e : report->errors) {
      std::cerr << args.file << (e.line > 0 ? ":" + std::to_string(e.line) : "") << ": " << e.reason
                << "\n";
    }
    std::cerr << "botrunner kb import: " << report->errors.size()
              << " bad row(s); nothing was imported\n";
    return 1;
  }
  std::cout << "imported " << args.file << " for " << Channel(args.number) << ": " << report->added
            << " added, " << report->updated << " updated, " << report->unchanged << " unchanged, "
            << report->removed << " no longer offered\n";
  return 0;
}

int RunSearch(const KbArgs& args) {
  auto kb = bot::SqliteKnowledgeBase::Open(args.db);
  if (!kb.ok()) {
    std::cerr << "botrunner kb search: " << kb.status().ToString() << "\n";
    return 1;
  }
  bot::OfferQuery query;
  query.text = args.question;
  query.zone = args.zone;
  query.limit = static_cast<size_t>(args.limit);
  bot::Result<bot::SearchResult> found = (*kb)->Search(Channel(args.number), query);
  if (!found.ok()) {
    std::cerr << "botrunner kb search: " << found.status().ToString() << "\n";
    return 1;
  }
  std::cout << (found->supported ? "supported" : "not supported: the bot says it does not know")
            << "\n";
  for (const bot::Passage& p : found->passages) {
    std::cout << p.offer.id << "  " << p.offer.title << " (" << p.offer.zone << ")  matched:";
    for (const std::string& term : p.matched_terms) std::cout << " " << term;
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

void AddKbCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<KbArgs>();
  CLI::App* kb = app.add_subcommand("kb", "The offers catalogue a number answers questions from");
  kb->require_subcommand(1);
  CLI::App* import =
      kb->add_subcommand("import", "Load a catalogue (.csv or .jsonl), all or nothing");
  import->add_option("file", args->file, "the catalogue")->required()->check(CLI::ExistingFile);
  import->add_option("--number", args->number, "the bot number, e.g. +14155238886")->required();
  import->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  import
      ->add_option("--config", args->config,
                   "botrunner.yaml: its database and its embeddings provider")
      ->check(CLI::ExistingFile);
  import->callback([exit_code, args] { *exit_code = RunImport(*args);
});
CLI::App* search = kb->add_subcommand("search", "What a question finds in a catalogue");
search->add_option("question", args->question, "the question")->required();
search->add_option("--number", args->number, "the bot number")->required();
search->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
search->add_option("--zone", args->zone, "filter on a zone");
search->add_option("--limit", args->limit, "offers to show")->capture_default_str();
search->callback([exit_code, args] { *exit_code = RunSearch(*args); });
}  // namespace runner

}  // namespace runner
