// Replays every captured Claude Code run to the real receiver over a real socket, with the headers it was
// recorded with, and checks what the store holds against the fixtures' README table and known values.

#include <QtTest>

#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv::test;

class TestIngestFixtures : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void readmeCoversEveryRun();
  void replayRun_data();
  void replayRun();
  void jsonBasicTypedValues();
  void resumeSwitchesSession();
  void protobufAndJsonStoreTheSameRows_data();
  void protobufAndJsonStoreTheSameRows();
  void everyRunInOneDatabaseTwice();
  void attributesAreGivenBackAsSent();
};

void TestIngestFixtures::readmeCoversEveryRun() {
  QStringList listed;
  for (const RunExpectation& e : readmeTable()) listed << e.run;
  listed.sort();
  QCOMPARE(listed, fixtureRuns());
}

void TestIngestFixtures::replayRun_data() {
  QTest::addColumn<RunExpectation>("expected");
  for (const RunExpectation& e : readmeTable()) QTest::newRow(qPrintable(e.run)) << e;
}

void TestIngestFixtures::replayRun() {
  QFETCH(RunExpectation, expected);
  TestServer server;
  QVERIFY(server.start());
  HttpClient client("127.0.0.1", server.port());
  const QList<FixtureRequest> requests = loadRun(expected.run);
  QVERIFY(!requests.isEmpty());
  QCOMPARE(server.replay(requests, client), requests.size());

  QCOMPARE(server.count("SELECT count(*) FROM events"), expected.uniqueEvents);
  QCOMPARE(server.count("SELECT count(*) FROM metric_points"), expected.uniqueMetricPoints);
  QCOMPARE(server.count("SELECT count(*) FROM spans"), expected.spans);
  QCOMPARE(server.count("SELECT count(DISTINCT session_id) FROM events"), expected.sessionIds);
  QCOMPARE(server.count("SELECT count(DISTINCT prompt_id) FROM events"), expected.promptIds);
  // Every request is logged; resends count as duplicates, not as new rows.
  QCOMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 200"), requests.size());
  QCOMPARE(server.count("SELECT sum(accepted) FROM ingest_log"), server.storedItems());
  QCOMPARE(server.count("SELECT sum(accepted) + sum(duplicates) FROM ingest_log"),
           expected.logRecordsSent + expected.metricPointsSent + expected.spans);
  // Roll-ups agree with the rows they summarize.
  QCOMPARE(server.count("SELECT sum(events) FROM sessions"), expected.uniqueEvents);
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE event_name = 'api_request'"),
           server.count("SELECT coalesce(sum(api_requests), 0) FROM sessions"));
  QCOMPARE(server.text("SELECT printf('%.9f', coalesce(sum(cost_usd), 0)) FROM events"),
           server.text("SELECT printf('%.9f', coalesce(sum(cost_usd), 0)) FROM sessions"));
  QCOMPARE(server.count("SELECT coalesce(sum(input_tokens), 0) FROM events"),
           server.count("SELECT coalesce(sum(input_tokens), 0) FROM sessions"));
  QCOMPARE(server.count("SELECT coalesce(sum(n), 0) FROM session_event_counts"), expected.uniqueEvents);
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE prompt_id IS NOT NULL"),
           server.count("SELECT coalesce(sum(events), 0) FROM prompts"));

  // Replaying the same run again changes nothing.
  const std::int64_t before = server.storedItems();
  QCOMPARE(server.replay(requests, client), requests.size());
  QCOMPARE(server.storedItems(), before);
  QCOMPARE(server.count("SELECT sum(events) FROM sessions"), expected.uniqueEvents);
}

void TestIngestFixtures::jsonBasicTypedValues() {
  TestServer server;
  QVERIFY(server.start());
  HttpClient client("127.0.0.1", server.port());
  const auto requests = loadRun(QStringLiteral("json-basic"));
  QCOMPARE(server.replay(requests, client), requests.size());

  // api_request: cost as REAL, tokens and duration as INTEGER, the model as text.
  QCOMPARE(server.text("SELECT typeof(cost_usd) || ',' || typeof(input_tokens) || ',' || typeof(duration_ms) || ',' "
                       "|| typeof(cost_usd_micros) FROM events WHERE event_name = 'api_request' LIMIT 1"),
           std::string("real,integer,integer,integer"));
  QCOMPARE(server.text("SELECT group_concat(model || ':' || cost_usd || ':' || input_tokens || ':' || output_tokens, "
                       "' ') FROM (SELECT * FROM events WHERE event_name = 'api_request' ORDER BY event_sequence)"),
           std::string("claude-sonnet-4-5:0.02702565:1949:60 claude-sonnet-4-5:0.0248457:1385:17"));
  // tool_result sends success and duration_ms as strings; the columns hold integers.
  QCOMPARE(server.text("SELECT typeof(success) || ',' || success || ',' || typeof(duration_ms) || ',' || duration_ms "
                       "FROM events WHERE event_name = 'tool_result'"),
           std::string("integer,1,integer,38"));
  QCOMPARE(server.text("SELECT tool_name FROM events WHERE event_name = 'tool_result'"), std::string("Bash"));
  // Events before the first prompt have no prompt id.
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE event_sequence < 4 AND prompt_id IS NULL"), 4);
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE event_sequence >= 4 AND prompt_id IS NOT NULL"), 7);
  QCOMPARE(server.text("SELECT body FROM events WHERE event_sequence = 0"),
           std::string("claude_code.managed_settings_resolved"));
  QCOMPARE(server.text("SELECT event_timestamp FROM events WHERE event_name = 'user_prompt'"),
           std::string("2026-11-24T19:17:24.122Z"));
  QCOMPARE(server.count("SELECT timeUnixNano FROM events WHERE event_name = 'user_prompt'"), 1795547844122000000);
  QCOMPARE(server.count("SELECT observedTimeUnixNano FROM events WHERE event_name = 'user_prompt'"),
           1795547844122000000);
  QCOMPARE(server.text("SELECT prompt FROM events WHERE event_name = 'user_prompt'"),
           std::string("hello, run echo hi"));
  QCOMPARE(server.text("SELECT json_extract(tool_parameters, '$.full_command') FROM events "
                       "WHERE event_name = 'tool_result'"),
           std::string("echo hi"));
  QCOMPARE(server.text("SELECT json_extract(resource, '$.\"service.version\"') FROM events LIMIT 1"),
           std::string("2.1.331"));
  // The session roll-up.
  QCOMPARE(server.text("SELECT printf('%d %d %d %d %.8f', prompts, api_requests, tool_calls, events, cost_usd) "
                       "FROM sessions"),
           std::string("1 2 1 11 0.05187135"));
  QCOMPARE(server.text("SELECT (SELECT s FROM dict WHERE id = model_ref) || ' ' || api_requests FROM session_models"),
           std::string("claude-sonnet-4-5 2"));
}

void TestIngestFixtures::resumeSwitchesSession() {
  TestServer server;
  QVERIFY(server.start());
  HttpClient client("127.0.0.1", server.port());
  const auto first = loadRun(QStringLiteral("json-resume-1"));
  const auto second = loadRun(QStringLiteral("json-resume-2"));
  QCOMPARE(server.replay(first, client), first.size());
  const std::string resumed = server.text("SELECT session_id FROM events LIMIT 1");
  QCOMPARE(server.replay(second, client), second.size());
  // The resumed session now has both processes' prompts; the second process's startup records went to a
  // fresh session id of their own.
  QCOMPARE(server.count("SELECT count(*) FROM sessions"), 2);
  QCOMPARE(server.count("SELECT prompts FROM sessions WHERE session_id = '" + resumed + "'"), 2);
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE session_id <> '" + resumed +
                        "' AND event_name IN ('managed_settings_resolved', 'plugin_loaded')"),
           4);
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE session_id <> '" + resumed + "' AND prompt_id IS NOT NULL"),
           0);
  // Both processes used sequence numbers 4..6; they are still distinct events.
  QCOMPARE(server.count("SELECT count(*) FROM events WHERE session_id = '" + resumed + "' AND event_sequence = 4"), 2);
  QCOMPARE(server.count("SELECT count(*) FROM events"), 18);
}

void TestIngestFixtures::protobufAndJsonStoreTheSameRows_data() {
  QTest::addColumn<QString>("run");
  QTest::addColumn<QString>("rawSuffix");       // the body as sent
  QTest::addColumn<QString>("renderedSuffix");  // its JSON rendering in the fixture folder
  QTest::newRow("proto-basic") << "proto-basic" << ".pb" << ".pb.otlp.json";
  QTest::newRow("proto-gzip") << "proto-gzip" << ".pb.gz" << ".pb.otlp.json";
  QTest::newRow("grpc-basic") << "grpc-basic" << ".pb" << ".pb.otlp.json";
  QTest::newRow("json-gzip") << "json-gzip" << ".json.gz" << ".decoded.json";
}

void TestIngestFixtures::protobufAndJsonStoreTheSameRows() {
  QFETCH(QString, run);
  QFETCH(QString, rawSuffix);
  QFETCH(QString, renderedSuffix);
  const QList<FixtureRequest> raw = loadRun(run);
  QList<FixtureRequest> rendered;
  for (FixtureRequest r : raw) {
    QVERIFY(r.file.endsWith(rawSuffix));
    const QString dir = fixturesDir() + '/' + run + (r.grpc ? "/grpc/" : "/otlp/");
    r.file = r.file.left(r.file.size() - rawSuffix.size()) + renderedSuffix;
    QFile f(dir + r.file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    r.body = f.readAll();
    r.headers.removeIf([](const auto& h) {
      return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0 ||
             h.first.compare("Content-Encoding", Qt::CaseInsensitive) == 0;
    });
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    rendered.append(r);
  }
  TestServer a, b;
  QVERIFY(a.start());
  QVERIFY(b.start());
  HttpClient ca("127.0.0.1", a.port()), cb("127.0.0.1", b.port());
  QCOMPARE(a.replay(raw, ca), raw.size());
  QCOMPARE(b.replay(rendered, cb), rendered.size());
  QVERIFY(a.storedItems() > 0);
  for (const char* sql : {"SELECT * FROM events ORDER BY id", "SELECT * FROM metric_points ORDER BY id",
                          "SELECT * FROM spans ORDER BY id", "SELECT * FROM sessions", "SELECT * FROM prompts"}) {
    const auto ra = a.rows(sql), rb = b.rows(sql);
    QCOMPARE(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) QCOMPARE(QString::fromStdString(ra[i]), QString::fromStdString(rb[i]));
  }
}

void TestIngestFixtures::everyRunInOneDatabaseTwice() {
  TestServer server;
  QVERIFY(server.start());
  HttpClient client("127.0.0.1", server.port());
  std::int64_t events = 0, points = 0, spans = 0;
  for (const RunExpectation& e : readmeTable()) {
    events += e.uniqueEvents;
    points += e.uniqueMetricPoints;
    spans += e.spans;
  }
  QList<FixtureRequest> all;
  for (const QString& run : fixtureRuns()) all += loadRun(run);
  QCOMPARE(server.replay(all, client), all.size());
  QCOMPARE(server.count("SELECT count(*) FROM events"), events);
  QCOMPARE(server.count("SELECT count(*) FROM metric_points"), points);
  QCOMPARE(server.count("SELECT count(*) FROM spans"), spans);
  QCOMPARE(server.replay(all, client), all.size());
  QCOMPARE(server.count("SELECT count(*) FROM events"), events);
  QCOMPARE(server.count("SELECT count(*) FROM metric_points"), points);
  QCOMPARE(server.count("SELECT count(*) FROM spans"), spans);
  QCOMPARE(server.text("PRAGMA integrity_check"), std::string("ok"));
}

void TestIngestFixtures::attributesAreGivenBackAsSent() {
  // The `attributes` column must equal the record's attributes in the request, key for key and value for
  // value, with the wire types (a string "38" stays a string).
  TestServer server;
  QVERIFY(server.start());
  HttpClient client("127.0.0.1", server.port());
  QList<FixtureRequest> all;
  for (const QString& run : fixtureRuns()) all += loadRun(run);
  QCOMPARE(server.replay(all, client), all.size());
  int checked = 0;
  for (const FixtureRequest& r : all) {
    if (r.signal != QLatin1String("logs") || r.grpc || !r.file.endsWith(QLatin1String(".json"))) continue;
    const QJsonObject doc = QJsonDocument::fromJson(r.body).object();
    for (const QJsonValue& rl : doc["resourceLogs"].toArray())
      for (const QJsonValue& sl : rl["scopeLogs"].toArray())
        for (const QJsonValue& rec : sl["logRecords"].toArray()) {
          QJsonObject expected;
          QString sid;
          qint64 seq = -1;
          for (const QJsonValue& kv : rec["attributes"].toArray()) {
            const QJsonObject v = kv["value"].toObject();
            const QString key = kv["key"].toString();
            QJsonValue value;
            if (v.contains("stringValue")) value = v["stringValue"];
            else if (v.contains("intValue")) value = v["intValue"].toVariant().toLongLong();
            else if (v.contains("doubleValue")) value = v["doubleValue"];
            else if (v.contains("boolValue")) value = v["boolValue"];
            else if (v.contains("arrayValue")) value = v["arrayValue"]["values"].toArray();
            expected[key] = value;
            if (key == "session.id") sid = value.toString();
            if (key == "event.sequence") seq = value.toVariant().toLongLong();
          }
          const std::string stored = server.text(
              "SELECT attributes FROM events WHERE session_id = '" + sid.toStdString() +
              "' AND event_sequence = " + std::to_string(seq) + " AND timeUnixNano = " +
              rec["timeUnixNano"].toString().toStdString());
          const QJsonObject got = QJsonDocument::fromJson(QByteArray::fromStdString(stored)).object();
          QCOMPARE(got, expected);
          ++checked;
        }
  }
  QVERIFY(checked > 200);
}

QTEST_GUILESS_MAIN(TestIngestFixtures)
#include "tst_ingest_fixtures.moc"
