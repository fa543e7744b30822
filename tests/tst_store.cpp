// The store on its own: the schema and its guards, the events view (names, types, attributes as sent),
// deduplication, roll-ups, and the batched "stored" signal.

#include <QtTest>

#include <QSignalSpy>
#include <QTemporaryDir>

#include <future>

#include "model/EventSchema.h"
#include "model/Normalizer.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "query/Reader.h"
#include "store/Schema.h"
#include "store/Writer.h"
#include "support/RollupChecks.h"

using namespace cctv;
using opentelemetry::proto::common::v1::KeyValue;

namespace {

struct Rec {
  Rec(std::string n, std::int64_t sq = -1, std::string sess = "s-1",
      std::vector<std::pair<std::string, std::string>> str = {})
      : name(std::move(n)), seq(sq), session(std::move(sess)), strings(std::move(str)) {}
  std::string name;
  std::int64_t seq = -1;
  std::string session = "s-1";
  std::vector<std::pair<std::string, std::string>> strings;
  std::vector<std::pair<std::string, std::int64_t>> ints;
  std::uint64_t time = 1795547844547000000ull;
  std::string eventTimestamp;  // "" = derived from time
};

model::NormalizedBatch batch(const std::vector<Rec>& recs) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* kv = rl->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("claude-code");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("com.anthropic.claude_code.events");
  for (const Rec& r : recs) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(r.time);
    lr->set_observed_time_unix_nano(r.time);
    lr->mutable_body()->set_string_value("claude_code." + r.name);
    auto add = [&](const std::string& k) {
      KeyValue* a = lr->add_attributes();
      a->set_key(k);
      return a->mutable_value();
    };
    add("event.name")->set_string_value(r.name);
    add("event.timestamp")->set_string_value(r.eventTimestamp.empty() ? model::isoMillis(static_cast<std::int64_t>(r.time))
                                                                        : r.eventTimestamp);
    if (r.seq >= 0) add("event.sequence")->set_int_value(r.seq);
    if (!r.session.empty()) add("session.id")->set_string_value(r.session);
    for (const auto& [k, v] : r.strings) add(k)->set_string_value(v);
    for (const auto& [k, v] : r.ints) add(k)->set_int_value(v);
  }
  model::NormalizedBatch out;
  model::normalizeLogs(req, &out);
  return out;
}

class Store {
 public:
  Store() : path(dir.filePath("s.db").toStdString()), writer(store::WriterOptions{path}) {
    std::string err;
    if (!writer.open(&err)) qFatal("%s", err.c_str());
  }
  store::WriteResult write(model::NormalizedBatch b) {
    auto job = std::make_unique<store::WriteJob>();
    job->batch = std::move(b);
    std::promise<store::WriteResult> p;
    job->done = [&](const store::WriteResult& r) { p.set_value(r); };
    writer.submit(std::move(job));
    return p.get_future().get();
  }
  std::string text(const std::string& sql) {
    store::Database db(path, store::Database::Mode::ReadOnly);
    return db.queryText(sql);
  }
  std::int64_t count(const std::string& sql) {
    store::Database db(path, store::Database::Mode::ReadOnly);
    return db.queryInt(sql, -1);
  }
  QTemporaryDir dir;
  std::string path;
  store::Writer writer;
};

}  // namespace

class TestStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void eventsViewHasEverySchemaColumn() {
    Store s;
    std::set<std::string> cols;
    store::Database db(s.path, store::Database::Mode::ReadOnly);
    store::Statement st = db.prepare("SELECT name FROM pragma_table_info('events')");
    while (st.step()) cols.insert(st.columnText(0));
    for (const char* top : {"timeUnixNano", "observedTimeUnixNano", "body", "droppedAttributesCount", "attributes",
                            "resource"})
      QVERIFY2(cols.count(top), top);
    for (int i = 0; i < model::kFieldCount; ++i) QVERIFY2(cols.count(model::eventFields()[i].name), model::eventFields()[i].name);
    for (const char* view : {"metric_points", "spans"})
      QCOMPARE(db.queryInt(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = '") + view + "'"), 1);
    QCOMPARE(db.queryInt("PRAGMA user_version"), store::kSchemaVersion);
    QCOMPARE(db.queryInt("PRAGMA application_id"), store::kApplicationId);
    QCOMPARE(db.queryText("PRAGMA journal_mode"), std::string("wal"));
  }

  void attributesComeBackAsSent() {
    Store s;
    Rec r{"tool_result", 8};
    r.strings = {{"success", "false"}, {"duration_ms", "38"}, {"error", "exit 2"}, {"safe_mode", "maybe"}};
    r.ints = {{"input_tokens", 12}, {"ttft_ms", 5}};
    r.eventTimestamp = "2026-11-24T19:17:24.547+00:00";  // not the derived form: stored as sent
    QCOMPARE(s.write(batch({r})).stored, 1);
    QCOMPARE(s.text("SELECT typeof(success) || success || typeof(duration_ms) || duration_ms || typeof(safe_mode) "
                    "FROM events"),
             std::string("integer0integer38text"));
    const std::string attrs = s.text("SELECT attributes FROM events");
    QVERIFY2(attrs.find(R"("success":"false")") != std::string::npos, attrs.c_str());
    QVERIFY2(attrs.find(R"("duration_ms":"38")") != std::string::npos, attrs.c_str());
    QVERIFY2(attrs.find(R"("safe_mode":"maybe")") != std::string::npos, attrs.c_str());
    QVERIFY2(attrs.find(R"("input_tokens":12)") != std::string::npos, attrs.c_str());
    QVERIFY2(attrs.find(R"("ttft_ms":5)") != std::string::npos, attrs.c_str());
    QCOMPARE(s.text("SELECT event_timestamp FROM events"), std::string("2026-11-24T19:17:24.547+00:00"));
    QCOMPARE(s.text("SELECT body FROM events"), std::string("claude_code.tool_result"));
    QCOMPARE(s.text("SELECT resource FROM events"), std::string(R"({"service.name":"claude-code"})"));
    QCOMPARE(s.text("SELECT scope_name FROM events"), std::string("com.anthropic.claude_code.events"));
    QCOMPARE(s.count("SELECT tool_failures FROM sessions"), 1);
  }

  void derivedTimestampMatchesSqlite() {
    // The view rebuilds event_timestamp from timeUnixNano; it must equal what Claude Code wrote.
    Store s;
    std::vector<Rec> recs;
    for (int i = 0; i < 200; ++i) {
      Rec r{"x", i};
      r.time = 1795547844000000000ull + static_cast<std::uint64_t>(i) * 1000003ull * 997ull;
      r.time -= r.time % 1000000;
      recs.push_back(r);
    }
    QCOMPARE(s.write(batch(recs)).stored, 200);
    QCOMPARE(s.count("SELECT count(*) FROM event_data WHERE event_timestamp IS NULL AND wf & 4"), 200);
    store::Database db(s.path, store::Database::Mode::ReadOnly);
    store::Statement st = db.prepare("SELECT timeUnixNano, event_timestamp FROM events");
    int n = 0;
    while (st.step()) {
      QCOMPARE(st.columnText(1), model::isoMillis(st.columnInt(0)));
      ++n;
    }
    QCOMPARE(n, 200);
  }

  void duplicatesAreCountedNotStored() {
    Store s;
    std::vector<Rec> recs = {{"user_prompt", 4, "s-1", {{"prompt.id", "p-1"}}}, {"api_request", 5, "s-1", {{"prompt.id", "p-1"}}}};
    auto first = s.write(batch(recs));
    QCOMPARE(first.stored, 2);
    auto again = s.write(batch(recs));
    QCOMPARE(again.stored, 0);
    QCOMPARE(again.duplicates, 2);
    // Same sequence in another session, or another timestamp (a resumed process), is a new event.
    recs[0].session = "s-2";
    recs[1].time += 1000000;
    auto other = s.write(batch(recs));
    QCOMPARE(other.stored, 2);
    // Records without session or sequence fall back to a fingerprint of the whole record.
    Rec loose{"mystery"};
    loose.session.clear();
    QCOMPARE(s.write(batch({loose})).stored, 1);
    QCOMPARE(s.write(batch({loose})).duplicates, 1);
    loose.strings = {{"k", "v"}};
    QCOMPARE(s.write(batch({loose})).stored, 1);
    QCOMPARE(s.count("SELECT count(*) FROM events"), 6);
    QCOMPARE(s.count("SELECT events FROM sessions WHERE session_id = 's-1'"), 3);
    QCOMPARE(s.count("SELECT events FROM prompts WHERE prompt_id = 'p-1'"), 4);
    QCOMPARE(s.count("SELECT api_requests FROM prompts WHERE prompt_id = 'p-1'"), 2);
  }

  void storedSignalIsBatched() {
    Store s;
    QSignalSpy spy(s.writer.notifier(), &store::StoreNotifier::stored);
    s.write(batch({{"a", 1, "s-1"}, {"b", 2, "s-2"}, {"c", 3, "s-2"}}));
    QTRY_COMPARE(spy.count(), 1);
    const auto summary = spy.at(0).at(0).value<store::StoredSummary>();
    QCOMPARE(summary.events, 3);
    QCOMPARE(summary.sessionIds, (std::vector<std::string>{"s-1", "s-2"}));
    s.write(batch({{"a", 1, "s-1"}}));  // only a duplicate: nothing new, no signal
    QTest::qWait(50);
    QCOMPARE(spy.count(), 1);
  }

  void refusesForeignAndNewerFiles() {
    QTemporaryDir dir;
    const std::string foreign = dir.filePath("foreign.db").toStdString();
    {
      store::Database db(foreign, store::Database::Mode::ReadWriteCreate);
      db.exec("CREATE TABLE accounts (id INTEGER)");
    }
    store::Writer w1(store::WriterOptions{foreign});
    std::string err;
    QVERIFY(!w1.open(&err));
    QVERIFY2(err.find("not a cctv database") != std::string::npos, err.c_str());
    const std::string newer = dir.filePath("newer.db").toStdString();
    {
      store::Writer w(store::WriterOptions{newer});
      QVERIFY(w.open(&err));
    }
    {
      store::Database db(newer, store::Database::Mode::ReadWriteCreate);
      db.exec("PRAGMA user_version = 99");
    }
    store::Writer w2(store::WriterOptions{newer});
    QVERIFY(!w2.open(&err));
    QVERIFY2(err.find("newer cctv") != std::string::npos, err.c_str());
  }

  void schemaTwoFileIsUpgradedWithItsRollupsFilled() {
    // A file written by this build, turned back into the schema-2 file it would have been (schema 3 only added
    // the page roll-ups), then opened again: the migration must fill the roll-ups with what the writer kept.
    QTemporaryDir dir;
    const std::string path = dir.filePath("old.db").toStdString();
    const char* rollupTables[] = {"metric_hours", "daily_tools", "daily_tool_durations", "daily_tool_rejections",
                                  "daily_api_errors"};
    auto dump = [&] {
      store::Database db(path, store::Database::Mode::ReadOnly);
      std::vector<std::string> rows;
      for (const char* t : rollupTables) {
        store::Statement st = db.prepare(std::string("SELECT * FROM ") + t + " ORDER BY 1, 2, 3");
        while (st.step()) {
          std::string row = t;
          for (int i = 0; i < sqlite3_column_count(st.handle()); ++i) row += "|" + st.columnText(i);
          rows.push_back(row);
        }
      }
      return rows;
    };
    {
      store::Writer w(store::WriterOptions{path});
      std::string err;
      QVERIFY(w.open(&err));
      std::vector<Rec> recs;
      for (int i = 0; i < 40; ++i) {
        Rec r{i % 3 == 0 ? "tool_result" : i % 3 == 1 ? "tool_decision" : "api_error", i};
        r.time += static_cast<std::uint64_t>(i) * 3600000000000ull;  // 40 hours: two UTC days or three
        r.strings = {{"tool_name", i % 2 ? "Bash" : "Read"}, {"decision", i % 4 == 1 ? "reject" : "accept"},
                     {"source", "config"}, {"model", "claude-opus-4-1"}, {"success", i % 5 ? "true" : "false"}};
        r.ints = {{"duration_ms", i * 37}, {"status_code", 500 + i % 3}};
        recs.push_back(r);
      }
      std::promise<store::WriteResult> p;
      auto job = std::make_unique<store::WriteJob>();
      job->batch = batch(recs);
      job->done = [&](const store::WriteResult& r) { p.set_value(r); };
      w.submit(std::move(job));
      QCOMPARE(p.get_future().get().stored, std::int64_t{40});
      // Delta and cumulative sums, whole numbers so that any order of adding gives the same sums.
      opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest req;
      auto* sm = req.add_resource_metrics()->add_scope_metrics();
      for (int temporality : {1, 2}) {
        auto* m = sm->add_metrics();
        m->set_name("claude_code.token.usage");
        m->mutable_sum()->set_aggregation_temporality(
            static_cast<opentelemetry::proto::metrics::v1::AggregationTemporality>(temporality));
        m->mutable_sum()->set_is_monotonic(true);
        for (int i = 0; i < 30; ++i) {
          auto* dp = m->mutable_sum()->add_data_points();
          KeyValue* a = dp->add_attributes();
          a->set_key("session.id");
          a->mutable_value()->set_string_value("s-1");
          dp->set_start_time_unix_nano(1795547844547000000ull);
          dp->set_time_unix_nano(1795547844547000000ull + static_cast<std::uint64_t>(i) * 1200000000000ull);
          dp->set_as_double(temporality == 1 ? i : i * i);
        }
      }
      model::NormalizedBatch points;
      model::normalizeMetrics(req, &points);
      std::promise<store::WriteResult> q;
      job = std::make_unique<store::WriteJob>();
      job->batch = std::move(points);
      job->done = [&](const store::WriteResult& r) { q.set_value(r); };
      w.submit(std::move(job));
      QCOMPARE(q.get_future().get().stored, std::int64_t{60});
    }
    const std::vector<std::string> kept = dump();
    QVERIFY(kept.size() > 20);
    {
      store::Database db(path, store::Database::Mode::ReadWriteCreate);
      for (const char* t : rollupTables) db.exec(std::string("DROP TABLE ") + t);
      db.exec("PRAGMA user_version = 2");
    }
    try {
      query::Reader old(path);
      QFAIL("a schema-2 file opened for reading");
    } catch (const store::SqliteError& e) {
      QVERIFY2(std::string(e.what()).find("open it with cctv once") != std::string::npos, e.what());
    }
    {
      store::Writer w(store::WriterOptions{path});
      std::string err;
      QVERIFY2(w.open(&err), err.c_str());
    }
    store::Database db(path, store::Database::Mode::ReadOnly);
    QCOMPARE(db.queryInt("PRAGMA user_version"), std::int64_t{store::kSchemaVersion});
    QCOMPARE(dump(), kept);
    const std::string mismatch = test::pageRollupMismatch(path);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
  }

  // Schema 4 dropped three event indexes and made one of time and name: a schema-3 file gets the same indexes
  // as a new one, and keeps its rows.
  void schemaThreeFileGetsTheNewIndexes() {
    Store s;
    Rec a{"user_prompt", 1}, b{"tool_result", 2};
    a.strings = b.strings = {{"prompt.id", "p-1"}};
    QCOMPARE(s.write(batch({a, b})).stored, 2);
    const std::string everything = "SELECT group_concat(id || ' ' || attributes, '|') FROM events";
    const std::string kept = s.text(everything);
    auto indexes = [&] {
      store::Database db(s.path, store::Database::Mode::ReadOnly);
      store::Statement st = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = "
                                       "'event_data' AND sql IS NOT NULL ORDER BY name");
      std::vector<std::string> names;
      while (st.step()) names.push_back(st.columnText(0));
      return names;
    };
    const std::vector<std::string> fresh = indexes();
    QCOMPARE(fresh, (std::vector<std::string>{"event_fp", "event_key", "event_time_name"}));
    s.writer.stop();
    {
      store::Database db(s.path, store::Database::Mode::ReadWriteCreate);
      db.exec("DROP INDEX event_time_name; CREATE INDEX event_time ON event_data (time_ns); "
              "CREATE INDEX event_prompt ON event_data (prompt_id_ref, event_sequence) WHERE prompt_id_ref IS NOT NULL; "
              "CREATE INDEX event_name_time ON event_data (event_name_ref, time_ns); PRAGMA user_version = 3");
    }
    std::vector<std::string> steps;
    {
      store::Database db(s.path, store::Database::Mode::ReadWriteCreate);
      store::openForWriting(db, [&](const std::string& step) { steps.push_back(step); });
    }
    QCOMPARE(indexes(), fresh);
    QCOMPARE(steps, (std::vector<std::string>{"upgrading schema 3 to 4", "indexing events by time and name"}));
    QCOMPARE(s.text(everything), kept);
    query::Reader r(s.path);
    QCOMPARE(r.promptEvents("p-1").size(), std::size_t(2));
  }

  void reopensExistingDatabase() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("re.db").toStdString();
    {
      store::Writer w(store::WriterOptions{path});
      std::string err;
      QVERIFY(w.open(&err));
    }
    Store s;  // a second, independent store must not matter
    store::Writer w(store::WriterOptions{path});
    std::string err;
    QVERIFY2(w.open(&err), err.c_str());
  }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
