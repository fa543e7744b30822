// The typed decoder's tables: every OTLP message type with its fields, written out once per field with the
// generated accessor it calls. tst_otlp_json_diff checks them against the descriptors (typedTableMismatches):
// a field missing here, or with another name, kind or type, fails that test, so a proto update cannot slip by.

#include <iterator>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/OtlpJsonTyped.h"

namespace cctv::otlp::detail::typed {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace resource = opentelemetry::proto::resource::v1;
namespace logs = opentelemetry::proto::logs::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace logsService = opentelemetry::proto::collector::logs::v1;
namespace metricsService = opentelemetry::proto::collector::metrics::v1;
namespace traceService = opentelemetry::proto::collector::trace::v1;

using Int = void (*)(Msg*, std::int64_t);
using UInt = void (*)(Msg*, std::uint64_t);
using Real = void (*)(Msg*, double);
using Flag = void (*)(Msg*, bool);
using Text = void (*)(Msg*, std::string&&);
using Open = Msg* (*)(Msg*);
using EnumType = const google::protobuf::EnumDescriptor* (*)();

constexpr Field intField(std::string_view j, std::string_view p, Kind k, bool rep, Int f, EnumType e = nullptr) {
  return Field{j, p, k, rep, f, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, e};
}
constexpr Field uintField(std::string_view j, std::string_view p, Kind k, bool rep, UInt f) {
  return Field{j, p, k, rep, nullptr, f, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
}
constexpr Field doubleField(std::string_view j, std::string_view p, bool rep, Real f) {
  return Field{j, p, Kind::Double, rep, nullptr, nullptr, f, nullptr, nullptr, nullptr, nullptr, nullptr};
}
constexpr Field boolField(std::string_view j, std::string_view p, Flag f) {
  return Field{j, p, Kind::Bool, false, nullptr, nullptr, nullptr, f, nullptr, nullptr, nullptr, nullptr};
}
constexpr Field stringField(std::string_view j, std::string_view p, Kind k, bool rep, Text f) {
  return Field{j, p, k, rep, nullptr, nullptr, nullptr, nullptr, f, nullptr, nullptr, nullptr};
}
constexpr Field messageField(std::string_view j, std::string_view p, bool rep, Open f, const Type* child) {
  return Field{j, p, Kind::Message, rep, nullptr, nullptr, nullptr, nullptr, nullptr, f, child, nullptr};
}

// One macro per (kind, cardinality): T the message class, f the proto field name, j its JSON name.
#define CCTV_AS(T) static_cast<T*>(m)
#define INT32(T, f, j) intField(j, #f, Kind::Int32, false, [](Msg* m, std::int64_t v) { CCTV_AS(T)->set_##f(static_cast<std::int32_t>(v)); })
#define INT64(T, f, j) intField(j, #f, Kind::Int64, false, [](Msg* m, std::int64_t v) { CCTV_AS(T)->set_##f(v); })
#define UINT32(T, f, j) uintField(j, #f, Kind::UInt32, false, [](Msg* m, std::uint64_t v) { CCTV_AS(T)->set_##f(static_cast<std::uint32_t>(v)); })
#define UINT64(T, f, j) uintField(j, #f, Kind::UInt64, false, [](Msg* m, std::uint64_t v) { CCTV_AS(T)->set_##f(v); })
#define UINT64S(T, f, j) uintField(j, #f, Kind::UInt64, true, [](Msg* m, std::uint64_t v) { CCTV_AS(T)->add_##f(v); })
#define DOUBLE(T, f, j) doubleField(j, #f, false, [](Msg* m, double v) { CCTV_AS(T)->set_##f(v); })
#define DOUBLES(T, f, j) doubleField(j, #f, true, [](Msg* m, double v) { CCTV_AS(T)->add_##f(v); })
#define BOOL(T, f, j) boolField(j, #f, [](Msg* m, bool v) { CCTV_AS(T)->set_##f(v); })
#define ENUM(T, f, j, E) \
  intField(j, #f, Kind::Enum, false, [](Msg* m, std::int64_t v) { CCTV_AS(T)->set_##f(static_cast<E>(v)); }, &E##_descriptor)
#define STRING(T, f, j) stringField(j, #f, Kind::String, false, [](Msg* m, std::string&& v) { CCTV_AS(T)->set_##f(std::move(v)); })
#define STRINGS(T, f, j) stringField(j, #f, Kind::String, true, [](Msg* m, std::string&& v) { CCTV_AS(T)->add_##f(std::move(v)); })
#define BYTES(T, f, j) stringField(j, #f, Kind::Bytes, false, [](Msg* m, std::string&& v) { CCTV_AS(T)->set_##f(std::move(v)); })
#define HEXID(T, f, j) stringField(j, #f, Kind::HexId, false, [](Msg* m, std::string&& v) { CCTV_AS(T)->set_##f(std::move(v)); })
#define MESSAGE(T, f, j, C) messageField(j, #f, false, [](Msg* m) -> Msg* { return CCTV_AS(T)->mutable_##f(); }, &k##C)
#define MESSAGES(T, f, j, C) messageField(j, #f, true, [](Msg* m) -> Msg* { return CCTV_AS(T)->add_##f(); }, &k##C)

template <typename T>
bool isInstance(const Msg& m) {
  return dynamic_cast<const T*>(&m) != nullptr;
}
#define TYPE(C, T) \
  const Type k##C { &T::descriptor, &isInstance<T>, k##C##Fields, std::size(k##C##Fields) }

// Declared first: the types refer to each other (AnyValue -> ArrayValue -> AnyValue).
extern const Type kAnyValue, kArrayValue, kKeyValueList, kKeyValue, kScope, kEntityRef, kResource;
extern const Type kLogsRequest, kLogsData, kResourceLogs, kScopeLogs, kLogRecord;
extern const Type kTracesRequest, kTracesData, kResourceSpans, kScopeSpans, kSpan, kSpanEvent, kSpanLink, kStatus;
extern const Type kMetricsRequest, kMetricsData, kResourceMetrics, kScopeMetrics, kMetric, kGauge, kSum, kHistogram,
    kExpHistogram, kSummary, kNumberPoint, kHistogramPoint, kExpHistogramPoint, kBuckets, kSummaryPoint, kQuantile,
    kExemplar;

// common.proto, resource.proto: shared by all three signals.

using common::AnyValue, common::ArrayValue, common::KeyValueList, common::KeyValue, common::EntityRef;
using Scope = common::InstrumentationScope;

constexpr Field kAnyValueFields[] = {
    STRING(AnyValue, string_value, "stringValue"),
    BOOL(AnyValue, bool_value, "boolValue"),
    INT64(AnyValue, int_value, "intValue"),
    DOUBLE(AnyValue, double_value, "doubleValue"),
    MESSAGE(AnyValue, array_value, "arrayValue", ArrayValue),
    MESSAGE(AnyValue, kvlist_value, "kvlistValue", KeyValueList),
    BYTES(AnyValue, bytes_value, "bytesValue"),
    INT32(AnyValue, string_value_strindex, "stringValueStrindex"),
};
constexpr Field kArrayValueFields[] = {MESSAGES(ArrayValue, values, "values", AnyValue)};
constexpr Field kKeyValueListFields[] = {MESSAGES(KeyValueList, values, "values", KeyValue)};
constexpr Field kKeyValueFields[] = {
    STRING(KeyValue, key, "key"),
    MESSAGE(KeyValue, value, "value", AnyValue),
    INT32(KeyValue, key_strindex, "keyStrindex"),
};
constexpr Field kScopeFields[] = {
    STRING(Scope, name, "name"),
    STRING(Scope, version, "version"),
    MESSAGES(Scope, attributes, "attributes", KeyValue),
    UINT32(Scope, dropped_attributes_count, "droppedAttributesCount"),
};
constexpr Field kEntityRefFields[] = {
    STRING(EntityRef, schema_url, "schemaUrl"),
    STRING(EntityRef, type, "type"),
    STRINGS(EntityRef, id_keys, "idKeys"),
    STRINGS(EntityRef, description_keys, "descriptionKeys"),
};
constexpr Field kResourceFields[] = {
    MESSAGES(resource::Resource, attributes, "attributes", KeyValue),
    UINT32(resource::Resource, dropped_attributes_count, "droppedAttributesCount"),
    MESSAGES(resource::Resource, entity_refs, "entityRefs", EntityRef),
};

TYPE(AnyValue, AnyValue);
TYPE(ArrayValue, ArrayValue);
TYPE(KeyValueList, KeyValueList);
TYPE(KeyValue, KeyValue);
TYPE(Scope, Scope);
TYPE(EntityRef, EntityRef);
TYPE(Resource, resource::Resource);

// logs.proto: what Claude Code sends most.

using logs::ResourceLogs, logs::ScopeLogs, logs::LogRecord, logs::LogsData, logs::SeverityNumber,
    logs::SeverityNumber_descriptor;

constexpr Field kLogsRequestFields[] = {MESSAGES(logsService::ExportLogsServiceRequest, resource_logs, "resourceLogs", ResourceLogs)};
constexpr Field kLogsDataFields[] = {MESSAGES(LogsData, resource_logs, "resourceLogs", ResourceLogs)};
constexpr Field kResourceLogsFields[] = {
    MESSAGE(ResourceLogs, resource, "resource", Resource),
    MESSAGES(ResourceLogs, scope_logs, "scopeLogs", ScopeLogs),
    STRING(ResourceLogs, schema_url, "schemaUrl"),
};
constexpr Field kScopeLogsFields[] = {
    MESSAGE(ScopeLogs, scope, "scope", Scope),
    MESSAGES(ScopeLogs, log_records, "logRecords", LogRecord),
    STRING(ScopeLogs, schema_url, "schemaUrl"),
};
constexpr Field kLogRecordFields[] = {
    UINT64(LogRecord, time_unix_nano, "timeUnixNano"),
    UINT64(LogRecord, observed_time_unix_nano, "observedTimeUnixNano"),
    ENUM(LogRecord, severity_number, "severityNumber", SeverityNumber),
    STRING(LogRecord, severity_text, "severityText"),
    MESSAGE(LogRecord, body, "body", AnyValue),
    MESSAGES(LogRecord, attributes, "attributes", KeyValue),
    UINT32(LogRecord, dropped_attributes_count, "droppedAttributesCount"),
    UINT32(LogRecord, flags, "flags"),
    HEXID(LogRecord, trace_id, "traceId"),
    HEXID(LogRecord, span_id, "spanId"),
    STRING(LogRecord, event_name, "eventName"),
};

TYPE(LogsRequest, logsService::ExportLogsServiceRequest);
TYPE(LogsData, LogsData);
TYPE(ResourceLogs, ResourceLogs);
TYPE(ScopeLogs, ScopeLogs);
TYPE(LogRecord, LogRecord);

// trace.proto

using trace::ResourceSpans, trace::ScopeSpans, trace::Span, trace::Span_Event, trace::Span_Link, trace::Status,
    trace::TracesData, trace::Span_SpanKind, trace::Status_StatusCode, trace::Span_SpanKind_descriptor,
    trace::Status_StatusCode_descriptor;

constexpr Field kTracesRequestFields[] = {
    MESSAGES(traceService::ExportTraceServiceRequest, resource_spans, "resourceSpans", ResourceSpans)};
constexpr Field kTracesDataFields[] = {MESSAGES(TracesData, resource_spans, "resourceSpans", ResourceSpans)};
constexpr Field kResourceSpansFields[] = {
    MESSAGE(ResourceSpans, resource, "resource", Resource),
    MESSAGES(ResourceSpans, scope_spans, "scopeSpans", ScopeSpans),
    STRING(ResourceSpans, schema_url, "schemaUrl"),
};
constexpr Field kScopeSpansFields[] = {
    MESSAGE(ScopeSpans, scope, "scope", Scope),
    MESSAGES(ScopeSpans, spans, "spans", Span),
    STRING(ScopeSpans, schema_url, "schemaUrl"),
};
constexpr Field kSpanFields[] = {
    HEXID(Span, trace_id, "traceId"),
    HEXID(Span, span_id, "spanId"),
    STRING(Span, trace_state, "traceState"),
    HEXID(Span, parent_span_id, "parentSpanId"),
    UINT32(Span, flags, "flags"),
    STRING(Span, name, "name"),
    ENUM(Span, kind, "kind", Span_SpanKind),
    UINT64(Span, start_time_unix_nano, "startTimeUnixNano"),
    UINT64(Span, end_time_unix_nano, "endTimeUnixNano"),
    MESSAGES(Span, attributes, "attributes", KeyValue),
    UINT32(Span, dropped_attributes_count, "droppedAttributesCount"),
    MESSAGES(Span, events, "events", SpanEvent),
    UINT32(Span, dropped_events_count, "droppedEventsCount"),
    MESSAGES(Span, links, "links", SpanLink),
    UINT32(Span, dropped_links_count, "droppedLinksCount"),
    MESSAGE(Span, status, "status", Status),
};
constexpr Field kSpanEventFields[] = {
    UINT64(Span_Event, time_unix_nano, "timeUnixNano"),
    STRING(Span_Event, name, "name"),
    MESSAGES(Span_Event, attributes, "attributes", KeyValue),
    UINT32(Span_Event, dropped_attributes_count, "droppedAttributesCount"),
};
constexpr Field kSpanLinkFields[] = {
    HEXID(Span_Link, trace_id, "traceId"),
    HEXID(Span_Link, span_id, "spanId"),
    STRING(Span_Link, trace_state, "traceState"),
    MESSAGES(Span_Link, attributes, "attributes", KeyValue),
    UINT32(Span_Link, dropped_attributes_count, "droppedAttributesCount"),
    UINT32(Span_Link, flags, "flags"),
};
constexpr Field kStatusFields[] = {
    STRING(Status, message, "message"),
    ENUM(Status, code, "code", Status_StatusCode),
};

TYPE(TracesRequest, traceService::ExportTraceServiceRequest);
TYPE(TracesData, TracesData);
TYPE(ResourceSpans, ResourceSpans);
TYPE(ScopeSpans, ScopeSpans);
TYPE(Span, Span);
TYPE(SpanEvent, Span_Event);
TYPE(SpanLink, Span_Link);
TYPE(Status, Status);

// metrics.proto

using metrics::ResourceMetrics, metrics::ScopeMetrics, metrics::Metric, metrics::MetricsData, metrics::Gauge,
    metrics::Sum, metrics::Histogram, metrics::ExponentialHistogram, metrics::Summary, metrics::NumberDataPoint,
    metrics::HistogramDataPoint, metrics::ExponentialHistogramDataPoint, metrics::SummaryDataPoint,
    metrics::Exemplar, metrics::AggregationTemporality, metrics::AggregationTemporality_descriptor;
using Buckets = metrics::ExponentialHistogramDataPoint_Buckets;
using Quantile = metrics::SummaryDataPoint_ValueAtQuantile;

constexpr Field kMetricsRequestFields[] = {
    MESSAGES(metricsService::ExportMetricsServiceRequest, resource_metrics, "resourceMetrics", ResourceMetrics)};
constexpr Field kMetricsDataFields[] = {MESSAGES(MetricsData, resource_metrics, "resourceMetrics", ResourceMetrics)};
constexpr Field kResourceMetricsFields[] = {
    MESSAGE(ResourceMetrics, resource, "resource", Resource),
    MESSAGES(ResourceMetrics, scope_metrics, "scopeMetrics", ScopeMetrics),
    STRING(ResourceMetrics, schema_url, "schemaUrl"),
};
constexpr Field kScopeMetricsFields[] = {
    MESSAGE(ScopeMetrics, scope, "scope", Scope),
    MESSAGES(ScopeMetrics, metrics, "metrics", Metric),
    STRING(ScopeMetrics, schema_url, "schemaUrl"),
};
constexpr Field kMetricFields[] = {
    STRING(Metric, name, "name"),
    STRING(Metric, description, "description"),
    STRING(Metric, unit, "unit"),
    MESSAGE(Metric, gauge, "gauge", Gauge),
    MESSAGE(Metric, sum, "sum", Sum),
    MESSAGE(Metric, histogram, "histogram", Histogram),
    MESSAGE(Metric, exponential_histogram, "exponentialHistogram", ExpHistogram),
    MESSAGE(Metric, summary, "summary", Summary),
    MESSAGES(Metric, metadata, "metadata", KeyValue),
};
constexpr Field kGaugeFields[] = {MESSAGES(Gauge, data_points, "dataPoints", NumberPoint)};
constexpr Field kSumFields[] = {
    MESSAGES(Sum, data_points, "dataPoints", NumberPoint),
    ENUM(Sum, aggregation_temporality, "aggregationTemporality", AggregationTemporality),
    BOOL(Sum, is_monotonic, "isMonotonic"),
};
constexpr Field kHistogramFields[] = {
    MESSAGES(Histogram, data_points, "dataPoints", HistogramPoint),
    ENUM(Histogram, aggregation_temporality, "aggregationTemporality", AggregationTemporality),
};
constexpr Field kExpHistogramFields[] = {
    MESSAGES(ExponentialHistogram, data_points, "dataPoints", ExpHistogramPoint),
    ENUM(ExponentialHistogram, aggregation_temporality, "aggregationTemporality", AggregationTemporality),
};
constexpr Field kSummaryFields[] = {MESSAGES(Summary, data_points, "dataPoints", SummaryPoint)};
constexpr Field kNumberPointFields[] = {
    MESSAGES(NumberDataPoint, attributes, "attributes", KeyValue),
    UINT64(NumberDataPoint, start_time_unix_nano, "startTimeUnixNano"),
    UINT64(NumberDataPoint, time_unix_nano, "timeUnixNano"),
    DOUBLE(NumberDataPoint, as_double, "asDouble"),
    INT64(NumberDataPoint, as_int, "asInt"),
    MESSAGES(NumberDataPoint, exemplars, "exemplars", Exemplar),
    UINT32(NumberDataPoint, flags, "flags"),
};
constexpr Field kHistogramPointFields[] = {
    MESSAGES(HistogramDataPoint, attributes, "attributes", KeyValue),
    UINT64(HistogramDataPoint, start_time_unix_nano, "startTimeUnixNano"),
    UINT64(HistogramDataPoint, time_unix_nano, "timeUnixNano"),
    UINT64(HistogramDataPoint, count, "count"),
    DOUBLE(HistogramDataPoint, sum, "sum"),
    UINT64S(HistogramDataPoint, bucket_counts, "bucketCounts"),
    DOUBLES(HistogramDataPoint, explicit_bounds, "explicitBounds"),
    MESSAGES(HistogramDataPoint, exemplars, "exemplars", Exemplar),
    UINT32(HistogramDataPoint, flags, "flags"),
    DOUBLE(HistogramDataPoint, min, "min"),
    DOUBLE(HistogramDataPoint, max, "max"),
};
constexpr Field kExpHistogramPointFields[] = {
    MESSAGES(ExponentialHistogramDataPoint, attributes, "attributes", KeyValue),
    UINT64(ExponentialHistogramDataPoint, start_time_unix_nano, "startTimeUnixNano"),
    UINT64(ExponentialHistogramDataPoint, time_unix_nano, "timeUnixNano"),
    UINT64(ExponentialHistogramDataPoint, count, "count"),
    DOUBLE(ExponentialHistogramDataPoint, sum, "sum"),
    INT32(ExponentialHistogramDataPoint, scale, "scale"),
    UINT64(ExponentialHistogramDataPoint, zero_count, "zeroCount"),
    MESSAGE(ExponentialHistogramDataPoint, positive, "positive", Buckets),
    MESSAGE(ExponentialHistogramDataPoint, negative, "negative", Buckets),
    UINT32(ExponentialHistogramDataPoint, flags, "flags"),
    MESSAGES(ExponentialHistogramDataPoint, exemplars, "exemplars", Exemplar),
    DOUBLE(ExponentialHistogramDataPoint, min, "min"),
    DOUBLE(ExponentialHistogramDataPoint, max, "max"),
    DOUBLE(ExponentialHistogramDataPoint, zero_threshold, "zeroThreshold"),
};
constexpr Field kBucketsFields[] = {
    INT32(Buckets, offset, "offset"),
    UINT64S(Buckets, bucket_counts, "bucketCounts"),
};
constexpr Field kSummaryPointFields[] = {
    MESSAGES(SummaryDataPoint, attributes, "attributes", KeyValue),
    UINT64(SummaryDataPoint, start_time_unix_nano, "startTimeUnixNano"),
    UINT64(SummaryDataPoint, time_unix_nano, "timeUnixNano"),
    UINT64(SummaryDataPoint, count, "count"),
    DOUBLE(SummaryDataPoint, sum, "sum"),
    MESSAGES(SummaryDataPoint, quantile_values, "quantileValues", Quantile),
    UINT32(SummaryDataPoint, flags, "flags"),
};
constexpr Field kQuantileFields[] = {
    DOUBLE(Quantile, quantile, "quantile"),
    DOUBLE(Quantile, value, "value"),
};
constexpr Field kExemplarFields[] = {
    MESSAGES(Exemplar, filtered_attributes, "filteredAttributes", KeyValue),
    UINT64(Exemplar, time_unix_nano, "timeUnixNano"),
    DOUBLE(Exemplar, as_double, "asDouble"),
    INT64(Exemplar, as_int, "asInt"),
    HEXID(Exemplar, span_id, "spanId"),
    HEXID(Exemplar, trace_id, "traceId"),
};

TYPE(MetricsRequest, metricsService::ExportMetricsServiceRequest);
TYPE(MetricsData, MetricsData);
TYPE(ResourceMetrics, ResourceMetrics);
TYPE(ScopeMetrics, ScopeMetrics);
TYPE(Metric, Metric);
TYPE(Gauge, Gauge);
TYPE(Sum, Sum);
TYPE(Histogram, Histogram);
TYPE(ExpHistogram, ExponentialHistogram);
TYPE(Summary, Summary);
TYPE(NumberPoint, NumberDataPoint);
TYPE(HistogramPoint, HistogramDataPoint);
TYPE(ExpHistogramPoint, ExponentialHistogramDataPoint);
TYPE(Buckets, Buckets);
TYPE(SummaryPoint, SummaryDataPoint);
TYPE(Quantile, Quantile);
TYPE(Exemplar, Exemplar);

const Type* const kAllTypes[] = {
    &kLogsRequest, &kMetricsRequest, &kTracesRequest, &kLogsData, &kMetricsData, &kTracesData,
    &kAnyValue, &kArrayValue, &kKeyValueList, &kKeyValue, &kScope, &kEntityRef, &kResource,
    &kResourceLogs, &kScopeLogs, &kLogRecord,
    &kResourceSpans, &kScopeSpans, &kSpan, &kSpanEvent, &kSpanLink, &kStatus,
    &kResourceMetrics, &kScopeMetrics, &kMetric, &kGauge, &kSum, &kHistogram, &kExpHistogram, &kSummary,
    &kNumberPoint, &kHistogramPoint, &kExpHistogramPoint, &kBuckets, &kSummaryPoint, &kQuantile, &kExemplar,
};

}  // namespace

const Type* const* allTypes(std::size_t* count) {
  *count = std::size(kAllTypes);
  return kAllTypes;
}

}  // namespace cctv::otlp::detail::typed
