// `cctv --headless` started on databases it cannot use: damaged, another program's SQLite file, not SQLite
// at all, read-only, locked by another process, on a full disk. Each must be one clear line on stderr and
// exit code 1: no crash, no "listening on", and the file left exactly as it was. A disk that fills up while
// cctv runs must turn into 503 + Retry-After (nothing acknowledged that was not stored), and ingest must
// recover by itself once there is room again.

#include <QtTest>

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include "support/HttpClient.h"

using cctv::test::HttpClient;

namespace {

QProcessEnvironment headlessEnv() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove(QStringLiteral("DISPLAY"));
  env.remove(QStringLiteral("WAYLAND_DISPLAY"));
  return env;
}

QStringList argsFor(const QString& db) { return {"--headless", "--http-port", "0", "--no-grpc", "--db", db}; }

struct Run {
  int exitCode = -1;
  QProcess::ExitStatus status = QProcess::CrashExit;
  QString out, err;
};

// Runs cctv to completion; `fileSizeLimit` > 0 sets RLIMIT_FSIZE in the child (a disk that is "full" there).
Run run(const QStringList& args, rlim_t fileSizeLimit = 0, const QString& program = QStringLiteral(CCTV_BINARY)) {
  QProcess p;
  p.setProcessEnvironment(headlessEnv());
  if (fileSizeLimit)
    p.setChildProcessModifier([fileSizeLimit] {
      const rlimit rl{fileSizeLimit, fileSizeLimit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    });
  p.start(program, args);
  if (!p.waitForFinished(20000)) {
    p.kill();
    p.waitForFinished();
  }
  return {p.exitCode(), p.exitStatus(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool sqlite(const QString& path, const char* sql) {
  sqlite3* db = nullptr;
  const bool ok = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK &&
                  sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

// A real cctv database, made by cctv itself (start, then SIGTERM).
bool makeCctvDatabase(const QString& path) {
  QProcess p;
  p.setProcessEnvironment(headlessEnv());
  p.start(QStringLiteral(CCTV_BINARY), argsFor(path));
  if (!p.waitForReadyRead(10000)) return false;
  ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
  return p.waitForFinished(10000) && p.exitCode() == 0;
}

// Turns a schema-3 file into the schema-2 file it would have been.
const char* const kToSchemaTwo =
    "DROP TABLE metric_hours; DROP TABLE daily_tools; DROP TABLE daily_tool_durations; "
    "DROP TABLE daily_tool_rejections; DROP TABLE daily_api_errors; PRAGMA user_version = 2";

int userVersion(const QString& path) {
  sqlite3* db = nullptr;
  int version = -1;
  if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return version;
}

std::string logsBody(int batch) {
  std::string records;
  for (int i = 0; i < 20; ++i) {
    const std::string seq = std::to_string(batch * 20 + i);
    if (i) records += ',';
    records += R"({"timeUnixNano":"1795547844547000000","attributes":[{"key":"session.id","value":{"stringValue":"full-disk"}},)"
               R"({"key":"event.name","value":{"stringValue":"user_prompt"}},{"key":"event.sequence","value":{"intValue":)" +
               seq + R"(}},{"key":"prompt","value":{"stringValue":")" + std::string(400, 'x') + R"("}}]})";
  }
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + records + "]}]}]}";
}

}  // namespace

class TestBadDatabase : public QObject {
  Q_OBJECT

  // Exit 1, one line on stderr that names the file and contains `what`, never listening, file untouched.
  void expectRefusal(const QString& path, const QString& what, rlim_t limit = 0) {
    const QByteArray before = readFile(path);
    const Run r = run(argsFor(path), limit);
    QCOMPARE(r.status, QProcess::NormalExit);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(!r.out.contains("listening"), qPrintable(r.out));
    QVERIFY2(r.err.startsWith("cctv: cannot open database " + path + ": it "), qPrintable(r.err));
    QVERIFY2(r.err.contains(what), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(readFile(path) == before, "the file was changed");
  }

 private Q_SLOTS:
  void damagedFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    // Page 1 after the 100-byte header holds the schema's root: overwrite it.
    f.seek(100);
    f.write(QByteArray(3000, '\x5a'));
    f.close();
    expectRefusal(path, "is damaged");
  }
  void truncatedFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QVERIFY(QFile::resize(path, QFileInfo(path).size() / 3));
    expectRefusal(path, "is damaged");
  }
  void foreignSqliteFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath("other.db");
    QVERIFY(sqlite(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x')"));
    expectRefusal(path, "belongs to another program");
  }
  void newerCctvFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QVERIFY(sqlite(path, "PRAGMA user_version = 99"));
    expectRefusal(path, "newer cctv");
  }
  void olderSchemaIsUpgradedInPlace() {
    // Schema 3 added the page roll-ups; a schema-2 file is the same file without them.
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QVERIFY(sqlite(path, kToSchemaTwo));
    QProcess p;
    p.setProcessEnvironment(headlessEnv());
    p.start(QStringLiteral(CCTV_BINARY), argsFor(path));
    QVERIFY(p.waitForReadyRead(20000));
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(path + ": upgrading schema 2 to 3") && err.contains(path + ": upgrading schema 3 to 4") &&
                 err.contains("upgraded to schema 4 in"),
             qPrintable(err));
    QCOMPARE(userVersion(path), 4);
  }
  void upgradeThatCannotRunLeavesTheFileAsItWas() {
    // A table of the new schema's name already there (made by hand with sqlite3): the upgrade fails, says why,
    // and rolls back.
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QVERIFY(sqlite(path, kToSchemaTwo));
    QVERIFY(sqlite(path, "CREATE TABLE daily_tools (mine TEXT)"));
    const QByteArray before = readFile(path);
    const Run r = run(argsFor(path));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(!r.out.contains("listening"), qPrintable(r.out));
    QVERIFY2(r.err.contains("cctv: cannot open database " + path + ": it ") &&
                 r.err.contains("(table daily_tools already exists, while upgrading it from schema 2 to 3)"),
             qPrintable(r.err));
    QVERIFY2(readFile(path) == before, "the file was changed");
    QCOMPARE(userVersion(path), 2);
  }
  void notSqliteAtAll() {
    QTemporaryDir dir;
    const QString path = dir.filePath("notes.txt");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("these are my notes, not a database\n").repeated(200));
    f.close();
    expectRefusal(path, "is not an SQLite database");
  }
  void readOnlyFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner));
    if (::geteuid() != 0) return expectRefusal(path, "cannot be written");
    // root writes through file modes: run cctv as nobody instead (setpriv, util-linux), in a directory it
    // may enter, on a file it may only read.
    if (QStandardPaths::findExecutable("setpriv").isEmpty()) QSKIP("running as root without setpriv");
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                          QFileDevice::ExeOther | QFileDevice::ReadOther);
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadOther));
    const QByteArray before = readFile(path);
    const Run r = run(QStringList{"--reuid=65534", "--regid=65534", "--clear-groups", QStringLiteral(CCTV_BINARY)} + argsFor(path),
                      0, QStringLiteral("setpriv"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot open database " + path + ": it cannot be written"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(readFile(path) == before);
  }
  void lockedByAnotherProcess() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    sqlite3* holder = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &holder), SQLITE_OK);
    QCOMPARE(sqlite3_exec(holder, "BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('lock-test', 'x')", nullptr, nullptr, nullptr), SQLITE_OK);
    // cctv waits for the lock a few seconds (a checkpoint of another reader is normal), then gives up.
    const Run r = run(argsFor(path));
    sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(holder);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("is locked by another process"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
  }
  void fullDiskAtStartup() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    // An existing database, and no room for even the 32 KiB -shm file: refused, the file untouched.
    QVERIFY(makeCctvDatabase(path));
    expectRefusal(path, "the disk is full", 16 * 1024);
    // A new database that cannot be created: refused; what it left behind does not stand in the way once
    // there is room again (no half-made schema mistaken for a database).
    const QString fresh = dir.filePath("fresh.db");
    const Run r = run(argsFor(fresh), 16 * 1024);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("it cannot grow: the disk is full"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(makeCctvDatabase(fresh));
  }

  void damageFoundWhileWriting() {
    // Page 1 and the schema are fine, so start-up succeeds; the root page of an index every event insert
    // touches is garbage. The write must fail as a whole and ask the sender to retry (503), not crash,
    // not acknowledge, and not spoil the other requests with a 500 that exporters drop.
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QVERIFY(makeCctvDatabase(path));
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_schema "
                                    "WHERE name = 'event_time_name'", -1, &st, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    const qint64 page = sqlite3_column_int64(st, 0), pageSize = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    QVERIFY(page > 1);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek((page - 1) * pageSize);
    f.write(QByteArray(int(pageSize), '\x5a'));
    f.close();

    QProcess p;
    p.setProcessEnvironment(headlessEnv());
    p.start(QStringLiteral(CCTV_BINARY), argsFor(path));
    QVERIFY(p.waitForReadyRead(10000));
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    QVERIFY2(line.startsWith("listening on http://"), qPrintable(line));
    HttpClient client("127.0.0.1", line.section(':', -1).toUShort());
    const auto r = client.request("POST", "/v1/logs", {{"Content-Type", "application/json"}}, logsBody(0));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), std::string("1"));
    QVERIFY2(r.body.find("malformed") != std::string::npos, r.body.c_str());
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("POST /v1/logs 503"), qPrintable(err));
  }

  void fullDiskWhileRunning() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cctv.db");
    QProcess p;
    p.setProcessEnvironment(headlessEnv());
    p.setChildProcessModifier([] {
      const rlimit rl{3 << 20, RLIM_INFINITY};  // 3 MiB per file: the schema fits, a few hundred events more
      ::setrlimit(RLIMIT_FSIZE, &rl);
    });
    p.start(QStringLiteral(CCTV_BINARY), argsFor(path) + QStringList{"--quiet"});
    QVERIFY(p.waitForReadyRead(10000));
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    QVERIFY2(line.startsWith("listening on http://"), qPrintable(line));
    HttpClient client("127.0.0.1", line.section(':', -1).toUShort());
    const std::vector<std::pair<std::string, std::string>> json = {{"Content-Type", "application/json"}};

    int acked = 0, batch = 0;
    cctv::test::HttpReply refused;
    for (; batch < 5000; ++batch) {
      const auto r = client.request("POST", "/v1/logs", json, logsBody(batch));
      if (r.status == 200) {
        ++acked;
        continue;
      }
      refused = r;
      break;
    }
    QVERIFY2(acked > 0, "nothing fit before the limit");
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("Retry-After"), std::string("1"));
    QVERIFY2(refused.body.find("store unavailable") != std::string::npos, refused.body.c_str());
    // Still full: still 503, the process alive.
    QCOMPARE(client.request("POST", "/v1/logs", json, logsBody(batch)).status, 503);

    // Room again (the limit lifted from outside, as a freed disk would be): the retry is stored.
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    QCOMPARE(::prlimit(static_cast<pid_t>(p.processId()), RLIMIT_FSIZE, &unlimited, nullptr), 0);
    QCOMPARE(client.request("POST", "/v1/logs", json, logsBody(batch)).status, 200);
    ++acked;
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);

    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM events), (SELECT integrity_check FROM pragma_integrity_check)",
                                -1, &st, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(st), SQLITE_ROW);
    QCOMPARE(sqlite3_column_int(st, 0), acked * 20);
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))), QByteArray("ok"));
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
};

QTEST_GUILESS_MAIN(TestBadDatabase)
#include "tst_bad_database.moc"
