// ReplayTranscript / ReplayPaths: each transcript gets a fresh SQLite file, a fake clock and a
// Bot over the dialogs; the file is deleted afterwards.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "bot/dialog_loader.h"
#include "bot/sqlite_knowledge.h"
#include "bot/sqlite_store.h"
#include "bot/transcript.h"
#include "replay/canned_http.h"
#include "replay/cassette_providers.h"
#include "replay/script_library.h"
#include "replay/transcript_expand.h"
#include "replay/transcript_run.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

using DialogsOrError = Result<std::shared_ptr<const DialogSet>>;

// A fresh, uniquely named database file, removed (with its WAL and shared-memory files) when
// this goes away. mkstemps makes the name unique even when replays run in parallel.
class TempDatabase {
 public:
  static Result<std::unique_ptr<TempDatabase>> Create(const std::string& work_dir) {
    std::error_code ec;
    fs::path dir = work_dir.empty() ? fs::temp_directory_path(ec) : fs::path(work_dir);
    if (ec) return Unavailable("no temporary directory: " + ec.message());
    std::string name = (dir / "botreplay-XXXXXX.db").string();
    int fd = mkstemps(name.data(), 3);
    if (fd < 0) return Unavailable("cannot create a temporary database in " + dir.string());
    close(fd);
    return std::unique_ptr<TempDatabase>(new TempDatabase(std::move(name)));
  }
  ~TempDatabase() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path_ + suffix, ec);
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TempDatabase(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Runs one conversation of the transcript at `path` in a fresh store; "" when it passes, else
// the failure.
std::string RunOnce(const std::string& path, const replay::Transcript& transcript,
                    const std::shared_ptr<const DialogSet>& dialogs, const ReplayOptions& options) {
  // Declared first, so removed last: after the store and the offers catalogue close.
  Result<std::unique_ptr<TempDatabase>> db = TempDatabase::Create(options.work_dir);
  if (!db.ok()) return db.status().ToString();
  Result<std::unique_ptr<Store>> store =
      options.open_store ? options.open_store() : OpenSqliteStore((*db)->path());
  if (!store.ok()) return "cannot open the store: " + store.status().ToString();
  testing::FakeClock clock(transcript.now);
  Bot bot(dialogs, store->get(), &clock);
  std::unique_ptr<replay::CannedHttpClient> canned;  // recording: answers the requests
  std::unique_ptr<replay::CassetteProviders> providers;
  if (!transcript.cassette.empty()) {
    const std::string where = path + ":" + std::to_string(transcript.cassette_line) + ": ";
    std::string cassette = (fs::path(path).parent_path() / transcript.cassette).string();
    if (options.record) {
      std::string answers =
          options.answers.empty() ? replay::AnswersPathFor(cassette) : options.answers;
      Result<std::unique_ptr<replay::CannedHttpClient>> client =
          replay::CannedHttpClient::Open(answers, &clock);
      if (!client.ok()) return where + client.status().message();
      canned = std::move(*client);
    }
    Result<std::unique_ptr<replay::CassetteProviders>> opened = replay::CassetteProviders::Open(
        cassette, &clock, (*db)->path(), canned ? CassetteMode::kRecord : CassetteMode::kReplay,
        canned.get());
    if (!opened.ok()) return where + opened.status().message();
    providers = std::move(*opened);
  }
  BotProviders bot_providers = providers ? providers->bot_providers() : BotProviders{};
  std::unique_ptr<SqliteKnowledgeBase> offers;
  if (!transcript.offers.empty()) {
    const std::string where = path + ":" + std::to_string(transcript.offers_line) + ": ";
    Result<std::unique_ptr<SqliteKnowledgeBase>> opened = SqliteKnowledgeBase::Open((*db)->path());
    Result<ImportReport> imported =
        opened.ok()
            ? (*opened)->ImportOffers(replay::kBotChannel,
                                      (fs::path(path).parent_path() / transcript.offers).string())
            : Result<ImportReport>(opened.status());
    if (!imported.ok()) return where + imported.status().message();
    if (!imported->errors.empty()) {
      return where + "line " + std::to_string(imported->errors[0].line) + ": " +
             imported->errors[0].reason;
    }
    offers = std::move(*opened);
    bot_providers.knowledge = offers.get();
  }
  bot.SetProviders(bot_providers);
  std::string failure = replay::RunTranscript(transcript, path, bot, clock, options.matching_mode);
  const char* source = canned ? "the answers file" : "the cassette";
  if (providers && !providers->unmatched().empty()) {
    return path + ": " + source +
           " has no answer for a provider request: " + providers->unmatched() + "\n" + failure;
  }
  if (failure.empty() && canned && canned->Unused() > 0) {
    return path + ": the answers file has " + std::to_string(canned->Unused()) +
           " answer(s) the conversation never asked for";
  }
  if (failure.empty() && providers && providers->unused() > 0) {
    return path + ": the cassette has " + std::to_string(providers->unused()) +
           " recorded exchange(s) the conversation never asked for";
  }
  return failure;
}

// Replays the transcript at `path`: each of its runs (ExpandTranscript) in a fresh store,
// stopping at the first that fails.
ReplayResult Replay(const std::string& path, const DialogsOrError& dialogs,
                    const ReplayOptions& options) {
  ReplayResult result;
  result.file = path;
  Result<replay::Transcript> transcript = replay::LoadTranscript(path);
  if (!transcript.ok()) {
    result.failure = transcript.status().message();
    return result;
  }
  result.name = transcript->name;
  Result<replay::ScriptLibrary> library =
      replay::LoadScriptLibrary(fs::path(path).parent_path().string());
  Result<std::vector<replay::TranscriptRun>> runs =
      library.ok() ? replay::ExpandTranscript(*transcript, *library, path)
                   : Result<std::vector<replay::TranscriptRun>>(library.status());
  if (!runs.ok()) {
    result.failure = runs.status().message();
    return result;
  }
  if (!dialogs.ok()) {
    result.failure = "cannot load the dialogs: " + dialogs.status().ToString();
    return result;
  }
  for (const replay::TranscriptRun& run : *runs) {
    ++result.runs;
    result.failure = RunOnce(path, run.transcript, *dialogs, options);
    if (result.failure.empty()) continue;
    if (!run.label.empty()) {
      result.failure = "run " + std::to_string(result.runs) + " of " +
                       std::to_string(runs->size()) + " (" + run.label + "): " + result.failure;
    }
    break;
  }
  result.passed = result.failure.empty();
  return result;
}

bool IsTranscript(const fs::path& path) {
  const std::string name = path.filename().string();
  constexpr std::string_view kSuffix = ".convo.txt";
  return name.size() > kSuffix.size() && name.ends_with(kSuffix);
}

}  // namespace

ReplayResult ReplayTranscript(const std::string& path, const ReplayOptions& options) {
  return Replay(path, LoadDialogDir(options.dialogs_dir, options.prompts_dir), options);
}

std::vector<ReplayResult> ReplayPaths(const std::vector<std::string>& paths,
                                      const ReplayOptions& options) {
  std::vector<std::string> files;
  std::vector<ReplayResult> missing;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && IsTranscript(it->path()))
          files.push_back(it->path().string());
      }
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      ReplayResult r;
      r.file = path;
      r.failure = path + ": no such file or folder";
      missing.push_back(std::move(r));
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  std::vector<ReplayResult> results = std::move(missing);
  if (files.empty()) return results;
  DialogsOrError dialogs = LoadDialogDir(options.dialogs_dir, options.prompts_dir);
  for (const std::string& file : files) results.push_back(Replay(file, dialogs, options));
  return results;
}

}  // namespace bot
