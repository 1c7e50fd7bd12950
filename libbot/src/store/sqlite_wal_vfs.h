// A SQLite VFS that writes each transaction's WAL frames with one write call instead of two per
// page. SQLite appends a frame as two writes, its 24-byte header and then the page; on this
// project's servers a write system call costs more than copying the 4 KiB page it carries, and a
// commit of a group of turns is 20 or more frames. This VFS keeps the appended frames of the
// transaction in progress in memory and writes them at once when the commit frame (the frame
// whose header carries the database size) has been appended. So when a commit returns, every
// frame it wrote is in the file, exactly as without this VFS; readers on other connections and
// processes, which only read frames an earlier commit published, see no difference.
//
// Before anything reads, syncs, truncates or closes the WAL, or writes it somewhere else than
// right after the pending frames (a frame rewritten within the transaction), the pending frames
// are written. A transaction that spilled frames and then rolled back leaves frames that must
// never be written: the database file is wrapped to see the connection release the WAL's write
// lock, and whatever is still pending then is dropped (a commit has written its frames already).
// Everything else passes straight through to the default VFS; journals and temporary files are
// the default VFS's own.
#pragma once

namespace bot::sqlite {

// The name of the VFS, registered on first use (SQLite's VFS list is process-wide; the
// registration happens once, and the object never changes afterwards). Thread-safe.
const char* WalBatchingVfs();

}  // namespace bot::sqlite
