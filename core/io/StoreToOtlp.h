#pragma once
// Stored rows -> OTLP messages: the inverse of the normalizer plus the row writer, for export. Each row query
// selects what the store kept of a log record, data point or span; the fill functions rebuild the OTLP
// message from it such that normalizing and storing that message again yields the same stored row
// (the same typed columns, the same "sent as a string" marks, the same attribute JSON).

#include <cstdint>
#include <map>
#include <string>

#include "opentelemetry/proto/logs/v1/logs.pb.h"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "store/Sqlite.h"

namespace cctv::io {

// Resources and scopes by their store ids, read once each.
class StoreResources {
 public:
  explicit StoreResources(store::Database& db);
  void fill(std::int64_t ref, opentelemetry::proto::resource::v1::Resource* out, std::string* schemaUrl);
  void fillScope(std::int64_t ref, opentelemetry::proto::common::v1::InstrumentationScope* out,
                 std::string* schemaUrl);

 private:
  store::Statement resource_, scope_;
  std::map<std::int64_t, opentelemetry::proto::resource::v1::Resource> resources_;
  std::map<std::int64_t, opentelemetry::proto::common::v1::InstrumentationScope> scopes_;
  std::map<std::int64_t, std::string> resourceUrls_, scopeUrls_;
};

struct RowRefs {
  std::int64_t resource = 0;
  std::int64_t scope = 0;
  std::int64_t series = 0;  // metric points only
};

// Log records: `where` is a condition on event_data (alias e); rows come in time and sequence order.
std::string eventRowsSql(const std::string& where);
RowRefs eventRefs(const store::Statement& row);
bool fillLogRecord(const store::Statement& row, opentelemetry::proto::logs::v1::LogRecord* out, std::string* error);

// Metric points: `where` is a condition on metric_series (alias s) / metric_data (alias d).
std::string pointRowsSql(const std::string& where);
RowRefs pointRefs(const store::Statement& row);
// Name, description, unit and the data kind (gauge, sum, ...) of the row's series.
void fillMetric(const store::Statement& row, opentelemetry::proto::metrics::v1::Metric* out);
// Appends the row's data point to `metric` (filled by fillMetric from a row of the same series).
bool addMetricPoint(const store::Statement& row, opentelemetry::proto::metrics::v1::Metric* metric,
                    std::string* error);

// Spans: `where` is a condition on span_data (alias sp).
std::string spanRowsSql(const std::string& where);
RowRefs spanRefs(const store::Statement& row);
bool fillSpan(const store::Statement& row, opentelemetry::proto::trace::v1::Span* out, std::string* error);

}  // namespace cctv::io
