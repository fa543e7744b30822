// What cctv must never leak, checked on the real executable: the bearer token (not on stderr, not in
// ingest_log), prompt text and tool input (never on stderr, whatever the request), the database and its
// -wal/-shm readable by anyone else, and, with --redact, any content in the database file at all.

#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <sys/stat.h>

#include <csignal>

#include "support/HttpClient.h"

using cctv::test::HttpClient;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const char* const kToken = "s3cr3t-T0KEN-value";
// Markers standing for content: each must be absent from wherever content must not go.
const char* const kPrompt = "PROMPT-MARKER-7f3a";
const char* const kToolInput = "TOOLINPUT-MARKER-91c2";
const char* const kResponse = "RESPONSE-MARKER-55e0";
const char* const kOutput = "OUTPUT-MARKER-0b8d";

QProcessEnvironment headlessEnv() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove(QStringLiteral("DISPLAY"));
  env.remove(QStringLiteral("WAYLAND_DISPLAY"));
  return env;
}

std::string attr(const char* key, const std::string& value) {
  return ",{\"key\":\"" + std::string(key) + "\",\"value\":{\"stringValue\":\"" + value + "\"}}";
}

// Claude Code-shaped records carrying every kind of content cctv may receive.
std::string contentLogs(int seq) {
  auto rec = [&](const char* event, const std::string& attrs) {
    return std::string("{\"timeUnixNano\":\"1795547844547000000\",\"body\":{\"stringValue\":\"claude_code.") + event +
           "\"},\"attributes\":[{\"key\":\"session.id\",\"value\":{\"stringValue\":\"sec\"}},"
           "{\"key\":\"event.sequence\",\"value\":{\"intValue\":" + std::to_string(seq++) + "}}" +
           attr("event.name", event) + attrs + "]}";
  };
  const std::string records =
      rec("user_prompt", attr("prompt", kPrompt) + attr("prompt_text", kPrompt)) + "," +
      rec("tool_decision", attr("tool_parameters", std::string("{\\\"command\\\":\\\"") + kToolInput + "\\\"}")) + "," +
      rec("tool_result", attr("tool_input", kToolInput) + attr("tool_parameters", kToolInput)) + "," +
      rec("assistant_response", attr("response", kResponse)) + "," +
      rec("api_request_body", attr("body", kPrompt)) + "," +
      // A prompt sent as an array is still a prompt.
      rec("user_prompt", std::string(",{\"key\":\"prompt\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"") +
                             kPrompt + "\"}]}}}");
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + records + "]}]}]}";
}

std::string contentSpans() {
  return std::string(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)") +
         R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"claude_code.interaction",)"
         R"("startTimeUnixNano":"1795547844547000000","endTimeUnixNano":"1795547844548000000","attributes":[)"
         R"({"key":"session.id","value":{"stringValue":"sec"}})" + attr("user_prompt", kPrompt) + "]},"
         R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","name":"claude_code.tool",)"
         R"("startTimeUnixNano":"1795547844547000000","endTimeUnixNano":"1795547844548000000","attributes":[)"
         R"({"key":"tool_name","value":{"stringValue":"Bash"}})" + attr("full_command", kToolInput) + "],"
         R"("events":[{"name":"tool.output","timeUnixNano":"1795547844547500000","attributes":[)"
         R"({"key":"bash_command","value":{"stringValue":"x"}})" + attr("output", kOutput) + "]}]}]}]}]}";
}

struct Cctv {
  QProcess p;
  quint16 port = 0;
  bool start(const QStringList& args, bool umaskZero = false) {
    p.setProcessEnvironment(headlessEnv());
    if (umaskZero) p.setChildProcessModifier([] { ::umask(0); });
    p.start(QStringLiteral(CCTV_BINARY), QStringList{"--headless", "--http-port", "0", "--no-grpc"} + args);
    if (!p.waitForReadyRead(10000)) return false;
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    port = line.section(':', -1).toUShort();
    return line.startsWith("listening on http://") && port;
  }
  QString stop() {
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardError());
  }
};

mode_t modeOf(const QString& path) {
  struct stat st {};
  return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? (st.st_mode & 0777) : 07777;
}

QByteArray sqliteDump(const QString& db, const QString& sql) {
  QProcess q;
  q.start("sqlite3", {db, sql});
  q.waitForFinished(10000);
  return q.readAllStandardOutput();
}

// Sends every kind of request that could echo content or the token: good, refused, malformed.
void sendEverything(quint16 port, const std::string& token) {
  HttpClient c("127.0.0.1", port);
  const Headers ok = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  QCOMPARE(c.request("POST", "/v1/logs", ok, contentLogs(0)).status, 200);
  QCOMPARE(c.request("POST", "/v1/traces", ok, contentSpans()).status, 200);
  // Content where it does not belong, and content in a body that does not parse: 400, quoted to the client.
  QCOMPARE(c.request("POST", "/v1/logs", ok, std::string(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":")") + kPrompt + "\"}]}]}]}").status, 400);
  QCOMPARE(c.request("POST", "/v1/logs", ok, std::string(R"({"resourceLogs":[{"x":")") + kPrompt + "\\q\"}]}").status, 400);
  QCOMPARE(c.request("POST", "/v1/logs", ok, std::string(R"({"resourceLogs":[{"x":")") + kToolInput + "\xff\"}]}").status, 400);
  QCOMPARE(c.request("POST", "/v1/metrics", ok, std::string(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asDouble":")") + kOutput + "\"}]}}]}]}]}").status, 400);
  // Wrong tokens, one of them the right token with a suffix; the token sent in the wrong scheme.
  if (token.empty()) return;
  for (const std::string& auth : {"Bearer " + token + "x", "Bearer " + token.substr(0, 8), "Basic " + token, token}) {
    HttpClient w("127.0.0.1", port);
    QCOMPARE(w.request("POST", "/v1/logs", {{"Authorization", auth}, {"Content-Type", "application/json"}}, "{}").status, 401);
  }
}

}  // namespace

class TestSecurity : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tokenAndContentNeverLogged() {
    QTemporaryDir dir;
    const QString db = dir.filePath("cctv.db");
    Cctv cctv;
    QVERIFY(cctv.start({"--db", db, "--token", kToken}));  // per-request lines on (no --quiet)
    sendEverything(cctv.port, kToken);
    if (QTest::currentTestFailed()) return;
    const QString err = cctv.stop();
    QVERIFY2(err.contains("POST /v1/logs 400") && err.contains("POST /v1/logs 401"), qPrintable(err));
    for (const char* secret : {kToken, kPrompt, kToolInput, kResponse, kOutput, "s3cr3t"})
      QVERIFY2(!err.contains(secret), qPrintable(QStringLiteral("%1 on stderr:\n%2").arg(secret, err)));
    const QByteArray log = sqliteDump(db, "SELECT * FROM ingest_log");
    QVERIFY(log.count('\n') >= 10);
    for (const char* secret : {kToken, kPrompt, kToolInput, kOutput, "s3cr3t"})
      QVERIFY2(!log.contains(secret), qPrintable(QStringLiteral("%1 in ingest_log:\n%2").arg(secret, QString::fromUtf8(log))));
  }

  void databaseFilesAreOwnerOnly() {
    QTemporaryDir dir;
    const QString db = dir.filePath("cctv.db");
    {  // a new file, even under umask 0
      Cctv cctv;
      QVERIFY(cctv.start({"--db", db, "--quiet"}, /*umaskZero=*/true));
      HttpClient c("127.0.0.1", cctv.port);
      QCOMPARE(c.request("POST", "/v1/logs", {{"Content-Type", "application/json"}}, contentLogs(100)).status, 200);
      for (const QString& f : {db, db + "-wal", db + "-shm"}) {
        QVERIFY2(QFile::exists(f), qPrintable(f));
        QCOMPARE(modeOf(f), mode_t(0600));
      }
      cctv.stop();
    }
    {  // an existing file someone made world-readable is closed up again
      QVERIFY(QFile::setPermissions(db, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ReadOther));
      QCOMPARE(modeOf(db), mode_t(0644));
      Cctv cctv;
      QVERIFY(cctv.start({"--db", db, "--quiet"}, true));
      HttpClient c("127.0.0.1", cctv.port);
      QCOMPARE(c.request("POST", "/v1/logs", {{"Content-Type", "application/json"}}, contentLogs(200)).status, 200);
      for (const QString& f : {db, db + "-wal", db + "-shm"}) QCOMPARE(modeOf(f), mode_t(0600));
      cctv.stop();
    }
  }

  void redactKeepsNoContentAnywhereInTheFile() {
    QTemporaryDir dir;
    const QString db = dir.filePath("cctv.db");
    Cctv cctv;
    QVERIFY(cctv.start({"--db", db, "--redact", "--quiet"}));
    sendEverything(cctv.port, "");
    if (QTest::currentTestFailed()) return;
    cctv.stop();
    QCOMPARE(sqliteDump(db, "SELECT count(*) FROM events").trimmed(), QByteArray("6"));
    QCOMPARE(sqliteDump(db, "SELECT count(*) FROM spans").trimmed(), QByteArray("2"));
    QCOMPARE(sqliteDump(db, "SELECT count(*) FROM events WHERE prompt = '<REDACTED>'").trimmed(), QByteArray("2"));
    // The strongest check: the bytes of the file itself (cctv folds the WAL in on exit), free pages included.
    QFile f(db);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.size() > 4096);
    QVERIFY(!QFile::exists(db + "-wal") || QFileInfo(db + "-wal").size() == 0);
    for (const char* secret : {kPrompt, kToolInput, kResponse, kOutput})
      QVERIFY2(!bytes.contains(secret), secret);
    // Without --redact the same requests do keep the content (so the check above can fail).
    QTemporaryDir dir2;
    Cctv plain;
    QVERIFY(plain.start({"--db", dir2.filePath("cctv.db"), "--quiet"}));
    sendEverything(plain.port, "");
    plain.stop();
    QVERIFY(sqliteDump(dir2.filePath("cctv.db"), "SELECT prompt FROM events").contains(kPrompt));
    QVERIFY(sqliteDump(dir2.filePath("cctv.db"), "SELECT events FROM spans").contains(kOutput));
  }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
