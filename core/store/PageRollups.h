#pragma once
// The roll-ups of the Metrics and the Tools & errors pages (schema 3), so that neither scans millions of rows:
//
//   metric_hours           per sum series and UTC hour: summed increments, points, the newest point's time
//   daily_tools            per UTC day and tool: tool_result calls, successes, failures
//   daily_tool_durations   per UTC day, tool and duration bucket: how many tool_result durations, their sum
//   daily_tool_rejections  per UTC day, tool and source: rejected tool_decision events
//   daily_api_errors       per UTC day, event name, model and status code: api_error, api_retries_exhausted,
//                          api_refusal events
//
// The writer keeps them in the transaction of the rows they summarise (RowWriter), the migration from schema 2
// fills them from the rows (backfill), and whatever deletes rows takes its rows off them (Housekeeping). Each
// holds what a query over the raw rows would find, so query/ reads them for whole hours or days and the raw
// rows for the rest of a range. Keys: tool_ref and model_ref are dict ids or 0 for none, status_code is -1 for
// none, source is '' for none; day is time_ns / kNsPerDay, hour time_ns / kNsPerHour (SQLite's division).

#include <cstdint>
#include <functional>
#include <string>

#include "store/Sqlite.h"

namespace cctv::store {

constexpr std::int64_t kNsPerHour = 3600LL * 1000000000LL;

// Durations are counted in log-spaced buckets: bucket 0 holds durations below 1 ms, bucket k ≥ 1 holds
// [10^((k-1)/20), 10^(k/20)) ms. A percentile read from them is the mean of the durations in the bucket that
// holds the true (nearest-rank) percentile, so it lies in the same bucket: within a factor 10^(1/20) = 1.122
// of the exact value, and exact when that bucket holds one distinct value (every integer below 9 ms has a
// bucket of its own).
constexpr int kDurationBucketsPerDecade = 20;
int durationBucket(double ms);

// The CREATE TABLE statements of schema 3's roll-ups.
std::string pageRollupTablesSql();

// Registers cctv_duration_bucket(ms) (durationBucket) on a connection that writes the roll-ups.
void registerRollupFunctions(Database& db);

// Fills the (empty) roll-ups from the rows already stored, reporting each step before it runs.
void backfillPageRollups(Database& db, const std::function<void(const std::string&)>& progress);

// Rewrites the metric_hours rows of the series listed in temp.rollup_series (created by
// createRollupScratch) from their points: after points were deleted, or arrived out of order.
void recomputeMetricHours(Database& db);
void createRollupScratch(Database& db);

// Takes the events listed in temp.doomed_events (Housekeeping) off the tool and API-error roll-ups, before
// they are deleted; rows left counting nothing are removed.
void subtractDoomedEvents(Database& db);

}  // namespace cctv::store
