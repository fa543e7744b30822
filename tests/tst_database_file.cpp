// store::DatabaseFile: how SQLite errors and errnos become problems a person can act on, and moving a bad
// database aside with its -wal and -shm, never overwriting an earlier one.

#include <QtTest>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <cerrno>

#include "store/DatabaseFile.h"

using namespace cctv::store;

namespace {
void writeFile(const QString& path, const QByteArray& data) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(data);
}
QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

class TestDatabaseFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void classifies() {
    QCOMPARE(classifySqlite(SQLITE_NOTADB, "prepare: file is not a database"), DatabaseProblem::NotADatabase);
    QCOMPARE(classifySqlite(SQLITE_NOTADB, "not a cctv database (it has other tables; application_id 0)"),
             DatabaseProblem::Foreign);
    QCOMPARE(classifySqlite(SQLITE_NOTADB, "database was written by a newer cctv (schema 9, ...)"), DatabaseProblem::Foreign);
    QCOMPARE(classifySqlite(SQLITE_CORRUPT, ""), DatabaseProblem::Damaged);
    QCOMPARE(classifySqlite(SQLITE_CORRUPT_INDEX, ""), DatabaseProblem::Damaged);
    QCOMPARE(classifySqlite(SQLITE_BUSY, ""), DatabaseProblem::Locked);
    QCOMPARE(classifySqlite(SQLITE_BUSY_SNAPSHOT, ""), DatabaseProblem::Locked);
    QCOMPARE(classifySqlite(SQLITE_READONLY_DIRECTORY, ""), DatabaseProblem::ReadOnly);
    QCOMPARE(classifySqlite(SQLITE_FULL, ""), DatabaseProblem::Full);
    QCOMPARE(classifySqlite(SQLITE_IOERR_WRITE, ""), DatabaseProblem::Full);  // EFBIG: the file size limit
    QCOMPARE(classifySqlite(SQLITE_IOERR_SHMSIZE, ""), DatabaseProblem::Full);  // the -shm cannot grow
    QCOMPARE(classifySqlite(SQLITE_IOERR_READ, ""), DatabaseProblem::CannotOpen);
    QCOMPARE(classifySqlite(SQLITE_CANTOPEN, ""), DatabaseProblem::CannotOpen);
    QCOMPARE(classifyErrno(EACCES), DatabaseProblem::ReadOnly);
    QCOMPARE(classifyErrno(EROFS), DatabaseProblem::ReadOnly);
    QCOMPARE(classifyErrno(ENOSPC), DatabaseProblem::Full);
    QCOMPARE(classifyErrno(ENOENT), DatabaseProblem::CannotOpen);
    QVERIFY(canMoveAside(DatabaseProblem::Damaged));
    QVERIFY(canMoveAside(DatabaseProblem::Foreign));
    QVERIFY(!canMoveAside(DatabaseProblem::Locked));  // someone is using it: moving it would not help
    QVERIFY(!canMoveAside(DatabaseProblem::Full));
  }

  void movesAsideWithWalAndShm() {
    QTemporaryDir dir;
    const QString db = dir.filePath("cctv.db");
    writeFile(db, "main");
    writeFile(db + "-wal", "wal");
    writeFile(db + "-shm", "shm");
    std::string error;
    const QString moved = QString::fromStdString(moveAside(db.toStdString(), &error));
    QVERIFY2(!moved.isEmpty(), error.c_str());
    QVERIFY(moved.startsWith(db + ".damaged-"));
    QVERIFY(!QFile::exists(db) && !QFile::exists(db + "-wal") && !QFile::exists(db + "-shm"));
    QCOMPARE(readFile(moved), QByteArray("main"));
    QCOMPARE(readFile(moved + "-wal"), QByteArray("wal"));
    QCOMPARE(readFile(moved + "-shm"), QByteArray("shm"));

    // A second bad file in the same second gets its own name; nothing earlier is overwritten.
    writeFile(db, "second");
    const QString again = QString::fromStdString(moveAside(db.toStdString(), &error));
    QVERIFY2(!again.isEmpty(), error.c_str());
    QVERIFY(again != moved);
    QCOMPARE(readFile(moved), QByteArray("main"));
    QCOMPARE(readFile(again), QByteArray("second"));
  }

  void moveAsideReportsFailure() {
    QTemporaryDir dir;
    std::string error;
    QVERIFY(moveAside(dir.filePath("missing.db").toStdString(), &error).empty());
    QVERIFY2(error.find("cannot move") == 0, error.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDatabaseFile)
#include "tst_database_file.moc"
