// botrunner erase <address> --db FILE|URI --actor NAME [--channel whatsapp:+1...] [--schema S]:
// erases a contact's personal data (bot/sqlite_store.h EraseContactData; on PostgreSQL
// bot/postgres_store.h ErasePostgresContactData) and prints what changed.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "bot/postgres_store.h"
#include "bot/sqlite_store.h"
#include "cli/commands.h"
#include "config/postgres_config.h"

namespace runner {

namespace {

struct EraseArgs {
  std::string address;
  std::string db_path;
  std::string channel;
  std::string actor;
  std::string schema;  // PostgreSQL: postgres.schema
};

int RunErase(const EraseArgs& args) {
  bot::SystemClock clock;
  auto report =
      IsPostgresUri(args.db_path)
          ? bot::ErasePostgresContactData(args.db_path, {.schema = args.schema}, args.channel,
                                          args.address, args.actor, clock)
          : bot::EraseContactData(args.db_path, args.channel, args.address, args.actor, clock);
  if (!report.ok()) {
    std::cerr << "botrunner erase: " << report.status().ToString() << "\n";
    return 1;
  }
  std::cout << "erased " << args.address << " (" << report->contacts << " contact"
            << (report->contacts == 1 ? "" : "s") << "): " << report->messages << " messages, "
            << report->files_deleted << " files deleted, " << report->documents
            << " documents, " << report->reports << " sealed reports, " << report->sessions
            << " sessions, " << report->records << " records, " << report->usage_records
            << " usage records\n";
  return 0;
}

}  // namespace

void AddEraseCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<EraseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "erase", "Erase a contact's personal data (keeps anonymous counts; audited)");
  cmd->add_option("address", args->address, "the contact's address, e.g. whatsapp:+5215512345678")
      ->required();
  cmd->add_option("--db", args->db_path, "the store's SQLite file, or a postgresql:// URI")
      ->required();
  cmd->add_option("--schema", args->schema, "PostgreSQL: the schema (postgres.schema)");
  cmd->add_option("--actor", args->actor, "who asked for it, for the audit trail")->required();
  cmd->add_option("--channel", args->channel,
                  "only on this bot number (default: every channel the address used)");
  cmd->callback([exit_code, args] { *exit_code = RunErase(*args); });
}

}  // namespace runner
