// Export of a session: OTLP/JSON Lines that import back losslessly (every fixture session replayed over
// HTTP, exported, imported into an empty database: the same rows), edge-case values that must survive the
// trip, and CSV of the events view with RFC 4180 quoting.

#include <QtTest>

#include <QTemporaryDir>

#include "io/SessionExport.h"
#include "query/Reader.h"
#include "support/Fixtures.h"
#include "support/HttpClient.h"
#include "support/ImportHelpers.h"
#include "support/TestServer.h"

using namespace cctv;
using cctv::test::dumpRows;
using cctv::test::importFiles;
using cctv::test::queryInt;
using cctv::test::writeFile;

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

data::EventQuery sessionQuery(const std::string& session) {
  data::EventQuery q;
  q.sessionId = session;
  return q;
}

// The first tab-separated column where two dump rows differ, for a readable failure.
QString difference(const std::string& got, const std::string& want) {
  const QStringList g = QString::fromStdString(got).split('\t'), w = QString::fromStdString(want).split('\t');
  for (int i = 0; i < std::min(g.size(), w.size()); ++i)
    if (g[i] != w[i]) return QStringLiteral("got  %1\nwant %2").arg(g[i].left(400), w[i].left(400));
  return QStringLiteral("column counts %1 / %2").arg(g.size()).arg(w.size());
}

void compareRows(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  QCOMPARE(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) QVERIFY2(got[i] == want[i], qPrintable(difference(got[i], want[i])));
}

// One session's rows in the three views and its roll-ups, without row ids (they follow arrival order). The
// roll-ups' costs are sums of doubles, which depend on the order rows arrived in (in the last bit), so they
// are compared to 12 decimals; every stored value is compared exactly.
std::vector<std::string> sessionContents(const std::string& db, const std::string& session) {
  std::vector<std::string> all;
  const std::string s = quoted(session);
  for (const std::string& sql :
       {"SELECT * FROM events WHERE session_id = " + s + " ORDER BY event_sequence, timeUnixNano, event_name, body",
        "SELECT * FROM metric_points WHERE session_id = " + s +
            " ORDER BY metric_name, attributes, start_time_unix_nano, time_unix_nano",
        "SELECT * FROM spans WHERE session_id = " + s + " ORDER BY trace_id, span_id",
        "SELECT session_id, first_ns, last_ns, events, prompts, api_requests, api_errors, tool_calls, tool_failures, "
        "tool_rejections, errors, printf('%.12f', cost_usd), input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
        "api_duration_ms, metric_points, spans FROM sessions WHERE session_id = " + s,
        "SELECT p.prompt_id, p.first_ns, p.last_ns, p.first_seq, p.last_seq, p.events, p.api_requests, "
        "printf('%.12f', p.cost_usd) "
        "FROM prompts p JOIN sessions s ON s.id = p.session_ref WHERE s.session_id = " + s + " ORDER BY p.prompt_id"}) {
    for (std::string row : dumpRows(db, sql)) {
      if (row.rfind("id=", 0) == 0) row.erase(0, row.find('\t') + 1);
      all.push_back(row);
    }
  }
  return all;
}

// Exports `session` from `from`, imports the file into a new database; returns that database's path.
std::string roundTrip(const std::string& from, const std::string& session, const QTemporaryDir& dir, int n,
                      io::ExportCounts* counts) {
  const std::string file = dir.filePath(QStringLiteral("s%1.jsonl").arg(n)).toStdString();
  const std::string to = dir.filePath(QStringLiteral("s%1.db").arg(n)).toStdString();
  std::string error;
  if (!io::exportSessionOtlpJson(from, session, file, counts, &error)) qFatal("export failed: %s", error.c_str());
  const auto s = importFiles(to, {file});
  if (!s.at(0).ok()) qFatal("re-import failed: %s", s[0].errors.empty() ? "?" : s[0].errors[0].c_str());
  return to;
}

// A minimal RFC 4180 reader for checking the writer: fields, quoted or not, rows ended by CRLF.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quotedField = false, inQuotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inQuotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field.push_back('"'), ++i;
      else if (c == '"') inQuotes = false;
      else field.push_back(c);
    } else if (c == '"' && field.empty() && !quotedField) {
      inQuotes = quotedField = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quotedField = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      quotedField = false;
      rows.emplace_back();
      ++i;
    } else {
      field.push_back(c);
    }
  }
  rows.pop_back();  // after the last CRLF
  return rows;
}

const char* kEdgeLogs =
    R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}},)"
    R"({"key":"host.id","value":{"bytesValue":"AAEC"}}],"droppedAttributesCount":2},"schemaUrl":"https://s/1",)"
    R"("scopeLogs":[{"scope":{"name":"sc","version":"1","attributes":[{"key":"k","value":{"intValue":"3"}}],)"
    R"("droppedAttributesCount":4},"schemaUrl":"https://s/2","logRecords":[)"
    R"({"timeUnixNano":"1795547844547000000","observedTimeUnixNano":"1795547844548000000","severityNumber":9,)"
    R"("severityText":"INFO","flags":1,"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",)"
    R"("eventName":"ev","body":{"kvlistValue":{"values":[{"key":"a","value":{"doubleValue":1.5}}]}},)"
    R"("droppedAttributesCount":1,"attributes":[)"
    R"({"key":"session.id","value":{"stringValue":"S-edge"}},)"
    R"({"key":"event.sequence","value":{"stringValue":"7"}},)"
    R"({"key":"event.name","value":{"stringValue":"tool_result"}},)"
    R"({"key":"event.timestamp","value":{"stringValue":"not a time"}},)"
    R"({"key":"duration_ms","value":{"doubleValue":3.5}},)"
    R"({"key":"success","value":{"stringValue":"maybe"}},)"
    R"({"key":"cost_usd","value":{"stringValue":"0.1"}},)"
    R"({"key":"input_tokens","value":{"intValue":"12"}},)"
    R"({"key":"output_tokens","value":{"stringValue":"99999999999999999999"}},)"
    R"({"key":"model","value":{"intValue":"5"}},)"
    R"({"key":"workspace.host_paths","value":{"arrayValue":{"values":[{"stringValue":"/a"},{"intValue":"2"}]}}},)"
    R"({"key":"custom","value":{"kvlistValue":{"values":[{"key":"x","value":{"intValue":"1"}},{"key":"x","value":{"boolValue":true}}]}}},)"
    R"({"key":"session.id","value":{"stringValue":"dup"}},)"
    R"({"key":"empty","value":{}},)"
    R"({"key":"ratio","value":{"doubleValue":2.0}},)"
    R"({"key":"blob","value":{"bytesValue":"AP8="}}]},)"
    R"({"timeUnixNano":"1795547844549000000","body":{"bytesValue":"AP8="},"attributes":[)"
    R"({"key":"session.id","value":{"stringValue":"S-edge"}},{"key":"is_built_in","value":{"boolValue":false}},)"
    R"({"key":"tool_result_size_bytes","value":{"stringValue":"12"}},{"key":"safe_mode","value":{"stringValue":"true"}}]},)"
    R"({"observedTimeUnixNano":"1795547844550000000","body":{"doubleValue":0.1},"attributes":[)"
    R"({"key":"session.id","value":{"stringValue":"S-edge"}},{"key":"event.sequence","value":{"intValue":9}}]}]}]}]})";

const char* kEdgeMetrics =
    R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"session.id","value":{"stringValue":"S-edge"}}]},)"
    R"("scopeMetrics":[{"scope":{"name":"m"},"metrics":[)"
    R"({"name":"h","unit":"ms","description":"d","histogram":{"aggregationTemporality":2,"dataPoints":[)"
    R"({"attributes":[{"key":"b","value":{"stringValue":"1"}},{"key":"a","value":{"stringValue":"2"}}],)"
    R"("startTimeUnixNano":"1795547844000000000","timeUnixNano":"1795547845000000000","count":"3","sum":6.5,)"
    R"("min":1,"max":4,"bucketCounts":["1","2"],"explicitBounds":[2.5],"exemplars":[{"timeUnixNano":)"
    R"("1795547844500000000","asInt":"4","traceId":"0102030405060708090a0b0c0d0e0f10","spanId":)"
    R"("0102030405060708","filteredAttributes":[{"key":"f","value":{"stringValue":"v"}}]}]}]}},)"
    R"({"name":"eh","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"startTimeUnixNano":)"
    R"("1795547844000000000","timeUnixNano":"1795547845000000000","count":"2","scale":3,"zeroCount":"1",)"
    R"("zeroThreshold":0.001,"positive":{"offset":-2,"bucketCounts":["1"]},"negative":{"offset":1,)"
    R"("bucketCounts":["0","1"]}}]}},)"
    R"({"name":"s","summary":{"dataPoints":[{"startTimeUnixNano":"1","timeUnixNano":"1795547845000000000",)"
    R"("count":"4","sum":10.25,"quantileValues":[{"quantile":0.5,"value":2},{"quantile":0.99,"value":4.5}]}]}},)"
    R"({"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1795547845000000000","asInt":"-5","flags":1,)"
    R"("exemplars":[{"timeUnixNano":"1","asDouble":0.30000000000000004}]}]}},)"
    R"({"name":"c","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"timeUnixNano":)"
    R"("1795547845000000000","asDouble":0.1}]}}]}]}]})";

const char* kEdgeSpans =
    R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"name":"t","version":"1.0.0"},"spans":[)"
    R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","parentSpanId":"0102030405060708",)"
    R"("traceState":"a=b","name":"claude_code.tool","kind":3,"startTimeUnixNano":"1795547844000000000",)"
    R"("endTimeUnixNano":"1795547844123456789","attributes":[{"key":"session.id","value":{"stringValue":"S-edge"}},)"
    R"({"key":"n","value":{"doubleValue":1e300}}],"events":[{"timeUnixNano":"1795547844100000000","name":"e",)"
    R"("attributes":[{"key":"k","value":{"stringValue":"v"}}],"droppedAttributesCount":1}],"links":[{"traceId":)"
    R"("2102030405060708090a0b0c0d0e0f10","spanId":"2112131415161718","traceState":"x","flags":256}],)"
    R"("status":{"code":2,"message":"boom"},"flags":257,"droppedAttributesCount":1,"droppedEventsCount":2,)"
    R"("droppedLinksCount":3},)"
    R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"root","attributes":[)"
    R"({"key":"gen_ai.conversation.id","value":{"stringValue":"S-edge"}}]}]}]}]})";

}  // namespace

class TestExport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyFixturePromptRoundTripsLosslessly() {
    test::TestServer server;
    QVERIFY(server.start());
    test::HttpClient client("127.0.0.1", server.port());
    for (const QString& run : test::fixtureRuns()) {
      const auto requests = test::loadRun(run);
      QCOMPARE(server.replay(requests, client), requests.size());
    }
    server.stop();
    const std::string a = server.dbPath();
    QTemporaryDir dir;
    const auto prompts = dumpRows(a, "SELECT prompt_id, (SELECT session_id FROM sessions WHERE id = session_ref), "
                                     "first_ns, last_ns FROM prompts ORDER BY prompt_id");
    QVERIFY(prompts.size() >= 15);
    int n = 0, withSpans = 0, withPoints = 0;
    for (const std::string& row : prompts) {
      const QStringList f = QString::fromStdString(row).split('\t');
      auto value = [&](int i) { return f[i].mid(f[i].indexOf(':') + 1).toStdString(); };
      const std::string prompt = value(0), session = value(1), first = value(2), last = value(3);
      const std::string file = dir.filePath(QStringLiteral("p%1.jsonl").arg(n)).toStdString();
      const std::string b = dir.filePath(QStringLiteral("p%1.db").arg(n++)).toStdString();
      io::ExportCounts counts;
      std::string error;
      QVERIFY2(io::exportPromptOtlpJson(a, prompt, file, &counts, &error), error.c_str());
      const auto imported = importFiles(b, {file});
      QVERIFY(imported.at(0).ok());
      // What the prompt is in A, and everything B holds, row for row.
      const std::string p = quoted(prompt);
      const std::string order[] = {" ORDER BY event_sequence, timeUnixNano, event_name, body",
                                   " ORDER BY metric_name, attributes, start_time_unix_nano, time_unix_nano",
                                   " ORDER BY trace_id, span_id"};
      const std::string inA[] = {
          "SELECT * FROM events WHERE prompt_id = " + p,
          "SELECT * FROM metric_points WHERE session_id = " + quoted(session) + " AND time_unix_nano BETWEEN " +
              first + " AND " + last,
          "SELECT * FROM spans WHERE trace_id IN (SELECT traceId FROM events WHERE prompt_id = " + p + ")"};
      const std::string inB[] = {"SELECT * FROM events", "SELECT * FROM metric_points", "SELECT * FROM spans"};
      for (int i = 0; i < 3; ++i) {
        auto strip = [](std::vector<std::string> rows) {
          for (std::string& r : rows)
            if (r.rfind("id=", 0) == 0) r.erase(0, r.find('\t') + 1);
          return rows;
        };
        const auto want = strip(dumpRows(a, inA[i] + order[i]));
        const auto got = strip(dumpRows(b, inB[i] + order[i]));
        compareRows(got, want);
      }
      QVERIFY(counts.events > 0);
      QCOMPARE(queryInt(b, "SELECT count(*) FROM events"), counts.events);
      QCOMPARE(queryInt(b, "SELECT count(*) FROM prompts"), 1);
      if (counts.spans > 0) ++withSpans;
      if (counts.points > 0) ++withPoints;
    }
    // The fixtures exercise all three parts of a prompt's export.
    QVERIFY(withSpans >= 3);
    QVERIFY(withPoints >= 1);
    std::string error;
    io::ExportCounts counts;
    QVERIFY(!io::exportPromptOtlpJson(a, "no-such-prompt", dir.filePath("x.jsonl").toStdString(), &counts, &error));
    QCOMPARE(error, "no prompt no-such-prompt in " + a);
    QVERIFY(!QFile::exists(dir.filePath("x.jsonl")));
  }

  void aPromptAsCsvHoldsItsEventsOnly() {
    test::TestServer server;
    QVERIFY(server.start());
    test::HttpClient client("127.0.0.1", server.port());
    const auto requests = test::loadRun(QStringLiteral("json-multiturn"));
    QCOMPARE(server.replay(requests, client), requests.size());
    server.stop();
    const std::string db = server.dbPath();
    const std::string prompt = server.text("SELECT prompt_id FROM prompts ORDER BY first_ns LIMIT 1 OFFSET 1");
    QTemporaryDir dir;
    data::EventQuery q;
    q.promptId = prompt;
    io::ExportCounts counts;
    std::string error;
    const std::string out = dir.filePath("p.csv").toStdString();
    QVERIFY2(io::exportEventsCsv(db, q, out, &counts, &error), error.c_str());
    const std::int64_t want = queryInt(db, "SELECT count(*) FROM events WHERE prompt_id = " + quoted(prompt));
    QVERIFY(want > 0 && want < queryInt(db, "SELECT count(*) FROM events"));
    QCOMPARE(counts.events, want);
    QFile f(QString::fromStdString(out));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto rows = parseCsv(f.readAll().toStdString());
    QCOMPARE(static_cast<std::int64_t>(rows.size()), want + 1);
    const auto header = rows.front();
    const auto col = std::find(header.begin(), header.end(), "prompt_id") - header.begin();
    for (std::size_t i = 1; i < rows.size(); ++i) QCOMPARE(rows[i][col], prompt);
    q.promptId = "nope";
    QVERIFY(!io::exportEventsCsv(db, q, out, &counts, &error));
    QCOMPARE(error, "no prompt nope in " + db);
  }

  void everyFixtureSessionRoundTripsLosslessly() {
    // The fixtures arrive as the receiver gets them, over HTTP (and the gRPC captures as protobuf bodies).
    test::TestServer server;
    QVERIFY(server.start());
    test::HttpClient client("127.0.0.1", server.port());
    for (const QString& run : test::fixtureRuns()) {
      const auto requests = test::loadRun(run);
      QCOMPARE(server.replay(requests, client), requests.size());
    }
    server.stop();
    const std::string a = server.dbPath();
    QTemporaryDir dir;
    std::int64_t events = 0, points = 0, spans = 0;
    int n = 0;
    const auto sessions = dumpRows(a, "SELECT session_id FROM sessions ORDER BY session_id");
    QVERIFY(sessions.size() >= 20);
    for (const std::string& row : sessions) {
      const std::string session = row.substr(row.find("text:") + 5);
      io::ExportCounts counts;
      const std::string b = roundTrip(a, session, dir, ++n, &counts);
      QCOMPARE(queryInt(b, "SELECT count(*) FROM sessions"), 1);
      compareRows(sessionContents(b, session), sessionContents(a, session));
      if (QTest::currentTestFailed()) return;
      QCOMPARE(counts.events, queryInt(b, "SELECT count(*) FROM events"));
      events += counts.events;
      points += counts.points;
      spans += counts.spans;
    }
    // Every event, every point with a session and every span was in one of the exports.
    QCOMPARE(events, queryInt(a, "SELECT count(*) FROM events"));
    QCOMPARE(points, queryInt(a, "SELECT count(*) FROM metric_points WHERE session_id IS NOT NULL"));
    QCOMPARE(spans, queryInt(a, "SELECT count(*) FROM spans"));
    QVERIFY(spans > 0 && points > 0);

    // Importing an export into the database it came from stores nothing new.
    io::ExportCounts counts;
    const std::string file = dir.filePath("again.jsonl").toStdString();
    std::string error;
    const std::string first = sessions.front().substr(sessions.front().find("text:") + 5);
    QVERIFY(io::exportSessionOtlpJson(a, first, file, &counts, &error));
    const auto s = importFiles(a, {file});
    QVERIFY(s[0].ok());
    QCOMPARE(s[0].events + s[0].points + s[0].spans, 0);
    QCOMPARE(s[0].duplicates, counts.events + counts.points + counts.spans);
  }

  void edgeValuesRoundTrip() {
    QTemporaryDir dir;
    const QString in = dir.filePath("edge.jsonl");
    writeFile(in, QByteArray(kEdgeLogs) + "\n" + kEdgeMetrics + "\n" + kEdgeSpans + "\n");
    const std::string a = dir.filePath("a.db").toStdString();
    const auto s = importFiles(a, {in.toStdString()});
    QVERIFY2(s[0].ok(), s[0].errors.empty() ? "" : s[0].errors[0].c_str());
    QCOMPARE(s[0].events, 3);
    QCOMPARE(s[0].points, 5);
    QCOMPARE(s[0].spans, 2);
    io::ExportCounts counts;
    const std::string b = roundTrip(a, "S-edge", dir, 1, &counts);
    QCOMPARE(counts.events, 3);
    QCOMPARE(counts.points, 5);  // the gauge point has no session.id attribute but its resource has
    QCOMPARE(counts.spans, 2);
    compareRows(sessionContents(b, "S-edge"), sessionContents(a, "S-edge"));
    // Also what the views do not show: resources' and scopes' dropped counts and schema URLs.
    const char* meta = "SELECT attributes, dropped_attributes_count, schema_url FROM resources ORDER BY attributes";
    QCOMPARE(dumpRows(b, meta), dumpRows(a, meta));
    const char* scopes = "SELECT name, version, attributes, dropped_attributes_count, schema_url FROM scopes ORDER BY name";
    QCOMPARE(dumpRows(b, scopes), dumpRows(a, scopes));
    const char* raw = "SELECT wf, str_mask, extra, log_event_name FROM event_data ORDER BY time_ns";
    QCOMPARE(dumpRows(b, raw), dumpRows(a, raw));
  }

  void unknownSessionAndUnwritableTarget() {
    QTemporaryDir dir;
    const QString in = dir.filePath("edge.jsonl");
    writeFile(in, QByteArray(kEdgeLogs) + "\n");
    const std::string a = dir.filePath("a.db").toStdString();
    importFiles(a, {in.toStdString()});
    io::ExportCounts counts;
    std::string error;
    const std::string out = dir.filePath("out.jsonl").toStdString();
    QVERIFY(!io::exportSessionOtlpJson(a, "nope", out, &counts, &error));
    QCOMPARE(error, "no session nope in " + a);
    QVERIFY(!QFile::exists(QString::fromStdString(out)));
    QVERIFY(!io::exportSessionOtlpJson(a, "S-edge", "/proc/no/such/dir/x.jsonl", &counts, &error));
    QVERIFY2(error.rfind("cannot write /proc/no/such/dir/x.jsonl: ", 0) == 0, error.c_str());
    QVERIFY(!io::exportEventsCsv(a, sessionQuery("nope"), out, &counts, &error));
    QCOMPARE(error, "no session nope in " + a);
    // Nothing half-written is left behind.
    QCOMPARE(QDir(dir.path()).entryList({"*partial*"}, QDir::Files).size(), 0);
  }

  void csvFieldQuoting() {
    QCOMPARE(io::csvField("plain"), std::string("plain"));
    QCOMPARE(io::csvField(""), std::string(""));
    QCOMPARE(io::csvField("a,b"), std::string("\"a,b\""));
    QCOMPARE(io::csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
    QCOMPARE(io::csvField("two\nlines"), std::string("\"two\nlines\""));
    QCOMPARE(io::csvField("cr\r"), std::string("\"cr\r\""));
  }

  void csvOfASession() {
    QTemporaryDir dir;
    const QString in = dir.filePath("basic.jsonl");
    QByteArray lines;
    for (const QByteArray& b : test::jsonBodies(QStringLiteral("json-basic"))) lines += b + "\n";
    writeFile(in, lines);
    const std::string a = dir.filePath("a.db").toStdString();
    QVERIFY(importFiles(a, {in.toStdString()})[0].ok());
    const std::string session =
        dumpRows(a, "SELECT session_id FROM sessions")[0].substr(std::string("session_id=text:").size());
    const std::string out = dir.filePath("basic.csv").toStdString();
    io::ExportCounts counts;
    std::string error;
    QVERIFY2(io::exportEventsCsv(a, sessionQuery(session), out, &counts, &error), error.c_str());
    QCOMPARE(counts.events, 11);
    QFile f(QString::fromStdString(out));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const std::string text = f.readAll().toStdString();
    const auto rows = parseCsv(text);
    QCOMPARE(rows.size(), std::size_t{12});
    std::vector<std::string> header;
    for (const std::string& c : query::Reader::eventColumns())
      if (c != "id") header.push_back(c);
    QCOMPARE(rows[0], header);
    QVERIFY(text.rfind("timeUnixNano,observedTimeUnixNano,body,droppedAttributesCount,event_name,", 0) == 0);
    // The attributes column (JSON: commas and quotes) reads back exactly as the view has it, row by row in
    // time order.
    const auto attrsCol = std::find(header.begin(), header.end(), "attributes") - header.begin();
    store::Database db(a, store::Database::Mode::ReadOnly);
    store::Statement st = db.prepare("SELECT attributes, cost_usd FROM events ORDER BY timeUnixNano, id");
    const auto costCol = std::find(header.begin(), header.end(), "cost_usd") - header.begin();
    for (std::size_t r = 1; r < rows.size(); ++r) {
      QVERIFY(st.step());
      QCOMPARE(rows[r].size(), header.size());
      QCOMPARE(rows[r][static_cast<std::size_t>(attrsCol)], st.columnText(0));
      QCOMPARE(rows[r][static_cast<std::size_t>(costCol)], st.columnIsNull(1) ? std::string() : st.columnText(1));
    }
    // Fields that needed no quotes have none: the event name column of the first row.
    QVERIFY(text.find("\r\n1795") != std::string::npos);
  }

  void csvOfAFilter() {
    QTemporaryDir dir;
    const QString in = dir.filePath("multi.jsonl");
    QByteArray lines;
    for (const char* run : {"json-basic", "json-multiturn"})
      for (const QByteArray& b : test::jsonBodies(QString::fromLatin1(run))) lines += b + "\n";
    writeFile(in, lines);
    const std::string a = dir.filePath("a.db").toStdString();
    QVERIFY(importFiles(a, {in.toStdString()})[0].ok());
    data::EventQuery q;  // all sessions, one event name, newest first
    q.eventName = "api_request";
    q.ascending = false;
    const std::string out = dir.filePath("f.csv").toStdString();
    io::ExportCounts counts;
    std::string error;
    QVERIFY(io::exportEventsCsv(a, q, out, &counts, &error));
    QCOMPARE(counts.events, queryInt(a, "SELECT count(*) FROM events WHERE event_name = 'api_request'"));
    QFile f(QString::fromStdString(out));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto rows = parseCsv(f.readAll().toStdString());
    QCOMPARE(static_cast<std::int64_t>(rows.size()), counts.events + 1);
    for (std::size_t r = 2; r < rows.size(); ++r) QVERIFY(std::stoll(rows[r][0]) <= std::stoll(rows[r - 1][0]));
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
