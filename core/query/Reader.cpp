#include "query/Reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "model/EventSchema.h"
#include "store/Schema.h"

namespace cctv::query {

using store::Statement;

namespace {

std::int64_t intOr(const Statement& st, int i, std::int64_t fallback) {
  return st.columnIsNull(i) ? fallback : st.columnInt(i);
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// Text of a JSON member when the column holds valid JSON (json_extract fails on anything else).
std::string jsonMember(const char* column, const char* path) {
  return std::string("CASE WHEN json_valid(e.") + column + ") THEN json_extract(e." + column + ", '" + path + "') END";
}

const std::string& eventItemColumns() {
  static const std::string cols =
      "e.id, e.time_ns, (SELECT s FROM dict WHERE id = e.event_name_ref), e.event_sequence, "
      "(SELECT prompt_id FROM prompts WHERE id = e.prompt_id_ref), (SELECT s FROM dict WHERE id = e.tool_name_ref), "
      "(SELECT s FROM dict WHERE id = e.model_ref), coalesce(e.duration_ms, e.total_duration_ms), "
      // ttft_ms is only on api_request; parsing every row's extra JSON for it was most of a timeline's query.
      "CASE WHEN e.event_name_ref = (SELECT id FROM dict WHERE s = 'api_request') THEN " +
      jsonMember("extra", "$.ttft_ms") + " END" +
      ", e.success, e.decision, coalesce(e.source, e.decision_source), coalesce(e.error, e.error_type, e.error_name), "
      "e.status_code, coalesce(e.attempt, e.total_attempts), e.cost_usd, e.input_tokens, e.output_tokens, "
      "e.cache_read_tokens, e.cache_creation_tokens, lower(hex(e.trace_id)), lower(hex(e.span_id)), coalesce(" +
      jsonMember("tool_parameters", "$.full_command") + ", " + jsonMember("tool_input", "$.command") + ", " +
      jsonMember("tool_parameters", "$.file_path") + ", " + jsonMember("tool_input", "$.file_path") + ", " +
      jsonMember("tool_input", "$.pattern") + ", " + jsonMember("tool_parameters", "$.mcp_tool_name") +
      ", e.hook_name, e.command_name, e.prompt, e.skill_name, e.server_name, e.mention_type, e.to_mode, "
      "e.\"trigger\", e.status), e.request_id, e.tool_use_id";
  return cols;
}

data::EventItem readEventItem(const Statement& st) {
  data::EventItem e;
  e.id = st.columnInt(0);
  e.timeNs = st.columnInt(1);
  e.name = st.columnText(2);
  e.sequence = intOr(st, 3, -1);
  e.promptId = st.columnText(4);
  e.toolName = st.columnText(5);
  e.model = st.columnText(6);
  e.durationMs = intOr(st, 7, -1);
  e.ttftMs = intOr(st, 8, -1);
  e.success = static_cast<int>(intOr(st, 9, -1));
  e.decision = st.columnText(10);
  e.source = st.columnText(11);
  e.error = st.columnText(12);
  e.statusCode = intOr(st, 13, 0);
  e.attempt = intOr(st, 14, 0);
  e.costUsd = st.columnDouble(15);
  e.tokens.input = st.columnInt(16);
  e.tokens.output = st.columnInt(17);
  e.tokens.cacheRead = st.columnInt(18);
  e.tokens.cacheCreation = st.columnInt(19);
  e.traceId = st.columnText(20);
  e.spanId = st.columnText(21);
  e.summary = eventSummary(e, st.columnText(22));
  e.requestId = st.columnText(23);
  e.toolUseId = st.columnText(24);
  return e;
}

std::string formatDuration(std::int64_t ms) {
  char buf[32];
  if (ms < 1000) std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
  else if (ms < 60000) std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  else std::snprintf(buf, sizeof buf, "%lld min %lld s", static_cast<long long>(ms / 60000),
                     static_cast<long long>(ms / 1000 % 60));
  return buf;
}

std::string oneLine(std::string s, std::size_t max = 120) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) {
    s.resize(max);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80) s.pop_back();  // whole UTF-8 chars
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xc0) s.pop_back();
    s += "…";
  }
  return s;
}

const char* kSessionColumns =
    "s.id, s.session_id, s.first_ns, s.last_ns, (SELECT s FROM dict WHERE id = s.user_ref), "
    "(SELECT s FROM dict WHERE id = s.terminal_ref), "
    "(SELECT CASE WHEN json_valid(attributes) THEN json_extract(attributes, '$.\"service.version\"') END "
    " FROM resources WHERE id = s.resource_ref), "
    "(SELECT group_concat(d.s, ',') FROM session_models m JOIN dict d ON d.id = m.model_ref "
    " WHERE m.session_ref = s.id), "
    "s.events, s.prompts, s.api_requests, s.api_errors, s.tool_calls, s.tool_failures, s.tool_rejections, s.errors, "
    "s.input_tokens, s.output_tokens, s.cache_read_tokens, s.cache_creation_tokens, s.cost_usd";

data::SessionSummary readSession(const Statement& st) {
  data::SessionSummary s;
  s.ref = st.columnInt(0);
  s.sessionId = st.columnText(1);
  s.firstNs = st.columnInt(2);
  s.lastNs = st.columnInt(3);
  s.userId = st.columnText(4);
  s.terminal = st.columnText(5);
  s.appVersion = st.columnText(6);
  s.models = splitComma(st.columnText(7));
  s.events = st.columnInt(8);
  s.prompts = st.columnInt(9);
  s.apiRequests = st.columnInt(10);
  s.apiErrors = st.columnInt(11);
  s.toolCalls = st.columnInt(12);
  s.toolFailures = st.columnInt(13);
  s.toolRejections = st.columnInt(14);
  s.errors = st.columnInt(15);
  s.tokens.input = st.columnInt(16);
  s.tokens.output = st.columnInt(17);
  s.tokens.cacheRead = st.columnInt(18);
  s.tokens.cacheCreation = st.columnInt(19);
  s.costUsd = st.columnDouble(20);
  return s;
}

}  // namespace

std::string eventSummary(const data::EventItem& e, const std::string& detail) {
  char buf[160];
  const std::string d = oneLine(detail);
  if (e.name == "api_request") {
    std::snprintf(buf, sizeof buf, "%s · %s · $%.4f · %lld in / %lld out", e.model.c_str(),
                  formatDuration(std::max<std::int64_t>(e.durationMs, 0)).c_str(), e.costUsd,
                  static_cast<long long>(e.tokens.input + e.tokens.cacheRead + e.tokens.cacheCreation),
                  static_cast<long long>(e.tokens.output));
    return buf;
  }
  if (e.name == "api_error" || e.name == "api_retries_exhausted") {
    std::snprintf(buf, sizeof buf, "%lld %s (attempt %lld)", static_cast<long long>(e.statusCode), e.model.c_str(),
                  static_cast<long long>(e.attempt));
    return buf + (e.error.empty() ? std::string() : ": " + oneLine(e.error, 80));
  }
  if (e.name == "tool_decision")
    return e.toolName + " " + e.decision + (e.source.empty() ? "" : " (" + e.source + ")");
  if (e.name == "tool_result") {
    std::string s = e.toolName + (e.success == 0 ? " failed" : e.success == 1 ? " ok" : "");
    if (e.durationMs >= 0) s += " · " + formatDuration(e.durationMs);
    if (!d.empty()) s += " · " + d;
    if (e.success == 0 && !e.error.empty()) s += " · " + oneLine(e.error, 60);
    return s;
  }
  if (e.name == "assistant_response") return e.model;
  return d.empty() ? e.name : d;
}

Reader::Reader(const std::string& path) : path_(path), db_(path, store::Database::Mode::ReadOnly) {
  store::checkReadable(db_);
  // The pages read roll-ups that older files lack until cctv opens them for writing once (and migrates them).
  const std::int64_t version = db_.queryInt("PRAGMA user_version");
  if (version < store::kSchemaVersion)
    throw store::SqliteError(SQLITE_NOTADB, "database is at schema " + std::to_string(version) + ", older than this "
                                            "build's " + std::to_string(store::kSchemaVersion) +
                                            ": open it with cctv once (not read-only) to upgrade it");
}

std::int64_t Reader::dataVersion() {
  Statement st = db_.prepare("PRAGMA data_version");
  return st.step() ? st.columnInt(0) : 0;
}

std::int64_t Reader::dictId(const std::string& s) {
  Statement st = db_.prepare("SELECT id FROM dict WHERE s = ?");
  st.bind(1, s);
  return st.step() ? st.columnInt(0) : 0;
}

std::int64_t Reader::sessionRef(const std::string& id) {
  Statement st = db_.prepare("SELECT id FROM sessions WHERE session_id = ?");
  st.bind(1, id);
  return st.step() ? st.columnInt(0) : 0;
}

std::int64_t Reader::promptRef(const std::string& id) {
  Statement st = db_.prepare("SELECT id FROM prompts WHERE prompt_id = ?");
  st.bind(1, id);
  return st.step() ? st.columnInt(0) : 0;
}

std::vector<data::SessionSummary> Reader::sessions(const data::SessionFilter& f) {
  std::string sql = std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE s.first_ns IS NOT NULL";
  if (!f.text.empty())
    sql += " AND (s.session_id LIKE :like OR (SELECT s FROM dict WHERE id = s.user_ref) LIKE :like OR "
           "(SELECT s FROM dict WHERE id = s.terminal_ref) LIKE :like OR EXISTS (SELECT 1 FROM session_models m "
           "JOIN dict d ON d.id = m.model_ref WHERE m.session_ref = s.id AND d.s LIKE :like))";
  if (f.fromNs) sql += " AND s.last_ns >= :from";
  if (f.toNs) sql += " AND s.first_ns <= :to";
  if (!f.model.empty())
    sql += " AND EXISTS (SELECT 1 FROM session_models m JOIN dict d ON d.id = m.model_ref "
           "WHERE m.session_ref = s.id AND d.s = :model)";
  if (f.onlyWithErrors) sql += " AND s.errors > 0";
  sql += " ORDER BY s.first_ns DESC LIMIT :limit";
  Statement st = db_.prepare(sql);
  const std::string like = "%" + f.text + "%";
  auto idx = [&](const char* n) { return sqlite3_bind_parameter_index(st.handle(), n); };
  if (!f.text.empty()) st.bind(idx(":like"), like);
  if (f.fromNs) st.bind(idx(":from"), f.fromNs);
  if (f.toNs) st.bind(idx(":to"), f.toNs);
  if (!f.model.empty()) st.bind(idx(":model"), f.model);
  st.bind(idx(":limit"), std::int64_t{f.limit});
  std::vector<data::SessionSummary> out;
  while (st.step()) out.push_back(readSession(st));
  return out;
}

data::SessionSummary Reader::session(const std::string& sessionId) {
  Statement st = db_.prepare(std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE s.session_id = ?");
  st.bind(1, sessionId);
  return st.step() ? readSession(st) : data::SessionSummary{};
}

std::vector<std::string> Reader::models() {
  Statement st = db_.prepare(
      "SELECT DISTINCT d.s FROM session_models m JOIN dict d ON d.id = m.model_ref ORDER BY d.s");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.columnText(0));
  return out;
}

std::vector<std::string> Reader::eventNames() {
  Statement st = db_.prepare(
      "SELECT DISTINCT d.s FROM session_event_counts c JOIN dict d ON d.id = c.name_ref ORDER BY d.s");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.columnText(0));
  return out;
}

std::vector<data::EventItem> Reader::eventItems(const std::string& where, std::initializer_list<std::int64_t> args,
                                                const std::string& order) {
  Statement st = db_.prepare("SELECT " + eventItemColumns() + " FROM event_data e WHERE " + where + " ORDER BY " + order);
  int i = 0;
  for (std::int64_t a : args) st.bind(++i, a);
  std::vector<data::EventItem> out;
  while (st.step()) out.push_back(readEventItem(st));
  return out;
}

std::vector<data::EventItem> Reader::sessionEvents(const std::string& sessionId) {
  return sessionEventsAfter(sessionId, 0);
}

std::vector<data::EventItem> Reader::sessionEventsAfter(const std::string& sessionId, std::int64_t afterId) {
  // Runs on every live tick: only the id lookup, not the whole session summary.
  const std::int64_t ref = sessionRef(sessionId);
  if (!ref) return {};
  // The event_key index (session, sequence, ...) finds the session's rows; sorting them is cheap.
  return eventItems("e.session_id_ref = ?1 AND e.id > ?2", {ref, afterId}, "e.time_ns, e.event_sequence, e.id");
}

std::vector<data::EventItem> Reader::sessionEventsBetween(const std::string& sessionId, std::int64_t fromNs,
                                                          std::int64_t toNs, std::int64_t reachNs) {
  const std::int64_t ref = sessionRef(sessionId);
  if (!ref || toNs < fromNs) return {};
  // event_key holds time_ns: the range is checked on the session's index entries, and only the rows in it
  // (and in the reach after it, for their duration) are read.
  return eventItems(
      "e.session_id_ref = ?1 AND e.time_ns >= ?2 AND (e.time_ns <= ?3 OR (e.time_ns <= ?4 AND "
      "e.time_ns - coalesce(e.duration_ms, e.total_duration_ms, 0) * 1000000 <= ?3))",
      {ref, fromNs, toNs, toNs + std::max<std::int64_t>(0, reachNs)}, "e.time_ns, e.event_sequence, e.id");
}

data::EventDensity Reader::sessionDensity(const std::string& sessionId, std::int64_t fromNs, std::int64_t bucketNs,
                                          int buckets) {
  data::EventDensity d;
  d.fromNs = fromNs;
  d.bucketNs = std::max<std::int64_t>(1, bucketNs);
  d.buckets = std::max(0, buckets);
  const std::int64_t ref = sessionRef(sessionId);
  if (!ref || d.buckets == 0) return d;
  // Every column is in event_key, so this reads index pages only. Counted here rather than with GROUP BY:
  // SQLite's sort of 70,000 keys took four times as long as the scan.
  Statement st = db_.prepare(
      "SELECT event_name_ref, time_ns, id FROM event_data WHERE session_id_ref = ?1 AND time_ns >= ?2 AND time_ns < ?3");
  st.bind(1, ref);
  st.bind(2, d.fromNs);
  st.bind(3, d.toNs());
  std::map<std::int64_t, std::vector<std::int64_t>> counts;  // name ref -> per bucket
  while (st.step()) {
    auto& perBucket = counts[intOr(st, 0, 0)];
    if (perBucket.empty()) perBucket.assign(static_cast<std::size_t>(d.buckets), 0);
    const std::int64_t bucket = (st.columnInt(1) - d.fromNs) / d.bucketNs;
    if (bucket >= 0 && bucket < d.buckets) ++perBucket[static_cast<std::size_t>(bucket)];
    d.lastEventId = std::max(d.lastEventId, st.columnInt(2));
  }
  Statement name = db_.prepare("SELECT s FROM dict WHERE id = ?");
  for (const auto& [nameRef, perBucket] : counts) {
    name.reset();
    name.bind(1, nameRef);
    const int index = static_cast<int>(d.names.size());
    d.names.push_back(name.step() ? name.columnText(0) : std::string());
    for (std::size_t i = 0; i < perBucket.size(); ++i)
      if (perBucket[i]) d.cells.push_back({index, static_cast<int>(i), perBucket[i]});
  }
  return d;
}

std::vector<data::PromptSummary> Reader::prompts(const std::string& sessionId) {
  return promptsWhere("1", sessionId, 0, 0);
}

std::vector<data::PromptSummary> Reader::promptsBetween(const std::string& sessionId, std::int64_t fromNs,
                                                        std::int64_t toNs) {
  // prompts_session (session, first_ns) bounds the start; the end is checked on the few rows before it.
  return promptsWhere("p.first_ns <= ?3 AND p.last_ns >= ?2", sessionId, fromNs, toNs);
}

std::vector<data::PromptSummary> Reader::promptsWhere(const std::string& where, const std::string& sessionId,
                                                      std::int64_t a, std::int64_t b) {
  Statement st = db_.prepare(
      "SELECT p.id, p.prompt_id, p.first_ns, p.last_ns, (SELECT prompt FROM event_data WHERE id = p.prompt_event), "
      "(SELECT command_name FROM event_data WHERE id = p.prompt_event), p.events, p.api_requests, p.tool_calls, "
      "p.errors, p.input_tokens, p.output_tokens, p.cache_read_tokens, p.cache_creation_tokens, p.cost_usd, "
      "p.api_duration_ms FROM prompts p WHERE p.session_ref = (SELECT id FROM sessions WHERE session_id = ?1) "
      "AND (" + where + ") ORDER BY p.first_ns, p.id");
  st.bind(1, sessionId);
  if (sqlite3_bind_parameter_count(st.handle()) >= 3) {
    st.bind(2, a);
    st.bind(3, b);
  }
  std::vector<data::PromptSummary> out;
  while (st.step()) {
    data::PromptSummary p;
    p.ref = st.columnInt(0);
    p.promptId = st.columnText(1);
    p.firstNs = st.columnInt(2);
    p.lastNs = st.columnInt(3);
    p.text = st.columnText(4);
    p.commandName = st.columnText(5);
    p.events = st.columnInt(6);
    p.apiRequests = st.columnInt(7);
    p.toolCalls = st.columnInt(8);
    p.errors = st.columnInt(9);
    p.tokens = {st.columnInt(10), st.columnInt(11), st.columnInt(12), st.columnInt(13)};
    p.costUsd = st.columnDouble(14);
    p.apiDurationMs = st.columnInt(15);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<data::EventItem> Reader::promptEvents(const std::string& promptId) {
  const std::int64_t ref = promptRef(promptId);
  if (!ref) return {};
  return eventItems(store::promptRowsWhere(db_, ref), {}, "e.event_sequence, e.time_ns, e.id");
}

data::EventDetail Reader::event(std::int64_t id) {
  data::EventDetail d;
  Statement st = db_.prepare("SELECT * FROM events WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return d;
  d.id = id;
  const int n = sqlite3_column_count(st.handle());
  for (int i = 0; i < n; ++i) {
    const std::string name = sqlite3_column_name(st.handle(), i);
    if (st.columnIsNull(i)) continue;
    if (name == "attributes") d.attributesJson = st.columnText(i);
    else if (name == "resource") d.resourceJson = st.columnText(i);
    else d.fields.emplace_back(name, st.columnText(i));
  }
  return d;
}

}  // namespace cctv::query
