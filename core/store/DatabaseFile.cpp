#include "store/DatabaseFile.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace cctv::store {

DatabaseProblem classifySqlite(int code, const std::string& message) {
  switch (code & 0xff) {
    case SQLITE_OK: return DatabaseProblem::None;
    case SQLITE_NOTADB:
      // The schema checks (Schema.cpp) report a foreign or newer file with NOTADB too, and say which in
      // their message; SQLite's own NOTADB means the file is not SQLite at all.
      if (message.find("not a cctv database") != std::string::npos || message.find("newer cctv") != std::string::npos)
        return DatabaseProblem::Foreign;
      return DatabaseProblem::NotADatabase;
    case SQLITE_CORRUPT: return DatabaseProblem::Damaged;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DatabaseProblem::Locked;
    case SQLITE_READONLY:
    case SQLITE_PERM: return DatabaseProblem::ReadOnly;
    case SQLITE_FULL: return DatabaseProblem::Full;
    case SQLITE_IOERR:
      // A write refused by the file system is a full disk (ENOSPC gives SQLITE_FULL; a file size limit,
      // EFBIG, gives IOERR_WRITE or IOERR_TRUNCATE, or IOERR_SHMSIZE when the -shm file cannot grow to its
      // first 32 KiB); other I/O errors are not.
      if (code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_TRUNCATE || code == SQLITE_IOERR_FSYNC ||
          code == SQLITE_IOERR_SHMSIZE)
        return DatabaseProblem::Full;
      return DatabaseProblem::CannotOpen;
    default: return DatabaseProblem::CannotOpen;
  }
}

DatabaseProblem classifyErrno(int err) {
  switch (err) {
    case 0: return DatabaseProblem::None;
    case EACCES:
    case EPERM:
    case EROFS: return DatabaseProblem::ReadOnly;
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return DatabaseProblem::Full;
    default: return DatabaseProblem::CannotOpen;
  }
}

const char* describe(DatabaseProblem p) {
  switch (p) {
    case DatabaseProblem::None: return "is fine";
    case DatabaseProblem::NotADatabase: return "is not an SQLite database";
    case DatabaseProblem::Foreign: return "belongs to another program or a newer cctv";
    case DatabaseProblem::Damaged: return "is damaged";
    case DatabaseProblem::Locked: return "is locked by another process (is another cctv running?)";
    case DatabaseProblem::ReadOnly: return "cannot be written (read-only file or directory)";
    case DatabaseProblem::Full: return "cannot grow: the disk is full or the file size limit is reached";
    case DatabaseProblem::CannotOpen: return "cannot be opened";
  }
  return "";
}

bool canMoveAside(DatabaseProblem p) {
  return p == DatabaseProblem::NotADatabase || p == DatabaseProblem::Foreign || p == DatabaseProblem::Damaged;
}

std::string moveAside(const std::string& path, std::string* error) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string target = path + ".damaged-" + stamp;
  for (int n = 2; std::FILE* f = std::fopen(target.c_str(), "r"); ++n) {  // never overwrite an earlier one
    std::fclose(f);
    target = path + ".damaged-" + stamp + "-" + std::to_string(n);
  }
  if (std::rename(path.c_str(), target.c_str()) != 0) {
    *error = "cannot move " + path + " aside: " + std::strerror(errno);
    return {};
  }
  // The WAL may hold the newest commits: it must travel with its file (and the -shm with both).
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string from = path + suffix;
    if (std::rename(from.c_str(), (target + suffix).c_str()) != 0 && errno != ENOENT) {
      *error = "moved " + path + " to " + target + " but not its " + suffix + " file: " + std::strerror(errno);
      return {};
    }
  }
  return target;
}

}  // namespace cctv::store
