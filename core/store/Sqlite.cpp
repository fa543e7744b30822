#include "store/Sqlite.h"

namespace cctv::store {

namespace {
// Once per process, before SQLite initializes: without memory statistics SQLite takes no global mutex on
// every allocation (about 3% of the writer's instructions). cctv never reads those statistics. If another
// part of the process initialized SQLite first, the call is refused and nothing changes.
void configureSqliteOnce() {
  static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)rc;
}
}  // namespace

Database::Database(const std::string& path, Mode mode) {
  configureSqliteOnce();
  const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                           : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Readers and the writer share the file through WAL; a short busy wait covers checkpoints.
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() { sqlite3_close_v2(db_); }

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

void Database::fail(int rc, std::string_view context) const {
  std::string msg(context);
  msg += ": ";
  msg += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  throw SqliteError(db_ ? sqlite3_extended_errcode(db_) : rc, msg);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(sqlite3_extended_errcode(db_), msg);
  }
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare");
  return Statement(this, stmt);
}

std::int64_t Database::queryInt(const std::string& sql, std::int64_t fallback) {
  Statement st = prepare(sql);
  return st.step() ? st.columnInt(0) : fallback;
}

std::string Database::queryText(const std::string& sql) {
  Statement st = prepare(sql);
  return st.step() ? st.columnText(0) : std::string();
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, "step");
}

}  // namespace cctv::store
