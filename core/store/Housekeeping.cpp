#include "store/Housekeeping.h"

#include <algorithm>

#include "model/EventSchema.h"
#include "store/PageRollups.h"
#include "store/Schema.h"

namespace cctv::store {

namespace {

// Pages handed back to the file system per step once the file uses incremental auto-vacuum (8 MiB at 4 KiB).
constexpr int kFreePagesPerStep = 2048;
// Candidate sessions looked at per step (each step then takes as many as its row budget allows).
constexpr int kCandidates = 1000;
// Size retention keeps the newest ingest_log rows: they answer "why is my telemetry not arriving?".
constexpr int kKeptLogRows = 1000;

std::string column(int field) { return "\"" + eventColumn(field) + "\""; }
std::string column(const char* field) { return column(model::fieldByName(field)); }

}  // namespace

Housekeeper::Housekeeper(Database& db, std::int64_t maxRowsPerStep)
    : db_(db), maxRowsPerStep_(std::max<std::int64_t>(1, maxRowsPerStep)) {
  // Scratch lists of what one step removes, private to this connection.
  db_.exec(
      "CREATE TEMP TABLE IF NOT EXISTS doomed_sessions (id INTEGER PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS doomed_events (id INTEGER PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS doomed_prompts (id INTEGER PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS doomed_points (id INTEGER PRIMARY KEY)");
  createRollupScratch(db_);
}

std::int64_t Housekeeper::dataBytes() {
  return (db_.queryInt("PRAGMA page_count") - db_.queryInt("PRAGMA freelist_count")) *
         db_.queryInt("PRAGMA page_size");
}

std::int64_t Housekeeper::fileBytes() { return db_.queryInt("PRAGMA page_count") * db_.queryInt("PRAGMA page_size"); }

std::int64_t Housekeeper::dictRef(const char* text) {
  Statement st = db_.prepare("SELECT id FROM dict WHERE s = ?");
  st.bind(1, std::string_view(text));
  return st.step() ? st.columnInt(0) : -1;  // -1 matches no row
}

std::int64_t Housekeeper::removeDoomedEvents() {
  // daily_models holds every API request and error with a model, per UTC day (RowWriter::writeEvent): take
  // the doomed ones off, with the same rules (cost only when it is a number, tokens only when integers).
  const std::string req = std::to_string(dictRef("api_request"));
  const std::string err = std::to_string(dictRef("api_error"));
  const std::string name = column(model::F::event_name);
  const std::string model = column("model");
  auto sumInt = [&](const char* field) {
    const std::string c = column(field);
    return "sum(CASE WHEN " + name + " = " + req + " AND typeof(" + c + ") = 'integer' THEN " + c + " ELSE 0 END)";
  };
  const std::string cost = column("cost_usd");
  db_.exec(
      "WITH d AS (SELECT time_ns / " + std::to_string(kNsPerDay) + " AS day, " + model + " AS model, " +
      "sum(" + name + " = " + req + ") AS req, sum(" + name + " = " + err + ") AS err, " +
      "total(CASE WHEN " + name + " = " + req + " AND typeof(" + cost + ") = 'real' THEN " + cost + " END) AS cost, " +
      sumInt("input_tokens") + " AS it, " + sumInt("output_tokens") + " AS ot, " + sumInt("cache_read_tokens") +
      " AS crt, " + sumInt("cache_creation_tokens") + " AS cct " +
      "FROM event_data WHERE id IN (SELECT id FROM temp.doomed_events) AND " + model + " IS NOT NULL AND " + name +
      " IN (" + req + ", " + err + ") GROUP BY 1, 2) "
      "UPDATE daily_models SET api_requests = api_requests - d.req, api_errors = api_errors - d.err, "
      "cost_usd = cost_usd - d.cost, input_tokens = input_tokens - d.it, output_tokens = output_tokens - d.ot, "
      "cache_read_tokens = cache_read_tokens - d.crt, cache_creation_tokens = cache_creation_tokens - d.cct "
      "FROM d WHERE daily_models.day = d.day AND daily_models.model_ref = d.model");
  // A (day, model) row exists only while it counts something.
  db_.exec("DELETE FROM daily_models WHERE api_requests = 0 AND api_errors = 0");
  subtractDoomedEvents(db_);  // the tool and API-error roll-ups, likewise
  db_.exec("DELETE FROM event_data WHERE id IN (SELECT id FROM temp.doomed_events)");
  return db_.changes();
}

void Housekeeper::removeSessions(const std::vector<std::int64_t>& refs, MaintenanceResult* r) {
  db_.exec("DELETE FROM temp.doomed_sessions; DELETE FROM temp.doomed_events; DELETE FROM temp.doomed_prompts");
  Statement add = db_.prepare("INSERT INTO temp.doomed_sessions (id) VALUES (?)");
  for (std::int64_t ref : refs) {
    add.bind(1, ref);
    add.step();
    add.reset();
  }
  const std::string doomed = " IN (SELECT id FROM temp.doomed_sessions)";
  const std::string prompt = column(model::F::prompt_id);
  db_.exec("INSERT INTO temp.doomed_events SELECT id FROM event_data WHERE " + column(model::F::session_id) + doomed);
  // Prompts go with their session, unless something that stays still points at them.
  db_.exec("INSERT OR IGNORE INTO temp.doomed_prompts SELECT id FROM prompts WHERE session_ref" + doomed +
           " UNION SELECT " + prompt + " FROM event_data WHERE id IN (SELECT id FROM temp.doomed_events) AND " +
           prompt + " IS NOT NULL UNION SELECT prompt_ref FROM span_data WHERE session_ref" + doomed +
           " AND prompt_ref IS NOT NULL");
  r->events += removeDoomedEvents();
  // A series belongs to one session and goes whole, so its hourly roll-ups go with it.
  db_.exec("DELETE FROM metric_hours WHERE series_ref IN (SELECT id FROM metric_series WHERE session_ref" + doomed + ")");
  db_.exec("DELETE FROM metric_data WHERE series_ref IN (SELECT id FROM metric_series WHERE session_ref" + doomed + ")");
  r->points += db_.changes();
  db_.exec("DELETE FROM metric_series WHERE session_ref" + doomed);
  db_.exec("DELETE FROM span_data WHERE session_ref" + doomed);
  r->spans += db_.changes();
  db_.exec("DELETE FROM prompts WHERE id IN (SELECT id FROM temp.doomed_prompts) AND NOT EXISTS (SELECT 1 FROM "
           "event_data e WHERE e." + prompt + " = prompts.id) AND NOT EXISTS (SELECT 1 FROM span_data s WHERE "
           "s.prompt_ref = prompts.id)");
  db_.exec("DELETE FROM session_models WHERE session_ref" + doomed);
  db_.exec("DELETE FROM session_event_counts WHERE session_ref" + doomed);
  db_.exec("DELETE FROM sessions WHERE id" + doomed);
  r->sessions += db_.changes();
}

bool Housekeeper::deleteSession(const std::string& sessionId, MaintenanceResult* result) {
  Statement find = db_.prepare("SELECT id FROM sessions WHERE session_id = ?");
  find.bind(1, sessionId);
  if (!find.step()) return false;
  const std::int64_t ref = find.columnInt(0);
  find.reset();
  Transaction tx(db_);
  removeSessions({ref}, result);
  tx.commit();
  ++result->steps;
  giveBackFreePages();
  return true;
}

// Takes sessions from `candidates` (rows of id and row count) until they hold `budget` rows, and removes them
// in one transaction. False when there was none: the caller then goes on to what belongs to no session.
bool Housekeeper::removeSessionsUpTo(Statement candidates, std::int64_t budget, MaintenanceResult* r) {
  std::vector<std::int64_t> refs;
  {
    Statement st = std::move(candidates);  // finalized before the deletes
    std::int64_t rows = 0;
    while (rows < budget && st.step()) {
      refs.push_back(st.columnInt(0));
      rows += st.columnInt(1);
    }
  }
  if (refs.empty()) return false;
  Transaction tx(db_);
  removeSessions(refs, r);
  tx.commit();
  return true;
}

bool Housekeeper::pruneByAge(std::int64_t cutoffNs, MaintenanceResult* r) {
  Statement st = db_.prepare("SELECT id, events + metric_points + spans FROM sessions WHERE last_ns < ? "
                             "ORDER BY last_ns LIMIT " + std::to_string(kCandidates));
  st.bind(1, cutoffNs);
  if (removeSessionsUpTo(std::move(st), maxRowsPerStep_, r)) return true;
  Transaction tx(db_);
  // Then what belongs to no session, oldest first, a bounded batch of each kind.
  const std::string cutoff = std::to_string(cutoffNs), limit = std::to_string(maxRowsPerStep_);
  const std::string prompt = column(model::F::prompt_id);
  db_.exec("DELETE FROM temp.doomed_events; DELETE FROM temp.doomed_prompts");
  db_.exec("INSERT INTO temp.doomed_events SELECT id FROM event_data WHERE " + column(model::F::session_id) +
           " IS NULL AND time_ns < " + cutoff + " ORDER BY time_ns LIMIT " + limit);
  db_.exec("INSERT OR IGNORE INTO temp.doomed_prompts SELECT " + prompt + " FROM event_data WHERE id IN (SELECT id "
           "FROM temp.doomed_events) AND " + prompt + " IS NOT NULL");
  std::int64_t removed = 0;
  const std::int64_t events = removeDoomedEvents();
  db_.exec("DELETE FROM prompts WHERE id IN (SELECT id FROM temp.doomed_prompts) AND session_ref IS NULL AND NOT "
           "EXISTS (SELECT 1 FROM event_data e WHERE e." + prompt + " = prompts.id) AND NOT EXISTS (SELECT 1 FROM "
           "span_data s WHERE s.prompt_ref = prompts.id)");
  // Points of series without a session go by time, so a series may lose only its oldest points: the series
  // that lose any have their hourly roll-ups rewritten from the points that stay (a cumulative series' first
  // remaining point then counts whole, as metric_increments says).
  db_.exec("DELETE FROM temp.doomed_points");
  db_.exec("INSERT INTO temp.doomed_points SELECT d.id FROM metric_data d JOIN metric_series s ON s.id = "
           "d.series_ref WHERE s.session_ref IS NULL AND d.time_ns < " + cutoff + " LIMIT " + limit);
  db_.exec("INSERT OR IGNORE INTO temp.rollup_series SELECT DISTINCT series_ref FROM metric_data WHERE id IN (SELECT "
           "id FROM temp.doomed_points)");
  db_.exec("DELETE FROM metric_data WHERE id IN (SELECT id FROM temp.doomed_points)");
  const std::int64_t points = db_.changes();
  recomputeMetricHours(db_);
  db_.exec("DELETE FROM span_data WHERE id IN (SELECT id FROM span_data WHERE session_ref IS NULL AND "
           "coalesce(end_time_unix_nano, start_time_unix_nano) < " + cutoff + " LIMIT " + limit + ")");
  const std::int64_t spans = db_.changes();
  db_.exec("DELETE FROM ingest_log WHERE id IN (SELECT id FROM ingest_log WHERE received_at < " + cutoff +
           " ORDER BY received_at LIMIT " + limit + ")");
  const std::int64_t logs = db_.changes();
  removed = events + points + spans + logs;
  tx.commit();
  r->events += events;
  r->points += points;
  r->spans += spans;
  r->logRows += logs;
  return removed > 0;
}

bool Housekeeper::pruneBySize(std::int64_t maxBytes, MaintenanceResult* r) {
  const std::int64_t used = dataBytes();
  if (used <= maxBytes) return false;
  // Rows to remove, from the average row size; each step measures again, so a poor estimate costs a step.
  const std::int64_t allRows = std::max<std::int64_t>(
      1, db_.queryInt("SELECT (SELECT count(*) FROM event_data) + (SELECT count(*) FROM metric_data) + "
                      "(SELECT count(*) FROM span_data) + (SELECT count(*) FROM ingest_log)"));
  const std::int64_t wanted =
      std::min(maxRowsPerStep_, std::max<std::int64_t>(1, (used - maxBytes) / std::max<std::int64_t>(1, used / allRows)));
  // The least recently active sessions; the most recent one stays, however large it is.
  Statement st = db_.prepare(
      "SELECT id, events + metric_points + spans FROM sessions WHERE last_ns IS NOT NULL AND id <> (SELECT id FROM "
      "sessions ORDER BY last_ns DESC LIMIT 1) ORDER BY last_ns LIMIT " + std::to_string(kCandidates));
  if (removeSessionsUpTo(std::move(st), wanted, r)) return true;
  Transaction tx(db_);
  db_.exec("DELETE FROM ingest_log WHERE id IN (SELECT id FROM ingest_log WHERE id < (SELECT min(id) FROM (SELECT id "
           "FROM ingest_log ORDER BY id DESC LIMIT " + std::to_string(kKeptLogRows) + ")) ORDER BY id LIMIT " +
           std::to_string(wanted) + ")");
  const std::int64_t logs = db_.changes();
  tx.commit();
  r->logRows += logs;
  return logs > 0;  // otherwise nothing is left that size retention may remove
}

bool Housekeeper::pruneStep(const RetentionPolicy& policy, std::int64_t nowNs, MaintenanceResult* result) {
  if (result->steps == 0) result->bytesBefore = dataBytes();
  bool more = false;
  if (policy.days > 0) more = pruneByAge(nowNs - policy.days * kNsPerDay, result);
  if (!more && policy.maxBytes > 0) more = pruneBySize(policy.maxBytes, result);
  if (more) {
    ++result->steps;
    giveBackFreePages();
  }
  result->bytesAfter = dataBytes();
  return more;
}

void Housekeeper::giveBackFreePages() {
  if (db_.queryInt("PRAGMA auto_vacuum") == 2)
    db_.exec("PRAGMA incremental_vacuum(" + std::to_string(kFreePagesPerStep) + ")");
}

void Housekeeper::compact(MaintenanceResult* result) {
  result->bytesBefore = fileBytes();
  db_.exec("PRAGMA auto_vacuum=INCREMENTAL");  // takes effect with the VACUUM
  db_.exec("VACUUM");
  // Fold the WAL back so the file on disk is the compacted one; readers may hold it back, which is fine.
  db_.queryInt("PRAGMA wal_checkpoint(TRUNCATE)");
  result->bytesAfter = fileBytes();
  ++result->steps;
}

}  // namespace cctv::store
