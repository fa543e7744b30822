#include "store/Schema.h"

#include <functional>
#include <vector>

#include "model/EventSchema.h"
#include "store/PageRollups.h"

namespace cctv::store {

using model::eventFields;
using model::FieldType;
using model::kFieldCount;
namespace F = model::F;

std::string metricIncrementsSql(const std::string& seriesWhere) {
  return "SELECT d.id AS id, d.series_ref AS series_ref, s.metric_name AS metric_name, s.attributes AS attributes, "
         "s.session_ref AS session_ref, d.start_ns AS start_ns, d.time_ns AS time_ns, s.temporality AS temporality, "
         "CASE WHEN s.temporality = 2 AND lag(d.id) OVER w IS NOT NULL AND lag(d.start_ns) OVER w = d.start_ns "
         "AND (s.is_monotonic = 0 OR coalesce(d.value, d.int_value) >= lag(coalesce(d.value, d.int_value)) OVER w) "
         "THEN coalesce(d.value, d.int_value) - lag(coalesce(d.value, d.int_value)) OVER w "
         "ELSE coalesce(d.value, d.int_value) END AS inc "
         "FROM metric_data d JOIN metric_series s ON s.id = d.series_ref "
         "WHERE s.type = 2 AND (" + seriesWhere + ") "
         "WINDOW w AS (PARTITION BY d.series_ref ORDER BY d.time_ns, d.start_ns, d.id)";
}

namespace {

bool isReference(int i) {
  return i == F::event_name || i == F::session_id || i == F::prompt_id || eventFields()[i].interned;
}

const char* sqlType(FieldType t) {
  switch (t) {
    case FieldType::Int:
    case FieldType::Bool: return "INTEGER";
    case FieldType::Real: return "REAL";
    default: return "TEXT";
  }
}

// Bit flags in event_data.wf: values the row does not store because they can be derived.
// 1: observedTimeUnixNano equals timeUnixNano.   2: body is 'claude_code.' || event_name.
// 4: event_timestamp is the ISO form of timeUnixNano (ms).

std::string tablesSql() {
  std::string sql = R"SQL(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

-- Low-cardinality text stored once (event names, models, tool names, user ids, ...).
CREATE TABLE dict (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE);

CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  attributes TEXT NOT NULL,
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  schema_url TEXT NOT NULL DEFAULT '',
  UNIQUE (attributes, dropped_attributes_count, schema_url));

CREATE TABLE scopes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL, version TEXT NOT NULL, attributes TEXT NOT NULL,
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0, schema_url TEXT NOT NULL DEFAULT '',
  UNIQUE (name, version, attributes, dropped_attributes_count, schema_url));

-- One row per session id, with the roll-ups the session list shows (kept current with every insert).
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  first_ns INTEGER, last_ns INTEGER,
  events INTEGER NOT NULL DEFAULT 0,
  prompts INTEGER NOT NULL DEFAULT 0,
  api_requests INTEGER NOT NULL DEFAULT 0,
  api_errors INTEGER NOT NULL DEFAULT 0,
  tool_calls INTEGER NOT NULL DEFAULT 0,
  tool_failures INTEGER NOT NULL DEFAULT 0,
  tool_rejections INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  api_duration_ms INTEGER NOT NULL DEFAULT 0,
  metric_points INTEGER NOT NULL DEFAULT 0,
  spans INTEGER NOT NULL DEFAULT 0,
  user_ref INTEGER, terminal_ref INTEGER, resource_ref INTEGER);
CREATE INDEX sessions_last ON sessions (last_ns);

-- Per session and model: requests, cost, tokens.
CREATE TABLE session_models (
  session_ref INTEGER NOT NULL, model_ref INTEGER NOT NULL,
  api_requests INTEGER NOT NULL DEFAULT 0, api_errors INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_ref, model_ref)) WITHOUT ROWID;

-- Per UTC day (time_ns / 86400e9) and model: API requests, errors, cost and tokens, for the costs page.
CREATE TABLE daily_models (
  day INTEGER NOT NULL, model_ref INTEGER NOT NULL,
  api_requests INTEGER NOT NULL DEFAULT 0, api_errors INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, model_ref)) WITHOUT ROWID;

-- Per session and event name: how many.
CREATE TABLE session_event_counts (
  session_ref INTEGER NOT NULL, name_ref INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_ref, name_ref)) WITHOUT ROWID;

-- One row per prompt id, with its roll-ups.
CREATE TABLE prompts (
  id INTEGER PRIMARY KEY,
  prompt_id TEXT NOT NULL UNIQUE,
  session_ref INTEGER,
  first_ns INTEGER, last_ns INTEGER, first_seq INTEGER, last_seq INTEGER,
  events INTEGER NOT NULL DEFAULT 0,
  api_requests INTEGER NOT NULL DEFAULT 0,
  api_errors INTEGER NOT NULL DEFAULT 0,
  tool_calls INTEGER NOT NULL DEFAULT 0,
  tool_failures INTEGER NOT NULL DEFAULT 0,
  tool_rejections INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  api_duration_ms INTEGER NOT NULL DEFAULT 0,
  prompt_event INTEGER);
CREATE INDEX prompts_session ON prompts (session_ref, first_ns);

CREATE TABLE event_data (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  wf INTEGER NOT NULL DEFAULT 0,
  observed_ns INTEGER,
  body TEXT,
  dropped_attributes_count INTEGER,
  severity_number INTEGER, severity_text TEXT, flags INTEGER,
  trace_id BLOB, span_id BLOB, log_event_name TEXT,
  resource_ref INTEGER, scope_ref INTEGER,
  fp INTEGER,
  str_mask INTEGER,
  extra TEXT)SQL";
  // The schema's attribute fields, in schema order.
  std::string cols;
  for (int i = 0; i < kFieldCount; ++i) {
    cols += ",\n  \"" + eventColumn(i) + "\" ";
    cols += isReference(i) ? "INTEGER" : sqlType(eventFields()[i].type);
  }
  sql += cols + ")";
  sql += R"SQL(;
-- The natural key of a Claude Code event. NULLs never collide, so records without a session or sequence
-- are deduplicated by fp (a hash of the whole record) instead.
CREATE UNIQUE INDEX event_key ON event_data (session_id_ref, event_sequence, event_name_ref, time_ns);
CREATE UNIQUE INDEX event_fp ON event_data (fp) WHERE fp IS NOT NULL;
CREATE INDEX event_time ON event_data (time_ns);
CREATE INDEX event_prompt ON event_data (prompt_id_ref, event_sequence) WHERE prompt_id_ref IS NOT NULL;
CREATE INDEX event_name_time ON event_data (event_name_ref, time_ns);

CREATE TABLE metric_series (
  id INTEGER PRIMARY KEY,
  metric_name TEXT NOT NULL, description TEXT NOT NULL, unit TEXT NOT NULL,
  type INTEGER NOT NULL, temporality INTEGER NOT NULL, is_monotonic INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  session_ref INTEGER, resource_ref INTEGER, scope_ref INTEGER,
  UNIQUE (metric_name, unit, type, temporality, is_monotonic, attributes));
CREATE INDEX metric_series_session ON metric_series (session_ref);

CREATE TABLE metric_data (
  id INTEGER PRIMARY KEY,
  series_ref INTEGER NOT NULL,
  start_ns INTEGER NOT NULL, time_ns INTEGER NOT NULL,
  value REAL, int_value INTEGER, flags INTEGER,
  data TEXT, exemplars TEXT,
  UNIQUE (series_ref, start_ns, time_ns));
CREATE INDEX metric_data_time ON metric_data (time_ns);

CREATE TABLE span_data (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  trace_state TEXT, name TEXT NOT NULL, kind INTEGER,
  start_time_unix_nano INTEGER, end_time_unix_nano INTEGER,
  status_code INTEGER, status_message TEXT,
  session_ref INTEGER, prompt_ref INTEGER,
  attributes TEXT, events TEXT, links TEXT,
  flags INTEGER, dropped_attributes_count INTEGER, dropped_events_count INTEGER, dropped_links_count INTEGER,
  resource_ref INTEGER, scope_ref INTEGER,
  UNIQUE (trace_id, span_id));
CREATE INDEX span_session ON span_data (session_ref, start_time_unix_nano);

-- One row per request received, accepted or not: the answer to "why is my telemetry not arriving?".
CREATE TABLE ingest_log (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  transport TEXT NOT NULL, path TEXT, content_type TEXT, content_encoding TEXT,
  bytes INTEGER, status INTEGER NOT NULL,
  accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  message TEXT, remote TEXT, user_agent TEXT);
CREATE INDEX ingest_log_time ON ingest_log (received_at);
)SQL";
  return sql;
}

// Requests waiting to be forwarded upstream (core/forward), as received. AUTOINCREMENT: ids must never be
// reused, since the forwarder walks the queue by id and an emptied table would otherwise restart at 1.
std::string forwardQueueSql() {
  return R"SQL(
CREATE TABLE forward_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queued_at INTEGER NOT NULL,
  path TEXT NOT NULL, content_type TEXT NOT NULL, content_encoding TEXT NOT NULL DEFAULT '',
  items INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL,
  body BLOB NOT NULL);
)SQL";
}

std::string viewsSql() {
  std::string sql = "DROP VIEW IF EXISTS events;\n" + eventsViewSql() + ";\n";
  sql += "DROP VIEW IF EXISTS metric_increments;\nCREATE VIEW metric_increments AS SELECT i.id AS id, "
         "i.metric_name AS metric_name, (SELECT session_id FROM sessions WHERE id = i.session_ref) AS session_id, "
         "i.attributes AS attributes, i.start_ns AS start_time_unix_nano, i.time_ns AS time_unix_nano, "
         "i.temporality AS temporality, i.inc AS increment FROM (" + metricIncrementsSql("1") + ") i;\n";
  sql += R"SQL(
DROP VIEW IF EXISTS metric_points;
CREATE VIEW metric_points AS SELECT
  d.id AS id, s.metric_name AS metric_name, s.description AS description, s.unit AS unit,
  s.type AS type, s.temporality AS temporality, s.is_monotonic AS is_monotonic,
  d.start_ns AS start_time_unix_nano, d.time_ns AS time_unix_nano,
  d.value AS value, d.int_value AS int_value,
  (SELECT session_id FROM sessions WHERE id = s.session_ref) AS session_id,
  s.attributes AS attributes, d.data AS data, d.exemplars AS exemplars, d.flags AS flags,
  (SELECT attributes FROM resources WHERE id = s.resource_ref) AS resource
FROM metric_data d JOIN metric_series s ON s.id = d.series_ref;

DROP VIEW IF EXISTS spans;
CREATE VIEW spans AS SELECT
  sp.id AS id, sp.trace_id AS trace_id, sp.span_id AS span_id, sp.parent_span_id AS parent_span_id,
  sp.name AS name, sp.kind AS kind,
  sp.start_time_unix_nano AS start_time_unix_nano, sp.end_time_unix_nano AS end_time_unix_nano,
  sp.status_code AS status_code, sp.status_message AS status_message,
  (SELECT session_id FROM sessions WHERE id = sp.session_ref) AS session_id,
  (SELECT prompt_id FROM prompts WHERE id = sp.prompt_ref) AS prompt_id,
  sp.attributes AS attributes, sp.events AS events, sp.links AS links,
  sp.trace_state AS trace_state, sp.flags AS flags,
  sp.dropped_attributes_count AS dropped_attributes_count,
  sp.dropped_events_count AS dropped_events_count, sp.dropped_links_count AS dropped_links_count,
  (SELECT attributes FROM resources WHERE id = sp.resource_ref) AS resource,
  (SELECT name FROM scopes WHERE id = sp.scope_ref) AS scope_name
FROM span_data sp;
)SQL";
  return sql;
}

// Migrations: entry N brings a version-N file to version N+1. Never edit one that has shipped.
using Migration = std::function<void(Database&, const MigrationProgress&)>;
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> m = {
      [](Database& db, const MigrationProgress&) { db.exec(tablesSql()); },  // 0 -> 1: the first schema
      [](Database& db, const MigrationProgress&) { db.exec(forwardQueueSql()); },  // 1 -> 2: the forwarding queue
      // 2 -> 3: the roll-ups of the Metrics and Tools & errors pages, filled from the rows already stored
      [](Database& db, const MigrationProgress& progress) {
        db.exec(pageRollupTablesSql());
        backfillPageRollups(db, progress);
      },
      // 3 -> 4: three event indexes fewer for the writer to keep (each cost it 6-10% per event). Prompts are
      // found through the key index (promptRowsWhere); time and event-name filters share one index, where the
      // name is checked without reading the row.
      [](Database& db, const MigrationProgress& progress) {
        db.exec("DROP INDEX IF EXISTS event_prompt; DROP INDEX IF EXISTS event_name_time");
        if (progress) progress("indexing events by time and name");
        db.exec("DROP INDEX IF EXISTS event_time; CREATE INDEX IF NOT EXISTS event_time_name ON event_data (time_ns, event_name_ref)");
      },
  };
  return m;
}

void checkIdentity(Database& db) {
  const std::int64_t appId = db.queryInt("PRAGMA application_id");
  const std::int64_t version = db.queryInt("PRAGMA user_version");
  const std::int64_t tables = db.queryInt("SELECT count(*) FROM sqlite_schema");
  if (appId != kApplicationId && (appId != 0 || tables > 0))
    throw SqliteError(SQLITE_NOTADB, "not a cctv database (it has other tables; application_id " +
                                         std::to_string(appId) + ")");
  if (version > kSchemaVersion)
    throw SqliteError(SQLITE_NOTADB, "database was written by a newer cctv (schema " + std::to_string(version) +
                                         ", this build reads up to " + std::to_string(kSchemaVersion) + ")");
}

}  // namespace

std::string eventColumn(int i) {
  const std::string name = eventFields()[i].name;
  return isReference(i) ? name + "_ref" : name;
}

std::string eventsViewSql() {
  const model::FieldDef* f = eventFields();
  auto refText = [](int i, const std::string& col) -> std::string {
    if (i == F::session_id) return "(SELECT session_id FROM sessions WHERE id = e." + col + ")";
    if (i == F::prompt_id) return "(SELECT prompt_id FROM prompts WHERE id = e." + col + ")";
    return "(SELECT s FROM dict WHERE id = e." + col + ")";
  };
  // Value of field i as a typed column.
  auto typed = [&](int i) -> std::string {
    const std::string col = "\"" + eventColumn(i) + "\"";
    if (isReference(i)) return refText(i, col);
    if (i == F::event_timestamp)
      return "CASE WHEN e.wf & 4 THEN strftime('%Y-%m-%dT%H:%M:%S', e.time_ns / 1000000000, 'unixepoch') || '.' || "
             "printf('%03d', (e.time_ns / 1000000) % 1000) || 'Z' ELSE e.event_timestamp END";
    return "e." + col;
  };
  std::string sql =
      "CREATE VIEW events AS SELECT\n"
      "  e.id AS id,\n"
      "  e.time_ns AS timeUnixNano,\n"
      "  CASE WHEN e.wf & 1 THEN e.time_ns ELSE e.observed_ns END AS observedTimeUnixNano,\n"
      "  CASE WHEN e.wf & 2 THEN 'claude_code.' || (SELECT s FROM dict WHERE id = e.event_name_ref) "
      "ELSE e.body END AS body,\n"
      "  e.dropped_attributes_count AS droppedAttributesCount";
  for (int i = 0; i < kFieldCount; ++i) sql += ",\n  " + typed(i) + " AS \"" + f[i].name + "\"";
  // attributes: every attribute as sent. Schema fields come back from their columns (strings that were
  // numbers or booleans become strings again, per str_mask), the rest from `extra`.
  // json_object takes at most 127 arguments (SQLITE_MAX_FUNCTION_ARG), so the fields are merged in groups.
  constexpr int kPerGroup = 40;
  std::string attrs = "coalesce(e.extra, '{}')";
  for (int start = 0; start < kFieldCount; start += kPerGroup) {
    std::string group;
    for (int i = start; i < kFieldCount && i < start + kPerGroup; ++i) {
      const std::string v = typed(i);
      const int bit = model::stringMaskBit(i);
      const std::string sent = bit >= 0 ? "e.str_mask >> " + std::to_string(bit) + " & 1" : "";
      std::string expr;
      switch (f[i].type) {
        case FieldType::Bool:
          expr = "CASE WHEN " + sent + " THEN CASE " + v + " WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE " + v +
                 " END WHEN " + v + " IS 1 THEN json('true') WHEN " + v + " IS 0 THEN json('false') ELSE " + v +
                 " END";
          break;
        case FieldType::Int: expr = "CASE WHEN " + sent + " THEN CAST(" + v + " AS TEXT) ELSE " + v + " END"; break;
        case FieldType::Real:
          // SQLite's JSON writes REALs with 15 digits, which does not always read back as the same double:
          // use 17 when 15 would not round-trip.
          expr = "CASE WHEN " + sent + " THEN CAST(" + v + " AS TEXT) WHEN typeof(" + v + ") = 'real' THEN json(CASE WHEN CAST(printf('%!.15g', " + v + ") AS REAL) = " + v + " THEN printf('%!.15g', " + v + ") ELSE printf('%!.17g', " + v + ") END) ELSE " + v + " END";
          break;
        case FieldType::Array:
          expr = "CASE WHEN " + sent + " OR json_valid(" + v + ") = 0 THEN " + v + " ELSE json(" + v + ") END";
          break;
        default: expr = v;
      }
      if (i != start) group += ", ";
      group += "'" + std::string(f[i].wireKey) + "', " + expr;
    }
    attrs = "json_patch(" + attrs + ", json_object(" + group + "))";
  }
  sql += ",\n  " + attrs + " AS attributes,\n";
  sql +=
      "  (SELECT attributes FROM resources WHERE id = e.resource_ref) AS resource,\n"
      "  (SELECT name FROM scopes WHERE id = e.scope_ref) AS scope_name,\n"
      "  (SELECT version FROM scopes WHERE id = e.scope_ref) AS scope_version,\n"
      "  e.severity_number AS severityNumber, e.severity_text AS severityText, e.flags AS flags,\n"
      "  lower(hex(e.trace_id)) AS traceId, lower(hex(e.span_id)) AS spanId,\n"
      "  e.extra AS extra_attributes\n"
      "FROM event_data e";
  return sql;
}

void openForWriting(Database& db, const MigrationProgress& progress) {
  checkIdentity(db);
  registerRollupFunctions(db);
  db.exec("PRAGMA journal_mode=WAL");
  if (db.queryText("PRAGMA journal_mode") != "wal")
    throw SqliteError(SQLITE_CANTOPEN, "cannot switch the database to WAL mode");
  db.exec("PRAGMA synchronous=NORMAL");  // in WAL: a killed process loses nothing committed
  db.exec("PRAGMA wal_autocheckpoint=10000");
  db.exec("PRAGMA cache_size=-65536");  // 64 MiB
  db.exec("PRAGMA temp_store=MEMORY");
  std::int64_t version = db.queryInt("PRAGMA user_version");
  const bool existing = version > 0;  // a new file has nothing to report
  while (version < kSchemaVersion) {
    Transaction tx(db);
    if (existing && progress)
      progress("upgrading schema " + std::to_string(version) + " to " + std::to_string(version + 1));
    try {
      migrations()[static_cast<std::size_t>(version)](db, existing ? progress : MigrationProgress());
    } catch (const SqliteError& e) {
      // Rolled back: the file stays as it was. Keep SQLite's code, which tells a full disk from a damaged file.
      if (!existing) throw;
      throw SqliteError(e.code(), std::string(e.what()) + ", while upgrading it from schema " +
                                      std::to_string(version) + " to " + std::to_string(version + 1));
    }
    ++version;
    db.exec("PRAGMA application_id=" + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version=" + std::to_string(version));
    tx.commit();
  }
  Transaction tx(db);
  db.exec(viewsSql());
  tx.commit();
}

std::string promptRowsWhere(Database& db, std::int64_t promptRef) {
  const std::string prompt = std::to_string(promptRef);
  const std::string scan = "e.prompt_id_ref = " + prompt;
  Statement st = db.prepare("SELECT session_ref, first_seq, last_seq, events FROM prompts WHERE id = ?");
  st.bind(1, promptRef);
  if (!st.step() || st.columnIsNull(0) || st.columnIsNull(1) || st.columnIsNull(2)) return scan;
  const std::string session = std::to_string(st.columnInt(0));
  const std::string keyed = "SELECT id FROM event_data WHERE session_id_ref = " + session +
                            " AND event_sequence BETWEEN " + std::to_string(st.columnInt(1)) + " AND " +
                            std::to_string(st.columnInt(2)) + " AND prompt_id_ref = " + prompt +
                            " UNION ALL SELECT id FROM event_data WHERE session_id_ref = " + session +
                            " AND event_sequence IS NULL AND prompt_id_ref = " + prompt;
  if (db.queryInt("SELECT count(*) FROM (" + keyed + ")") != st.columnInt(3)) return scan;
  return "e.id IN (" + keyed + ")";
}

void checkReadable(Database& db) {
  checkIdentity(db);
  if (db.queryInt("PRAGMA user_version") == 0) throw SqliteError(SQLITE_NOTADB, "not a cctv database (empty)");
}

}  // namespace cctv::store
