// The roll-ups of the Metrics and Tools & errors pages (store/PageRollups.h) against the rows they summarise, on
// generated data: many sessions over five days, tools with every kind of duration, rejections, API errors,
// delta and cumulative metrics with resets, batches that arrive out of order and twice. After every change
// (writing, resending, deleting a session, retention by age, writing again) the tables must match the rows, and
// the Reader's answers (roll-ups for whole hours/days, rows for the rest) must match the answers computed from
// the rows alone, over ranges aligned and not aligned to hours and days.

#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <future>
#include <map>
#include <random>

#include "model/Normalizer.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "query/MetricMath.h"
#include "query/Reader.h"
#include "store/PageRollups.h"
#include "store/Schema.h"
#include "store/Writer.h"
#include "support/RollupChecks.h"

using namespace cctv;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;

namespace {

constexpr std::int64_t kMin = 60LL * 1000000000LL;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kT0 = 20780 * kDay;  // 2026-11-23 00:00 UTC
constexpr int kSessions = 16;

void setAttr(KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}
void setAttr(KeyValue* kv, const std::string& key, std::int64_t value) {
  kv->set_key(key);
  kv->mutable_value()->set_int_value(value);
}

struct Event {
  std::string name, session;  // session "": none
  std::int64_t seq = 0, timeNs = 0;
  std::vector<std::pair<std::string, std::string>> strings;
  std::vector<std::pair<std::string, std::int64_t>> ints;
};

model::NormalizedBatch logBatch(const std::vector<Event>& events) {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  setAttr(rl->mutable_resource()->add_attributes(), "service.name", "claude-code");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("com.anthropic.claude_code.events");
  for (const Event& e : events) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(static_cast<std::uint64_t>(e.timeNs));
    lr->set_observed_time_unix_nano(static_cast<std::uint64_t>(e.timeNs));
    lr->mutable_body()->set_string_value("claude_code." + e.name);
    setAttr(lr->add_attributes(), "event.name", e.name);
    if (!e.session.empty()) {
      setAttr(lr->add_attributes(), "session.id", e.session);
      setAttr(lr->add_attributes(), "event.sequence", e.seq);
    } else {
      setAttr(lr->add_attributes(), "note", std::to_string(e.seq));  // sessionless records differ by content
    }
    for (const auto& [k, v] : e.strings) setAttr(lr->add_attributes(), k, v);
    for (const auto& [k, v] : e.ints) setAttr(lr->add_attributes(), k, v);
  }
  model::NormalizedBatch out;
  model::normalizeLogs(req, &out);
  return out;
}

struct Point {
  std::string metric, session, type, model;  // session "": none
  int temporality = 1;                       // 1 delta, 2 cumulative
  std::int64_t startNs = 0, timeNs = 0;
  double value = 0;
};

model::NormalizedBatch metricBatch(const std::vector<Point>& points) {
  ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  setAttr(rm->mutable_resource()->add_attributes(), "service.name", "claude-code");
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("com.anthropic.claude_code");
  for (const Point& p : points) {
    auto* m = sm->add_metrics();
    m->set_name(p.metric);
    m->set_unit(p.metric == "claude_code.cost.usage" ? "USD" : "tokens");
    auto* sum = m->mutable_sum();
    sum->set_aggregation_temporality(
        static_cast<opentelemetry::proto::metrics::v1::AggregationTemporality>(p.temporality));
    sum->set_is_monotonic(true);
    auto* dp = sum->add_data_points();
    if (!p.session.empty()) setAttr(dp->add_attributes(), "session.id", p.session);
    if (!p.type.empty()) setAttr(dp->add_attributes(), "type", p.type);
    if (!p.model.empty()) setAttr(dp->add_attributes(), "model", p.model);
    dp->set_start_time_unix_nano(static_cast<std::uint64_t>(p.startNs));
    dp->set_time_unix_nano(static_cast<std::uint64_t>(p.timeNs));
    dp->set_as_double(p.value);
  }
  model::NormalizedBatch out;
  model::normalizeMetrics(req, &out);
  return out;
}

// The generated world, as batches in delivery order (some out of order, some twice).
std::vector<model::NormalizedBatch> generate(std::uint32_t seed, std::int64_t offsetNs) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint32_t>(n)); };
  const char* tools[] = {"Bash", "Read", "Edit", "mcp__github__search"};
  const char* models[] = {"claude-sonnet-4-5", "claude-haiku-4-5"};
  const std::int64_t durations[] = {0, 1, 2, 3, 7, 8, 9, 12, 40, 150, 999, 1000, 1001, 1523, 60000, 3600000};
  std::vector<model::NormalizedBatch> out;
  std::vector<model::NormalizedBatch> metricBatches;
  for (int k = 0; k < kSessions; ++k) {
    const std::string session = "gen-" + std::to_string(seed) + "-" + std::to_string(k);
    std::int64_t t = kT0 + offsetNs + k * 7 * kHour + pick(60) * kMin;
    std::vector<Event> events;
    for (int seq = 1; seq <= 60; ++seq) {
      t += (3 + pick(40)) * kMin + pick(1000) * 1000000LL;
      Event e;
      e.session = session;
      e.seq = seq;
      e.timeNs = t;
      const std::string tool = tools[pick(4)], model = models[pick(2)];
      switch (pick(6)) {
        case 0:
        case 1:
          e.name = "tool_result";
          e.strings.emplace_back("tool_name", tool);
          if (pick(5)) e.strings.emplace_back("success", pick(3) ? "true" : "false");
          if (pick(6)) e.ints.emplace_back("duration_ms", pick(3) ? durations[pick(16)] : pick(100000));
          break;
        case 2:
          e.name = "tool_decision";
          e.strings.emplace_back("tool_name", tool);
          e.strings.emplace_back("decision", pick(2) ? "reject" : "accept");
          if (pick(4)) e.strings.emplace_back("source", pick(2) ? "user_reject" : "config");
          break;
        case 3:
          e.name = "api_request";
          e.strings.emplace_back("model", model);
          e.strings.emplace_back("cost_usd", std::to_string(pick(10000) / 1e5));
          e.ints.emplace_back("input_tokens", pick(5000));
          break;
        case 4:
          e.name = "api_error";
          if (pick(4)) e.strings.emplace_back("model", model);
          if (pick(4)) e.ints.emplace_back("status_code", pick(2) ? 429 : 529);
          e.strings.emplace_back("error", "overloaded " + std::to_string(seq));
          break;
        default:
          e.name = pick(2) ? "api_retries_exhausted" : "api_refusal";
          e.strings.emplace_back("model", model);
          break;
      }
      events.push_back(e);
      if (k % 5 == 0 && seq % 7 == 0) {  // and some without a session
        Event loose = e;
        loose.session.clear();
        loose.seq = seq * 1000 + k;
        events.push_back(loose);
      }
    }
    for (std::size_t i = 0; i < events.size(); i += 13)
      out.push_back(logBatch({events.begin() + static_cast<std::ptrdiff_t>(i),
                              events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + 13))}));

    // Metrics: a point every 10 minutes per series; even sessions delta, odd ones cumulative, with an exporter
    // restart (new start time) and, for some, a value that drops without one (also a reset).
    const bool cumulative = k % 2 == 1;
    std::int64_t start = kT0 + offsetNs + k * 7 * kHour;
    std::map<std::string, double> running;
    std::vector<Point> hourPoints;
    std::vector<model::NormalizedBatch> sessionBatches;
    std::int64_t mt = start;
    for (int i = 0; i < 80; ++i) {
      mt += 10 * kMin + pick(30) * 1000000000LL;
      if (cumulative && i == 40) {  // the exporter restarts: a new start time, counting from zero or (k % 4 == 1)
        start = mt - kMin;           // from more than before, which must count whole all the same
        if (k % 4 != 1) running.clear();
      }
      for (const char* type : {"input", "output"}) {
        const std::string key = std::string("tok/") + type;
        const double inc = pick(3000);
        running[key] += inc;
        if (cumulative && k % 4 == 3 && i == 60 && std::string(type) == "input") running[key] = 5;  // drop
        hourPoints.push_back({"claude_code.token.usage", session, type, models[k % 2], cumulative ? 2 : 1, start, mt,
                              cumulative ? running[key] : inc});
      }
      const double cost = pick(1000) / 7e4;
      running["cost"] += cost;
      hourPoints.push_back({"claude_code.cost.usage", session, "", models[k % 2], cumulative ? 2 : 1, start, mt,
                            cumulative ? running["cost"] : cost});
      if (i % 6 == 5) {
        sessionBatches.push_back(metricBatch(hourPoints));
        hourPoints.clear();
      }
    }
    if (!hourPoints.empty()) sessionBatches.push_back(metricBatch(hourPoints));
    // Delivery: in order (the writer differences points as they come), except for every fourth session, whose
    // neighbouring batches are swapped now and then (its series are then rewritten from their points).
    if (k % 4 == 3)
      for (std::size_t i = 0; i + 1 < sessionBatches.size(); i += 4) std::swap(sessionBatches[i], sessionBatches[i + 1]);
    for (auto& b : sessionBatches) metricBatches.push_back(std::move(b));
  }
  // A cumulative series without a session, over all five days.
  {
    std::vector<Point> loose;
    double v = 0;
    for (int i = 0; i < 120; ++i) {
      v += pick(100);
      loose.push_back({"claude_code.token.usage", "", "cacheRead", "", 2, kT0 + offsetNs, kT0 + offsetNs + i * kHour + kMin, v});
      if (i % 10 == 9) {
        metricBatches.push_back(metricBatch(loose));
        loose.clear();
      }
    }
  }
  // Logs in any order, interleaved with the metrics in theirs; some batches sent twice.
  std::shuffle(out.begin(), out.end(), rng);
  std::vector<model::NormalizedBatch> delivery;
  std::size_t logs = 0, metrics = 0;
  while (logs < out.size() || metrics < metricBatches.size()) {
    const bool takeLog = metrics == metricBatches.size() || (logs < out.size() && pick(2) == 0);
    delivery.push_back(takeLog ? out[logs++] : metricBatches[metrics++]);
    if (pick(8) == 0) delivery.push_back(delivery.back());
  }
  return delivery;
}

class Store {
 public:
  explicit Store(std::size_t maxItemsPerTransaction = 20000)
      : path(dir.filePath("r.db").toStdString()), writer(options(path, maxItemsPerTransaction)) {
    std::string err;
    if (!writer.open(&err)) qFatal("%s", err.c_str());
  }
  static store::WriterOptions options(const std::string& path, std::size_t perTransaction) {
    store::WriterOptions o{path};
    o.maxItemsPerTransaction = perTransaction;
    o.maxRowsPerMaintenanceStep = 300;  // retention in many small steps
    return o;
  }
  // Submits every batch at once (the writer groups them into transactions), waits for all.
  std::int64_t write(const std::vector<model::NormalizedBatch>& batches) {
    std::vector<std::future<store::WriteResult>> results;
    for (const auto& b : batches) {
      auto job = std::make_unique<store::WriteJob>();
      job->batch = b;
      auto p = std::make_shared<std::promise<store::WriteResult>>();
      results.push_back(p->get_future());
      job->done = [p](const store::WriteResult& r) { p->set_value(r); };
      while (writer.submit(std::move(job)) != store::Writer::Submit::Queued) qFatal("writer refused a job");
    }
    std::int64_t stored = 0;
    for (auto& f : results) stored += f.get().stored;
    return stored;
  }
  store::MaintenanceResult maintain(const std::function<void(store::Writer::MaintenanceDone)>& start) {
    std::promise<store::MaintenanceResult> p;
    start([&](const store::MaintenanceResult& r) { p.set_value(r); });
    return p.get_future().get();
  }
  QTemporaryDir dir;
  std::string path;
  store::Writer writer;
};

// Everything the roll-up tables hold, for "nothing changed" comparisons.
std::vector<std::string> tables(const std::string& path) {
  store::Database db(path, store::Database::Mode::ReadOnly);
  std::vector<std::string> out;
  for (const char* t : {"metric_hours", "daily_tools", "daily_tool_durations", "daily_tool_rejections", "daily_api_errors"}) {
    store::Statement st = db.prepare(std::string("SELECT * FROM ") + t + " ORDER BY 1, 2, 3");
    const int n = sqlite3_column_count(st.handle());
    while (st.step()) {
      std::string row = t;
      for (int i = 0; i < n; ++i) row += "|" + st.columnText(i);
      out.push_back(row);
    }
  }
  return out;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

// The Reader's answers against the rows' for one range.
void compareRange(const std::string& path, std::int64_t from, std::int64_t to) {
  const std::string range = "[" + std::to_string(from) + ", " + std::to_string(to) + "]";
  const std::string a = std::to_string(from), b = std::to_string(to ? to : std::numeric_limits<std::int64_t>::max());
  query::Reader reader(path);
  store::Database db(path, store::Database::Mode::ReadOnly);

  // Metric totals: the increments of the points in the range, folded per series as the Reader does.
  data::MetricTotals want;
  {
    store::Statement st = db.prepare(
        "SELECT metric_name, coalesce(json_extract(attributes, '$.type'), ''), coalesce(json_extract(attributes, "
        "'$.decision'), ''), total(increment), count(*), max(time_unix_nano) FROM metric_increments WHERE "
        "time_unix_nano BETWEEN " + a + " AND " + b + " GROUP BY metric_name, attributes");
    while (st.step())
      query::addMetricIncrement(want, st.columnText(0), st.columnText(1), st.columnText(2), st.columnDouble(3),
                                st.columnInt(4), st.columnInt(5));
  }
  const data::MetricTotals got = reader.metricTotals(from, to);
  QVERIFY2(got.points == want.points, (range + " points " + std::to_string(got.points) + " vs " + std::to_string(want.points)).c_str());
  QVERIFY2(got.tokens.input == want.tokens.input && got.tokens.output == want.tokens.output &&
               got.tokens.cacheRead == want.tokens.cacheRead,
           (range + " tokens " + std::to_string(got.tokens.input) + " vs " + std::to_string(want.tokens.input)).c_str());
  QVERIFY2(close(got.costUsd, want.costUsd), range.c_str());
  QCOMPARE(got.lastPointNs, want.lastPointNs);

  // The chart, in buckets of whole hours, days, weeks (roll-ups) and of 15 minutes (rows).
  for (std::int64_t bucket : {15 * kMin, kHour, 6 * kHour, kDay, 7 * kDay}) {
    for (const char* dim : {"type", "session"}) {
      std::map<std::pair<std::int64_t, std::string>, double> expect;
      const std::string key = std::string(dim) == "session" ? "coalesce(session_id, '')"
                                                             : "coalesce(json_extract(attributes, '$.type'), '')";
      store::Statement st = db.prepare(
          "SELECT (time_unix_nano / " + std::to_string(bucket) + ") * " + std::to_string(bucket) + ", " + key +
          ", total(increment) FROM metric_increments WHERE metric_name = 'claude_code.token.usage' AND "
          "time_unix_nano BETWEEN " + a + " AND " + b + " GROUP BY 1, 2");
      while (st.step()) expect[{st.columnInt(0), st.columnText(1)}] = st.columnDouble(2);
      const auto rows = reader.metricOverTime("claude_code.token.usage", dim, from, to, bucket);
      QVERIFY2(rows.size() == expect.size(), (range + " chart rows, bucket " + std::to_string(bucket)).c_str());
      for (const auto& r : rows) {
        const auto it = expect.find({r.startNs, r.key});
        QVERIFY2(it != expect.end() && close(r.value, it->second),
                 (range + " chart " + std::to_string(r.startNs) + " " + r.key).c_str());
      }
    }
  }

  // Tools: counts exact; p50/p95 within a bucket of the exact nearest-rank values.
  const std::string inRange = " AND timeUnixNano BETWEEN " + a + " AND " + b;
  std::map<std::string, data::ToolStats> tools;
  {
    store::Statement st = db.prepare(
        "SELECT coalesce(tool_name, ''), count(*), sum(success IS 1), sum(success IS 0) FROM events WHERE "
        "event_name = 'tool_result'" + inRange + " GROUP BY 1");
    while (st.step()) {
      data::ToolStats& t = tools[st.columnText(0)];
      t.toolName = st.columnText(0);
      t.calls = st.columnInt(1);
      t.successes = st.columnInt(2);
      t.failures = st.columnInt(3);
    }
    store::Statement rej = db.prepare(
        "SELECT coalesce(tool_name, ''), coalesce(source, ''), count(*) FROM events WHERE event_name = "
        "'tool_decision' AND decision = 'reject'" + inRange + " GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2");
    while (rej.step()) {
      data::ToolStats& t = tools[rej.columnText(0)];
      t.toolName = rej.columnText(0);
      t.rejections += rej.columnInt(2);
      t.rejectionsBySource.emplace_back(rej.columnText(1), rej.columnInt(2));
    }
  }
  const auto gotTools = reader.toolStats(from, to);
  QVERIFY2(gotTools.size() == tools.size(), range.c_str());
  constexpr double kBucketRatio = 1.1220184543019636;  // 10^(1/20)
  for (const data::ToolStats& t : gotTools) {
    const data::ToolStats& w = tools[t.toolName];
    QVERIFY2(t.calls == w.calls && t.successes == w.successes && t.failures == w.failures,
             (range + " " + t.toolName).c_str());
    QCOMPARE(t.rejections, w.rejections);
    auto bySource = t.rejectionsBySource;
    auto wantBySource = w.rejectionsBySource;
    std::sort(bySource.begin(), bySource.end());
    std::sort(wantBySource.begin(), wantBySource.end());
    QCOMPARE(bySource, wantBySource);
    std::vector<double> ms;
    store::Statement st = db.prepare("SELECT duration_ms FROM events WHERE event_name = 'tool_result' AND "
                                     "coalesce(tool_name, '') = ? AND duration_ms IS NOT NULL" + inRange);
    st.bind(1, t.toolName);
    while (st.step()) ms.push_back(st.columnDouble(0));
    std::sort(ms.begin(), ms.end());
    for (const auto& [p, estimate] : {std::pair{0.50, t.p50Ms}, std::pair{0.95, t.p95Ms}}) {
      if (ms.empty()) {
        QCOMPARE(estimate, 0.0);
        continue;
      }
      const auto k = static_cast<std::size_t>(std::max(0.0, std::ceil(p * static_cast<double>(ms.size())) - 1));
      const double exact = ms[std::min(k, ms.size() - 1)];
      const bool within = exact < 1 ? estimate < 1 : estimate >= exact / kBucketRatio && estimate <= exact * kBucketRatio;
      QVERIFY2(within, (range + " " + t.toolName + " p" + std::to_string(p) + " " + std::to_string(estimate) + " vs " +
                        std::to_string(exact)).c_str());
      if (exact < 9) QCOMPARE(estimate, exact);  // small integers have a bucket each
    }
  }

  // API errors: (name, model, status) -> count, exactly.
  std::map<std::tuple<std::string, std::string, std::int64_t>, std::int64_t> errors;
  {
    store::Statement st = db.prepare(
        "SELECT event_name, coalesce(model, ''), coalesce(status_code, 0), count(*) FROM events WHERE event_name IN "
        "('api_error', 'api_retries_exhausted', 'api_refusal')" + inRange + " GROUP BY 1, 2, 3");
    while (st.step()) errors[{st.columnText(0), st.columnText(1), st.columnInt(2)}] = st.columnInt(3);
  }
  std::map<std::tuple<std::string, std::string, std::int64_t>, std::int64_t> gotErrors;
  for (const auto& e : reader.apiErrors(from, to)) gotErrors[{e.eventName, e.model, e.statusCode}] += e.count;
  QVERIFY2(gotErrors == errors, range.c_str());
}

// Every session's whole metrics (the reconciliation's side) against its rows.
void compareSessions(const std::string& path) {
  query::Reader reader(path);
  store::Database db(path, store::Database::Mode::ReadOnly);
  std::map<std::string, data::MetricTotals> want;
  store::Statement st = db.prepare(
      "SELECT session_id, metric_name, coalesce(json_extract(attributes, '$.type'), ''), total(increment), count(*), "
      "max(time_unix_nano) FROM metric_increments WHERE session_id IS NOT NULL GROUP BY session_id, metric_name, attributes");
  while (st.step())
    query::addMetricIncrement(want[st.columnText(0)], st.columnText(1), st.columnText(2), "", st.columnDouble(3),
                              st.columnInt(4), st.columnInt(5));
  QVERIFY(!want.empty());
  for (const auto& [session, w] : want) {
    const data::MetricTotals got = reader.sessionMetrics(session);
    QVERIFY2(got.points == w.points && got.tokens.input == w.tokens.input && got.tokens.output == w.tokens.output &&
                 close(got.costUsd, w.costUsd) && got.lastPointNs == w.lastPointNs,
             session.c_str());
  }
  for (const auto& r : reader.reconciliation(0, 0, 1000)) {
    const auto it = want.find(r.sessionId);
    const data::MetricTotals w = it == want.end() ? data::MetricTotals{} : it->second;
    QVERIFY2(r.metrics.tokens.input == w.tokens.input && close(r.metrics.costUsd, w.costUsd), r.sessionId.c_str());
  }
}

void compareAll(const std::string& path) {
  const std::string mismatch = test::pageRollupMismatch(path);
  QVERIFY2(mismatch.empty(), mismatch.c_str());
  const std::pair<std::int64_t, std::int64_t> ranges[] = {
      {0, 0},                                                   // all (the pages' "All")
      {kT0 + 2 * kDay, 0},                                      // from a UTC midnight, open (the pages' ranges)
      {kT0 + kDay + 5 * kHour + 17 * kMin + 3, kT0 + 3 * kDay + 2 * kHour + 11},  // neither end aligned
      {kT0 + 36 * kHour, kT0 + 60 * kHour - 1},                // whole hours, not whole days
      {kT0 + kDay, kT0 + 2 * kDay - 1},                         // exactly one day
      {kT0 + 2 * kDay + 3 * kHour + 10 * kMin, kT0 + 2 * kDay + 3 * kHour + 50 * kMin},  // inside one hour
      {kT0 + 4 * kDay + kHour / 2, 0},                          // mid-hour start, open
  };
  for (const auto& [from, to] : ranges) {
    compareRange(path, from, to);
    if (QTest::currentTestFailed()) return;
  }
  compareSessions(path);
}

}  // namespace

class TestRollups : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void durationBuckets() {
    QCOMPARE(store::durationBucket(0), 0);
    QCOMPARE(store::durationBucket(0.5), 0);
    QCOMPARE(store::durationBucket(-3), 0);
    QCOMPARE(store::durationBucket(1), 1);
    QCOMPARE(store::durationBucket(10), 21);
    QCOMPARE(store::durationBucket(1000), 61);
    for (int ms = 1; ms < 9; ++ms) QVERIFY(store::durationBucket(ms) < store::durationBucket(ms + 1));
    for (double ms = 1; ms < 1e9; ms *= 1.01) {  // monotonic, each bucket at most 10^(1/20) wide
      const int b = store::durationBucket(ms);
      QVERIFY(b <= store::durationBucket(ms * 1.01));
      QVERIFY(store::durationBucket(ms * 1.1220184543019636 * 1.0000001) > b);
    }
  }

  void rollupsMatchTheRowsThroughWritesResendsAndDeletes() {
    Store s(700);  // small transactions: batches of one delivery land in different ones
    const auto batches = generate(7, 0);
    QVERIFY(s.write(batches) > 0);
    compareAll(s.path);
    if (QTest::currentTestFailed()) return;

    // Resending everything stores nothing and counts nothing twice.
    const auto before = tables(s.path);
    QCOMPARE(s.write(batches), std::int64_t{0});
    QCOMPARE(tables(s.path), before);

    // Deleting a session (a cumulative one, with tools and errors) takes its rows off.
    const auto deleted = s.maintain([&](auto done) { s.writer.deleteSession("gen-7-3", done); });
    QVERIFY2(deleted.ok && deleted.sessions == 1, deleted.error.c_str());
    compareAll(s.path);
    if (QTest::currentTestFailed()) return;

    // Retention by age, in small steps: whole sessions, then the oldest sessionless events and points (the
    // sessionless cumulative series loses its first points: its first remaining one then counts whole).
    store::RetentionPolicy policy;
    policy.days = 3;
    const auto pruned = s.maintain([&](auto done) { s.writer.prune(policy, done, kT0 + 5 * kDay); });
    QVERIFY(pruned.ok && pruned.sessions > 0 && pruned.points > 0 && pruned.events > 0);
    QVERIFY(pruned.steps > 1);
    compareAll(s.path);
    if (QTest::currentTestFailed()) return;

    // Writing again after the deletes (the writer's cached predecessors must not outlive them), including more
    // points of the pruned sessionless series.
    QVERIFY(s.write(generate(8, 2 * kDay)) > 0);
    compareAll(s.path);
  }

  void outOfOrderCumulativePointsRewriteTheirSeries() {
    Store s;
    auto point = [](std::int64_t t, double v, std::int64_t start = kT0) {
      return Point{"claude_code.token.usage", "ooo", "input", "m", 2, start, t, v};
    };
    // 10, 25, 40 arrive as 10, 40, then 25 in another transaction: 25's increment is 15, and 40's becomes 15.
    QCOMPARE(s.write({metricBatch({point(kT0 + kHour, 10), point(kT0 + 3 * kHour, 40)})}), std::int64_t{2});
    QCOMPARE(s.write({metricBatch({point(kT0 + 2 * kHour, 25)})}), std::int64_t{1});
    // A reset (new start) then a point before everything else: it counts whole, and so does the old first.
    QCOMPARE(s.write({metricBatch({point(kT0 + 4 * kHour, 7, kT0 + 4 * kHour - kMin)})}), std::int64_t{1});
    QCOMPARE(s.write({metricBatch({point(kT0 + kHour / 2, 4)})}), std::int64_t{1});
    const std::string mismatch = test::pageRollupMismatch(s.path);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
    query::Reader r(s.path);
    QCOMPARE(r.metricTotals(0, 0).tokens.input, std::int64_t{4 + 6 + 15 + 15 + 7});
    QCOMPARE(r.metricTotals(kT0 + 2 * kHour, 0).tokens.input, std::int64_t{15 + 15 + 7});
  }
};

QTEST_GUILESS_MAIN(TestRollups)
#include "tst_rollups.moc"
