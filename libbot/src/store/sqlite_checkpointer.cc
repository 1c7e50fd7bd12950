#include "store/sqlite_checkpointer.h"

#include <pthread.h>
#include <sched.h>

#include <mutex>
#include <utility>

#include "store/sqlite_statement.h"

namespace bot::sqlite {
namespace {

// The checkpointer's connection writes the database file through this VFS, which yields the CPU
// every kWritesPerYield page writes. At idle priority the thread should run only when nothing
// else can, but the kernel's scheduler (EEVDF, Linux 6.6 and later) still gives it whole time
// slices, about 0.75 ms, while a turn's thread waits to run; measured at C=64, 95 ms in 4 s. With
// the yields, 21 ms. Everything else is the default VFS's own.
constexpr int kWritesPerYield = 4;

// The default VFS's methods for a database file, and those with YieldingWrite: set once, at the
// first open.
std::once_flag methods_once;
const sqlite3_io_methods* default_db_methods = nullptr;
sqlite3_io_methods yielding_db_methods;

int YieldingWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  const int rc = default_db_methods->xWrite(file, data, amount, offset);
  thread_local int writes = 0;
  if (++writes % kWritesPerYield == 0) sched_yield();
  return rc;
}

int YieldingOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                 int* out_flags) {
  auto* real = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const int rc = real->xOpen(real, name, file, flags, out_flags);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) != 0 && file->pMethods != nullptr) {
    std::call_once(methods_once, [file] {
      default_db_methods = file->pMethods;
      yielding_db_methods = *file->pMethods;
      yielding_db_methods.xWrite = YieldingWrite;
    });
    if (file->pMethods == default_db_methods) file->pMethods = &yielding_db_methods;
  }
  return rc;
}

// Registered on first use (SQLite's VFS list is process-wide). Thread-safe.
const char* YieldingVfs() {
  static const char* const name = [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs = *real;
    vfs.pAppData = real;
    vfs.pNext = nullptr;
    vfs.zName = "bot-checkpointer";
    vfs.xOpen = YieldingOpen;
    sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
    return vfs.zName;
  }();
  return name;
}

// Lowering or restoring a thread's own priority needs no privilege; if refused, the thread just
// keeps the priority it has.
void SetIdlePriority(bool idle) {
#ifdef __linux__
  const sched_param param{};
  static_cast<void>(pthread_setschedparam(pthread_self(), idle ? SCHED_IDLE : SCHED_OTHER, &param));
#else
  static_cast<void>(idle);
#endif
}

// fdatasync through SQLite's own file objects (the connection is this thread's alone). Best
// effort: a failure leaves the work to the writer's catch-up, which reports its own errors.
void SyncDatabaseAndWal(sqlite3* db) {
  for (const int op : {SQLITE_FCNTL_FILE_POINTER, SQLITE_FCNTL_JOURNAL_POINTER}) {
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db, "main", op, &file) == SQLITE_OK && file != nullptr &&
        file->pMethods != nullptr) {
      static_cast<void>(file->pMethods->xSync(file, SQLITE_SYNC_NORMAL));
    }
  }
}

}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          sqlite3* writer, int pages,
                                                          bool idle_priority) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                 YieldingVfs());
  if (rc != SQLITE_OK) {
    Status error = Unavailable("open " + path + " for checkpoints: " + sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return error;
  }
  // A connection learns that the file is in WAL mode when it first reads it; until then a
  // checkpoint does nothing at all.
  if (Status s = Exec(db, "SELECT count(*) FROM sqlite_schema"); !s.ok()) {
    sqlite3_close_v2(db);
    return s;
  }
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(db, writer, pages));
  checkpointer->thread_ =
      std::thread([c = checkpointer.get(), idle_priority] { c->Run(idle_priority); });
  sqlite3_wal_hook(writer, &Checkpointer::OnCommit, checkpointer.get());
  return checkpointer;
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, 1000);  // replaces our hook with SQLite's own
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_close_v2(db_);
}

int Checkpointer::OnCommit(void* self, sqlite3* writer, const char* /*schema*/,
                           int wal_pages) {
  auto* c = static_cast<Checkpointer*>(self);
  bool inline_checkpoint = false;
  {
    std::lock_guard lock(c->mu_);
    if (wal_pages < c->copied_) c->copied_ = 0;  // the WAL started over
    c->wal_frames_ = wal_pages;
    const int uncopied = wal_pages - c->copied_;
    // Only the writer can start the WAL over, at its next transaction, and only if every frame
    // was copied. Once the WAL is past its start-over mark and a background checkpoint has
    // copied all but a few frames, the writer copies the rest itself (a short copy, but two
    // fsyncs).
    const bool catch_up = std::exchange(c->catch_up_ready_, false) && uncopied <= kCatchUpFrames &&
                          wal_pages >= kStartsOverAt * c->pages_;
    inline_checkpoint = catch_up || wal_pages >= kWriterTakesOver * c->pages_;
    if (!inline_checkpoint) {
      if (c->due_ || uncopied < c->pages_) return SQLITE_OK;
      c->due_ = true;
    }
  }
  if (inline_checkpoint) {
    // On the writer's thread, inside the store's lock: nothing else writes meanwhile, so this
    // copies every frame and the writer's next transaction starts the WAL over. (If the
    // background checkpoint holds the checkpoint lock right now it returns SQLITE_BUSY at once,
    // and the next commit tries again.)
    sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  c->cv_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::Run(bool idle_priority) {
  bool idle = false;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    // In idle time only, unless the checkpoints fall behind: then at normal priority, before
    // the WAL reaches the writer's takeover mark and a request waits for the whole copy.
    const bool want_idle = idle_priority && wal_frames_ - copied_ <= 2 * pages_;
    lock.unlock();
    if (want_idle != idle) {
      idle = want_idle;
      SetIdlePriority(idle);
    }
    // PASSIVE copies what no reader still needs and never waits for a lock. What it cannot copy
    // now (or an error such as a busy database) is retried at the next wake-up.
    // A pass takes milliseconds, and the writer goes on appending meanwhile: passes follow each
    // other until what is left is small, so that the writer's catch-up (OnCommit) is short.
    int copied = 0, rc = SQLITE_OK;
    for (int pass = 0; pass < kMaxPasses; ++pass) {
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
      lock.lock();
      if (rc == SQLITE_OK && copied > 0) copied_ = copied;
      const int left = wal_frames_ - copied_;
      lock.unlock();
      if (rc != SQLITE_OK || left <= kCatchUpFrames / 4) break;
    }
    lock.lock();
    const bool ready = rc == SQLITE_OK && wal_frames_ - copied_ <= kCatchUpFrames;
    const bool starts_over = ready && wal_frames_ >= kStartsOverAt * pages_;
    lock.unlock();
    // The writer's catch-up syncs the WAL, then the database file. Synced here first, out of the
    // writer's way, they leave it only what was written since: a few frames, not the thousands
    // of pages these checkpoints copied (the kernel would otherwise still hold them dirty).
    if (starts_over) SyncDatabaseAndWal(db_);
    lock.lock();
    catch_up_ready_ = ready;
    due_ = false;
  }
}

}  // namespace bot::sqlite
