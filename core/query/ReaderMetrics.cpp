// Reader: Claude Code's metrics (totals per session and per range, a metric over time by a dimension) and their
// reconciliation with the api_request events.

#include <algorithm>
#include <map>

#include "query/MetricMath.h"
#include "query/Reader.h"
#include "query/ReaderRange.h"
#include "store/PageRollups.h"
#include "store/Schema.h"

namespace cctv::query {

using store::Statement;

namespace {

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

// The increments (series_ref, time_ns, inc) of the sum series `seriesWhere` selects whose points pass
// `timeWhere` (a condition on d.time_ns). Delta points need no predecessor, so they are filtered by time directly
// (the metric_data_time index); only cumulative series with points in the range go through the window that
// differences them.
std::string incrementsUnionSql(const std::string& seriesWhere, const std::string& timeWhere) {
  return "SELECT d.series_ref AS series_ref, d.time_ns AS time_ns, coalesce(d.value, d.int_value) AS inc"
         // By time: the planner would otherwise walk every point of the selected series.
         " FROM metric_data d INDEXED BY metric_data_time JOIN metric_series s ON s.id = d.series_ref"
         " WHERE s.type = 2 AND s.temporality != 2 AND (" + seriesWhere + ") AND (" + timeWhere + ")"
         " UNION ALL SELECT c.series_ref, c.time_ns, c.inc FROM (" +
         store::metricIncrementsSql("s.temporality = 2 AND (" + seriesWhere + ") AND s.id IN (SELECT d.series_ref "
                                    "FROM metric_data d WHERE " + timeWhere + ")") +
         ") c WHERE " + replaceAll(timeWhere, "d.time_ns", "c.time_ns");
}

std::string between(const char* column, std::int64_t a, std::int64_t b) {
  return std::string(column) + " BETWEEN " + std::to_string(a) + " AND " + std::to_string(b);
}

// "h.series_ref IN (the series `seriesWhere` selects) AND ", or nothing for every series (metric_hours holds
// sum series only). An IN list, not a join: metric_hours is then read in key order, already grouped by series.
std::string seriesIn(const std::string& seriesWhere) {
  if (seriesWhere == "1") return {};
  return "h.series_ref IN (SELECT s.id FROM metric_series s WHERE " + seriesWhere + ") AND ";
}

// A range cut into whole UTC hours and the raw intervals at its ends that hold points (an empty edge, like the
// first hour of "all time", would only make the query slower).
RangeSplit hourSplit(store::Database& db, std::int64_t fromNs, std::int64_t toNs) {
  RangeSplit split = splitRange(fromNs, toNs, store::kNsPerHour);
  Statement any = db.prepare("SELECT 1 FROM metric_data WHERE time_ns BETWEEN ?1 AND ?2 LIMIT 1");
  std::vector<std::pair<std::int64_t, std::int64_t>> raw;
  for (const auto& [a, b] : split.raw) {
    any.bind(1, a);
    any.bind(2, b);
    if (any.step()) raw.emplace_back(a, b);
    any.reset();
  }
  split.raw = std::move(raw);
  return split;
}

// Per series (series_ref, total, n, last): the summed increments, the points and the newest point's time of the
// sum series `seriesWhere` selects, over the points of `split`: metric_hours for its whole UTC hours, the points
// themselves for the rest.
std::string seriesSumsSql(const std::string& seriesWhere, const RangeSplit& split) {
  std::string parts = "SELECT h.series_ref AS series_ref, h.inc AS inc, h.points AS n, h.last_ns AS last FROM "
                      "metric_hours h WHERE " + seriesIn(seriesWhere) + between("h.hour", split.firstUnit, split.lastUnit);
  for (const auto& [a, b] : split.raw)
    parts += " UNION ALL SELECT series_ref, inc, 1, time_ns FROM (" +
             incrementsUnionSql(seriesWhere, between("d.time_ns", a, b)) + ")";
  return "SELECT series_ref, sum(inc) AS total, sum(n) AS n, max(last) AS last FROM (" + parts + ") GROUP BY series_ref";
}

// The same over every point of the series.
std::string wholeSeriesSumsSql(const std::string& seriesWhere) {
  return "SELECT h.series_ref AS series_ref, sum(h.inc) AS total, sum(h.points) AS n, max(h.last_ns) AS last FROM "
         "metric_hours h WHERE " + seriesIn(seriesWhere) + "1 GROUP BY h.series_ref";
}

// Reads each summed series' session, metric, type and decision once (JSON is parsed per series, not per point).
// `sums` is seriesSumsSql or wholeSeriesSumsSql.
std::string groupedIncrementsSql(const std::string& sums) {
  return "SELECT s.session_ref, s.metric_name, json_extract(s.attributes, '$.type'), "
         "json_extract(s.attributes, '$.decision'), g.total, g.n, g.last FROM (" + sums +
         ") g JOIN metric_series s ON s.id = g.series_ref";
}

void fold(Statement& st, std::map<std::int64_t, data::MetricTotals>& bySession) {
  // Columns: session ref, metric, type, decision, summed increment, points, newest point.
  while (st.step()) {
    addMetricIncrement(bySession[st.columnInt(0)], st.columnText(1), st.columnText(2), st.columnText(3),
                       st.columnDouble(4), st.columnInt(5), st.columnInt(6));
  }
}

data::MetricTotals merged(const std::map<std::int64_t, data::MetricTotals>& bySession) {
  data::MetricTotals all;
  for (const auto& [ref, t] : bySession) {
    all.points += t.points;
    all.costUsd += t.costUsd;
    all.tokens.input += t.tokens.input;
    all.tokens.output += t.tokens.output;
    all.tokens.cacheRead += t.tokens.cacheRead;
    all.tokens.cacheCreation += t.tokens.cacheCreation;
    all.linesAdded += t.linesAdded;
    all.linesRemoved += t.linesRemoved;
    all.commits += t.commits;
    all.pullRequests += t.pullRequests;
    all.activeCliSeconds += t.activeCliSeconds;
    all.activeUserSeconds += t.activeUserSeconds;
    all.editAccepts += t.editAccepts;
    all.editRejects += t.editRejects;
    all.sessionsStarted += t.sessionsStarted;
    all.lastPointNs = std::max(all.lastPointNs, t.lastPointNs);
  }
  return all;
}

// A JSON path for one attribute key: $."key" (keys like session.id contain dots). Quotes cannot be escaped
// in SQLite's JSON paths, so a key with one matches nothing rather than something else.
std::string attributePath(const std::string& key) {
  if (key.find('"') != std::string::npos) return "$.\"\x01\"";
  return "$.\"" + key + "\"";
}

}  // namespace

data::MetricTotals Reader::sessionMetrics(const std::string& sessionId) {
  const std::int64_t ref = sessionRef(sessionId);
  if (!ref) return {};
  Statement st = db_.prepare(groupedIncrementsSql(wholeSeriesSumsSql("s.session_ref = ?1")));
  st.bind(1, ref);
  std::map<std::int64_t, data::MetricTotals> bySession;
  fold(st, bySession);
  return merged(bySession);
}

data::MetricTotals Reader::metricTotals(std::int64_t fromNs, std::int64_t toNs) {
  Statement st = db_.prepare(groupedIncrementsSql(seriesSumsSql("1", hourSplit(db_, fromNs, toNs))));
  std::map<std::int64_t, data::MetricTotals> bySession;
  fold(st, bySession);
  return merged(bySession);
}

std::vector<data::MetricBucket> Reader::metricOverTime(const std::string& metric, const std::string& dimension,
                                                       std::int64_t fromNs, std::int64_t toNs, std::int64_t bucketNs) {
  bucketNs = std::max<std::int64_t>(bucketNs, 1);
  const std::string key = dimension == "session"
                              ? "(SELECT session_id FROM sessions WHERE id = s.session_ref)"
                              : dimension.empty() ? "''" : "json_extract(s.attributes, ?2)";
  // Buckets of whole hours come from metric_hours for the hours the range covers whole; finer buckets, and the
  // rest of the range, from the points.
  const std::string bucket = std::to_string(bucketNs);
  std::string parts = "SELECT NULL AS series_ref, NULL AS bucket, NULL AS inc WHERE 0";
  std::vector<std::pair<std::int64_t, std::int64_t>> raw = {{fromNs, rangeEnd(toNs)}};
  if (bucketNs % store::kNsPerHour == 0) {
    const RangeSplit split = hourSplit(db_, fromNs, toNs);
    parts = "SELECT h.series_ref AS series_ref, (h.hour * " + std::to_string(store::kNsPerHour) + " / " + bucket +
            ") * " + bucket + " AS bucket, h.inc AS inc FROM metric_hours h WHERE " + seriesIn("s.metric_name = ?1") +
            between("h.hour", split.firstUnit, split.lastUnit);
    raw = split.raw;
  }
  for (const auto& [a, b] : raw)
    parts += " UNION ALL SELECT series_ref, (time_ns / " + bucket + ") * " + bucket + ", inc FROM (" +
             incrementsUnionSql("s.metric_name = ?1", between("d.time_ns", a, b)) + ")";
  // Summed per series and bucket first; the key (JSON) is computed once per series.
  Statement st = db_.prepare("WITH k AS MATERIALIZED (SELECT s.id AS id, coalesce(" + key + ", '') AS key FROM "
                             "metric_series s WHERE s.metric_name = ?1) SELECT g.bucket, k.key, sum(g.total) FROM "
                             "(SELECT series_ref, bucket, sum(inc) AS total FROM (" + parts + ") GROUP BY 1, 2) g "
                             "JOIN k ON k.id = g.series_ref GROUP BY 1, 2 ORDER BY 1, 2");
  st.bind(1, metric);
  const std::string path = attributePath(dimension);  // bound without a copy: must outlive step()
  if (sqlite3_bind_parameter_index(st.handle(), "?2") > 0) st.bind(2, path);
  std::vector<data::MetricBucket> out;
  while (st.step()) out.push_back({st.columnInt(0), st.columnText(1), st.columnDouble(2)});
  return out;
}

std::pair<std::int64_t, std::int64_t> Reader::metricTimeRange() {
  // Two subqueries: min() and max() in one SELECT read the whole index (0.2 s CPU on 2.1M points), each alone
  // reads one end of it.
  Statement st = db_.prepare("SELECT (SELECT coalesce(min(time_ns), 0) FROM metric_data), "
                             "(SELECT coalesce(max(time_ns), 0) FROM metric_data)");
  return st.step() ? std::make_pair(st.columnInt(0), st.columnInt(1)) : std::make_pair(std::int64_t{0}, std::int64_t{0});
}

std::vector<std::string> Reader::metricNames() {
  Statement st = db_.prepare("SELECT DISTINCT metric_name FROM metric_series ORDER BY metric_name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.columnText(0));
  return out;
}

std::vector<data::Reconciliation> Reader::reconciliation(std::int64_t fromNs, std::int64_t toNs, int limit) {
  // The sessions active in the range, newest first, with their event roll-ups...
  std::vector<data::Reconciliation> out;
  std::map<std::int64_t, std::size_t> index;
  {
    Statement st = db_.prepare(
        "SELECT id, session_id, first_ns, last_ns, cost_usd, input_tokens, output_tokens, cache_read_tokens, "
        "cache_creation_tokens, api_requests FROM sessions WHERE first_ns IS NOT NULL AND last_ns >= ?1 AND "
        "first_ns <= ?2 ORDER BY first_ns DESC, id DESC LIMIT ?3");
    st.bind(1, fromNs);
    st.bind(2, rangeEnd(toNs));
    st.bind(3, std::int64_t{limit});
    while (st.step()) {
      data::Reconciliation r;
      r.sessionId = st.columnText(1);
      r.firstNs = st.columnInt(2);
      r.lastNs = st.columnInt(3);
      r.eventCostUsd = st.columnDouble(4);
      r.eventTokens = {st.columnInt(5), st.columnInt(6), st.columnInt(7), st.columnInt(8)};
      r.apiRequests = st.columnInt(9);
      index[st.columnInt(0)] = out.size();
      out.push_back(std::move(r));
    }
  }
  if (out.empty()) return out;
  // ...and the metric totals of the same sessions, whole (a session's metrics are not cut by the range).
  Statement st = db_.prepare(groupedIncrementsSql(wholeSeriesSumsSql(
      "s.session_ref IN (SELECT id FROM sessions WHERE first_ns IS NOT NULL AND last_ns >= ?1 AND first_ns <= ?2 "
      "ORDER BY first_ns DESC, id DESC LIMIT ?3)")));
  st.bind(1, fromNs);
  st.bind(2, rangeEnd(toNs));
  st.bind(3, std::int64_t{limit});
  std::map<std::int64_t, data::MetricTotals> bySession;
  fold(st, bySession);
  for (const auto& [ref, totals] : bySession) {
    const auto it = index.find(ref);
    if (it != index.end()) out[it->second].metrics = totals;
  }
  for (auto& r : out) reconcile(r);
  return out;
}

}  // namespace cctv::query
