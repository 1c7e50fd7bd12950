// Issue 16's figures (docs/performance.md): importing and scheduling a 100,000-row campaign CSV
// (time, peak RSS), and the scheduler handing 10,000 due recipients to the outbox (messages/s).
// A program that prints figures, not a Google Benchmark: each is one long run on a fresh file.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bot/campaigns.h"
#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::string Csv(int rows) {
  std::string csv = "phone,name,doctor,appointment,consent\n";
  for (int i = 0; i < rows; ++i) {
    char line[128];
    std::snprintf(line, sizeof line,
                  "099%07d,Paciente %d,\"Dra. Pérez, MD\",2026-01-02 %02d:%02d,sí\n", i, i,
                  8 + i % 10, i % 60);
    csv += line;
  }
  return csv;
}

}  // namespace

int main(int argc, char** argv) {
  const int import_rows = argc > 1 ? std::stoi(argv[1]) : 100000;
  const int send_rows = argc > 2 ? std::stoi(argv[2]) : 10000;
  const std::string dir = std::filesystem::temp_directory_path() / "campaign_bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto dialogs = bot::LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
  if (!dialogs.ok()) return std::fprintf(stderr, "%s\n", dialogs.status().ToString().c_str()), 1;
  const bot::Dialog& dialog = *(*dialogs)->Find("review_rating");
  // 2026-01-02T12:00Z: 07:00 in Ecuador, before every appointment.
  bot::testing::FakeClock clock(bot::FromUnixMillis(1767355200000));
  bot::CampaignImport import;
  import.number = "whatsapp:+14155238886";
  import.region = "EC";
  import.source = "bench.csv";

  // 1. Import: parse, validate, schedule and store import_rows recipients.
  const std::string big = Csv(import_rows);
  const long rss_before = PeakRssKib();
  auto t0 = std::chrono::steady_clock::now();
  auto report = bot::ImportCampaign(dir + "/import.db", dialog, import, big, clock.Now());
  const double import_s = Seconds(std::chrono::steady_clock::now() - t0);
  if (!report.ok() || report->scheduled != import_rows) {
    std::fprintf(stderr, "import failed: %s\n",
                 report.ok() ? (report->refused.empty() ? "?" : report->refused[0].reason.c_str())
                             : report.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "import %d rows (%zu bytes): %.2f s, %.0f rows/s, peak RSS %ld MiB (%ld MiB before)\n",
      import_rows, big.size(), import_s, import_rows / import_s, PeakRssKib() / 1024,
      rss_before / 1024);

  // 2. Scheduler: send_rows recipients all due, handed to the outbox (session + template + status
  // in one transaction each), with the server's store options (group commit).
  const std::string db = dir + "/send.db";
  auto small = bot::ImportCampaign(db, dialog, import, Csv(send_rows), clock.Now());
  if (!small.ok() || small->scheduled != send_rows) return std::fprintf(stderr, "import 2\n"), 1;
  bot::SqliteOptions options;
  options.group_commit = true;
  auto store = bot::OpenSqliteStore(db, options);
  if (!store.ok()) return 1;
  bot::Bot bot(*dialogs, store->get(), &clock);
  bot::CampaignSource source(db, &bot);
  bot::Scheduler scheduler(&clock, {&source});
  clock.Advance(std::chrono::hours(48));  // everything due
  t0 = std::chrono::steady_clock::now();
  int64_t sent = 0;
  for (;;) {
    auto n = scheduler.RunOnce();
    if (!n.ok()) return std::fprintf(stderr, "%s\n", n.status().ToString().c_str()), 1;
    if (*n == 0) break;
    sent += *n;
  }
  const double send_s = Seconds(std::chrono::steady_clock::now() - t0);
  auto depth = (*store)->OutboxDepth();
  std::printf(
      "scheduler: %lld due recipients to the outbox in %.2f s: %.0f messages/s (outbox %lld)\n",
      static_cast<long long>(sent), send_s, sent / send_s,
      static_cast<long long>(depth.ok() ? *depth : -1));
  std::filesystem::remove_all(dir);
  return 0;
}
