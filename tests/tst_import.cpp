// Import of OTLP files into the store: JSON Lines (plain and gzipped, as the Collector's file exporter
// writes them), one JSON document, protobuf bodies with the signal told by name, metadata or option;
// importing twice stores nothing new; a bad line is reported as FILE:LINE and only that line is lost.

#include <QtTest>

#include <QJsonDocument>
#include <QTemporaryDir>

#include <atomic>

#include "io/FileReader.h"
#include "io/ImportFormat.h"
#include "io/Importer.h"
#include "otlp/Gzip.h"
#include "support/Fixtures.h"
#include "support/ImportHelpers.h"
#include "support/RollupChecks.h"

using namespace cctv;
using cctv::test::dumpRows;
using cctv::test::importFiles;
using cctv::test::jsonBodies;
using cctv::test::queryInt;
using cctv::test::writeFile;

namespace {

QByteArray jsonLines(const QList<QByteArray>& bodies) {
  QByteArray out;
  for (const QByteArray& b : bodies) out += b.trimmed() + '\n';
  return out;
}

QByteArray gzipped(const QByteArray& b) {
  return QByteArray::fromStdString(otlp::gzip(std::string_view(b.constData(), static_cast<std::size_t>(b.size()))));
}

QString fixtureFile(const char* rel) { return test::fixturesDir() + '/' + rel; }

// What a database holds, exactly: the three views (minus their row ids) and the session roll-ups.
std::vector<std::string> contents(const std::string& db) {
  std::vector<std::string> all;
  for (const char* sql :
       {"SELECT * FROM events ORDER BY session_id, event_sequence, timeUnixNano, event_name",
        "SELECT * FROM metric_points ORDER BY metric_name, attributes, start_time_unix_nano, time_unix_nano",
        "SELECT * FROM spans ORDER BY trace_id, span_id",
        "SELECT session_id, first_ns, last_ns, events, prompts, api_requests, cost_usd, metric_points, spans "
        "FROM sessions ORDER BY session_id"}) {
    for (std::string row : dumpRows(db, sql)) {
      // Row ids depend on arrival order, not on content.
      if (row.rfind("id=", 0) == 0) row.erase(0, row.find('\t') + 1);
      all.push_back(row);
    }
  }
  return all;
}

// The roll-up tables of the Metrics and Tools & errors pages, exactly.
std::vector<std::string> pageRollups(const std::string& db) {
  std::vector<std::string> all;
  for (const char* sql : {"SELECT * FROM metric_hours ORDER BY 1, 2", "SELECT * FROM daily_tools ORDER BY 1, 2",
                          "SELECT * FROM daily_tool_durations ORDER BY 1, 2, 3",
                          "SELECT * FROM daily_tool_rejections ORDER BY 1, 2, 3",
                          "SELECT * FROM daily_api_errors ORDER BY 1, 2, 3, 4"})
    for (const std::string& row : dumpRows(db, sql)) all.push_back(row);
  return all;
}

int expectedEvents(const QString& run) {
  for (const auto& e : test::readmeTable())
    if (e.run == run) return e.uniqueEvents;
  qFatal("no README row for %s", qPrintable(run));
}

int expectedPoints(const QString& run) {
  for (const auto& e : test::readmeTable())
    if (e.run == run) return e.uniqueMetricPoints;
  qFatal("no README row for %s", qPrintable(run));
}

}  // namespace

class TestImport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void formatRules() {
    std::string why;
    QCOMPARE(io::jsonRequestSignal(R"({"resourceLogs":[]})", &why), ingest::Signal::Logs);
    QCOMPARE(io::jsonRequestSignal(R"( {"x":{"resourceSpans":1},"resource_metrics":[]})", &why),
             ingest::Signal::Metrics);
    QVERIFY(!io::jsonRequestSignal(R"({"foo":"resourceLogs"})", &why));
    QVERIFY(QString::fromStdString(why).contains("not an OTLP Export request"));
    QVERIFY(!io::jsonRequestSignal("[1,2]", &why));

    QVERIFY(io::isCompleteJsonObject(R"({"a":"}{","b":[{}]})"));
    QVERIFY(io::isCompleteJsonObject("{}  "));
    QVERIFY(!io::isCompleteJsonObject("{"));
    QVERIFY(!io::isCompleteJsonObject("{\"a\":\"\\\"}\""));  // {"a":"\"}" : the brace is inside the string
    QVERIFY(!io::isCompleteJsonObject("{} {}"));

    QCOMPARE(io::signalFromFileName("/x/y/0001-logs.pb"), ingest::Signal::Logs);
    QCOMPARE(io::signalFromFileName("traces.pb.gz"), ingest::Signal::Traces);
    QCOMPARE(io::signalFromFileName("my_metric_dump.bin"), ingest::Signal::Metrics);
    QVERIFY(!io::signalFromFileName("/logs/body.pb"));          // only the file's own name counts
    QVERIFY(!io::signalFromFileName("logs-and-metrics.pb"));    // two signals named: cannot tell
    QVERIFY(!io::signalFromFileName("catalogs.pb"));            // a word, not a substring
    QVERIFY(io::nameSaysProtobuf("a.PB"));
    QVERIFY(!io::nameSaysProtobuf("a.json.gz"));
  }

  void fileReaderStreamsPlainAndGzip() {
    QTemporaryDir dir;
    QByteArray text;
    for (int i = 0; i < 50000; ++i) text += "line " + QByteArray::number(i) + (i % 2 ? "\r\n" : "\n");
    const QString plain = dir.filePath("a.txt"), gz = dir.filePath("a.bin");
    writeFile(plain, text);
    // Two concatenated gzip members, as `cat a.gz b.gz` makes: one stream.
    writeFile(gz, gzipped(text.left(100000)) + gzipped(text.mid(100000)));
    for (const QString& path : {plain, gz}) {
      io::FileReader in;
      std::string error, line;
      QVERIFY(in.open(path.toStdString(), &error));
      QCOMPARE(in.gzipped(), path == gz);
      int n = 0;
      io::FileReader::Read r;
      while ((r = in.readLine(&line, 100)) == io::FileReader::Read::Ok) {
        QCOMPARE(line, "line " + std::to_string(n));
        ++n;
      }
      QCOMPARE(r, io::FileReader::Read::End);
      QCOMPARE(n, 50000);
      QCOMPARE(in.fileBytesRead(), in.fileSize());
    }
  }

  void fileReaderReportsCorruptAndLongLines() {
    QTemporaryDir dir;
    const QString truncated = dir.filePath("t.gz");
    const QByteArray gz = gzipped(QByteArray(300000, 'x'));
    writeFile(truncated, gz.left(gz.size() / 2));
    io::FileReader in;
    std::string error, out;
    QVERIFY(in.open(truncated.toStdString(), &error));
    QCOMPARE(in.readRest(&out, 1 << 20), io::FileReader::Read::Error);
    QCOMPARE(in.error(), std::string("truncated gzip stream"));

    const QString longLine = dir.filePath("l.txt");
    writeFile(longLine, QByteArray(5000, 'y') + "\nshort\n");
    io::FileReader in2;
    QVERIFY(in2.open(longLine.toStdString(), &error));
    QCOMPARE(in2.readLine(&out, 1000), io::FileReader::Read::TooLong);
    QCOMPARE(in2.readLine(&out, 1000), io::FileReader::Read::Ok);
    QCOMPARE(out, std::string("short"));
  }

  void jsonLinesPlainAndGzipped() {
    const QString run = QStringLiteral("json-multiturn");
    const QByteArray lines = jsonLines(jsonBodies(run));
    QTemporaryDir dir;
    const QString plain = dir.filePath("export.jsonl"), gz = dir.filePath("export.jsonl.gz");
    writeFile(plain, lines);
    writeFile(gz, gzipped(lines));
    const std::string dbPlain = dir.filePath("plain.db").toStdString(), dbGz = dir.filePath("gz.db").toStdString();

    auto s = importFiles(dbPlain, {plain.toStdString()});
    QCOMPARE(s.size(), std::size_t{1});
    QVERIFY2(s[0].ok(), s[0].errors.empty() ? "" : s[0].errors[0].c_str());
    QCOMPARE(s[0].format, io::FileFormat::JsonLines);
    QVERIFY(!s[0].gzipped);
    QCOMPARE(s[0].requests, 13);
    QCOMPARE(s[0].events, expectedEvents(run));
    QCOMPARE(s[0].points, expectedPoints(run));
    QCOMPARE(queryInt(dbPlain, "SELECT count(*) FROM events"), expectedEvents(run));

    s = importFiles(dbGz, {gz.toStdString()});
    QVERIFY(s[0].ok());
    QVERIFY(s[0].gzipped);
    QCOMPARE(s[0].events, expectedEvents(run));
    QCOMPARE(contents(dbGz), contents(dbPlain));
    // Each request is logged like a received one, with where it came from.
    QCOMPARE(queryInt(dbGz, "SELECT count(*) FROM ingest_log WHERE transport = 'file' AND status = 200 AND "
                            "content_encoding = 'gzip' AND path LIKE '%export.jsonl.gz:%'"),
             13);
  }

  void singleJsonDocument() {
    // A pretty-printed request (not one line): read as one document.
    const QByteArray body = jsonBodies(QStringLiteral("json-basic")).first();
    const QByteArray pretty = QJsonDocument::fromJson(body).toJson(QJsonDocument::Indented);
    QVERIFY(pretty.count('\n') > 10);
    QTemporaryDir dir;
    const QString file = dir.filePath("request.json");
    writeFile(file, pretty);
    const std::string db = dir.filePath("a.db").toStdString();
    const auto s = importFiles(db, {file.toStdString()});
    QVERIFY2(s[0].ok(), s[0].errors.empty() ? "" : s[0].errors[0].c_str());
    QCOMPARE(s[0].format, io::FileFormat::JsonDocument);
    QCOMPARE(s[0].requests, 1);
    QCOMPARE(s[0].events + s[0].points, 11 + 0);  // json-basic's first request is its logs
  }

  void protobufSignalFromNameMetadataOrOption() {
    QTemporaryDir dir;
    QFile src(fixtureFile("proto-basic/otlp/0001-logs.pb"));
    QVERIFY(src.open(QIODevice::ReadOnly));
    const QByteArray pb = src.readAll();
    const QString named = dir.filePath("0001-logs.pb"), anonymous = dir.filePath("body.pb"),
                  withMeta = dir.filePath("capture.pb"), gz = dir.filePath("body.bin");
    writeFile(named, pb);
    writeFile(anonymous, pb);
    writeFile(withMeta, pb);
    writeFile(dir.filePath("capture.meta.json"), R"({"signal": "logs", "path": "/v1/logs"})");
    writeFile(gz, gzipped(pb));  // no .pb in the name: recognized as protobuf by its bytes

    const std::string db = dir.filePath("a.db").toStdString();
    auto s = importFiles(db, {named.toStdString()});
    QVERIFY(s[0].ok());
    QCOMPARE(s[0].format, io::FileFormat::Protobuf);
    QCOMPARE(s[0].events, 11);

    s = importFiles(db, {anonymous.toStdString()});
    QVERIFY(!s[0].ok());
    QCOMPARE(s[0].errors.size(), std::size_t{1});
    QVERIFY2(QString::fromStdString(s[0].errors[0]).startsWith(anonymous + ": cannot tell whether"), s[0].errors[0].c_str());
    QVERIFY(QString::fromStdString(s[0].errors[0]).contains("--signal"));

    s = importFiles(db, {withMeta.toStdString()});
    QVERIFY(s[0].ok());
    QCOMPARE(s[0].duplicates, 11);

    io::ImportOptions o;
    o.protobufSignal = ingest::Signal::Logs;
    s = importFiles(db, {anonymous.toStdString(), gz.toStdString()}, o);
    QVERIFY(s[0].ok() && s[1].ok());
    QVERIFY(s[1].gzipped);
    QCOMPARE(s[1].format, io::FileFormat::Protobuf);
    QCOMPARE(s[0].duplicates + s[1].duplicates, 22);
    QCOMPARE(queryInt(db, "SELECT count(*) FROM events"), 11);

    // The wrong signal: the bytes do not decode as that request, and nothing is stored.
    o.protobufSignal = ingest::Signal::Traces;
    s = importFiles(dir.filePath("b.db").toStdString(), {anonymous.toStdString()}, o);
    QCOMPARE(s[0].spans, 0);
    QCOMPARE(queryInt(dir.filePath("b.db").toStdString(), "SELECT count(*) FROM spans"), 0);
  }

  void importingTwiceChangesNothing() {
    // json-otlp-503 holds exporter resends: the unique counts are what a correct store keeps.
    const QString run = QStringLiteral("json-otlp-503");
    QTemporaryDir dir;
    const QString file = dir.filePath("resends.jsonl");
    writeFile(file, jsonLines(jsonBodies(run)));
    const std::string db = dir.filePath("a.db").toStdString();
    auto first = importFiles(db, {file.toStdString()});
    QVERIFY(first[0].ok());
    QCOMPARE(first[0].events, expectedEvents(run));
    QCOMPARE(first[0].points, expectedPoints(run));
    const auto before = contents(db);
    // The page roll-ups count what was imported, and the resends inside the file once.
    const std::string mismatch = test::pageRollupMismatch(db);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
    const auto rollupsBefore = pageRollups(db);
    QVERIFY(!rollupsBefore.empty());
    auto second = importFiles(db, {file.toStdString()});
    QVERIFY(second[0].ok());
    QCOMPARE(second[0].events + second[0].points + second[0].spans, 0);
    QCOMPARE(second[0].duplicates, first[0].events + first[0].points + first[0].duplicates);
    QCOMPARE(contents(db), before);
    QCOMPARE(pageRollups(db), rollupsBefore);
  }

  void badLineInTheMiddle() {
    const QList<QByteArray> bodies = jsonBodies(QStringLiteral("json-basic"));  // logs, metrics
    QTemporaryDir dir;
    const QString file = dir.filePath("mixed.jsonl");
    writeFile(file, bodies[0].trimmed() + "\n\n" + R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"x"}]}]}]})" +
                        "\n" + R"({"something":"else"})" + "\n" + bodies[1].trimmed() + "\n" + "{\"resourceLogs\":[\n");
    const std::string db = dir.filePath("a.db").toStdString();
    const auto s = importFiles(db, {file.toStdString()});
    QVERIFY(!s[0].ok());
    // Line 2 is blank (skipped); 3 and 4 are bad, 6 is cut off; 1 and 5 are stored.
    QCOMPARE(s[0].requests, 5);
    QCOMPARE(s[0].failedRequests, 3);
    QCOMPARE(s[0].errorCount, 3);
    const QString f = file;
    QVERIFY2(QString::fromStdString(s[0].errors[0]).startsWith(f + ":3: "), s[0].errors[0].c_str());
    QVERIFY(QString::fromStdString(s[0].errors[0]).contains("timeUnixNano"));
    QCOMPARE(QString::fromStdString(s[0].errors[1]),
             f + ":4: not an OTLP Export request (no resourceLogs, resourceMetrics or resourceSpans)");
    QVERIFY2(QString::fromStdString(s[0].errors[2]).startsWith(f + ":6: "), s[0].errors[2].c_str());
    QCOMPARE(s[0].events, 11);
    QCOMPARE(s[0].points, 7);
    QCOMPARE(queryInt(db, "SELECT count(*) FROM events"), 11);
    // The refusals are in ingest_log too, like a receiver's 400s.
    QCOMPARE(queryInt(db, "SELECT count(*) FROM ingest_log WHERE transport = 'file' AND status = 400"), 3);
  }

  void partialRejectionIsReported() {
    // One record of the request cannot be kept (no timestamp at all): the rest of that request is stored and
    // the rejection reported, like a receiver's partialSuccess.
    const QByteArray line =
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795547844547000000","attributes":[)"
        R"({"key":"session.id","value":{"stringValue":"s1"}},{"key":"event.sequence","value":{"intValue":1}}]},)"
        R"({"attributes":[]}]}]}]})";
    QTemporaryDir dir;
    const QString file = dir.filePath("partial.jsonl");
    writeFile(file, line + "\n");
    const std::string db = dir.filePath("a.db").toStdString();
    const auto s = importFiles(db, {file.toStdString()});
    QCOMPARE(s[0].events, 1);
    QCOMPARE(s[0].rejected, 1);
    QVERIFY(!s[0].ok());
    QVERIFY2(QString::fromStdString(s[0].errors[0]).startsWith(file + ":1: 1 log records rejected: "), s[0].errors[0].c_str());
  }

  void missingAndEmptyFiles() {
    QTemporaryDir dir;
    const QString empty = dir.filePath("empty.jsonl");
    writeFile(empty, "\n\n");
    const auto s = importFiles(dir.filePath("a.db").toStdString(),
                               {dir.filePath("nope.jsonl").toStdString(), empty.toStdString(), dir.path().toStdString()});
    QCOMPARE(s.size(), std::size_t{3});
    QCOMPARE(QString::fromStdString(s[0].errors.at(0)), dir.filePath("nope.jsonl") + ": cannot open: No such file or directory");
    QVERIFY(s[1].ok());
    QCOMPARE(s[1].requests, 0);
    QCOMPARE(QString::fromStdString(s[2].errors.at(0)), dir.path() + ": cannot open: is a directory");
  }

  void progressAndCancel() {
    QTemporaryDir dir;
    const QByteArray lines = jsonLines(jsonBodies(QStringLiteral("json-multiturn")));
    QByteArray big;
    for (int i = 0; i < 20; ++i) big += lines;  // the same requests again: duplicates, quick to store
    const QString file = dir.filePath("big.jsonl");
    writeFile(file, big);
    std::vector<io::ImportProgress> seen;
    io::ImportOptions o;
    o.progress = [&](const io::ImportProgress& p) { seen.push_back(p); };
    auto s = importFiles(dir.filePath("a.db").toStdString(), {file.toStdString()}, o);
    QVERIFY(s[0].ok());
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back().bytesDone, static_cast<std::int64_t>(big.size()));
    QCOMPARE(seen.back().bytesTotal, static_cast<std::int64_t>(big.size()));
    for (std::size_t i = 1; i < seen.size(); ++i) QVERIFY(seen[i].bytesDone >= seen[i - 1].bytesDone);

    // Cancelled after the first request: the import stops there, what was committed stays committed.
    std::atomic<bool> cancel{false};
    io::ImportOptions c;
    c.cancel = &cancel;
    int requestsSeen = 0;
    c.progress = [&](const io::ImportProgress&) {
      if (++requestsSeen == 1) cancel = true;
    };
    const std::string db = dir.filePath("b.db").toStdString();
    s = importFiles(db, {file.toStdString(), file.toStdString()}, c);
    QCOMPARE(s.size(), std::size_t{1});  // the second file was never started
    QVERIFY(s[0].cancelled);
    QVERIFY(!s[0].ok());
    QVERIFY(s[0].requests < 13 * 20);
    QCOMPARE(queryInt(db, "SELECT count(*) FROM ingest_log WHERE status = 200"), s[0].requests);
  }
};

QTEST_GUILESS_MAIN(TestImport)
#include "tst_import.moc"
