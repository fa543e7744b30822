#include "store/PageRollups.h"

#include <algorithm>
#include <cmath>

#include "store/Schema.h"

namespace cctv::store {

namespace {

std::string dictRef(const char* text) { return std::string("(SELECT id FROM dict WHERE s = '") + text + "')"; }

const std::string& day() {
  static const std::string s = "time_ns / " + std::to_string(kNsPerDay);
  return s;
}

// The roll-up rows of the event_data rows that pass `filter`, one SELECT per table, in the tables' column
// order. The writer computes the same keys in C++ (RowWriter::writeEvent).
struct EventSelects {
  std::string tools, durations, rejections, apiErrors;
};

EventSelects eventSelects(const std::string& filter) {
  const std::string tool = "coalesce(tool_name_ref, 0)";
  const std::string toolResult = "event_name_ref = " + dictRef("tool_result");
  EventSelects s;
  s.tools = "SELECT " + day() + " AS day, " + tool + " AS tool_ref, count(*) AS calls, sum(success IS 1) AS successes, "
            "sum(success IS 0) AS failures FROM event_data WHERE " + toolResult + " AND (" + filter + ") GROUP BY 1, 2";
  s.durations = "SELECT " + day() + " AS day, " + tool + " AS tool_ref, cctv_duration_bucket(duration_ms) AS bucket, "
                "count(*) AS n, sum(duration_ms) AS duration_ms FROM event_data WHERE " + toolResult +
                " AND typeof(duration_ms) IN ('integer', 'real') AND (" + filter + ") GROUP BY 1, 2, 3";
  s.rejections = "SELECT " + day() + " AS day, " + tool + " AS tool_ref, coalesce(source, '') AS source, count(*) AS n "
                 "FROM event_data WHERE event_name_ref = " + dictRef("tool_decision") +
                 " AND decision = 'reject' AND (" + filter + ") GROUP BY 1, 2, 3";
  s.apiErrors = "SELECT " + day() + " AS day, event_name_ref AS name_ref, coalesce(model_ref, 0) AS model_ref, "
                "coalesce(status_code, -1) AS status_code, count(*) AS n FROM event_data WHERE event_name_ref IN (" +
                dictRef("api_error") + ", " + dictRef("api_retries_exhausted") + ", " + dictRef("api_refusal") +
                ") AND (" + filter + ") GROUP BY 1, 2, 3, 4";
  return s;
}

void bucketFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const int type = sqlite3_value_numeric_type(argv[0]);
  if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_int(ctx, durationBucket(sqlite3_value_double(argv[0])));
}

}  // namespace

int durationBucket(double ms) {
  if (!(ms >= 1)) return 0;  // below 1 ms, and NaN
  const double b = std::floor(std::log10(ms) * kDurationBucketsPerDecade);
  return 1 + static_cast<int>(std::min(b, 400.0));  // 400: 10^20 ms, past any real duration
}

std::string pageRollupTablesSql() {
  return R"SQL(
-- Per sum series and UTC hour (time_ns / 3600e9): its points' increments as metric_increments counts them
-- (summed), how many points, and the newest one's time. For the Metrics page. No index on hour: a range's
-- totals scan the table in key order (grouped by series already), which beat the index on 84k rows 4:1.
CREATE TABLE metric_hours (
  series_ref INTEGER NOT NULL, hour INTEGER NOT NULL,
  inc REAL NOT NULL DEFAULT 0, points INTEGER NOT NULL DEFAULT 0, last_ns INTEGER NOT NULL,
  PRIMARY KEY (series_ref, hour)) WITHOUT ROWID;

-- Per UTC day and tool (dict id, 0 for none): tool_result events, those with success true and false.
CREATE TABLE daily_tools (
  day INTEGER NOT NULL, tool_ref INTEGER NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0, successes INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, tool_ref)) WITHOUT ROWID;

-- Per UTC day, tool and duration bucket (0: below 1 ms; k: [10^((k-1)/20), 10^(k/20)) ms): how many tool_result
-- events had a duration_ms there, and its sum. For p50/p95.
CREATE TABLE daily_tool_durations (
  day INTEGER NOT NULL, tool_ref INTEGER NOT NULL, bucket INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0, duration_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, tool_ref, bucket)) WITHOUT ROWID;

-- Per UTC day, tool and source ('' for none): rejected tool_decision events.
CREATE TABLE daily_tool_rejections (
  day INTEGER NOT NULL, tool_ref INTEGER NOT NULL, source TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, tool_ref, source)) WITHOUT ROWID;

-- Per UTC day, event name (api_error, api_retries_exhausted, api_refusal), model (0 for none) and status code
-- (-1 for none): how many.
CREATE TABLE daily_api_errors (
  day INTEGER NOT NULL, name_ref INTEGER NOT NULL, model_ref INTEGER NOT NULL, status_code INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, name_ref, model_ref, status_code)) WITHOUT ROWID;
)SQL";
}

void registerRollupFunctions(Database& db) {
  const int rc = sqlite3_create_function(db.handle(), "cctv_duration_bucket", 1,
                                         SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                         bucketFunction, nullptr, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "cctv_duration_bucket");
}

void createRollupScratch(Database& db) {
  db.exec("CREATE TEMP TABLE IF NOT EXISTS rollup_series (id INTEGER PRIMARY KEY)");
}

void recomputeMetricHours(Database& db) {
  db.exec("DELETE FROM metric_hours WHERE series_ref IN (SELECT id FROM temp.rollup_series)");
  db.exec("INSERT INTO metric_hours (series_ref, hour, inc, points, last_ns) SELECT series_ref, time_ns / " +
          std::to_string(kNsPerHour) + ", total(inc), count(*), max(time_ns) FROM (" +
          metricIncrementsSql("s.id IN (SELECT id FROM temp.rollup_series)") + ") GROUP BY 1, 2");
  db.exec("DELETE FROM temp.rollup_series");
}

void backfillPageRollups(Database& db, const std::function<void(const std::string&)>& progress) {
  const auto report = [&](const std::string& step, const std::string& count) {
    if (progress) progress(step + " from " + std::to_string(db.queryInt(count)) + " rows");
  };
  const std::string hour = std::to_string(kNsPerHour);
  report("metric roll-ups", "SELECT count(*) FROM metric_data");
  // Delta points count as sent: no window needed. Cumulative ones are differenced per series.
  db.exec("INSERT INTO metric_hours (series_ref, hour, inc, points, last_ns) SELECT d.series_ref, d.time_ns / " + hour +
          ", total(coalesce(d.value, d.int_value)), count(*), max(d.time_ns) FROM metric_data d JOIN metric_series s "
          "ON s.id = d.series_ref WHERE s.type = 2 AND s.temporality != 2 GROUP BY 1, 2");
  db.exec("INSERT INTO metric_hours (series_ref, hour, inc, points, last_ns) SELECT series_ref, time_ns / " + hour +
          ", total(inc), count(*), max(time_ns) FROM (" + metricIncrementsSql("s.temporality = 2") + ") GROUP BY 1, 2");
  const EventSelects s = eventSelects("1");
  report("tool roll-ups", "SELECT count(*) FROM event_data WHERE event_name_ref IN (" + dictRef("tool_result") + ", " +
                              dictRef("tool_decision") + ")");
  db.exec("INSERT INTO daily_tools (day, tool_ref, calls, successes, failures) " + s.tools);
  db.exec("INSERT INTO daily_tool_durations (day, tool_ref, bucket, n, duration_ms) " + s.durations);
  db.exec("INSERT INTO daily_tool_rejections (day, tool_ref, source, n) " + s.rejections);
  report("API error roll-ups", "SELECT count(*) FROM event_data WHERE event_name_ref IN (" + dictRef("api_error") +
                                   ", " + dictRef("api_retries_exhausted") + ", " + dictRef("api_refusal") + ")");
  db.exec("INSERT INTO daily_api_errors (day, name_ref, model_ref, status_code, n) " + s.apiErrors);
}

void subtractDoomedEvents(Database& db) {
  const EventSelects s = eventSelects("id IN (SELECT id FROM temp.doomed_events)");
  db.exec("UPDATE daily_tools AS t SET calls = t.calls - d.calls, successes = t.successes - d.successes, "
          "failures = t.failures - d.failures FROM (" + s.tools + ") d WHERE t.day = d.day AND t.tool_ref = d.tool_ref");
  db.exec("DELETE FROM daily_tools WHERE calls = 0");
  db.exec("UPDATE daily_tool_durations AS t SET n = t.n - d.n, duration_ms = t.duration_ms - d.duration_ms FROM (" +
          s.durations + ") d WHERE t.day = d.day AND t.tool_ref = d.tool_ref AND t.bucket = d.bucket");
  db.exec("DELETE FROM daily_tool_durations WHERE n = 0");
  db.exec("UPDATE daily_tool_rejections AS t SET n = t.n - d.n FROM (" + s.rejections + ") d WHERE t.day = d.day AND "
          "t.tool_ref = d.tool_ref AND t.source = d.source");
  db.exec("DELETE FROM daily_tool_rejections WHERE n = 0");
  db.exec("UPDATE daily_api_errors AS t SET n = t.n - d.n FROM (" + s.apiErrors + ") d WHERE t.day = d.day AND "
          "t.name_ref = d.name_ref AND t.model_ref = d.model_ref AND t.status_code = d.status_code");
  db.exec("DELETE FROM daily_api_errors WHERE n = 0");
}

}  // namespace cctv::store
