#pragma once
// The SQLite file format: tables, indexes, the user-facing views, and the migrations between versions.
// The file is an interface (users query it with sqlite3), documented in README.md "The database".

#include <cstdint>
#include <functional>
#include <string>

#include "store/Sqlite.h"

namespace cctv::store {

constexpr int kSchemaVersion = 4;
// PRAGMA application_id: 'cctv'. A file with another id is not ours and is never written to.
constexpr int kApplicationId = 0x63637476;

// daily_models.day is time_ns / kNsPerDay (UTC days since the epoch); the writer and the queries share it.
constexpr std::int64_t kNsPerDay = 86400LL * 1000000000LL;

// Column of event_data that holds schema field `index` ("duration_ms", or "model_ref" for interned text).
std::string eventColumn(int index);

// Prepares a connection the writer will use: WAL, synchronous=NORMAL, and the schema at kSchemaVersion
// (creating it, or migrating an older cctv file). Throws SqliteError with a one-line message for files
// that are not cctv databases, are from a newer cctv, or are damaged. Migrating an existing file reports each
// step to `progress` (schema 2 -> 3 fills roll-ups from every stored row: about a minute on 5M events).
using MigrationProgress = std::function<void(const std::string& step)>;
void openForWriting(Database& db, const MigrationProgress& progress = {});
// Checks that a connection opened read-only points at a cctv database this build can read.
void checkReadable(Database& db);

// The condition on event_data (alias e) that selects prompt `promptRef`'s rows. There is no prompt index
// (schema 4 dropped it: the writer paid for it on every event): the rows are found through the
// (session, sequence) key index from the prompt's roll-up (its session and first..last sequence) and counted
// against the prompt's event count. A prompt whose rows lie elsewhere (records without sequence numbers, or in
// several sessions) falls back to a scan. The values are inlined: the result needs no parameters.
std::string promptRowsWhere(Database& db, std::int64_t promptRef);

// The SQL of the `events` view (exposed for tests and the README).
std::string eventsViewSql();

// A SELECT of the increments of the sum series that `seriesWhere` (a condition on `s`, the metric_series
// row) selects: columns id, series_ref, metric_name, attributes, session_ref, start_ns, time_ns, temporality,
// inc. A delta point's increment is its value; a cumulative point's is its difference to the previous point of
// its series, unless the start time changed or a monotonic value dropped (a reset), when it is the value.
// Filter on time outside this SELECT, never inside: a cumulative point needs its predecessor.
// The `metric_increments` view is this over every series.
std::string metricIncrementsSql(const std::string& seriesWhere);

}  // namespace cctv::store
