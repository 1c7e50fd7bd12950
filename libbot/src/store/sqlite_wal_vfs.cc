#include "store/sqlite_wal_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace bot::sqlite {

namespace {

constexpr sqlite3_int64 kWalHeaderSize = 32;
constexpr int kFrameHeaderSize = 24;
// A transaction larger than this (a bulk import, an erasure) is written in pieces of this size.
constexpr std::size_t kMaxPending = 4 << 20;
// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the length to 17 bits: its
// own writes are one page).
constexpr std::size_t kMaxWrite = 96 << 10;

// Every file this VFS wraps: the default VFS's own file object follows it in the memory SQLite
// allocated (szOsFile covers both).
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

struct DbFile;

// The WAL, whose appended frames wait in `pending` until their commit frame.
struct WalFile {
  ShimFile shim;
  DbFile* db;               // the database file of the same connection; nullptr: no batching
  std::string* pending;     // appended frames not written yet; owned, freed in Close
  sqlite3_int64 pending_at;  // the file offset of pending's first byte
  bool next_completes_commit;  // the last write was a commit frame's header
};

// The main database file, wrapped only to see its connection's WAL write lock released.
struct DbFile {
  ShimFile shim;
  WalFile* wal;  // the connection's WAL while it is open
};

constexpr std::size_t kHeaderSize =
    (std::max(sizeof(WalFile), sizeof(DbFile)) + 7) & ~std::size_t{7};

sqlite3_vfs* Default(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file)->real; }
WalFile* Wal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }
DbFile* Db(sqlite3_file* file) { return reinterpret_cast<DbFile*>(file); }

int WritePending(WalFile* f) {
  const std::string& pending = *f->pending;
  sqlite3_file* real = f->shim.real;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < pending.size() && rc == SQLITE_OK; done += kMaxWrite) {
    const std::size_t n = std::min(kMaxWrite, pending.size() - done);
    rc = real->pMethods->xWrite(real, pending.data() + done, static_cast<int>(n),
                                f->pending_at + static_cast<sqlite3_int64>(done));
  }
  f->pending->clear();
  return rc;
}

// A frame header's bytes 4..7 hold the database size after the commit, or 0 if the frame does
// not end a transaction.
bool IsCommitFrameHeader(const void* data, int amount, sqlite3_int64 offset) {
  if (amount != kFrameHeaderSize || offset < kWalHeaderSize) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;
}

// --- the WAL's methods

int WalWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* f = Wal(file);
  if (f->db == nullptr) return Real(file)->pMethods->xWrite(Real(file), data, amount, offset);
  std::string& pending = *f->pending;
  if (!pending.empty() &&
      offset != f->pending_at + static_cast<sqlite3_int64>(pending.size())) {
    // Not an append (a rewritten frame of this transaction, a new WAL header): keep the writes
    // in their order.
    if (const int rc = WritePending(f); rc != SQLITE_OK) return rc;
  }
  if (pending.empty()) f->pending_at = offset;
  pending.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  const bool completes_commit = f->next_completes_commit;
  f->next_completes_commit = IsCommitFrameHeader(data, amount, offset);
  // The commit frame's page is the transaction's last write: the commit must not return before
  // its frames are in the file, since it is about to publish them to every reader.
  if (completes_commit || pending.size() >= kMaxPending) return WritePending(f);
  return SQLITE_OK;
}

int WalClose(sqlite3_file* file) {
  WalFile* f = Wal(file);
  const int written = f->pending != nullptr ? WritePending(f) : SQLITE_OK;
  delete f->pending;
  f->pending = nullptr;
  if (f->db != nullptr) f->db->wal = nullptr;
  const int closed = Real(file)->pMethods->xClose(Real(file));
  return written != SQLITE_OK ? written : closed;
}

int WalRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = WritePending(Wal(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xRead(Real(file), out, amount, offset);
}

int WalTruncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = WritePending(Wal(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xTruncate(Real(file), size);
}

int WalSync(sqlite3_file* file, int flags) {
  if (const int rc = WritePending(Wal(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xSync(Real(file), flags);
}

int WalFileSize(sqlite3_file* file, sqlite3_int64* size) {
  if (const int rc = WritePending(Wal(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xFileSize(Real(file), size);
}

int WalFileControl(sqlite3_file* file, int op, void* arg) {
  if (const int rc = WritePending(Wal(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}

// --- methods both files forward as they are

int Close(sqlite3_file* file) {
  DbFile* d = Db(file);
  if (d->wal != nullptr) d->wal->db = nullptr;
  return Real(file)->pMethods->xClose(Real(file));
}
int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return Real(file)->pMethods->xRead(Real(file), out, amount, offset);
}
int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  return Real(file)->pMethods->xWrite(Real(file), data, amount, offset);
}
int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return Real(file)->pMethods->xTruncate(Real(file), size);
}
int Sync(sqlite3_file* file, int flags) { return Real(file)->pMethods->xSync(Real(file), flags); }
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return Real(file)->pMethods->xFileSize(Real(file), size);
}
int Lock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
int Unlock(sqlite3_file* file, int level) {
  return Real(file)->pMethods->xUnlock(Real(file), level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}
int SectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Real(file)->pMethods->xShmMap(Real(file), region, size, extend, out);
}
void ShmBarrier(sqlite3_file* file) { Real(file)->pMethods->xShmBarrier(Real(file)); }
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return Real(file)->pMethods->xFetch(Real(file), offset, amount, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return Real(file)->pMethods->xUnfetch(Real(file), offset, page);
}

// The database file's shared-memory locks: slot 0 is the WAL's write lock. When the connection
// releases it, a commit has already written its frames (WalWrite), so whatever is still pending
// belongs to a transaction that rolled back after spilling pages: it is dropped, before another
// connection can append frames where it would have gone.
int DbShmLock(sqlite3_file* file, int offset, int n, int flags) {
  WalFile* wal = Db(file)->wal;
  if (wal != nullptr && offset == 0 && (flags & SQLITE_SHM_UNLOCK) != 0 &&
      (flags & SQLITE_SHM_EXCLUSIVE) != 0) {
    wal->pending->clear();
    wal->next_completes_commit = false;
  }
  return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}

// SQLite never uses the WAL's handle for shared memory (only the database file's).
int WalShmLock(sqlite3_file*, int, int, int) { return SQLITE_IOERR_SHMLOCK; }

constexpr sqlite3_io_methods kWalMethods = {
    3,          WalClose,   WalRead,     WalWrite,          WalTruncate, WalSync,
    WalFileSize, Lock,      Unlock,      CheckReservedLock, WalFileControl,
    SectorSize, DeviceCharacteristics,   ShmMap,            WalShmLock,  ShmBarrier,
    ShmUnmap,   Fetch,      Unfetch,
};

constexpr sqlite3_io_methods kDbMethods = {
    3,          Close,      Read,        Write,             Truncate,    Sync,
    FileSize,   Lock,       Unlock,      CheckReservedLock, FileControl,
    SectorSize, DeviceCharacteristics,   ShmMap,            DbShmLock,   ShmBarrier,
    ShmUnmap,   Fetch,      Unfetch,
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
         int* out_flags) {
  sqlite3_vfs* real_vfs = Default(vfs);
  const bool db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  // Every other file (journals, temporary files) is the default VFS's own object, in the same
  // memory.
  if (!db && !wal) return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
  ShimFile* shim = reinterpret_cast<ShimFile*>(file);
  shim->base.pMethods = nullptr;
  shim->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kHeaderSize);
  if (db) {
    Db(file)->wal = nullptr;
  } else {
    WalFile* f = Wal(file);
    f->db = nullptr;
    f->pending = nullptr;
    f->pending_at = 0;
    f->next_completes_commit = false;
  }
  const int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even if the open failed.
  if (shim->real->pMethods == nullptr) return rc;
  if (db) {
    shim->base.pMethods = &kDbMethods;
    return rc;
  }
  WalFile* f = Wal(file);
  f->pending = new std::string;
  // Batching needs to see the write lock released, on the database file this VFS opened.
  sqlite3_file* db_file = sqlite3_database_file_object(name);
  if (db_file != nullptr && db_file->pMethods == &kDbMethods) {
    f->db = Db(db_file);
    f->db->wal = f;
  }
  shim->base.pMethods = &kWalMethods;
  return rc;
}

// The rest of the VFS forwards to the default one.
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Default(vfs)->xDelete(Default(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Default(vfs)->xAccess(Default(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return Default(vfs)->xFullPathname(Default(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return Default(vfs)->xDlOpen(Default(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int size, char* out) {
  Default(vfs)->xDlError(Default(vfs), size, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Default(vfs)->xDlSym(Default(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { Default(vfs)->xDlClose(Default(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return Default(vfs)->xRandomness(Default(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Default(vfs)->xSleep(Default(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return Default(vfs)->xCurrentTime(Default(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return Default(vfs)->xGetLastError(Default(vfs), size, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Default(vfs)->xCurrentTimeInt64(Default(vfs), out);
}

sqlite3_vfs* Register() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs = {
      2,  // up to xCurrentTimeInt64; the system-call overrides are only for SQLite's own tests
      static_cast<int>(kHeaderSize) + real->szOsFile,
      real->mxPathname,
      nullptr,
      "bot-wal-batching",
      real,
      Open,
      Delete,
      Access,
      FullPathname,
      DlOpen,
      DlError,
      DlSym,
      DlClose,
      Randomness,
      Sleep,
      CurrentTime,
      GetLastError,
      CurrentTimeInt64,
      nullptr,
      nullptr,
      nullptr,
  };
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  return &vfs;
}

}  // namespace

const char* WalBatchingVfs() {
  static sqlite3_vfs* vfs = Register();
  return vfs->zName;
}

}  // namespace bot::sqlite
