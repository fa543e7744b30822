// Reader: the events table, the costs and tools pages, and the ingest page.

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "model/EventSchema.h"
#include "store/PageRollups.h"
#include "store/Schema.h"
#include "query/Reader.h"
#include "query/ReaderRange.h"

namespace cctv::query {

using store::Statement;

namespace {

using store::kNsPerDay;


bool isEventColumn(const std::string& c) {
  const auto cols = Reader::eventColumns();
  return std::find(cols.begin(), cols.end(), c) != cols.end();
}

// The expression over event_data (alias e) that sorts like events-view column `c`, using indexes where
// there are some (time, sequence).
std::string baseSortExpression(const std::string& c) {
  if (c == "timeUnixNano" || c == "event_timestamp") return "e.time_ns";
  if (c == "id") return "e.id";
  if (c == "observedTimeUnixNano") return "coalesce(e.observed_ns, e.time_ns)";
  if (c == "session_id") return "(SELECT session_id FROM sessions WHERE id = e.session_id_ref)";
  if (c == "prompt_id") return "(SELECT prompt_id FROM prompts WHERE id = e.prompt_id_ref)";
  const int f = model::fieldByName(c);
  if (f >= 0) {
    if (f == model::F::event_name || model::eventFields()[f].interned)
      return "(SELECT s FROM dict WHERE id = e.\"" + c + "_ref\")";
    return "e.\"" + c + "\"";
  }
  return "e.time_ns";
}

// The nearest-rank percentile p of the durations counted in `buckets` (bucket -> how many, their sum): the mean
// of the bucket that holds it, so within that bucket's width of the exact value (store/PageRollups.h).
double histogramPercentile(const std::map<int, std::pair<std::int64_t, double>>& buckets, double p) {
  std::int64_t n = 0;
  for (const auto& [bucket, nd] : buckets) n += nd.first;
  if (n == 0) return 0;
  const auto k = std::min<std::int64_t>(n - 1, std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(p * static_cast<double>(n))) - 1));
  std::int64_t seen = 0;
  for (const auto& [bucket, nd] : buckets) {
    seen += nd.first;
    if (seen > k) return nd.second / static_cast<double>(nd.first);
  }
  return 0;
}

std::int64_t fileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

}  // namespace

std::vector<std::string> Reader::eventColumns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c = {"id", "timeUnixNano", "observedTimeUnixNano", "body", "droppedAttributesCount"};
    for (int i = 0; i < model::kFieldCount; ++i) c.emplace_back(model::eventFields()[i].name);
    for (const char* extra : {"attributes", "resource", "scope_name", "scope_version", "severityNumber",
                              "severityText", "flags", "traceId", "spanId", "extra_attributes"})
      c.emplace_back(extra);
    return c;
  }();
  return cols;
}

std::vector<std::string> Reader::defaultEventColumns() {
  return {"timeUnixNano", "event_name", "session_id", "prompt_id", "event_sequence", "tool_name", "model",
          "duration_ms", "success", "cost_usd", "input_tokens", "output_tokens"};
}

std::int64_t Reader::eventCount(std::int64_t sessionRef, std::int64_t nameRef) {
  // From the roll-ups (kept in the same transaction as the rows): count(*) over millions of rows took longer
  // than the page itself. Events without a session id have no roll-up; the session index counts them.
  if (sessionRef < 0 || nameRef < 0) return 0;  // an unknown session or name matches nothing
  std::string sql;
  if (sessionRef && nameRef) sql = "SELECT coalesce((SELECT n FROM session_event_counts WHERE session_ref = ?1 AND name_ref = ?2), 0)";
  else if (sessionRef) sql = "SELECT coalesce((SELECT events FROM sessions WHERE id = ?1), 0)";
  else if (nameRef)
    sql = "SELECT coalesce((SELECT sum(n) FROM session_event_counts WHERE name_ref = ?2), 0) + "
          "(SELECT count(*) FROM event_data WHERE session_id_ref IS NULL AND event_name_ref = ?2)";
  else
    sql = "SELECT coalesce((SELECT sum(events) FROM sessions), 0) + "
          "(SELECT count(*) FROM event_data WHERE session_id_ref IS NULL)";
  Statement st = db_.prepare(sql);
  if (sqlite3_bind_parameter_index(st.handle(), "?1")) st.bind(1, sessionRef);
  if (sqlite3_bind_parameter_index(st.handle(), "?2")) st.bind(2, nameRef);
  return st.step() ? st.columnInt(0) : 0;
}

data::EventPage Reader::events(const data::EventQuery& q) {
  data::EventPage page;
  page.columns = q.columns.empty() ? defaultEventColumns() : q.columns;
  page.columns.erase(std::remove_if(page.columns.begin(), page.columns.end(),
                                    [](const std::string& c) { return !isEventColumn(c) || c == "id"; }),
                     page.columns.end());
  // Filters run on the stored table, where session, prompt and names are indexed integers.
  std::string where = "1";
  std::int64_t sessionFilter = 0, nameRef = 0, promptFilter = 0;
  if (!q.sessionId.empty()) {
    sessionFilter = sessionRef(q.sessionId);
    if (!sessionFilter) sessionFilter = -1;  // unknown session: match nothing
    where += " AND e.session_id_ref = :session";
  }
  if (!q.promptId.empty()) {
    promptFilter = promptRef(q.promptId);
    if (!promptFilter) promptFilter = -1;  // unknown prompt: match nothing
    where += promptFilter > 0 ? " AND " + store::promptRowsWhere(db_, promptFilter) : std::string(" AND 0");
  }
  if (!q.eventName.empty()) {
    nameRef = dictId(q.eventName);
    if (!nameRef) nameRef = -1;
    // With a session as well, the session's rows are few: the unary + keeps SQLite from walking the
    // (event name, time) index over every session's events of that name instead.
    where += sessionFilter ? " AND +e.event_name_ref = :name" : " AND e.event_name_ref = :name";
  }
  if (!q.search.empty())
    where += " AND (e.extra LIKE :like OR e.prompt LIKE :like OR e.tool_parameters LIKE :like OR e.tool_input LIKE "
             ":like OR e.error LIKE :like OR e.error_type LIKE :like OR e.body LIKE :like OR e.hook_name LIKE :like "
             "OR e.request_id LIKE :like OR e.tool_use_id LIKE :like OR e.response LIKE :like OR "
             "(SELECT s FROM dict WHERE id = e.tool_name_ref) LIKE :like OR "
             "(SELECT s FROM dict WHERE id = e.model_ref) LIKE :like OR "
             "(SELECT s FROM dict WHERE id = e.event_name_ref) LIKE :like)";
  const std::string like = "%" + q.search + "%";
  auto bindFilters = [&](Statement& st) {
    auto idx = [&](const char* n) { return sqlite3_bind_parameter_index(st.handle(), n); };
    if (int i = idx(":session")) st.bind(i, sessionFilter);
    if (int i = idx(":name")) st.bind(i, nameRef);
    if (int i = idx(":like")) st.bind(i, like);
  };
  if (q.search.empty() && q.promptId.empty()) {
    page.total = eventCount(sessionFilter, nameRef);
  } else {
    // Free text has no index: count matches up to a cap rather than scan millions of rows for an exact total.
    // (A prompt's events are few; they are counted the same way.)
    Statement st = db_.prepare("SELECT count(*) FROM (SELECT 1 FROM event_data e WHERE " + where + " LIMIT " +
                               std::to_string(kSearchCountCap + 1) + ")");
    bindFilters(st);
    page.total = st.step() ? st.columnInt(0) : 0;
    if (page.total > kSearchCountCap) {
      page.total = kSearchCountCap;
      page.totalCapped = true;
    }
  }
  const std::string sortCol = isEventColumn(q.sortColumn) ? q.sortColumn : "timeUnixNano";
  const char* dir = q.ascending ? "ASC" : "DESC";
  std::string cols;
  for (const std::string& c : page.columns) cols += ", \"" + c + "\"";
  // Pick the page's ids on the table (index-friendly), then read their display columns from the view.
  const std::string sql = "SELECT id" + cols + " FROM events WHERE id IN (SELECT e.id FROM event_data e WHERE " +
                          where + " ORDER BY " + baseSortExpression(sortCol) + " " + dir + ", e.id " + dir +
                          " LIMIT :limit OFFSET :offset) ORDER BY \"" + sortCol + "\" " + dir + ", id " + dir;
  Statement st = db_.prepare(sql);
  bindFilters(st);
  st.bind(sqlite3_bind_parameter_index(st.handle(), ":limit"), std::int64_t{q.limit});
  st.bind(sqlite3_bind_parameter_index(st.handle(), ":offset"), q.offset);
  while (st.step()) {
    page.ids.push_back(st.columnInt(0));
    std::vector<std::string> row;
    row.reserve(page.columns.size());
    for (std::size_t i = 0; i < page.columns.size(); ++i) row.push_back(st.columnText(static_cast<int>(i) + 1));
    page.rows.push_back(std::move(row));
  }
  return page;
}

std::vector<data::DailyCost> Reader::dailyCosts(std::int64_t fromNs, std::int64_t toNs) {
  Statement st = db_.prepare(
      "SELECT m.day, d.s, m.cost_usd, m.input_tokens, m.output_tokens, m.cache_read_tokens, m.cache_creation_tokens, "
      "m.api_requests FROM daily_models m JOIN dict d ON d.id = m.model_ref WHERE m.day >= ?1 AND m.day <= ?2 "
      "ORDER BY m.day, d.s");
  st.bind(1, fromNs / kNsPerDay);
  st.bind(2, toNs ? toNs / kNsPerDay : std::numeric_limits<std::int64_t>::max());
  std::vector<data::DailyCost> out;
  while (st.step()) {
    data::DailyCost c;
    c.dayStartNs = st.columnInt(0) * kNsPerDay;
    c.model = st.columnText(1);
    c.costUsd = st.columnDouble(2);
    c.tokens = {st.columnInt(3), st.columnInt(4), st.columnInt(5), st.columnInt(6)};
    c.requests = st.columnInt(7);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<data::SessionSummary> Reader::topSessionsByCost(std::int64_t fromNs, std::int64_t toNs, int n) {
  data::SessionFilter f;
  f.fromNs = fromNs;
  f.toNs = toNs;
  f.limit = 1 << 30;
  std::vector<data::SessionSummary> all = sessions(f);
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.costUsd > b.costUsd; });
  if (all.size() > static_cast<std::size_t>(n)) all.resize(static_cast<std::size_t>(n));
  return all;
}

std::int64_t Reader::sessionCount(std::int64_t fromNs, std::int64_t toNs) {
  Statement st = db_.prepare(
      "SELECT count(*) FROM sessions WHERE first_ns IS NOT NULL AND last_ns >= ?1 AND first_ns <= ?2");
  st.bind(1, fromNs);
  st.bind(2, rangeEnd(toNs));
  return st.step() ? st.columnInt(0) : 0;
}

std::vector<data::CumulativePoint> Reader::cumulativeCost(const std::string& sessionId) {
  Statement st = db_.prepare(
      "SELECT e.time_ns, e.cost_usd FROM event_data e WHERE e.session_id_ref = (SELECT id FROM sessions WHERE "
      "session_id = ?1) AND +e.event_name_ref = ?2 ORDER BY e.time_ns, e.id");  // +: the session's rows, not every api_request
  st.bind(1, sessionId);
  st.bind(2, dictId("api_request"));
  std::vector<data::CumulativePoint> out;
  double total = 0;
  while (st.step()) {
    total += st.columnDouble(1);
    out.push_back({st.columnInt(0), total});
  }
  return out;
}

std::vector<data::ToolStats> Reader::toolStats(std::int64_t fromNs, std::int64_t toNs) {
  // By tool_name_ref (0: none): the daily roll-ups for the whole UTC days of the range, the rows for the rest.
  struct Tool {
    data::ToolStats stats;
    std::map<int, std::pair<std::int64_t, double>> durations;  // bucket -> (how many, sum of ms)
    std::map<std::string, std::int64_t> rejections;             // by source
  };
  std::map<std::int64_t, Tool> byRef;
  const RangeSplit split = splitRange(fromNs, toNs, kNsPerDay);
  if (split.hasUnits()) {
    auto days = [&](const char* sql) {
      Statement st = db_.prepare(sql);
      st.bind(1, split.firstUnit);
      st.bind(2, split.lastUnit);
      return st;
    };
    Statement calls = days("SELECT tool_ref, sum(calls), sum(successes), sum(failures) FROM daily_tools "
                           "WHERE day BETWEEN ?1 AND ?2 GROUP BY 1");
    while (calls.step()) {
      data::ToolStats& t = byRef[calls.columnInt(0)].stats;
      t.calls += calls.columnInt(1);
      t.successes += calls.columnInt(2);
      t.failures += calls.columnInt(3);
    }
    Statement durations = days("SELECT tool_ref, bucket, sum(n), sum(duration_ms) FROM daily_tool_durations "
                               "WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2");
    while (durations.step()) {
      auto& b = byRef[durations.columnInt(0)].durations[static_cast<int>(durations.columnInt(1))];
      b.first += durations.columnInt(2);
      b.second += durations.columnDouble(3);
    }
    Statement rejections = days("SELECT tool_ref, source, sum(n) FROM daily_tool_rejections "
                                "WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2");
    while (rejections.step()) byRef[rejections.columnInt(0)].rejections[rejections.columnText(1)] += rejections.columnInt(2);
  }
  for (const auto& [a, b] : split.raw) {
    Statement st = db_.prepare(
        "SELECT coalesce(e.tool_name_ref, 0), e.success IS 1, e.success IS 0, CASE WHEN typeof(e.duration_ms) IN "
        "('integer', 'real') THEN e.duration_ms END FROM event_data e WHERE e.event_name_ref = ?1 AND e.time_ns >= ?2 "
        "AND e.time_ns <= ?3");
    st.bind(1, dictId("tool_result"));
    st.bind(2, a);
    st.bind(3, b);
    while (st.step()) {
      Tool& t = byRef[st.columnInt(0)];
      ++t.stats.calls;
      t.stats.successes += st.columnInt(1);
      t.stats.failures += st.columnInt(2);
      if (!st.columnIsNull(3)) {
        const double ms = st.columnDouble(3);
        auto& bucket = t.durations[store::durationBucket(ms)];
        ++bucket.first;
        bucket.second += ms;
      }
    }
    Statement rej = db_.prepare(
        "SELECT coalesce(e.tool_name_ref, 0), coalesce(e.source, ''), count(*) FROM event_data e WHERE "
        "e.event_name_ref = ?1 AND e.decision = 'reject' AND e.time_ns >= ?2 AND e.time_ns <= ?3 GROUP BY 1, 2");
    rej.bind(1, dictId("tool_decision"));
    rej.bind(2, a);
    rej.bind(3, b);
    while (rej.step()) byRef[rej.columnInt(0)].rejections[rej.columnText(1)] += rej.columnInt(2);
  }
  // By name (what the page shows), then the percentiles and the rejections.
  std::map<std::string, Tool> byTool;
  Statement name = db_.prepare("SELECT s FROM dict WHERE id = ?");
  for (auto& [ref, t] : byRef) {
    name.bind(1, ref);
    const std::string tool = name.step() ? name.columnText(0) : std::string();
    name.reset();
    Tool& into = byTool[tool];
    into.stats.toolName = tool;
    into.stats.calls += t.stats.calls;
    into.stats.successes += t.stats.successes;
    into.stats.failures += t.stats.failures;
    for (const auto& [bucket, nd] : t.durations) {
      into.durations[bucket].first += nd.first;
      into.durations[bucket].second += nd.second;
    }
    for (const auto& [source, n] : t.rejections) into.rejections[source] += n;
  }
  std::vector<data::ToolStats> out;
  for (auto& [tool, t] : byTool) {
    t.stats.p50Ms = histogramPercentile(t.durations, 0.50);
    t.stats.p95Ms = histogramPercentile(t.durations, 0.95);
    for (const auto& [source, n] : t.rejections) {
      t.stats.rejections += n;
      t.stats.rejectionsBySource.emplace_back(source, n);
    }
    std::stable_sort(t.stats.rejectionsBySource.begin(), t.stats.rejectionsBySource.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    out.push_back(std::move(t.stats));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.calls > b.calls; });
  return out;
}

std::vector<data::ApiErrorStats> Reader::apiErrors(std::int64_t fromNs, std::int64_t toNs) {
  // (event name, model, status code; 0 and -1 for none) -> how many: the daily roll-ups for the whole UTC days
  // of the range, the rows for the rest.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t> counts;
  const RangeSplit split = splitRange(fromNs, toNs, kNsPerDay);
  if (split.hasUnits()) {
    Statement st = db_.prepare("SELECT name_ref, model_ref, status_code, sum(n) FROM daily_api_errors WHERE day "
                               "BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3");
    st.bind(1, split.firstUnit);
    st.bind(2, split.lastUnit);
    while (st.step()) counts[{st.columnInt(0), st.columnInt(1), st.columnInt(2)}] += st.columnInt(3);
  }
  for (const auto& [a, b] : split.raw) {
    Statement st = db_.prepare(
        "SELECT e.event_name_ref, coalesce(e.model_ref, 0), coalesce(e.status_code, -1), count(*) FROM event_data e "
        "WHERE e.event_name_ref IN (?1, ?2, ?3) AND e.time_ns >= ?4 AND e.time_ns <= ?5 GROUP BY 1, 2, 3");
    st.bind(1, dictId("api_error"));
    st.bind(2, dictId("api_retries_exhausted"));
    st.bind(3, dictId("api_refusal"));
    st.bind(4, a);
    st.bind(5, b);
    while (st.step()) counts[{st.columnInt(0), st.columnInt(1), st.columnInt(2)}] += st.columnInt(3);
  }
  std::vector<std::pair<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t>> order(counts.begin(),
                                                                                                    counts.end());
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Statement text = db_.prepare("SELECT s FROM dict WHERE id = ?");
  auto dictText = [&](std::int64_t id) {
    text.bind(1, id);
    std::string s = text.step() ? text.columnText(0) : std::string();
    text.reset();
    return s;
  };
  // The newest message of each group, over all time: the newest day the roll-up has for the group, then that
  // day's rows (the time index, where the name is checked without reading the row), newest first.
  Statement lastDay = db_.prepare(
      "SELECT max(day) FROM daily_api_errors WHERE name_ref = ?1 AND model_ref = ?2 AND status_code = ?3");
  Statement last = db_.prepare(
      "SELECT coalesce(error, '') FROM event_data WHERE event_name_ref = ?1 AND model_ref IS ?2 AND status_code IS ?3 "
      "AND time_ns >= ?4 AND time_ns < ?5 ORDER BY time_ns DESC LIMIT 1");
  std::vector<data::ApiErrorStats> out;
  for (const auto& [key, n] : order) {
    const auto [nameRef, modelRef, status] = key;
    data::ApiErrorStats a;
    a.eventName = dictText(nameRef);
    a.model = modelRef ? dictText(modelRef) : std::string();
    a.statusCode = status == -1 ? 0 : status;
    a.count = n;
    lastDay.bind(1, nameRef);
    lastDay.bind(2, modelRef);
    lastDay.bind(3, status);
    const bool hasDay = lastDay.step() && !lastDay.columnIsNull(0);
    const std::int64_t day = hasDay ? lastDay.columnInt(0) : 0;
    lastDay.reset();
    last.bind(1, nameRef);
    last.bindIntOrNull(2, modelRef, modelRef == 0);
    last.bindIntOrNull(3, status, status == -1);
    last.bind(4, hasDay ? day * kNsPerDay : std::int64_t{0});
    last.bind(5, hasDay ? (day + 1) * kNsPerDay : std::numeric_limits<std::int64_t>::max());
    a.lastError = last.step() ? last.columnText(0) : std::string();
    last.reset();
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<data::IngestLogRow> Reader::ingestLog(int limit, bool onlyProblems) {
  Statement st = db_.prepare(
      std::string("SELECT id, received_at, transport, coalesce(path, ''), coalesce(content_type, ''), "
                  "coalesce(content_encoding, ''), coalesce(message, ''), coalesce(remote, ''), "
                  "coalesce(user_agent, ''), bytes, status, accepted, rejected, duplicates FROM ingest_log ") +
      // status is the HTTP status, or the gRPC code (0 = OK) for gRPC requests, or the upstream's HTTP status
      // (0: no answer) for forwarding.
      (onlyProblems ? "WHERE CASE transport WHEN 'grpc' THEN status <> 0 WHEN 'forward' THEN status NOT BETWEEN 200 "
                      "AND 299 ELSE status <> 200 END OR rejected > 0 "
                    : "") +
      "ORDER BY id DESC LIMIT ?");
  st.bind(1, std::int64_t{limit});
  std::vector<data::IngestLogRow> out;
  while (st.step()) {
    data::IngestLogRow r;
    r.id = st.columnInt(0);
    r.receivedAtNs = st.columnInt(1);
    r.transport = st.columnText(2);
    r.path = st.columnText(3);
    r.contentType = st.columnText(4);
    r.contentEncoding = st.columnText(5);
    r.message = st.columnText(6);
    r.remote = st.columnText(7);
    r.userAgent = st.columnText(8);
    r.bytes = st.columnInt(9);
    r.status = static_cast<int>(st.columnInt(10));
    r.accepted = st.columnInt(11);
    r.rejected = st.columnInt(12);
    r.duplicates = st.columnInt(13);
    out.push_back(std::move(r));
  }
  return out;
}

data::StoreTotals Reader::totals() {
  data::StoreTotals t;
  // Roll-ups instead of count(*) over millions of rows: this runs several times a second.
  Statement st = db_.prepare(
      "SELECT coalesce((SELECT sum(events) FROM sessions), 0) + "
      "(SELECT count(*) FROM event_data WHERE session_id_ref IS NULL), "
      "(SELECT count(*) FROM metric_data), (SELECT count(*) FROM span_data), "
      "(SELECT count(*) FROM sessions WHERE first_ns IS NOT NULL), (SELECT max(time_ns) FROM event_data), "
      "coalesce((SELECT sum(cost_usd) FROM sessions), 0)");
  if (st.step()) {
    t.events = st.columnInt(0);
    t.points = st.columnInt(1);
    t.spans = st.columnInt(2);
    t.sessions = st.columnInt(3);
    t.lastEventNs = st.columnInt(4);
    t.costUsd = st.columnDouble(5);
  }
  t.fileBytes = fileSize(path_) + fileSize(path_ + "-wal");
  return t;
}

}  // namespace cctv::query
