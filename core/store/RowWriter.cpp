#include "store/RowWriter.h"

#include <algorithm>
#include <array>

#include "model/Normalizer.h"
#include "store/PageRollups.h"
#include "store/Schema.h"

namespace cctv::store {

using model::EventRow;
using model::FieldType;
using model::kFieldCount;
using model::Value;
namespace F = model::F;

namespace {

constexpr int kEventFixedParams = 16;
// Caches are dropped when they grow past this, so the writer's memory stays flat on long runs.
constexpr std::size_t kMaxCacheEntries = 100000;

struct Fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void add(const std::string& s) {
    add(s.data(), s.size());
    add("\x1f", 1);
  }
  void add(std::int64_t v) { add(&v, sizeof v); }
};

// A fingerprint of everything in the record, for deduplicating records that lack (session, sequence).
std::int64_t fingerprint(const EventRow& row) {
  Fnv f;
  f.add(row.timeNs);
  f.add(row.observedNs);
  f.add(row.body);
  f.add(row.extra);
  f.add(row.traceId);
  f.add(row.spanId);
  for (const EventRow::Field& field : row.fields) {
    const Value& v = field.value;
    f.add(std::int64_t{field.index});
    f.add(static_cast<std::int64_t>(v.kind));
    if (v.kind == Value::Kind::Int) f.add(v.i);
    if (v.kind == Value::Kind::Real) f.add(&v.d, sizeof v.d);
    if (v.kind == Value::Kind::Text) f.add(v.s);
  }
  return static_cast<std::int64_t>(f.h);
}

std::string insertEventSql() {
  std::string cols =
      "time_ns, wf, observed_ns, body, dropped_attributes_count, severity_number, severity_text, flags, "
      "trace_id, span_id, log_event_name, resource_ref, scope_ref, fp, str_mask, extra";
  std::string params = "?";
  for (int i = 1; i < kEventFixedParams; ++i) params += ",?";
  for (int i = 0; i < kFieldCount; ++i) {
    cols += ", \"" + eventColumn(i) + "\"";
    params += ",?";
  }
  return "INSERT OR IGNORE INTO event_data (" + cols + ") VALUES (" + params + ")";
}

const std::string* text(const Value& v) { return v.kind == Value::Kind::Text ? &v.s : nullptr; }

// Schema fields the roll-ups read.
struct RollupFields {
  int cost = model::fieldByName("cost_usd");
  int input = model::fieldByName("input_tokens");
  int output = model::fieldByName("output_tokens");
  int cacheRead = model::fieldByName("cache_read_tokens");
  int cacheCreation = model::fieldByName("cache_creation_tokens");
  int duration = model::fieldByName("duration_ms");
  int success = model::fieldByName("success");
  int decision = model::fieldByName("decision");
  int userId = model::fieldByName("user_id");
  int terminal = model::fieldByName("terminal_type");
  int model = model::fieldByName("model");
  int toolName = model::fieldByName("tool_name");
  int source = model::fieldByName("source");
  int statusCode = model::fieldByName("status_code");
};
const RollupFields& rf() {
  static const RollupFields f;
  return f;
}

}  // namespace

void RollupCounts::touch(std::int64_t ns) {
  if (ns <= 0) return;
  if (firstNs == 0 || ns < firstNs) firstNs = ns;
  if (ns > lastNs) lastNs = ns;
}

void RollupCounts::merge(const RollupCounts& o) {
  events += o.events;
  prompts += o.prompts;
  apiRequests += o.apiRequests;
  apiErrors += o.apiErrors;
  toolCalls += o.toolCalls;
  toolFailures += o.toolFailures;
  toolRejections += o.toolRejections;
  errors += o.errors;
  inputTokens += o.inputTokens;
  outputTokens += o.outputTokens;
  cacheReadTokens += o.cacheReadTokens;
  cacheCreationTokens += o.cacheCreationTokens;
  apiDurationMs += o.apiDurationMs;
  metricPoints += o.metricPoints;
  spans += o.spans;
  costUsd += o.costUsd;
  touch(o.firstNs);
  touch(o.lastNs);
  if (o.firstSeq >= 0 && (firstSeq < 0 || o.firstSeq < firstSeq)) firstSeq = o.firstSeq;
  if (o.lastSeq > lastSeq) lastSeq = o.lastSeq;
  if (o.userRef) userRef = o.userRef;
  if (o.terminalRef) terminalRef = o.terminalRef;
  if (o.resourceRef) resourceRef = o.resourceRef;
  if (!promptEvent) promptEvent = o.promptEvent;
}

void ModelCounts::merge(const ModelCounts& o) {
  apiRequests += o.apiRequests;
  apiErrors += o.apiErrors;
  inputTokens += o.inputTokens;
  outputTokens += o.outputTokens;
  cacheReadTokens += o.cacheReadTokens;
  cacheCreationTokens += o.cacheCreationTokens;
  costUsd += o.costUsd;
}

void MetricHour::merge(const MetricHour& o) {
  if (o.points == 0) return;
  lastNs = points == 0 ? o.lastNs : std::max(lastNs, o.lastNs);
  inc += o.inc;
  points += o.points;
}

void Rollups::merge(const Rollups& o) {
  for (const auto& [k, v] : o.sessions) sessions[k].merge(v);
  for (const auto& [k, v] : o.prompts) prompts[k].merge(v);
  for (const auto& [k, v] : o.models) models[k].merge(v);
  for (const auto& [k, v] : o.days) days[k].merge(v);
  for (const auto& [k, v] : o.eventCounts) eventCounts[k] += v;
  for (const auto& [k, v] : o.metricHours) metricHours[k].merge(v);
  recomputeSeries.insert(o.recomputeSeries.begin(), o.recomputeSeries.end());
  for (const auto& [k, v] : o.tools) {
    ToolDay& t = tools[k];
    t.calls += v.calls;
    t.successes += v.successes;
    t.failures += v.failures;
  }
  for (const auto& [k, v] : o.toolDurations) {
    DurationCount& d = toolDurations[k];
    d.n += v.n;
    d.sumMs += v.sumMs;
  }
  for (const auto& [k, v] : o.rejections) rejections[k] += v;
  for (const auto& [k, v] : o.apiErrors) apiErrors[k] += v;
  sessionIds.insert(o.sessionIds.begin(), o.sessionIds.end());
  events += o.events;
  points += o.points;
  spans += o.spans;
  newestNs = std::max(newestNs, o.newestNs);
}

RowWriter::RowWriter(Database& db) : db_(db) {
  insEvent_ = db.prepare(insertEventSql());
  insDict_ = db.prepare("INSERT OR IGNORE INTO dict (s) VALUES (?)");
  selDict_ = db.prepare("SELECT id FROM dict WHERE s = ?");
  insSession_ = db.prepare("INSERT OR IGNORE INTO sessions (session_id) VALUES (?)");
  selSession_ = db.prepare("SELECT id FROM sessions WHERE session_id = ?");
  insPrompt_ = db.prepare("INSERT OR IGNORE INTO prompts (prompt_id, session_ref) VALUES (?, ?)");
  selPrompt_ = db.prepare("SELECT id FROM prompts WHERE prompt_id = ?");
  insResource_ = db.prepare(
      "INSERT OR IGNORE INTO resources (attributes, dropped_attributes_count, schema_url) VALUES (?, ?, ?)");
  selResource_ = db.prepare(
      "SELECT id FROM resources WHERE attributes = ? AND dropped_attributes_count = ? AND schema_url = ?");
  insScope_ = db.prepare(
      "INSERT OR IGNORE INTO scopes (name, version, attributes, dropped_attributes_count, schema_url) "
      "VALUES (?, ?, ?, ?, ?)");
  selScope_ = db.prepare(
      "SELECT id FROM scopes WHERE name = ? AND version = ? AND attributes = ? AND dropped_attributes_count = ? "
      "AND schema_url = ?");
  insSeries_ = db.prepare(
      "INSERT OR IGNORE INTO metric_series (metric_name, description, unit, type, temporality, is_monotonic, "
      "attributes, session_ref, resource_ref, scope_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  selSeries_ = db.prepare(
      "SELECT id FROM metric_series WHERE metric_name = ? AND unit = ? AND type = ? AND temporality = ? "
      "AND is_monotonic = ? AND attributes = ?");
  insPoint_ = db.prepare(
      "INSERT OR IGNORE INTO metric_data (series_ref, start_ns, time_ns, value, int_value, flags, data, exemplars) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insSpan_ = db.prepare(
      "INSERT OR IGNORE INTO span_data (trace_id, span_id, parent_span_id, trace_state, name, kind, "
      "start_time_unix_nano, end_time_unix_nano, status_code, status_message, session_ref, prompt_ref, attributes, "
      "events, links, flags, dropped_attributes_count, dropped_events_count, dropped_links_count, resource_ref, "
      "scope_ref) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insLog_ = db.prepare(
      "INSERT INTO ingest_log (received_at, transport, path, content_type, content_encoding, bytes, status, "
      "accepted, rejected, duplicates, message, remote, user_agent) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  const char* counters =
      "events = events + :events, prompts_or_seq, api_requests = api_requests + :api_requests, "
      "api_errors = api_errors + :api_errors, tool_calls = tool_calls + :tool_calls, "
      "tool_failures = tool_failures + :tool_failures, tool_rejections = tool_rejections + :tool_rejections, "
      "errors = errors + :errors, cost_usd = cost_usd + :cost_usd, input_tokens = input_tokens + :input_tokens, "
      "output_tokens = output_tokens + :output_tokens, "
      "cache_read_tokens = cache_read_tokens + :cache_read_tokens, "
      "cache_creation_tokens = cache_creation_tokens + :cache_creation_tokens, "
      "api_duration_ms = api_duration_ms + :api_duration_ms, "
      "first_ns = CASE WHEN first_ns IS NULL OR first_ns > :first_ns THEN :first_ns ELSE first_ns END, "
      "last_ns = CASE WHEN last_ns IS NULL OR last_ns < :last_ns THEN :last_ns ELSE last_ns END";
  std::string s = counters;
  s.replace(s.find("prompts_or_seq"), 14,
            "prompts = prompts + :prompts, metric_points = metric_points + :metric_points, spans = spans + :spans, "
            "user_ref = coalesce(:user_ref, user_ref), terminal_ref = coalesce(:terminal_ref, terminal_ref), "
            "resource_ref = coalesce(:resource_ref, resource_ref)");
  updSession_ = db.prepare("UPDATE sessions SET " + s + " WHERE id = :id");
  std::string p = counters;
  p.replace(p.find("prompts_or_seq"), 14,
            "first_seq = CASE WHEN :first_seq IS NULL THEN first_seq WHEN first_seq IS NULL OR first_seq > "
            ":first_seq THEN :first_seq ELSE first_seq END, last_seq = CASE WHEN :last_seq IS NULL THEN last_seq "
            "WHEN last_seq IS NULL OR last_seq < :last_seq THEN :last_seq ELSE last_seq END, "
            "prompt_event = coalesce(prompt_event, :prompt_event)");
  updPrompt_ = db.prepare("UPDATE prompts SET " + p + " WHERE id = :id");
  sessionParams_ = countParams(updSession_);
  promptParams_ = countParams(updPrompt_);
  upsModel_ = db.prepare(
      "INSERT INTO session_models (session_ref, model_ref, api_requests, api_errors, cost_usd, input_tokens, "
      "output_tokens, cache_read_tokens, cache_creation_tokens) VALUES (?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (session_ref, model_ref) DO UPDATE SET api_requests = api_requests + excluded.api_requests, "
      "api_errors = api_errors + excluded.api_errors, cost_usd = cost_usd + excluded.cost_usd, "
      "input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, "
      "cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, "
      "cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens");
  upsDay_ = db.prepare(
      "INSERT INTO daily_models (day, model_ref, api_requests, api_errors, cost_usd, input_tokens, "
      "output_tokens, cache_read_tokens, cache_creation_tokens) VALUES (?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (day, model_ref) DO UPDATE SET api_requests = api_requests + excluded.api_requests, "
      "api_errors = api_errors + excluded.api_errors, cost_usd = cost_usd + excluded.cost_usd, "
      "input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, "
      "cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, "
      "cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens");
  upsEventCount_ = db.prepare(
      "INSERT INTO session_event_counts (session_ref, name_ref, n) VALUES (?,?,?) "
      "ON CONFLICT (session_ref, name_ref) DO UPDATE SET n = n + excluded.n");
  // The page roll-ups (PageRollups.h).
  selNewestPoint_ = db.prepare(
      "SELECT start_ns, time_ns, coalesce(value, int_value) FROM metric_data WHERE series_ref = ? AND id <> ? "
      "ORDER BY time_ns DESC, start_ns DESC LIMIT 1");
  upsHour_ = db.prepare(
      "INSERT INTO metric_hours (series_ref, hour, inc, points, last_ns) VALUES (?,?,?,?,?) "
      "ON CONFLICT (series_ref, hour) DO UPDATE SET inc = inc + excluded.inc, points = points + excluded.points, "
      "last_ns = max(last_ns, excluded.last_ns)");
  upsTool_ = db.prepare(
      "INSERT INTO daily_tools (day, tool_ref, calls, successes, failures) VALUES (?,?,?,?,?) "
      "ON CONFLICT (day, tool_ref) DO UPDATE SET calls = calls + excluded.calls, "
      "successes = successes + excluded.successes, failures = failures + excluded.failures");
  upsDuration_ = db.prepare(
      "INSERT INTO daily_tool_durations (day, tool_ref, bucket, n, duration_ms) VALUES (?,?,?,?,?) "
      "ON CONFLICT (day, tool_ref, bucket) DO UPDATE SET n = n + excluded.n, "
      "duration_ms = duration_ms + excluded.duration_ms");
  upsRejection_ = db.prepare(
      "INSERT INTO daily_tool_rejections (day, tool_ref, source, n) VALUES (?,?,?,?) "
      "ON CONFLICT (day, tool_ref, source) DO UPDATE SET n = n + excluded.n");
  upsApiError_ = db.prepare(
      "INSERT INTO daily_api_errors (day, name_ref, model_ref, status_code, n) VALUES (?,?,?,?,?) "
      "ON CONFLICT (day, name_ref, model_ref, status_code) DO UPDATE SET n = n + excluded.n");
  createRollupScratch(db);
  addRecompute_ = db.prepare("INSERT OR IGNORE INTO temp.rollup_series (id) VALUES (?)");
}

void RowWriter::clearCaches() {
  dict_.clear();
  sessions_.clear();
  prompts_.clear();
  resources_.clear();
  scopes_.clear();
  series_.clear();
  cumulative_.clear();
}

std::int64_t RowWriter::internRow(std::unordered_map<std::string, std::int64_t>& cache, const std::string& key,
                                  Statement& insert, Statement& select) {
  // The caller has bound the insert's and select's parameters.
  insert.step();
  std::int64_t id;
  if (db_.changes() == 1) {
    id = db_.lastInsertRowid();
  } else {
    if (!select.step()) db_.fail(SQLITE_INTERNAL, "intern lookup");
    id = select.columnInt(0);
  }
  insert.reset();
  select.reset();
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  cache.emplace(key, id);
  return id;
}

std::int64_t RowWriter::dictId(const std::string& s) {
  if (auto it = dict_.find(s); it != dict_.end()) return it->second;
  insDict_.bind(1, s);
  selDict_.bind(1, s);
  return internRow(dict_, s, insDict_, selDict_);
}

std::int64_t RowWriter::sessionId(const std::string& s) {
  if (auto it = sessions_.find(s); it != sessions_.end()) return it->second;
  insSession_.bind(1, s);
  selSession_.bind(1, s);
  return internRow(sessions_, s, insSession_, selSession_);
}

std::int64_t RowWriter::promptId(const std::string& s, std::int64_t sessionRef) {
  if (auto it = prompts_.find(s); it != prompts_.end()) return it->second;
  insPrompt_.bind(1, s);
  insPrompt_.bindIntOrNull(2, sessionRef, sessionRef == 0);
  selPrompt_.bind(1, s);
  return internRow(prompts_, s, insPrompt_, selPrompt_);
}

std::int64_t RowWriter::resourceId(const model::ResourceInfo& r) {
  std::string key = r.attributes + '\x1f' + std::to_string(r.droppedAttributesCount) + '\x1f' + r.schemaUrl;
  if (auto it = resources_.find(key); it != resources_.end()) return it->second;
  insResource_.bind(1, r.attributes);
  insResource_.bind(2, std::int64_t{r.droppedAttributesCount});
  insResource_.bind(3, r.schemaUrl);
  selResource_.bind(1, r.attributes);
  selResource_.bind(2, std::int64_t{r.droppedAttributesCount});
  selResource_.bind(3, r.schemaUrl);
  return internRow(resources_, key, insResource_, selResource_);
}

std::int64_t RowWriter::scopeId(const model::ScopeInfo& s) {
  std::string key = s.name + '\x1f' + s.version + '\x1f' + s.attributes + '\x1f' +
                    std::to_string(s.droppedAttributesCount) + '\x1f' + s.schemaUrl;
  if (auto it = scopes_.find(key); it != scopes_.end()) return it->second;
  for (Statement* st : {&insScope_, &selScope_}) {
    st->bind(1, s.name);
    st->bind(2, s.version);
    st->bind(3, s.attributes);
    st->bind(4, std::int64_t{s.droppedAttributesCount});
    st->bind(5, s.schemaUrl);
  }
  return internRow(scopes_, key, insScope_, selScope_);
}

void RowWriter::write(const model::NormalizedBatch& batch, Rollups* rollups, WriteResult* result) {
  std::vector<std::int64_t> resourceRefs, scopeRefs;
  for (const auto& r : batch.resources) resourceRefs.push_back(resourceId(r));
  for (const auto& s : batch.scopes) scopeRefs.push_back(scopeId(s));
  auto ref = [](const std::vector<std::int64_t>& refs, int i) { return i >= 0 ? refs[static_cast<size_t>(i)] : 0; };
  for (const auto& e : batch.events) writeEvent(e, ref(resourceRefs, e.resource), ref(scopeRefs, e.scope), rollups, result);
  for (const auto& p : batch.points) writePoint(p, ref(resourceRefs, p.resource), ref(scopeRefs, p.scope), rollups, result);
  for (const auto& s : batch.spans) writeSpan(s, ref(resourceRefs, s.resource), ref(scopeRefs, s.scope), rollups, result);
}

void RowWriter::writeEvent(const EventRow& row, std::int64_t resourceRef, std::int64_t scopeRef, Rollups* r,
                           WriteResult* result) {
  const model::FieldDef* fields = model::eventFields();
  Statement& st = insEvent_;
  std::int64_t wf = 0;
  const std::string* name = text(row.field(F::event_name));
  std::string derivedTimestamp;

  // Only the parameters bound here are cleared after the step (sparseBound_): sqlite3_clear_bindings() over
  // all of the statement's parameters cost more than the handful a row sets. The guard also runs when
  // something below throws, so that the next row never inherits a value.
  struct Unbind {
    Statement& st;
    std::vector<int>& bound;
    void now() {
      sqlite3_reset(st.handle());
      for (const int param : bound) sqlite3_bind_null(st.handle(), param);
      bound.clear();
    }
    ~Unbind() { now(); }
  } unbind{st, sparseBound_};
  auto put = [&](int param, const auto& v) {
    st.bind(param, v);
    sparseBound_.push_back(param);
  };
  st.bind(1, row.timeNs);
  if (row.observedNs == row.timeNs) wf |= 1;
  else if (row.observedNs != 0) put(3, row.observedNs);
  if (row.hasBody) {
    if (row.bodyIsString && name && row.body.size() == name->size() + 12 && row.body.compare(0, 12, "claude_code.") == 0 &&
        row.body.compare(12, std::string::npos, *name) == 0)
      wf |= 2;
    else
      put(4, std::string_view(row.body));
    if (!row.bodyIsString) wf |= 8;
  }
  st.bindIntOrNull(5, row.droppedAttributesCount, row.droppedAttributesCount == 0);
  st.bindIntOrNull(6, row.severityNumber, row.severityNumber == 0);
  st.bindTextOrNull(7, row.severityText);
  st.bindIntOrNull(8, row.flags, row.flags == 0);
  if (!row.traceId.empty()) {
    st.bindBlob(9, row.traceId);
    sparseBound_.push_back(9);
  }
  if (!row.spanId.empty()) {
    st.bindBlob(10, row.spanId);
    sparseBound_.push_back(10);
  }
  st.bindTextOrNull(11, row.logEventName);
  st.bindIntOrNull(12, resourceRef, resourceRef == 0);
  st.bindIntOrNull(13, scopeRef, scopeRef == 0);
  st.bindIntOrNull(15, static_cast<std::int64_t>(row.sentAsString), row.sentAsString == 0);
  st.bindTextOrNull(16, row.extra);

  std::int64_t sessionRef = 0, promptRef = 0, nameRef = 0, userRef = 0, terminalRef = 0, modelRef = 0, toolRef = 0;
  // The session first: a prompt row records its session, whatever order the attributes came in.
  const std::string* sessionText = text(row.field(F::session_id));
  if (sessionText) sessionRef = sessionId(*sessionText);
  for (const EventRow::Field& field : row.fields) {
    const int i = field.index;
    const Value& v = field.value;
    const int param = kEventFixedParams + 1 + i;
    const std::string* t = text(v);
    if (i == F::session_id && t) {
      put(param, sessionRef);
    } else if (i == F::prompt_id && t) {
      put(param, promptRef = promptId(*t, sessionRef));
    } else if ((i == F::event_name || fields[i].interned) && t) {
      const std::int64_t id = dictId(*t);
      put(param, id);
      if (i == F::event_name) nameRef = id;
      else if (i == rf().userId) userRef = id;
      else if (i == rf().terminal) terminalRef = id;
      else if (i == rf().model) modelRef = id;
      else if (i == rf().toolName) toolRef = id;
    } else if (i == F::event_timestamp && t) {
      if (derivedTimestamp.empty()) derivedTimestamp = model::isoMillis(row.timeNs);
      if (*t == derivedTimestamp) wf |= 4;
      else put(param, std::string_view(*t));
    } else if (v.kind == Value::Kind::Int) {
      put(param, v.i);
    } else if (v.kind == Value::Kind::Real) {
      put(param, v.d);
    } else {
      put(param, std::string_view(v.s));
    }
  }
  const bool hasKey = sessionRef != 0 && row.field(F::event_sequence).kind == Value::Kind::Int;
  if (!hasKey) put(14, fingerprint(row));
  st.bind(2, wf);
  st.step();
  const bool inserted = db_.changes() == 1;
  unbind.now();
  ++(inserted ? result->stored : result->duplicates);
  if (!inserted) return;
  const std::int64_t rowid = db_.lastInsertRowid();
  ++r->events;
  r->newestNs = std::max(r->newestNs, row.timeNs);

  // Roll-ups.
  auto num = [&](int field) -> std::int64_t {
    const Value& v = row.field(field);
    return v.kind == Value::Kind::Int ? v.i : 0;
  };
  const std::string_view ev = name ? std::string_view(*name) : std::string_view();
  RollupCounts delta;
  delta.events = 1;
  delta.touch(row.timeNs);
  if (ev == "user_prompt") delta.prompts = 1;
  if (ev == "api_request") {
    const Value& cost = row.field(rf().cost);
    delta.apiRequests = 1;
    delta.costUsd = cost.kind == Value::Kind::Real ? cost.d : 0;
    delta.inputTokens = num(rf().input);
    delta.outputTokens = num(rf().output);
    delta.cacheReadTokens = num(rf().cacheRead);
    delta.cacheCreationTokens = num(rf().cacheCreation);
    delta.apiDurationMs = num(rf().duration);
  } else if (ev == "api_error") {
    delta.apiErrors = 1;
    delta.errors = 1;
  } else if (ev == "api_retries_exhausted" || ev == "api_refusal" || ev == "internal_error") {
    delta.errors = 1;
  } else if (ev == "tool_result") {
    delta.toolCalls = 1;
    const Value& ok = row.field(rf().success);
    if (ok.kind == Value::Kind::Int && ok.i == 0) {
      delta.toolFailures = 1;
      delta.errors = 1;
    }
  } else if (ev == "tool_decision") {
    const Value& d = row.field(rf().decision);
    if (d.kind == Value::Kind::Text && d.s == "reject") delta.toolRejections = 1;
  }
  ModelCounts m;
  m.apiRequests = delta.apiRequests;
  m.apiErrors = delta.apiErrors;
  m.costUsd = delta.costUsd;
  m.inputTokens = delta.inputTokens;
  m.outputTokens = delta.outputTokens;
  m.cacheReadTokens = delta.cacheReadTokens;
  m.cacheCreationTokens = delta.cacheCreationTokens;
  const std::int64_t day = row.timeNs / kNsPerDay;
  if (modelRef && (delta.apiRequests || delta.apiErrors)) r->days[{day, modelRef}].merge(m);
  // The Tools & errors page's roll-ups: the keys PageRollups.cpp's SQL computes from the stored row.
  if (ev == "tool_result") {
    ToolDay& t = r->tools[{day, toolRef}];
    ++t.calls;
    const Value& ok = row.field(rf().success);
    if (ok.kind == Value::Kind::Int && ok.i == 1) ++t.successes;
    if (ok.kind == Value::Kind::Int && ok.i == 0) ++t.failures;
    const Value& ms = row.field(rf().duration);
    if (ms.kind == Value::Kind::Int) {
      DurationCount& d = r->toolDurations[{day, toolRef, durationBucket(static_cast<double>(ms.i))}];
      ++d.n;
      d.sumMs += ms.i;
    }
  } else if (delta.toolRejections) {
    const Value& source = row.field(rf().source);
    r->rejections[{day, toolRef, source.kind == Value::Kind::Text ? source.s : std::string()}] += 1;
  } else if (ev == "api_error" || ev == "api_retries_exhausted" || ev == "api_refusal") {
    const Value& status = row.field(rf().statusCode);
    r->apiErrors[{day, nameRef, modelRef, status.kind == Value::Kind::Int ? status.i : -1}] += 1;
  }
  if (sessionRef) {
    RollupCounts s = delta;
    s.userRef = userRef;
    s.terminalRef = terminalRef;
    s.resourceRef = resourceRef;
    r->sessions[sessionRef].merge(s);
    r->sessionIds.insert(*sessionText);
    if (nameRef) r->eventCounts[{sessionRef, nameRef}] += 1;
    if (modelRef && (delta.apiRequests || delta.apiErrors)) r->models[{sessionRef, modelRef}].merge(m);
  }
  if (promptRef) {
    RollupCounts p = delta;
    const Value& seq = row.field(F::event_sequence);
    if (seq.kind == Value::Kind::Int) p.firstSeq = p.lastSeq = seq.i;
    if (ev == "user_prompt") p.promptEvent = rowid;
    r->prompts[promptRef].merge(p);
  }
}

void RowWriter::writePoint(const model::MetricPointRow& row, std::int64_t resourceRef, std::int64_t scopeRef,
                           Rollups* r, WriteResult* result) {
  const std::int64_t sessionRef = row.sessionId.empty() ? 0 : sessionId(row.sessionId);
  std::string key = row.name + '\x1f' + row.unit + '\x1f' + std::to_string(row.type) + '\x1f' +
                    std::to_string(row.temporality) + '\x1f' + (row.isMonotonic ? "1" : "0") + '\x1f' + row.attributes;
  std::int64_t seriesRef;
  if (auto it = series_.find(key); it != series_.end()) {
    seriesRef = it->second;
  } else {
    insSeries_.bind(1, row.name);
    insSeries_.bind(2, row.description);
    insSeries_.bind(3, row.unit);
    insSeries_.bind(4, std::int64_t{row.type});
    insSeries_.bind(5, std::int64_t{row.temporality});
    insSeries_.bind(6, std::int64_t{row.isMonotonic});
    insSeries_.bind(7, row.attributes);
    insSeries_.bindIntOrNull(8, sessionRef, sessionRef == 0);
    insSeries_.bindIntOrNull(9, resourceRef, resourceRef == 0);
    insSeries_.bindIntOrNull(10, scopeRef, scopeRef == 0);
    selSeries_.bind(1, row.name);
    selSeries_.bind(2, row.unit);
    selSeries_.bind(3, std::int64_t{row.type});
    selSeries_.bind(4, std::int64_t{row.temporality});
    selSeries_.bind(5, std::int64_t{row.isMonotonic});
    selSeries_.bind(6, row.attributes);
    seriesRef = internRow(series_, key, insSeries_, selSeries_);
  }
  Statement& st = insPoint_;
  st.bind(1, seriesRef);
  st.bind(2, row.startNs);
  st.bind(3, row.timeNs);
  if (row.hasValue) st.bind(4, row.value);
  st.bindIntOrNull(5, row.intValue, !row.isInt);
  st.bindIntOrNull(6, row.flags, row.flags == 0);
  st.bindTextOrNull(7, row.data);
  st.bindTextOrNull(8, row.exemplars);
  if (!insertCounted(st, result)) return;
  ++r->points;
  r->newestNs = std::max(r->newestNs, row.timeNs);
  if (row.type == 2) {  // sums: the metrics page's hourly increments
    bool hasInc = row.hasValue || row.isInt;
    double inc = row.hasValue ? row.value : static_cast<double>(row.intValue);
    if (row.temporality != 2 || cumulativeIncrement(row, seriesRef, db_.lastInsertRowid(), &hasInc, &inc, r)) {
      MetricHour h;
      h.inc = hasInc ? inc : 0;
      h.points = 1;
      h.lastNs = row.timeNs;
      r->metricHours[{seriesRef, row.timeNs / kNsPerHour}].merge(h);
    }
  }
  if (sessionRef) {
    RollupCounts& s = r->sessions[sessionRef];
    s.metricPoints += 1;
    s.touch(row.timeNs);
    r->sessionIds.insert(row.sessionId);
  }
}

bool RowWriter::cumulativeIncrement(const model::MetricPointRow& row, std::int64_t seriesRef, std::int64_t rowid,
                                    bool* hasInc, double* inc, Rollups* r) {
  // The same rule as metricIncrementsSql: the difference to the previous point of the series (by time, then
  // start), unless there is none, the start time changed, or a monotonic value dropped (a reset).
  LastPoint prev;
  bool hasPrev = false;
  if (auto it = cumulative_.find(seriesRef); it != cumulative_.end()) {
    prev = it->second;
    hasPrev = true;
  } else {
    selNewestPoint_.bind(1, seriesRef);
    selNewestPoint_.bind(2, rowid);
    if (selNewestPoint_.step()) {
      hasPrev = true;
      prev.startNs = selNewestPoint_.columnInt(0);
      prev.timeNs = selNewestPoint_.columnInt(1);
      prev.hasValue = !selNewestPoint_.columnIsNull(2);
      prev.value = selNewestPoint_.columnDouble(2);
    }
    selNewestPoint_.reset();
  }
  if (hasPrev && std::make_pair(row.timeNs, row.startNs) < std::make_pair(prev.timeNs, prev.startNs)) {
    // Arrived before a stored point, whose increment it changes: the flush rewrites the series from its points.
    cumulative_.erase(seriesRef);
    r->recomputeSeries.insert(seriesRef);
    return false;
  }
  const bool continues = hasPrev && prev.startNs == row.startNs &&
                         (!row.isMonotonic || (*hasInc && prev.hasValue && *inc >= prev.value));
  LastPoint now{row.startNs, row.timeNs, *hasInc, *inc};
  if (continues) {
    *hasInc = *hasInc && prev.hasValue;
    *inc = *inc - prev.value;
  }
  if (cumulative_.size() >= kMaxCacheEntries) cumulative_.clear();
  cumulative_[seriesRef] = now;
  return true;
}

void RowWriter::writeSpan(const model::SpanRow& row, std::int64_t resourceRef, std::int64_t scopeRef, Rollups* r,
                          WriteResult* result) {
  const std::int64_t sessionRef = row.sessionId.empty() ? 0 : sessionId(row.sessionId);
  const std::int64_t promptRef = row.promptId.empty() ? 0 : promptId(row.promptId, sessionRef);
  Statement& st = insSpan_;
  st.bind(1, row.traceId);
  st.bind(2, row.spanId);
  st.bindTextOrNull(3, row.parentSpanId);
  st.bindTextOrNull(4, row.traceState);
  st.bind(5, row.name);
  st.bind(6, std::int64_t{row.kind});
  st.bind(7, row.startNs);
  st.bind(8, row.endNs);
  st.bind(9, std::int64_t{row.statusCode});
  st.bindTextOrNull(10, row.statusMessage);
  st.bindIntOrNull(11, sessionRef, sessionRef == 0);
  st.bindIntOrNull(12, promptRef, promptRef == 0);
  st.bind(13, row.attributes);
  st.bind(14, row.events);
  st.bind(15, row.links);
  st.bind(16, std::int64_t{row.flags});
  st.bind(17, std::int64_t{row.droppedAttributesCount});
  st.bind(18, std::int64_t{row.droppedEventsCount});
  st.bind(19, std::int64_t{row.droppedLinksCount});
  st.bindIntOrNull(20, resourceRef, resourceRef == 0);
  st.bindIntOrNull(21, scopeRef, scopeRef == 0);
  if (!insertCounted(st, result)) return;
  ++r->spans;
  r->newestNs = std::max(r->newestNs, row.endNs);
  if (sessionRef) {
    RollupCounts& s = r->sessions[sessionRef];
    s.spans += 1;
    s.touch(row.startNs);
    s.touch(row.endNs);
    r->sessionIds.insert(row.sessionId);
  }
}

bool RowWriter::insertCounted(Statement& st, WriteResult* result) {
  // INSERT OR IGNORE: no change means a unique key matched, i.e. an exporter resent what is stored.
  st.step();
  const bool inserted = db_.changes() == 1;
  st.reset();
  ++(inserted ? result->stored : result->duplicates);
  return inserted;
}

void RowWriter::writeLog(const IngestLogEntry& e) {
  Statement& st = insLog_;
  st.bind(1, e.receivedAtNs);
  st.bind(2, e.transport);
  st.bindTextOrNull(3, e.path);
  st.bindTextOrNull(4, e.contentType);
  st.bindTextOrNull(5, e.contentEncoding);
  st.bind(6, e.bytes);
  st.bind(7, std::int64_t{e.status});
  st.bind(8, e.accepted);
  st.bind(9, e.rejected);
  st.bind(10, e.duplicates);
  st.bindTextOrNull(11, e.message);
  st.bindTextOrNull(12, e.remote);
  st.bindTextOrNull(13, e.userAgent);
  st.step();
  st.reset();
}

namespace {
// The named parameters of the sessions and prompts UPDATEs, in the order bindCounts() binds them. Their
// indexes are looked up once per statement (RowWriter's constructor): by name, per row, it cost the
// writer 3% of its instructions.
constexpr std::array<const char*, 25> kCountParams = {
    ":events", ":prompts", ":api_requests", ":api_errors", ":tool_calls", ":tool_failures", ":tool_rejections",
    ":errors", ":input_tokens", ":output_tokens", ":cache_read_tokens", ":cache_creation_tokens",
    ":api_duration_ms", ":metric_points", ":spans", ":cost_usd", ":first_ns", ":last_ns", ":first_seq",
    ":last_seq", ":user_ref", ":terminal_ref", ":resource_ref", ":prompt_event", ":id"};
}  // namespace

RowWriter::CountParams RowWriter::countParams(Statement& st) {
  CountParams out{};
  for (std::size_t i = 0; i < kCountParams.size(); ++i)
    out[i] = sqlite3_bind_parameter_index(st.handle(), kCountParams[i]);
  return out;
}

void RowWriter::flushRollups(const Rollups& r) {
  auto bindCounts = [](Statement& st, const CountParams& p, const RollupCounts& c, std::int64_t id) {
    const std::int64_t counts[] = {c.events,       c.prompts,          c.apiRequests,    c.apiErrors,
                                   c.toolCalls,    c.toolFailures,     c.toolRejections, c.errors,
                                   c.inputTokens,  c.outputTokens,     c.cacheReadTokens, c.cacheCreationTokens,
                                   c.apiDurationMs, c.metricPoints,    c.spans};
    std::size_t k = 0;
    for (const std::int64_t v : counts) {
      if (p[k]) st.bind(p[k], v);
      ++k;
    }
    st.bind(p[k++], c.costUsd);
    const std::pair<std::int64_t, bool> optional[] = {
        {c.firstNs, c.firstNs == 0},         {c.lastNs, c.lastNs == 0},
        {c.firstSeq, c.firstSeq < 0},        {c.lastSeq, c.lastSeq < 0},
        {c.userRef, c.userRef == 0},         {c.terminalRef, c.terminalRef == 0},
        {c.resourceRef, c.resourceRef == 0}, {c.promptEvent, c.promptEvent == 0}};
    for (const auto& [v, null] : optional) {
      if (p[k]) st.bindIntOrNull(p[k], v, null);
      ++k;
    }
    st.bind(p[k], id);
  };
  for (const auto& [id, c] : r.sessions) {
    bindCounts(updSession_, sessionParams_, c, id);
    updSession_.step();
    updSession_.reset();
  }
  for (const auto& [id, c] : r.prompts) {
    bindCounts(updPrompt_, promptParams_, c, id);
    updPrompt_.step();
    updPrompt_.reset();
  }
  // session_models and daily_models take the same counters, keyed by (session, model) and (day, model).
  auto upsertCounts = [](Statement& st, const std::pair<std::int64_t, std::int64_t>& key, const ModelCounts& m) {
    st.bind(1, key.first);
    st.bind(2, key.second);
    st.bind(3, m.apiRequests);
    st.bind(4, m.apiErrors);
    st.bind(5, m.costUsd);
    st.bind(6, m.inputTokens);
    st.bind(7, m.outputTokens);
    st.bind(8, m.cacheReadTokens);
    st.bind(9, m.cacheCreationTokens);
    st.step();
    st.reset();
  };
  for (const auto& [key, m] : r.days) upsertCounts(upsDay_, key, m);
  for (const auto& [key, m] : r.models) upsertCounts(upsModel_, key, m);
  for (const auto& [key, n] : r.eventCounts) {
    upsEventCount_.bind(1, key.first);
    upsEventCount_.bind(2, key.second);
    upsEventCount_.bind(3, n);
    upsEventCount_.step();
    upsEventCount_.reset();
  }
  flushPageRollups(r);
}

void RowWriter::flushPageRollups(const Rollups& r) {
  for (const auto& [key, h] : r.metricHours) {
    if (r.recomputeSeries.count(key.first)) continue;  // rewritten whole below
    upsHour_.bind(1, key.first);
    upsHour_.bind(2, key.second);
    upsHour_.bind(3, h.inc);
    upsHour_.bind(4, h.points);
    upsHour_.bind(5, h.lastNs);
    upsHour_.step();
    upsHour_.reset();
  }
  if (!r.recomputeSeries.empty()) {
    for (std::int64_t series : r.recomputeSeries) {
      addRecompute_.bind(1, series);
      addRecompute_.step();
      addRecompute_.reset();
    }
    recomputeMetricHours(db_);
  }
  for (const auto& [key, t] : r.tools) {
    upsTool_.bind(1, key.first);
    upsTool_.bind(2, key.second);
    upsTool_.bind(3, t.calls);
    upsTool_.bind(4, t.successes);
    upsTool_.bind(5, t.failures);
    upsTool_.step();
    upsTool_.reset();
  }
  for (const auto& [key, d] : r.toolDurations) {
    upsDuration_.bind(1, std::get<0>(key));
    upsDuration_.bind(2, std::get<1>(key));
    upsDuration_.bind(3, std::int64_t{std::get<2>(key)});
    upsDuration_.bind(4, d.n);
    upsDuration_.bind(5, d.sumMs);
    upsDuration_.step();
    upsDuration_.reset();
  }
  for (const auto& [key, n] : r.rejections) {
    upsRejection_.bind(1, std::get<0>(key));
    upsRejection_.bind(2, std::get<1>(key));
    upsRejection_.bind(3, std::get<2>(key));
    upsRejection_.bind(4, n);
    upsRejection_.step();
    upsRejection_.reset();
  }
  for (const auto& [key, n] : r.apiErrors) {
    upsApiError_.bind(1, std::get<0>(key));
    upsApiError_.bind(2, std::get<1>(key));
    upsApiError_.bind(3, std::get<2>(key));
    upsApiError_.bind(4, std::get<3>(key));
    upsApiError_.bind(5, n);
    upsApiError_.step();
    upsApiError_.reset();
  }
}

}  // namespace cctv::store
