// The cctv executable as a user runs it: flags, the "listening on" line, refusals with exit code 1, a port
// another cctv has (exit 3), the window's preferences under the flags, and SIGTERM flushing everything
// acknowledged before exiting 0.

#include <QtTest>

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
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

QString fixturePath(const char* rel) { return QStringLiteral(CCTV_FIXTURES_DIR) + '/' + rel; }

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) qFatal("cannot write %s", qPrintable(path));
}

QString sqlite(const QString& db, const QString& sql) {
  QProcess q;
  q.start("sqlite3", {db, sql});
  q.waitForFinished(10000);
  return QString::fromUtf8(q.readAllStandardOutput()).trimmed();
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
                             "--redact", "--quiet", "--version", "--import", "--signal", "--export", "--format", "--output",
                             "--forward", "--forward-header", "--forward-logs", "--forward-metrics", "--forward-traces",
                             "--forward-ca", "--forward-queue-max"})
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
    r = run({"--headless", "--retain-days", "-1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("--retain-days must be a number of days"));
    r = run({"--headless", "--retain-mb", "lots"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("--retain-mb must be a number of MiB"));
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
  void importExportAndImportAgain() {
    QTemporaryDir dir;
    const QString jsonl = dir.filePath("basic.jsonl"), a = dir.filePath("a.db"), b = dir.filePath("b.db");
    writeFile(jsonl, fixture("json-basic/otlp/0001-logs.json") + "\n" + fixture("json-basic/otlp/0002-metrics.json") + "\n");
    const QString pb = fixturePath("proto-basic/otlp/0001-logs.pb");
    Run r = run({"--import", jsonl, pb, "--db", a});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(jsonl + ": OTLP/JSON Lines, 2 requests; stored 11 events, 7 metric points, 0 spans; "
                                    "0 duplicates, 0 rejected, 0 errors\n"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(pb + ": OTLP protobuf, 1 request; stored 11 events"), qPrintable(r.out));
    QVERIFY2(r.out.contains("total: stored 22 events, 7 metric points, 0 spans; 0 duplicates"), qPrintable(r.out));
    r = run({"--import", jsonl, "--db", a});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("stored 0 events, 0 metric points, 0 spans; 18 duplicates"), qPrintable(r.out));
    QCOMPARE(sqlite(a, "SELECT count(*) FROM events"), QString("22"));

    // json-basic's session (the other one came from proto-basic).
    const QRegularExpression sessionAttr(QStringLiteral("\"key\":\"session\\.id\",\"value\":\\{\"stringValue\":\"([^\"]+)\""));
    const QString session = sessionAttr.match(QString::fromUtf8(fixture("json-basic/otlp/0001-logs.json"))).captured(1);
    QVERIFY(!session.isEmpty());
    const QString otlp = dir.filePath("session.jsonl"), csv = dir.filePath("session.csv");
    r = run({"--export", session, "--format", "otlp-json", "-o", otlp, "--db", a});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out, otlp + ": session " + session + ", 11 events, 7 metric points, 0 spans\n");
    r = run({"--import", otlp, "--db", b});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString rows = "SELECT timeUnixNano, body, event_name, cost_usd, attributes, resource FROM events WHERE "
                         "session_id = '" + session + "' ORDER BY event_sequence";
    QCOMPARE(sqlite(b, rows), sqlite(a, rows));
    QVERIFY(!sqlite(a, rows).isEmpty());

    r = run({"--export", session, "--format", "csv", "-o", csv, "--db", a});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.startsWith("timeUnixNano,observedTimeUnixNano,body,droppedAttributesCount,event_name,"));
    QVERIFY(text.endsWith("\r\n"));
  }
  void importErrorsExitOne() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("bad.jsonl"), db = dir.filePath("a.db");
    writeFile(bad, fixture("json-basic/otlp/0001-logs.json") + "\n{\"resourceLogs\": 7}\n");
    Run r = run({"--import", bad, "--db", db});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(bad + ": OTLP/JSON Lines, 2 requests; stored 11 events"), qPrintable(r.out));
    QVERIFY2(r.err.contains("cctv: " + bad + ":2: "), qPrintable(r.err));
    QVERIFY2(r.err.contains("cctv: import incomplete: 1 of 1 files had errors"), qPrintable(r.err));

    const QString body = dir.filePath("body.pb");
    writeFile(body, fixture("proto-basic/otlp/0001-logs.pb"));
    r = run({"--import", body, "--db", db});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot tell whether this protobuf body holds logs, metrics or traces"), qPrintable(r.err));
    r = run({"--import", body, "--signal", "logs", "--db", db});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    r = run({"--import", dir.filePath("missing.jsonl"), "--db", db});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("missing.jsonl: cannot open: No such file or directory"), qPrintable(r.err));
  }
  void exportAndBatchArgumentErrors() {
    QTemporaryDir dir;
    const QString db = dir.filePath("a.db");
    Run r = run({"--export", "x", "-o", dir.filePath("o.jsonl"), "--db", db});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, "cctv: no database at " + db + "\n");
    QCOMPARE(run({"--import", fixturePath("json-basic/otlp/0001-logs.json"), "--db", db}).exitCode, 0);
    r = run({"--export", "nope", "-o", dir.filePath("o.jsonl"), "--db", db});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, "cctv: no session nope in " + db + "\n");
    QVERIFY(!QFile::exists(dir.filePath("o.jsonl")));
    for (const QStringList& args : {QStringList{"--export", "x"}, QStringList{"--export", "x", "-o", "f", "--format", "xml"},
                                    QStringList{"--signal", "logs"}, QStringList{"--import", "a", "--export", "b"},
                                    QStringList{"--import", "a", "--signal", "spans"}, QStringList{"-o", "f"}}) {
      r = run(args + QStringList{"--db", db});
      QVERIFY2(r.exitCode == 1 && r.err.startsWith("cctv: ") && r.err.count('\n') == 1, qPrintable(args.join(' ') + ": " + r.err));
    }
  }
  void forwardFlagsAreChecked() {
    QTemporaryDir dir;
    const QString db = dir.filePath("a.db");
    const QStringList base = {"--headless", "--http-port", "0", "--no-grpc", "--db", db};
    Run r = run(base + QStringList{"--forward", "127.0.0.1:4318"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("cctv: invalid upstream URL '127.0.0.1:4318'"), qPrintable(r.err));
    r = run(base + QStringList{"--forward", "http://u:secret@collector:4318"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--forward-header") && !r.err.contains("secret"), qPrintable(r.err));
    r = run(base + QStringList{"--forward", "http://127.0.0.1:9", "--forward-header", "Content-Type=text/plain"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cctv sets this header itself"), qPrintable(r.err));
    r = run({"--import", dir.filePath("x.jsonl"), "--db", db, "--forward", "http://127.0.0.1:9"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("not with --import/--export"), qPrintable(r.err));
    r = run(base + QStringList{"--forward-header", "Authorization=Bearer x"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("need --forward"), qPrintable(r.err));
    r = run(base + QStringList{"--forward", "http://127.0.0.1:9", "--forward-queue-max", "0"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--forward-queue-max"), qPrintable(r.err));
    r = run(base + QStringList{"--forward", "https://127.0.0.1:9", "--forward-ca", dir.filePath("none.pem")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot load CA certificates from"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
  }

  // A second cctv on a port the first has: exit 3 and a line that says who has it.
  void portOfAnotherCctv() {
    QTemporaryDir dir;
    QProcess a;
    a.setProcessEnvironment(headlessEnv());
    a.start(QStringLiteral(CCTV_BINARY), {"--http-port", "0", "--no-grpc", "--quiet", "--db", dir.filePath("a.db")});
    QVERIFY(a.waitForReadyRead(10000));
    const QString line = QString::fromUtf8(a.readLine()).trimmed();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:"), qPrintable(line));
    const QString port = line.section(':', -1);

    Run r = run({"--headless", "--http-port", port, "--no-grpc", "--db", dir.filePath("a.db")});
    QCOMPARE(r.exitCode, 3);
    QCOMPARE(r.err, QStringLiteral("cctv: another cctv (pid %1) already receives into %2 at %3; view it with "
                                   "--read-only (in the window), or pick another port\n")
                        .arg(a.processId())
                        .arg(dir.filePath("a.db"), line.section(' ', -1)));

    r = run({"--headless", "--http-port", port, "--no-grpc", "--db", dir.filePath("b.db")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("(another cctv, with another database, has port " + port + "; pick another port)"),
             qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);

    // --read-only beside it: a window (offscreen) with no receiver of its own, on the same database.
    QProcessEnvironment env = headlessEnv();
    env.insert("DISPLAY", ":cctv-test");
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
    QProcess viewer;
    viewer.setProcessEnvironment(env);
    // A free port: were --read-only to start a receiver, it would listen there and say so.
    viewer.start(QStringLiteral(CCTV_BINARY), {"--read-only", "--no-grpc", "--http-port", "0", "--db", dir.filePath("a.db")});
    QVERIFY(viewer.waitForStarted(10000));
    QTest::qWait(2000);
    QCOMPARE(viewer.state(), QProcess::Running);
    ::kill(static_cast<pid_t>(viewer.processId()), SIGTERM);
    QVERIFY(viewer.waitForFinished(10000));
    QCOMPARE(viewer.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(viewer.readAllStandardOutput()), QString());  // never "listening on"
    QVERIFY(QFile::exists(dir.filePath("a.db.instance")));  // the receiver's, untouched

    ::kill(static_cast<pid_t>(a.processId()), SIGTERM);
    QVERIFY(a.waitForFinished(10000));
    QCOMPARE(a.exitCode(), 0);
    QVERIFY(!QFile::exists(dir.filePath("a.db.instance")));  // released on the way out
  }

  void readOnlyIsForTheWindow() {
    QTemporaryDir dir;
    Run r = run({"--read-only", "--headless", "--db", dir.filePath("a.db")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--read-only opens the window"), qPrintable(r.err));
    r = run({"--read-only", "--db", dir.filePath("a.db")});  // no display
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--read-only opens the window, and there is no display"), qPrintable(r.err));
    r = run({"--read-only", "--forward", "http://127.0.0.1:9"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!QFile::exists(dir.filePath("a.db")));
  }

  // The window (offscreen) takes its listener from the saved preferences, and a flag wins over them.
  void theCommandLineWinsOverThePreferences() {
    QTemporaryDir dir;
    QTcpServer reserve;
    QVERIFY(reserve.listen(QHostAddress::LocalHost, 0));
    const QString saved = QString::number(reserve.serverPort());
    reserve.close();
    QDir().mkpath(dir.filePath("config/cctv"));
    writeFile(dir.filePath("config/cctv/cctv.conf"),
              "[listener]\nhttpPort=" + saved.toUtf8() + "\ngrpc=false\ntoken=fromprefs\n");
    QProcessEnvironment env = headlessEnv();
    env.insert("DISPLAY", ":cctv-test");  // a window, drawn offscreen
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
    env.insert("XDG_DATA_HOME", dir.filePath("data"));
    auto listening = [&](const QStringList& args) {
      QProcess p;
      p.setProcessEnvironment(env);
      p.start(QStringLiteral(CCTV_BINARY), args);
      if (!p.waitForReadyRead(20000)) return QStringLiteral("no output: ") + QString::fromUtf8(p.readAllStandardError());
      const QString line = QString::fromUtf8(p.readLine()).trimmed();
      ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
      p.waitForFinished(10000);
      return line;
    };
    QCOMPARE(listening({"--db", dir.filePath("w.db")}), "listening on http://127.0.0.1:" + saved);
    const QString line = listening({"--db", dir.filePath("w.db"), "--http-port", "0"});
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:") && !line.endsWith(":" + saved), qPrintable(line));
    // The flag was for that run only: the saved port is still the saved one.
    QFile conf(dir.filePath("config/cctv/cctv.conf"));
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY(conf.readAll().contains("httpPort=" + saved.toUtf8()));
  }

  // Two cctvs, A forwarding to B, as a user would chain them: B is down at first (A queues and backs off),
  // comes up (A drains), and gets the events with A's --forward-header as its token.
  void forwardsToAnotherCctv() {
    QTemporaryDir dir;
    QTcpServer reserve;
    QVERIFY(reserve.listen(QHostAddress::LocalHost, 0));
    const QString portB = QString::number(reserve.serverPort());
    reserve.close();

    QProcess a;
    a.setProcessEnvironment(headlessEnv());
    a.start(QStringLiteral(CCTV_BINARY),
            {"--http-port", "0", "--no-grpc", "--db", dir.filePath("a.db"), "--token", "tokenA", "--forward",
             "http://127.0.0.1:" + portB, "--forward-header", "Authorization=Bearer tokenB"});
    QVERIFY(a.waitForReadyRead(10000));
    const QString line = QString::fromUtf8(a.readLine()).trimmed();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:"), qPrintable(line));
    HttpClient client("127.0.0.1", line.section(':', -1).toUShort());
    const auto reply = client.request("POST", "/v1/logs",
                                      {{"Authorization", "Bearer tokenA"}, {"Content-Type", "application/json"}},
                                      fixture("json-basic/otlp/0001-logs.json").toStdString());
    QCOMPARE(reply.status, 200);
    QString errA;
    QTRY_VERIFY_WITH_TIMEOUT((errA += QString::fromUtf8(a.readAllStandardError())).contains("forward: backing off"), 10000);
    QVERIFY2(errA.contains("cctv: forwarding accepted requests: logs to http://127.0.0.1:" + portB + "/v1/logs"),
             qPrintable(errA));
    QVERIFY2(errA.contains("cannot connect to 127.0.0.1:" + portB), qPrintable(errA));
    QVERIFY2(!errA.contains("tokenB"), qPrintable(errA));

    QProcess b;
    b.setProcessEnvironment(headlessEnv());
    b.start(QStringLiteral(CCTV_BINARY),
            {"--http-port", portB, "--no-grpc", "--db", dir.filePath("b.db"), "--token", "tokenB"});
    QString errB;
    QTRY_VERIFY_WITH_TIMEOUT((errB += QString::fromUtf8(b.readAllStandardError())).contains("POST /v1/logs 200"), 45000);
    QVERIFY2(errB.contains("accepted=11"), qPrintable(errB));
    QTRY_VERIFY_WITH_TIMEOUT((errA += QString::fromUtf8(a.readAllStandardError())).contains("forward: ok"), 10000);
    // One line per change of state, not one per attempt.
    QCOMPARE(errA.count("forward: backing off"), 1);

    for (QProcess* p : {&a, &b}) {
      ::kill(static_cast<pid_t>(p->processId()), SIGTERM);
      QVERIFY(p->waitForFinished(10000));
      QCOMPARE(p->exitCode(), 0);
    }
    QProcess q;
    q.start("sqlite3", {dir.filePath("b.db"), "SELECT count(*) FROM events"});
    QVERIFY(q.waitForFinished(10000));
    QCOMPARE(QString::fromUtf8(q.readAllStandardOutput()).trimmed(), QString("11"));
    q.start("sqlite3", {dir.filePath("a.db"), "SELECT count(*), sum(status = 0), sum(status = 200), "
                                              "(SELECT count(*) FROM forward_queue) FROM ingest_log WHERE transport = 'forward'"});
    QVERIFY(q.waitForFinished(10000));
    const QStringList cols = QString::fromUtf8(q.readAllStandardOutput()).trimmed().split('|');
    QCOMPARE(cols.size(), 4);
    QVERIFY(cols[1].toInt() >= 1);  // the refused connections
    QCOMPARE(cols[2], QString("1"));
    QCOMPARE(cols[3], QString("0"));
  }
};

QTEST_GUILESS_MAIN(TestAppCli)
#include "tst_app_cli.moc"
