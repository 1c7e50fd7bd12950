// botrunner deliveries list [--status S] [--sink N] | retry <id> | retry --dead: the event
// sinks' delivery queue (docs/events.md). botrunner leads export [--number N]: the lead records
// as CSV.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "bot/event_queue.h"
#include "bot/sqlite_store.h"
#include "cli/commands.h"
#include "cli/tenant_filter.h"
#include "util/json_text.h"

namespace runner {
namespace {

struct DeliveryArgs {
  std::string db = "data/bot.db";
  std::string status;
  std::string sink;
  int limit = 100;
  int64_t id = 0;
  bool dead = false;
  std::string number;
  std::string tenant;  // leads export: only this tenant's
};

int RunList(const DeliveryArgs& args) {
  auto queue = bot::SqliteEventQueue::Open(args.db);
  if (!queue.ok()) {
    std::cerr << "botrunner deliveries: " << queue.status().ToString() << "\n";
    return 1;
  }
  auto list = (*queue)->List(args.status, args.sink, args.limit);
  if (!list.ok()) {
    std::cerr << "botrunner deliveries: " << list.status().ToString() << "\n";
    return 1;
  }
  std::cout << "id\tsink\tevent\ttype\tstatus\tattempts\tnext_attempt_at\tlast_error\n";
  for (const bot::Delivery& d : *list) {
    std::cout << d.id << "\t" << d.sink << "\tevt_" << d.event_id << "\t" << d.event.type << "\t"
              << d.status << "\t" << d.attempts << "\t"
              << (d.status == "pending" ? Rfc3339Seconds(d.next_attempt_at) : "-") << "\t"
              << (d.last_error.empty() ? "-" : d.last_error) << "\n";
  }
  return 0;
}

int RunRetry(const DeliveryArgs& args) {
  if ((args.id != 0) == args.dead) {
    std::cerr << "botrunner deliveries retry: give one delivery id or --dead\n";
    return 2;
  }
  auto queue = bot::SqliteEventQueue::Open(args.db);
  if (!queue.ok()) {
    std::cerr << "botrunner deliveries: " << queue.status().ToString() << "\n";
    return 1;
  }
  bot::SystemClock clock;
  auto revived =
      (*queue)->Retry(args.dead ? std::nullopt : std::optional<int64_t>(args.id), clock.Now());
  if (!revived.ok()) {
    std::cerr << "botrunner deliveries retry: " << revived.status().ToString() << "\n";
    return 1;
  }
  if (*revived == 0 && !args.dead) {
    std::cerr << "botrunner deliveries retry: delivery " << args.id << " is not dead\n";
    return 1;
  }
  std::cout << *revived << " delivery(ies) queued again\n";
  return 0;
}

// RFC 4180: quoted when the field has a comma, a quote or a line break.
std::string Csv(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int RunExport(const DeliveryArgs& args) {
  std::string channel = args.number;
  if (!channel.empty() && channel.find(':') == std::string::npos) channel = "whatsapp:" + channel;
  auto records = bot::ExportRecords(args.db, "lead", channel);
  if (!records.ok()) {
    std::cerr << "botrunner leads export: " << records.status().ToString() << "\n";
    return 1;
  }
  // Fixed columns first, then every field any lead has, in name order.
  std::set<std::string> fields;
  std::erase_if(*records,
                [&](const bot::ExportedRecord& r) { return !InTenant(args.tenant, r.tenant); });
  for (const bot::ExportedRecord& r : *records) {
    for (const auto& [name, value] : r.record.fields) fields.insert(name);
  }
  std::cout << "record_id,number,contact,name,created_at";
  for (const std::string& f : fields) std::cout << "," << Csv(f);
  std::cout << "\r\n";
  for (const bot::ExportedRecord& r : *records) {
    std::cout << r.id << "," << Csv(r.channel) << "," << Csv(r.address) << "," << Csv(r.name) << ","
              << Rfc3339Seconds(r.created_at);
    for (const std::string& f : fields) {
      auto it = r.record.fields.find(f);
      std::cout << "," << (it == r.record.fields.end() ? "" : Csv(it->second));
    }
    std::cout << "\r\n";
  }
  return 0;
}

}  // namespace

void AddDeliveriesCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DeliveryArgs>();
  CLI::App* cmd = app.add_subcommand("deliveries", "The event sinks' delivery queue");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "Deliveries, newest first");
  list->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  list->add_option("--status", args->status, "pending, delivered or dead")
      ->check(CLI::IsMember({"pending", "delivered", "dead"}));
  list->add_option("--sink", args->sink, "one sink");
  list->add_option("--limit", args->limit, "at most this many")->capture_default_str();
  list->callback([exit_code, args] { *exit_code = RunList(*args); });
  CLI::App* retry = cmd->add_subcommand("retry", "Queue dead deliveries again");
  retry->add_option("id", args->id, "a dead delivery's id");
  retry->add_flag("--dead", args->dead, "every dead delivery");
  retry->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  retry->callback([exit_code, args] { *exit_code = RunRetry(*args); });

  CLI::App* leads = app.add_subcommand("leads", "Qualified and low-priority leads");
  leads->require_subcommand(1);
  CLI::App* exp = leads->add_subcommand("export", "Every lead record as CSV on stdout");
  exp->add_option("--db", args->db, "the store's SQLite file")->capture_default_str();
  exp->add_option("--number", args->number, "only this bot number's leads");
  AddTenantFilter(exp, &args->tenant);
  exp->callback([exit_code, args] { *exit_code = RunExport(*args); });
}

}  // namespace runner
