#pragma once
// Turns decoded OTLP Export requests into rows: each log record into one Anthropic.ClaudeTelemetry row,
// each number/histogram/summary data point into a metric point row, each span into a span row.
// Pure functions of their input; no I/O, no Qt.

#include "model/Rows.h"

namespace opentelemetry::proto::collector::logs::v1 { class ExportLogsServiceRequest; }
namespace opentelemetry::proto::collector::metrics::v1 { class ExportMetricsServiceRequest; }
namespace opentelemetry::proto::collector::trace::v1 { class ExportTraceServiceRequest; }
namespace opentelemetry::proto::common::v1 { class AnyValue; class KeyValue; }
namespace google::protobuf { template <typename T> class RepeatedPtrField; }

namespace cctv::model {

struct NormalizeOptions {
  // Drop prompt text, assistant responses, tool inputs and output, and raw API bodies at ingest, in log
  // records and spans (--redact).
  bool redactContent = false;
};

void normalizeLogs(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
                   NormalizedBatch* out, const NormalizeOptions& opts = {});
void normalizeMetrics(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& req,
                      NormalizedBatch* out);
void normalizeTraces(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
                     NormalizedBatch* out, const NormalizeOptions& opts = {});

// JSON of an AnyValue (strings, numbers, bools, arrays, objects; bytes as base64).
void appendAnyValueJson(std::string& out, const opentelemetry::proto::common::v1::AnyValue& v);
// JSON object of attributes, in the order sent, or with keys sorted.
std::string attributesJson(const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kvs,
                           bool sortKeys = false);

// "2026-11-24T19:17:24.547Z" for a time in ns (millisecond precision, as Claude Code writes event.timestamp).
std::string isoMillis(std::int64_t ns);

}  // namespace cctv::model
