#pragma once
// Writes normalized rows into an open transaction: interns ids, drops duplicates, and accumulates the
// session/prompt roll-ups, which flushRollups() applies in the same transaction. Used only by the writer
// thread; not thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "model/Rows.h"
#include "store/IngestTypes.h"
#include "store/Sqlite.h"

namespace cctv::store {

struct RollupCounts {
  std::int64_t events = 0, prompts = 0, apiRequests = 0, apiErrors = 0, toolCalls = 0, toolFailures = 0,
               toolRejections = 0, errors = 0, inputTokens = 0, outputTokens = 0, cacheReadTokens = 0,
               cacheCreationTokens = 0, apiDurationMs = 0, metricPoints = 0, spans = 0;
  double costUsd = 0;
  std::int64_t firstNs = 0, lastNs = 0;  // 0: none yet
  std::int64_t firstSeq = -1, lastSeq = -1;
  std::int64_t userRef = 0, terminalRef = 0, resourceRef = 0, promptEvent = 0;

  void touch(std::int64_t ns);
  void merge(const RollupCounts& o);
};

struct ModelCounts {
  std::int64_t apiRequests = 0, apiErrors = 0, inputTokens = 0, outputTokens = 0, cacheReadTokens = 0,
               cacheCreationTokens = 0;
  double costUsd = 0;
  void merge(const ModelCounts& o);
};

// Deltas of the page roll-ups (PageRollups.h).
struct MetricHour {
  double inc = 0;
  std::int64_t points = 0, lastNs = 0;  // lastNs: meaningful when points > 0
  void merge(const MetricHour& o);
};
struct ToolDay {
  std::int64_t calls = 0, successes = 0, failures = 0;
};
struct DurationCount {
  std::int64_t n = 0, sumMs = 0;
};

// Roll-up deltas of one job or one transaction.
struct Rollups {
  std::map<std::int64_t, RollupCounts> sessions;  // by sessions.id
  std::map<std::int64_t, RollupCounts> prompts;   // by prompts.id
  std::map<std::pair<std::int64_t, std::int64_t>, ModelCounts> models;       // (session, model)
  std::map<std::pair<std::int64_t, std::int64_t>, ModelCounts> days;         // (UTC day, model)
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> eventCounts;  // (session, event name)
  std::map<std::pair<std::int64_t, std::int64_t>, MetricHour> metricHours;  // (series, UTC hour)
  // Cumulative series with a point that arrived before one already stored: their metric_hours are rewritten.
  std::set<std::int64_t> recomputeSeries;
  std::map<std::pair<std::int64_t, std::int64_t>, ToolDay> tools;                         // (day, tool)
  std::map<std::tuple<std::int64_t, std::int64_t, int>, DurationCount> toolDurations;     // (day, tool, bucket)
  std::map<std::tuple<std::int64_t, std::int64_t, std::string>, std::int64_t> rejections;  // (day, tool, source)
  // (day, event name, model, status code)
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>, std::int64_t> apiErrors;
  std::set<std::string> sessionIds;
  std::int64_t events = 0, points = 0, spans = 0, newestNs = 0;

  void merge(const Rollups& o);
  bool empty() const { return events == 0 && points == 0 && spans == 0; }
};

class RowWriter {
 public:
  explicit RowWriter(Database& db);

  // Inserts the batch; returns new and duplicate counts. Adds roll-up deltas to *rollups.
  void write(const model::NormalizedBatch& batch, Rollups* rollups, WriteResult* result);
  void writeLog(const IngestLogEntry& e);
  void flushRollups(const Rollups& r);  // every roll-up, in the caller's transaction
  // Forget cached ids (after a rollback they may name rows that no longer exist).
  void clearCaches();

 private:
  using CountParams = std::array<int, 25>;  // parameter indexes, in RowWriter.cpp's kCountParams order
  static CountParams countParams(Statement& st);
  void flushPageRollups(const Rollups& r);
  std::int64_t dictId(const std::string& s);
  std::int64_t sessionId(const std::string& s);
  std::int64_t promptId(const std::string& s, std::int64_t sessionRef);
  std::int64_t internRow(std::unordered_map<std::string, std::int64_t>& cache, const std::string& key,
                         Statement& insert, Statement& select);
  std::int64_t resourceId(const model::ResourceInfo& r);
  std::int64_t scopeId(const model::ScopeInfo& s);
  // Steps an INSERT OR IGNORE and counts the row as stored or as a duplicate; true when stored.
  bool insertCounted(Statement& st, WriteResult* result);
  void writeEvent(const model::EventRow& row, std::int64_t resourceRef, std::int64_t scopeRef, Rollups* r,
                  WriteResult* result);
  void writePoint(const model::MetricPointRow& row, std::int64_t resourceRef, std::int64_t scopeRef, Rollups* r,
                  WriteResult* result);
  // The increment of a cumulative point just stored as row `rowid`: false when it arrived out of order (the
  // series is then marked for recomputing).
  bool cumulativeIncrement(const model::MetricPointRow& row, std::int64_t seriesRef, std::int64_t rowid,
                           bool* hasInc, double* inc, Rollups* r);
  void writeSpan(const model::SpanRow& row, std::int64_t resourceRef, std::int64_t scopeRef, Rollups* r,
                 WriteResult* result);

  Database& db_;
  CountParams sessionParams_{}, promptParams_{};
  std::vector<int> sparseBound_;  // insEvent_'s parameters bound for the current row
  Statement insEvent_, insDict_, selDict_, insSession_, selSession_, insPrompt_, selPrompt_, insResource_,
      selResource_, insScope_, selScope_, insSeries_, selSeries_, insPoint_, insSpan_, insLog_, updSession_,
      updPrompt_, upsModel_, upsDay_, upsEventCount_, selNewestPoint_, upsHour_, upsTool_, upsDuration_,
      upsRejection_, upsApiError_, addRecompute_;
  std::unordered_map<std::string, std::int64_t> dict_, sessions_, prompts_, resources_, scopes_, series_;
  // The newest stored point of each cumulative series written to (its successor's predecessor).
  struct LastPoint {
    std::int64_t startNs = 0, timeNs = 0;
    bool hasValue = false;
    double value = 0;
  };
  std::unordered_map<std::int64_t, LastPoint> cumulative_;
};

}  // namespace cctv::store
