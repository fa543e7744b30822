#pragma once
// What can be wrong with a database file at startup or while writing, in terms a person can act on, and
// the one repair cctv offers itself: moving a damaged or foreign file aside (with its -wal and -shm) so a
// fresh database can take its place without destroying anything.

#include <string>

namespace cctv::store {

enum class DatabaseProblem {
  None,
  NotADatabase,  // not an SQLite file at all
  Foreign,       // an SQLite file, but not cctv's (or from a newer cctv)
  Damaged,       // cctv's, but corrupt
  Locked,        // another process holds the write lock
  ReadOnly,      // the file or its directory cannot be written
  Full,          // the disk is full or the file size limit is reached
  CannotOpen,    // anything else (missing directory, I/O error, ...)
};

// Classifies an SQLite extended result code and message (as carried by SqliteError), or an errno.
DatabaseProblem classifySqlite(int extendedCode, const std::string& message);
DatabaseProblem classifyErrno(int err);

// A short description of the problem for messages ("is damaged", "is locked by another process").
const char* describe(DatabaseProblem p);

// True when moving the file aside (and starting with a fresh one) is a sensible way out.
bool canMoveAside(DatabaseProblem p);

// Renames `path` to "<path>.damaged-YYYYmmdd-HHMMSS" and its -wal/-shm companions likewise, so the data is
// kept for inspection. Returns the new path of the main file, or "" with *error set.
std::string moveAside(const std::string& path, std::string* error);

}  // namespace cctv::store
