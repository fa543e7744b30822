// Taking data out of a store filled from the real captures: deleting a session, retention by age and by
// size, compaction. The roll-ups must stay what they would have been had the removed rows never arrived, and
// ingest must keep its turn while a long prune runs.

#include <QtTest>

#include <future>

#include "support/RollupChecks.h"
#include "support/TestServer.h"

using namespace cctv;
using cctv::test::FixtureRequest;
using cctv::test::HttpClient;
using cctv::test::TestServer;

namespace {

// The roll-up tables with every id replaced by the text it stands for, so two databases filled in a
// different order compare equal. Costs are rounded: the same sum in another order may differ in the last bit.
const char* const kRollupQueries[] = {
    "SELECT session_id, first_ns, last_ns, events, prompts, api_requests, api_errors, tool_calls, tool_failures, "
    "tool_rejections, errors, round(cost_usd, 9), input_tokens, output_tokens, cache_read_tokens, "
    "cache_creation_tokens, api_duration_ms, metric_points, spans, (SELECT s FROM dict WHERE id = user_ref), "
    "(SELECT s FROM dict WHERE id = terminal_ref), (SELECT attributes FROM resources WHERE id = resource_ref) "
    "FROM sessions ORDER BY session_id",
    "SELECT p.prompt_id, (SELECT session_id FROM sessions WHERE id = p.session_ref), first_ns, last_ns, first_seq, "
    "last_seq, events, api_requests, api_errors, tool_calls, tool_failures, tool_rejections, errors, "
    "round(cost_usd, 9), input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, api_duration_ms, "
    "(SELECT time_ns FROM event_data WHERE id = p.prompt_event) FROM prompts p ORDER BY 1",
    "SELECT (SELECT session_id FROM sessions WHERE id = session_ref), (SELECT s FROM dict WHERE id = model_ref), "
    "api_requests, api_errors, round(cost_usd, 9), input_tokens, output_tokens, cache_read_tokens, "
    "cache_creation_tokens FROM session_models ORDER BY 1, 2",
    "SELECT day, (SELECT s FROM dict WHERE id = model_ref), api_requests, api_errors, round(cost_usd, 9), "
    "input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens FROM daily_models ORDER BY 1, 2",
    "SELECT (SELECT session_id FROM sessions WHERE id = session_ref), (SELECT s FROM dict WHERE id = name_ref), n "
    "FROM session_event_counts ORDER BY 1, 2",
    "SELECT session_id, event_sequence, event_name, timeUnixNano FROM events ORDER BY 1, 2, 3, 4",
    "SELECT session_id, metric_name, time_unix_nano, value FROM metric_points ORDER BY 1, 2, 3, 4",
    "SELECT trace_id, span_id, session_id FROM spans ORDER BY 1, 2",
    "SELECT s.metric_name, s.attributes, h.hour, printf('%.9g', h.inc), h.points, h.last_ns FROM metric_hours h "
    "JOIN metric_series s ON s.id = h.series_ref ORDER BY 1, 2, 3",
    "SELECT day, (SELECT s FROM dict WHERE id = tool_ref), calls, successes, failures FROM daily_tools ORDER BY 1, 2",
    "SELECT day, (SELECT s FROM dict WHERE id = tool_ref), bucket, n, duration_ms FROM daily_tool_durations "
    "ORDER BY 1, 2, 3",
    "SELECT day, (SELECT s FROM dict WHERE id = tool_ref), source, n FROM daily_tool_rejections ORDER BY 1, 2, 3",
    "SELECT day, (SELECT s FROM dict WHERE id = name_ref), (SELECT s FROM dict WHERE id = model_ref), status_code, n "
    "FROM daily_api_errors ORDER BY 1, 2, 3, 4",
};

std::vector<std::string> rollups(TestServer& s) {
  std::vector<std::string> out;
  for (const char* q : kRollupQueries) {
    out.push_back(std::string("-- ") + q);
    for (std::string& row : s.rows(q)) out.push_back(std::move(row));
  }
  return out;
}

// The roll-ups recomputed from the rows themselves (the views), by the rules RowWriter applies: whatever
// was removed, these must match the tables.
const std::pair<const char*, const char*> kRollupsFromRows[] = {
    {"SELECT day, (SELECT s FROM dict WHERE id = model_ref), api_requests, api_errors, round(cost_usd, 9), "
     "input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens FROM daily_models ORDER BY 1, 2",
     "SELECT timeUnixNano / 86400000000000, model, sum(event_name = 'api_request'), sum(event_name = 'api_error'), "
     "round(total(CASE WHEN event_name = 'api_request' AND typeof(cost_usd) = 'real' THEN cost_usd END), 9), "
     "sum(CASE WHEN event_name = 'api_request' AND typeof(input_tokens) = 'integer' THEN input_tokens ELSE 0 END), "
     "sum(CASE WHEN event_name = 'api_request' AND typeof(output_tokens) = 'integer' THEN output_tokens ELSE 0 END), "
     "sum(CASE WHEN event_name = 'api_request' AND typeof(cache_read_tokens) = 'integer' THEN cache_read_tokens "
     "ELSE 0 END), sum(CASE WHEN event_name = 'api_request' AND typeof(cache_creation_tokens) = 'integer' THEN "
     "cache_creation_tokens ELSE 0 END) FROM events WHERE model IS NOT NULL AND event_name IN ('api_request', "
     "'api_error') GROUP BY 1, 2 ORDER BY 1, 2"},
    {"SELECT session_id, events FROM sessions WHERE events > 0 ORDER BY 1",
     "SELECT session_id, count(*) FROM events WHERE session_id IS NOT NULL GROUP BY 1 ORDER BY 1"},
    {"SELECT (SELECT session_id FROM sessions WHERE id = session_ref), (SELECT s FROM dict WHERE id = name_ref), n "
     "FROM session_event_counts ORDER BY 1, 2",
     "SELECT session_id, event_name, count(*) FROM events WHERE session_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"},
    {"SELECT prompt_id, events FROM prompts WHERE events > 0 ORDER BY 1",
     "SELECT prompt_id, count(*) FROM events WHERE prompt_id IS NOT NULL GROUP BY 1 ORDER BY 1"},
};

void verifyRollupsMatchRows(TestServer& s) {
  for (const auto& [table, fromRows] : kRollupsFromRows) QCOMPARE(s.rows(table), s.rows(fromRows));
  const std::string pages = test::pageRollupMismatch(s.dbPath());  // the Metrics and Tools & errors pages'
  QVERIFY2(pages.empty(), pages.c_str());
}

QList<FixtureRequest> runs(const QString& except = QString()) {
  QList<FixtureRequest> all;
  for (const QString& run : test::fixtureRuns())
    if (run != except) all += test::loadRun(run);
  return all;
}

std::unique_ptr<TestServer> filled(const QList<FixtureRequest>& requests, std::int64_t maxRowsPerStep = 5000) {
  ingest::ServiceOptions o = TestServer::defaults();
  o.writer.maxRowsPerMaintenanceStep = maxRowsPerStep;
  auto s = std::make_unique<TestServer>(o);
  if (!s->start()) qFatal("cannot start the test server");
  HttpClient client("127.0.0.1", s->port());
  if (s->replay(requests, client) != requests.size()) qFatal("replay refused");
  return s;
}

store::MaintenanceResult waitFor(const std::function<void(store::Writer::MaintenanceDone)>& start) {
  std::promise<store::MaintenanceResult> p;
  start([&](const store::MaintenanceResult& r) { p.set_value(r); });
  return p.get_future().get();
}

std::int64_t dataBytes(TestServer& s) {
  return (s.count("PRAGMA page_count") - s.count("PRAGMA freelist_count")) * s.count("PRAGMA page_size");
}

}  // namespace

class TestHousekeeping : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void deletingASessionIsAsIfItNeverArrived() {
    auto all = filled(runs());
    // json-multiturn: one session with three prompts, API requests on a day other sessions share.
    auto without = filled(runs(QStringLiteral("json-multiturn")));
    const std::string gone = all->text("SELECT session_id FROM sessions WHERE prompts = 3");
    QVERIFY(!gone.empty());
    QCOMPARE(without->count("SELECT count(*) FROM sessions WHERE session_id = '" + gone + "'"), 0);
    QVERIFY(all->count("SELECT count(*) FROM daily_models") > 0);
    const auto dailyBefore = all->rows("SELECT * FROM daily_models");

    QSignalSpy removed(all->service().writer().notifier(), &store::StoreNotifier::removed);
    const auto r = waitFor([&](auto done) { all->service().writer().deleteSession(gone, done); });
    QVERIFY2(r.ok, r.error.c_str());
    QCOMPARE(r.sessions, 1);
    QCOMPARE(r.events, 62);  // the README's count for json-multiturn
    QCOMPARE(r.points, 48);
    QVERIFY(all->rows("SELECT * FROM daily_models") != dailyBefore);  // subtracted, not only deleted
    QCOMPARE(rollups(*all), rollups(*without));
    verifyRollupsMatchRows(*all);
    QTRY_COMPARE(removed.count(), 1);

    const auto again = waitFor([&](auto done) { all->service().writer().deleteSession(gone, done); });
    QVERIFY(!again.ok);
    QCOMPARE(again.error, "no session " + gone);

    // The session can arrive again afterwards (the writer's cached ids for it are gone too).
    HttpClient client("127.0.0.1", all->port());
    const auto multiturn = test::loadRun(QStringLiteral("json-multiturn"));
    QCOMPARE(all->replay(multiturn, client), multiturn.size());
    auto fresh = filled(runs());
    QCOMPARE(rollups(*all), rollups(*fresh));
  }

  void retentionByAgeRemovesSessionsThatEndedBeforeTheCutoff() {
    auto s = filled(runs(), 30);
    const auto lasts = s->rows("SELECT last_ns FROM sessions ORDER BY last_ns");
    QVERIFY(lasts.size() >= 10);
    // A cut-off between the 5th and 6th session to end; "now" is one day after it.
    const std::int64_t cutoff = (std::stoll(lasts[4]) + std::stoll(lasts[5])) / 2;
    const std::string kept = "SELECT * FROM sessions WHERE last_ns >= " + std::to_string(cutoff) + " ORDER BY id";
    const auto keptBefore = s->rows(kept);
    const std::int64_t logRows = s->count("SELECT count(*) FROM ingest_log");

    store::RetentionPolicy oneDay;
    oneDay.days = 1;
    const auto r = waitFor([&](auto done) {
      s->service().writer().prune(oneDay, done, cutoff + 86400LL * 1000000000LL);
    });
    QVERIFY2(r.ok, r.error.c_str());
    QCOMPARE(r.sessions, 5);
    QVERIFY(r.steps >= 2);  // 30 rows a step: more than one transaction
    QCOMPARE(s->count("SELECT count(*) FROM sessions WHERE last_ns < " + std::to_string(cutoff)), 0);
    QCOMPARE(s->rows(kept), keptBefore);
    QCOMPARE(s->count("SELECT count(*) FROM ingest_log"), logRows);  // received today, after the cut-off
    verifyRollupsMatchRows(*s);

    // A week later everything is past it, the request log too.
    const auto all = waitFor([&](auto done) {
      s->service().writer().prune(oneDay, done, QDateTime::currentMSecsSinceEpoch() * 1000000LL + 7 * 86400LL * 1000000000LL);
    });
    QVERIFY2(all.ok, all.error.c_str());
    for (const char* table : {"sessions", "prompts", "event_data", "metric_data", "span_data", "daily_models",
                              "session_models", "session_event_counts", "ingest_log"})
      QVERIFY2(s->count(std::string("SELECT count(*) FROM ") + table) == 0, table);
  }

  void retentionBySizeKeepsTheNewestSession() {
    auto s = filled(runs(), 50);
    const std::int64_t before = dataBytes(*s);
    const std::string newest = s->text("SELECT session_id FROM sessions ORDER BY last_ns DESC LIMIT 1");
    const std::string oldest = s->text("SELECT session_id FROM sessions ORDER BY last_ns LIMIT 1");
    const std::int64_t sessions = s->count("SELECT count(*) FROM sessions");

    store::RetentionPolicy quarter;
    quarter.maxBytes = before * 3 / 4;
    const auto r = waitFor([&](auto done) { s->service().writer().prune(quarter, done); });
    QVERIFY2(r.ok, r.error.c_str());
    QVERIFY(r.sessions > 0 && r.sessions < sessions);
    QVERIFY2(dataBytes(*s) <= quarter.maxBytes, qPrintable(QString::number(dataBytes(*s))));
    QCOMPARE(s->count("SELECT count(*) FROM sessions WHERE session_id = '" + oldest + "'"), 0);
    QCOMPARE(s->count("SELECT count(*) FROM sessions WHERE session_id = '" + newest + "'"), 1);
    verifyRollupsMatchRows(*s);

    // A limit nothing can meet: all but the newest session go, the last 1000 log rows stay, and it stops.
    store::RetentionPolicy tiny;
    tiny.maxBytes = 1;
    const auto rest = waitFor([&](auto done) { s->service().writer().prune(tiny, done); });
    QVERIFY2(rest.ok, rest.error.c_str());
    QCOMPARE(s->rows("SELECT session_id FROM sessions"), std::vector<std::string>{newest});
    QVERIFY(s->count("SELECT count(*) FROM ingest_log") > 0);
    verifyRollupsMatchRows(*s);
  }

  void ingestGoesFirstWhileAPruneRuns() {
    auto s = filled(runs(), 10);
    store::Writer& w = s->service().writer();
    std::mutex m;
    std::vector<std::string> order;
    std::promise<void> pruned;
    store::RetentionPolicy tiny;
    tiny.maxBytes = 1;
    w.prune(tiny, [&](const store::MaintenanceResult& r) {
      std::lock_guard<std::mutex> lock(m);
      order.push_back("prune " + std::to_string(r.steps));
      pruned.set_value();
    });
    // Queued after the prune started: it is written between two of its steps, not after all of them.
    std::promise<void> written;
    auto job = std::make_unique<store::WriteJob>();
    job->log.transport = "http";
    job->done = [&](const store::WriteResult&) {
      std::lock_guard<std::mutex> lock(m);
      order.push_back("ingest");
      written.set_value();
    };
    QCOMPARE(w.submit(std::move(job)), store::Writer::Submit::Queued);
    written.get_future().wait();
    pruned.get_future().wait();
    QCOMPARE(order.size(), std::size_t{2});
    QCOMPARE(order[0], std::string("ingest"));
    QVERIFY2(std::stoi(order[1].substr(6)) > 2, order[1].c_str());
  }

  void compactShrinksTheFileAndLaterPrunesGiveSpaceBack() {
    auto s = filled(runs());
    store::Writer& w = s->service().writer();
    store::RetentionPolicy tiny;
    tiny.maxBytes = 1;
    QVERIFY(waitFor([&](auto done) { w.prune(tiny, done); }).ok);
    QCOMPARE(s->count("PRAGMA auto_vacuum"), 0);  // a new file: pruning only frees pages inside it
    QVERIFY(s->count("PRAGMA freelist_count") > 0);
    const auto c = waitFor([&](auto done) { w.compact(done); });
    QVERIFY2(c.ok, c.error.c_str());
    QVERIFY2(c.bytesAfter < c.bytesBefore, qPrintable(QStringLiteral("%1 -> %2").arg(c.bytesBefore).arg(c.bytesAfter)));
    QCOMPARE(s->count("PRAGMA freelist_count"), 0);
    QCOMPARE(s->count("PRAGMA auto_vacuum"), 2);  // incremental from now on
    verifyRollupsMatchRows(*s);

    // Refill, then delete: the freed pages leave the file without another compaction.
    HttpClient client("127.0.0.1", s->port());
    const auto again = runs();
    QCOMPARE(s->replay(again, client), again.size());
    const std::int64_t pages = s->count("PRAGMA page_count");
    QVERIFY(waitFor([&](auto done) { w.prune(tiny, done); }).ok);
    QVERIFY(s->count("PRAGMA page_count") < pages);
    QCOMPARE(s->count("PRAGMA freelist_count"), 0);
  }

  void backgroundRetentionRunsByItself() {
    ingest::ServiceOptions o = TestServer::defaults();
    o.writer.pruneIntervalMs = 50;
    TestServer s(o);
    QVERIFY(s.start());
    HttpClient client("127.0.0.1", s.port());
    const auto all = runs();
    QCOMPARE(s.replay(all, client), all.size());
    QVERIFY(s.count("SELECT count(*) FROM sessions") > 1);
    QSignalSpy removed(s.service().writer().notifier(), &store::StoreNotifier::removed);
    store::RetentionPolicy p;
    p.maxBytes = 1;
    s.service().writer().setRetention(p);
    QTRY_COMPARE(s.count("SELECT count(*) FROM sessions"), 1);
    QVERIFY(removed.count() > 0);
  }
};

QTEST_GUILESS_MAIN(TestHousekeeping)
#include "tst_housekeeping.moc"
