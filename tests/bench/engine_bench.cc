// Deterministic turns per second through the engine and the SQLite store, and bytes per stored
// session. Run by hand (built by CI):  build/tests/engine_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/memory_store.h"

namespace {

namespace fs = std::filesystem;

enum class StoreKind { kSqlite, kSqliteGrouped, kMemory };

// How many conversations share a commit in BM_TurnsSqliteGrouped: what botrunner's group
// commit does with 16 conversations in flight.
constexpr int64_t kConversationsPerFlush = 16;

struct Rig {
  explicit Rig(StoreKind kind) {
    dir = fs::temp_directory_path() / ("engine_bench_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto dialogs = bot::LoadDialogDir(BOT_SOURCE_DIR "/dialogs", BOT_SOURCE_DIR "/prompts");
    if (!dialogs.ok()) throw std::runtime_error(dialogs.status().ToString());
    if (kind != StoreKind::kMemory) {
      bot::SqliteOptions options;
      options.group_commit = kind == StoreKind::kSqliteGrouped;
      options.background_checkpoint = options.group_commit;
      auto opened = bot::OpenSqliteStore((dir / "bench.db").string(), options);
      if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
      store = std::move(*opened);
    } else {
      store = bot::testing::NewMemoryStore();
    }
    engine = std::make_unique<bot::Bot>(*dialogs, store.get(), &clock);
  }
  ~Rig() {
    engine.reset();
    store.reset();
    fs::remove_all(dir);
  }
  // One turn of user `user`; returns the number of replies.
  size_t Turn(int64_t user, const char* text) {
    bot::InboundMessage m;
    m.channel = "whatsapp:+14155238886";
    m.from = "whatsapp:+5939" + std::to_string(10000000 + user);
    m.provider_id = "SM" + std::to_string(++next_id);
    m.profile_name = "Ana";
    m.text = text;
    m.dialog_id = "bench_review";
    m.received_at = clock.Now();
    auto turn = engine->Handle(m, bot::ReplyMode::kInline);
    if (!turn.ok()) throw std::runtime_error(turn.status().ToString());
    return turn->replies.size();
  }

  fs::path dir;
  bot::testing::FakeClock clock;
  std::unique_ptr<bot::Store> store;
  std::unique_ptr<bot::Bot> engine;
  int64_t next_id = 0;
};

// The benchmark's happy conversation: "Hola" -> greeting, "5" -> thanks. Two turns per user.
void RunConversations(benchmark::State& state, StoreKind kind) {
  Rig rig(kind);
  const bool sqlite = kind != StoreKind::kMemory;
  int64_t user = 0;
  size_t replies = 0;
  for (auto _ : state) {
    ++user;
    replies += rig.Turn(user, "Hola");
    replies += rig.Turn(user, "5");
    if (user % kConversationsPerFlush == 0 && !rig.store->Flush().ok()) {
      throw std::runtime_error("flush failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * 2);  // turns
  state.counters["replies"] = static_cast<double>(replies);
  if (sqlite) {
    // Bytes per stored session: the database file (WAL checkpointed on close) over sessions.
    rig.engine.reset();
    rig.store.reset();
    auto bytes = fs::file_size(rig.dir / "bench.db");
    state.counters["bytes_per_session"] = static_cast<double>(bytes) / static_cast<double>(user);
  }
}

void BM_TurnsSqlite(benchmark::State& state) { RunConversations(state, StoreKind::kSqlite); }
void BM_TurnsSqliteGrouped(benchmark::State& state) {
  RunConversations(state, StoreKind::kSqliteGrouped);
}
void BM_TurnsMemory(benchmark::State& state) { RunConversations(state, StoreKind::kMemory); }

BENCHMARK(BM_TurnsSqlite)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_TurnsSqliteGrouped)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_TurnsMemory)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
