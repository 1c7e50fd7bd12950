// WAL checkpoints on a thread of their own. By default SQLite checkpoints inside the commit that
// pushes the WAL past 1000 pages: that commit copies the pages back into the database file and
// fsyncs it while the store's lock is held, and every request waits. The checkpointer takes
// that work off the commit path: the writer's WAL hook only wakes it, and it runs PASSIVE
// checkpoints on its own connection, which never block the writer.
//
// A passive checkpoint that runs while the writer keeps appending cannot let the WAL start over:
// only the writer can, at its next transaction, and only when every frame was copied. So a
// checkpoint starts when the WAL holds `pages` frames more than the last one copied (not on every
// commit past the mark, which would fsync per commit), and runs passes until at most
// kCatchUpFrames / 4 frames are left. Once the WAL holds kStartsOverAt × `pages` frames, the
// checkpoint also fsyncs the database file and the WAL, and at its next commit the writer copies
// what is left itself (if at most kCatchUpFrames: a short copy, and two short fsyncs), and its
// next transaction starts the WAL over (a third fsync, of the WAL's new header). The writer's
// commit waits for those fsyncs, a few milliseconds in which no turn commits: under steady load
// that happens once per kStartsOverAt × `pages` frames or more (a checkpoint on a busy core can
// leave more than kCatchUpFrames), and the WAL is rewritten in place. If that fails (a reader
// on another connection holds old frames), past kWriterTakesOver × `pages` the writer
// checkpoints inline, as SQLite would by default.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bot/status.h"

namespace bot::sqlite {

class Checkpointer {
 public:
  // A checkpoint per 4000 new frames (16 MiB): fewer, larger checkpoints copy a page the turns
  // keep rewriting (the ends of the tables and indexes) once instead of many times.
  static constexpr int kEveryFrames = 4000;
  // The WAL starts over once it holds 4 × `pages` frames (16000, 64 MiB), not at each
  // checkpoint: starting over costs the writer three fsyncs, so it is made rare.
  static constexpr int kStartsOverAt = 4;
  static constexpr int kWriterTakesOver = 8;
  static constexpr int kCatchUpFrames = 256;
  static constexpr int kMaxPasses = 4;

  // Opens its own connection to `path` and installs itself as `writer`'s WAL hook (replacing
  // SQLite's automatic checkpoints). A checkpoint starts each time the WAL holds `pages` frames
  // more than the last checkpoint copied.
  // `idle_priority`: the thread runs only when the CPU is otherwise idle (SqliteOptions).
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, sqlite3* writer,
                                                     int pages, bool idle_priority);
  ~Checkpointer();  // stops the thread, then restores automatic checkpoints on the writer
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  Checkpointer(sqlite3* db, sqlite3* writer, int pages) : db_(db), writer_(writer), pages_(pages) {}
  static int OnCommit(void* self, sqlite3* writer, const char* schema, int wal_pages);
  void Run(bool idle_priority);

  sqlite3* const db_;      // the checkpointer's own connection
  sqlite3* const writer_;  // the store's connection, whose hook this is
  const int pages_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;      // Guarded by mu_
  int copied_ = 0;        // Guarded by mu_; WAL frames the last checkpoint copied
  int wal_frames_ = 0;    // Guarded by mu_; WAL frames at the writer's last commit
  bool catch_up_ready_ = false;  // Guarded by mu_; the last checkpoint left kCatchUpFrames or fewer
  bool stopping_ = false;  // Guarded by mu_
  std::thread thread_;
};

}  // namespace bot::sqlite
