// The cctv executable as a user runs it: flags, the "listening on" line, refusals with exit code 1,
// and SIGTERM flushing everything acknowledged before exiting 0.

#include <QtTest>

#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>

#include <sys/stat.h>

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

struct Run {
  int exitCode = -1;
  QString out, err;
};

Run run(const QStringList& args) {
  QProcess p;
  p.setProcessEnvironment(headlessEnv());
  p.start(QStringLiteral(CCTV_BINARY), args);
  p.waitForFinished(15000);
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QByteArray fixture(const char* rel) {
  QFile f(QStringLiteral(CCTV_FIXTURES_DIR) + '/' + rel);
  if (!f.open(QIODevice::ReadOnly)) qFatal("missing %s", rel);
  return f.readAll();
}

}  // namespace

class TestAppCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void version() {
    const Run r = run({"--version"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("cctv "));
  }
  void helpListsEveryFlag() {
    const Run r = run({"--help"});
    QCOMPARE(r.exitCode, 0);
    for (const char* flag : {"--headless", "--http-port", "--grpc-port", "--no-grpc", "--bind", "--db", "--token", "--max-body", "--insecure",
                             "--redact", "--quiet", "--version"})
      QVERIFY2(r.out.contains(flag), flag);
  }
  void badArguments() {
    Run r = run({"--no-such-flag"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.startsWith("cctv: "));
    r = run({"--headless", "--http-port", "70000"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("--http-port"));
    r = run({"--headless", "--grpc-port", "-1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("--grpc-port"));
    r = run({"--headless", "--bind", "0.0.0.0"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("refusing to listen on 0.0.0.0 without --token"));
  }
  void unwritableDatabase() {
    const Run r = run({"--headless", "--http-port", "0", "--grpc-port", "0", "--db", "/proc/cctv-test/none/x.db"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cctv: cannot"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
  }
  void foreignDatabase() {
    QTemporaryDir dir;
    const QString path = dir.filePath("other.db");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a database, it is a text file that happens to be here............................");
    f.close();
    const Run r = run({"--headless", "--http-port", "0", "--grpc-port", "0", "--db", path});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot open database"), qPrintable(r.err));
  }
  void busyPort() {
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    const Run r = run({"--headless", "--http-port", QString::number(taken.serverPort()), "--grpc-port", "0", "--db",
                       dir.filePath("a.db")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("in use"), qPrintable(r.err));
  }
  void busyGrpcPort() {
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    const QString port = QString::number(taken.serverPort());
    const Run r = run({"--headless", "--http-port", "0", "--grpc-port", port, "--db", dir.filePath("a.db")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, "cctv: cannot listen on grpc 127.0.0.1:" + port + ": address already in use\n");
    QVERIFY2(!r.out.contains("listening"), qPrintable(r.out));
  }
  void noGrpc() {
    QTemporaryDir dir;
    QProcess p;
    p.setProcessEnvironment(headlessEnv());
    p.start(QStringLiteral(CCTV_BINARY), {"--http-port", "0", "--no-grpc", "--db", dir.filePath("a.db")});
    QVERIFY(p.waitForReadyRead(10000));
    QTest::qWait(200);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(out.startsWith("listening on http://127.0.0.1:") && !out.contains("grpc"), qPrintable(out));
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
  }
  void sigtermRightAfterListeningExitsCleanly() {
    // The signal handler is installed before "listening on" is printed, so an immediate SIGTERM flushes.
    for (int i = 0; i < 5; ++i) {
      QTemporaryDir dir;
      QProcess p;
      p.setProcessEnvironment(headlessEnv());
      p.start(QStringLiteral(CCTV_BINARY), {"--http-port", "0", "--grpc-port", "0", "--db", dir.filePath("x.db")});
      QVERIFY(p.waitForReadyRead(10000));
      ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
      QVERIFY(p.waitForFinished(10000));
      QCOMPARE(p.exitStatus(), QProcess::NormalExit);
      QCOMPARE(p.exitCode(), 0);
    }
  }
  void headlessReceivesAndFlushesOnSigterm() {
    QTemporaryDir dir;
    const QString db = dir.filePath("cctv.db");
    QProcess p;
    p.setProcessEnvironment(headlessEnv());
    p.start(QStringLiteral(CCTV_BINARY), {"--http-port", "0", "--grpc-port", "0", "--db", db, "--token", "testtoken"});
    QVERIFY(p.waitForReadyRead(10000));
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:"), qPrintable(line));
    QTRY_VERIFY(p.canReadLine() || p.waitForReadyRead(100));
    const QString grpcLine = QString::fromUtf8(p.readLine()).trimmed();
    QVERIFY2(grpcLine.startsWith("listening on grpc://127.0.0.1:"), qPrintable(grpcLine));
    QVERIFY(grpcLine.section(':', -1).toUShort() != 0);
    const quint16 port = line.section(':', -1).toUShort();
    HttpClient client("127.0.0.1", port);
    const auto reply = client.request("POST", "/v1/logs",
                                      {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/json"}},
                                      fixture("json-basic/otlp/0001-logs.json").toStdString());
    QCOMPARE(reply.status, 200);
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("running the headless receiver"), qPrintable(err));
    QVERIFY2(err.contains("POST /v1/logs 200"), qPrintable(err));
    QVERIFY2(!err.contains("testtoken"), qPrintable(err));
    QVERIFY2(!err.contains("echo hi"), qPrintable(err));  // no content in the request log
    struct stat st {};
    QCOMPARE(::stat(db.toLocal8Bit().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    // Everything is in the main file after a clean exit.
    QProcess q;
    q.start("sqlite3", {db, "SELECT count(*) FROM events"});
    QVERIFY(q.waitForFinished(10000));
    QCOMPARE(QString::fromUtf8(q.readAllStandardOutput()).trimmed(), QString("11"));
  }
};

QTEST_GUILESS_MAIN(TestAppCli)
#include "tst_app_cli.moc"
