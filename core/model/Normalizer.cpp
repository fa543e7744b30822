#include "model/Normalizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <optional>

#include "model/JsonText.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace cctv::model {

using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
namespace pb = google::protobuf;
namespace logs = opentelemetry::proto::logs::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace trace = opentelemetry::proto::trace::v1;

namespace {

constexpr std::uint64_t kMaxTime = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

void appendKvList(std::string& out, const pb::RepeatedPtrField<KeyValue>& kvs) {
  out.push_back('{');
  bool first = true;
  for (const KeyValue& kv : kvs) {
    if (!first) out.push_back(',');
    first = false;
    appendJsonString(out, kv.key());
    out.push_back(':');
    appendAnyValueJson(out, kv.value());
  }
  out.push_back('}');
}

// Strict decimal integer: what Claude Code writes for numbers sent as strings ("12", "-3").
bool parseInt(const std::string& s, std::int64_t* v) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  auto r = std::from_chars(b, e, *v);
  return r.ec == std::errc() && r.ptr == e;
}

bool parseReal(const std::string& s, double* v) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*v);
}

std::string scalarText(const AnyValue& v) {
  switch (v.value_case()) {
    case AnyValue::kStringValue: return v.string_value();
    case AnyValue::kBoolValue: return v.bool_value() ? "true" : "false";
    case AnyValue::kIntValue: return std::to_string(v.int_value());
    default: {
      std::string out;
      appendAnyValueJson(out, v);
      return out;
    }
  }
}

// Coerces one attribute value to its schema field. Returns false when the value had to be kept as text.
bool coerce(const FieldDef& f, const AnyValue& v, Value* out, bool* sentAsString) {
  *sentAsString = v.value_case() == AnyValue::kStringValue;
  switch (f.type) {
    case FieldType::Text:
    case FieldType::Json:
    case FieldType::Timestamp:
      out->setText(scalarText(v));
      return true;
    case FieldType::Array:
      if (v.value_case() == AnyValue::kArrayValue || v.value_case() == AnyValue::kStringValue) {
        out->setText(scalarText(v));
        return true;
      }
      break;
    case FieldType::Int:
      switch (v.value_case()) {
        case AnyValue::kIntValue: out->setInt(v.int_value()); return true;
        case AnyValue::kStringValue: {
          std::int64_t i;
          if (parseInt(v.string_value(), &i)) {
            out->setInt(i);
            return true;
          }
          break;
        }
        case AnyValue::kDoubleValue: {
          const double d = v.double_value();
          if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
            out->setInt(static_cast<std::int64_t>(d));
            return true;
          }
          break;
        }
        default: break;
      }
      break;
    case FieldType::Bool:
      switch (v.value_case()) {
        case AnyValue::kBoolValue: out->setInt(v.bool_value() ? 1 : 0); return true;
        case AnyValue::kStringValue:
          if (v.string_value() == "true") { out->setInt(1); return true; }
          if (v.string_value() == "false") { out->setInt(0); return true; }
          break;
        case AnyValue::kIntValue:
          if (v.int_value() == 0 || v.int_value() == 1) { out->setInt(v.int_value()); return true; }
          break;
        default: break;
      }
      break;
    case FieldType::Real:
      switch (v.value_case()) {
        case AnyValue::kDoubleValue:
          if (std::isfinite(v.double_value())) { out->setReal(v.double_value()); return true; }
          break;
        case AnyValue::kIntValue: out->setReal(static_cast<double>(v.int_value())); return true;
        case AnyValue::kStringValue: {
          double d;
          if (parseReal(v.string_value(), &d)) { out->setReal(d); return true; }
          break;
        }
        default: break;
      }
      break;
  }
  out->setText(scalarText(v));
  *sentAsString = false;  // the text column holds the value as sent; nothing to restore
  return false;
}

// Attribute keys whose values are content the user may not want to keep (--redact): prompt text and
// responses, tool input, raw API bodies (logs); the prompt, the Bash command line and tool output (span
// attributes and the tool.output span event); the GenAI conventions' message contents.
bool isContentKey(const std::string& key) {
  static const char* const keys[] = {"prompt", "prompt_text", "response", "tool_parameters", "tool_input", "body",
                                     "user_prompt", "full_command", "bash_command", "output", "content", "diff",
                                     "gen_ai.prompt", "gen_ai.completion", "gen_ai.input.messages",
                                     "gen_ai.output.messages", "gen_ai.system_instructions"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

const AnyValue& redactedValue() {
  static const AnyValue redacted = [] {
    AnyValue v;
    v.set_string_value("<REDACTED>");
    return v;
  }();
  return redacted;
}

// Replaces every content value, whatever its kind (a prompt sent as an array or a kvlist is still a prompt).
void redact(pb::RepeatedPtrField<KeyValue>* kvs) {
  for (KeyValue& kv : *kvs)
    if (isContentKey(kv.key()) && kv.value().value_case() != AnyValue::VALUE_NOT_SET)
      *kv.mutable_value() = redactedValue();
}

int addResource(NormalizedBatch* out, const opentelemetry::proto::resource::v1::Resource& r,
                const std::string& schemaUrl) {
  ResourceInfo info;
  info.attributes = attributesJson(r.attributes());
  info.droppedAttributesCount = r.dropped_attributes_count();
  info.schemaUrl = schemaUrl;
  out->resources.push_back(std::move(info));
  return static_cast<int>(out->resources.size() - 1);
}

int addScope(NormalizedBatch* out, const opentelemetry::proto::common::v1::InstrumentationScope& s,
             const std::string& schemaUrl) {
  ScopeInfo info;
  info.name = s.name();
  info.version = s.version();
  info.attributes = attributesJson(s.attributes());
  info.droppedAttributesCount = s.dropped_attributes_count();
  info.schemaUrl = schemaUrl;
  out->scopes.push_back(std::move(info));
  return static_cast<int>(out->scopes.size() - 1);
}

const std::string* stringAttribute(const pb::RepeatedPtrField<KeyValue>& kvs, const char* key) {
  for (const KeyValue& kv : kvs)
    if (kv.key() == key && kv.value().value_case() == AnyValue::kStringValue) return &kv.value().string_value();
  return nullptr;
}

void normalizeRecord(const logs::LogRecord& lr, int resource, int scope, NormalizedBatch* out,
                     const NormalizeOptions& opts) {
  const std::uint64_t t = lr.time_unix_nano() ? lr.time_unix_nano() : lr.observed_time_unix_nano();
  if (t == 0) {
    out->reject("log record has neither timeUnixNano nor observedTimeUnixNano");
    return;
  }
  if (t > kMaxTime || lr.observed_time_unix_nano() > kMaxTime) {
    out->reject("log record timestamp is out of range");
    return;
  }
  EventRow row;
  row.fields.reserve(static_cast<std::size_t>(lr.attributes_size()));
  row.timeNs = static_cast<std::int64_t>(t);
  row.observedNs = static_cast<std::int64_t>(lr.observed_time_unix_nano());
  if (lr.has_body() && lr.body().value_case() != AnyValue::VALUE_NOT_SET) {
    row.hasBody = true;
    row.bodyIsString = lr.body().value_case() == AnyValue::kStringValue;
    if (row.bodyIsString) row.body = lr.body().string_value();
    else appendAnyValueJson(row.body, lr.body());
  }
  row.droppedAttributesCount = lr.dropped_attributes_count();
  row.severityNumber = lr.severity_number();
  row.severityText = lr.severity_text();
  row.flags = lr.flags();
  row.traceId = lr.trace_id();
  row.spanId = lr.span_id();
  row.logEventName = lr.event_name();
  row.resource = resource;
  row.scope = scope;

  const FieldDef* fields = eventFields();
  for (const KeyValue& kv : lr.attributes()) {
    const AnyValue* value = &kv.value();
    if (opts.redactContent && isContentKey(kv.key()) && value->value_case() != AnyValue::VALUE_NOT_SET)
      value = &redactedValue();
    const int idx = fieldForAttribute(kv.key());
    if (idx >= 0 && !row.has(idx) && value->value_case() != AnyValue::VALUE_NOT_SET) {
      bool asString = false;
      row.fields.push_back({idx, Value{}});
      if (!coerce(fields[idx], *value, &row.fields.back().value, &asString)) ++row.coercionFailures;
      const int bit = stringMaskBit(idx);
      if (asString && bit >= 0) row.sentAsString |= std::uint64_t{1} << bit;
      continue;
    }
    // Outside the schema (or a repeated key, or an empty value): kept as sent.
    row.extra += row.extra.empty() ? '{' : ',';
    appendJsonString(row.extra, kv.key());
    row.extra.push_back(':');
    appendAnyValueJson(row.extra, *value);
  }
  if (!row.extra.empty()) row.extra.push_back('}');
  out->coercionFailures += row.coercionFailures;
  out->events.push_back(std::move(row));
}

void appendNumberPoint(const metrics::NumberDataPoint& p, MetricPointRow* row) {
  if (p.value_case() == metrics::NumberDataPoint::kAsInt) {
    row->isInt = true;
    row->intValue = p.as_int();
    row->value = static_cast<double>(p.as_int());
    row->hasValue = true;
  } else if (p.value_case() == metrics::NumberDataPoint::kAsDouble) {
    row->value = p.as_double();
    row->hasValue = true;
  }
  row->flags = p.flags();
}

template <typename Exemplars>
std::string exemplarsJson(const Exemplars& ex) {
  if (ex.empty()) return {};
  std::string out = "[";
  for (int i = 0; i < ex.size(); ++i) {
    const metrics::Exemplar& e = ex[i];
    if (i) out.push_back(',');
    out += "{\"timeUnixNano\":";
    appendJsonInt(out, static_cast<std::int64_t>(std::min<std::uint64_t>(e.time_unix_nano(), kMaxTime)));
    out += ",\"value\":";
    if (e.value_case() == metrics::Exemplar::kAsInt) appendJsonInt(out, e.as_int());
    else appendJsonDouble(out, e.as_double());
    if (!e.trace_id().empty()) { out += ",\"traceId\":"; appendJsonString(out, hex(e.trace_id())); }
    if (!e.span_id().empty()) { out += ",\"spanId\":"; appendJsonString(out, hex(e.span_id())); }
    out += ",\"filteredAttributes\":";
    appendKvList(out, e.filtered_attributes());
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

void appendUints(std::string& out, const char* key, const pb::RepeatedField<pb::uint64>& v) {
  out += ",\"";
  out += key;
  out += "\":[";
  for (int i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    appendJsonInt(out, static_cast<std::int64_t>(std::min<std::uint64_t>(v[i], kMaxTime)));
  }
  out.push_back(']');
}

// The part histograms and exponential histograms share: value = sum, and count/sum/min/max in `data`.
template <typename Point>
void beginHistogram(const Point& p, MetricPointRow* row) {
  row->hasValue = p.has_sum();
  row->value = p.sum();
  row->flags = p.flags();
  row->data = "{\"count\":";
  appendJsonInt(row->data, static_cast<std::int64_t>(std::min<std::uint64_t>(p.count(), kMaxTime)));
  if (p.has_sum()) { row->data += ",\"sum\":"; appendJsonDouble(row->data, p.sum()); }
  if (p.has_min()) { row->data += ",\"min\":"; appendJsonDouble(row->data, p.min()); }
  if (p.has_max()) { row->data += ",\"max\":"; appendJsonDouble(row->data, p.max()); }
}

// Fills the row from one data point of any kind; returns false (and rejects) when unusable.
template <typename Point>
bool fillCommon(const Point& p, MetricPointRow* row, NormalizedBatch* out) {
  if (p.time_unix_nano() == 0) {
    out->reject("data point of " + row->name + " has no timeUnixNano");
    return false;
  }
  if (p.time_unix_nano() > kMaxTime || p.start_time_unix_nano() > kMaxTime) {
    out->reject("data point of " + row->name + " has a timestamp out of range");
    return false;
  }
  row->startNs = static_cast<std::int64_t>(p.start_time_unix_nano());
  row->timeNs = static_cast<std::int64_t>(p.time_unix_nano());
  row->attributes = attributesJson(p.attributes(), /*sortKeys=*/true);
  if (const std::string* sid = stringAttribute(p.attributes(), "session.id")) row->sessionId = *sid;
  row->exemplars = exemplarsJson(p.exemplars());
  return true;
}

}  // namespace

void appendAnyValueJson(std::string& out, const AnyValue& v) {
  switch (v.value_case()) {
    case AnyValue::kStringValue: appendJsonString(out, v.string_value()); break;
    case AnyValue::kBoolValue: out += v.bool_value() ? "true" : "false"; break;
    case AnyValue::kIntValue: appendJsonInt(out, v.int_value()); break;
    case AnyValue::kDoubleValue: appendJsonDouble(out, v.double_value()); break;
    case AnyValue::kBytesValue: appendJsonString(out, base64(v.bytes_value())); break;
    case AnyValue::kArrayValue: {
      out.push_back('[');
      bool first = true;
      for (const AnyValue& e : v.array_value().values()) {
        if (!first) out.push_back(',');
        first = false;
        appendAnyValueJson(out, e);
      }
      out.push_back(']');
      break;
    }
    case AnyValue::kKvlistValue: appendKvList(out, v.kvlist_value().values()); break;
    // An index into a profiles string table; outside profiles it has no meaning but the number itself.
    case AnyValue::kStringValueStrindex: appendJsonInt(out, v.string_value_strindex()); break;
    case AnyValue::VALUE_NOT_SET: out += "null"; break;
  }
}

std::string attributesJson(const pb::RepeatedPtrField<KeyValue>& kvs, bool sortKeys) {
  std::string out;
  if (!sortKeys) {
    appendKvList(out, kvs);
    return out;
  }
  std::vector<const KeyValue*> sorted;
  sorted.reserve(static_cast<std::size_t>(kvs.size()));
  for (const KeyValue& kv : kvs) sorted.push_back(&kv);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const KeyValue* a, const KeyValue* b) { return a->key() < b->key(); });
  out.push_back('{');
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i) out.push_back(',');
    appendJsonString(out, sorted[i]->key());
    out.push_back(':');
    appendAnyValueJson(out, sorted[i]->value());
  }
  out.push_back('}');
  return out;
}

std::string isoMillis(std::int64_t ns) {
  // The writer calls this for every event (to see whether event.timestamp can be derived), so no gmtime_r and
  // snprintf: days since 1970-01-01 to a proleptic Gregorian date by H. Hinnant's civil_from_days, exact for
  // every non-negative int64 nanosecond count (tst_normalizer compares it with gmtime_r).
  if (ns < 0) ns = 0;
  const std::int64_t ms = ns / 1000000;
  const std::int64_t secs = ms / 1000;
  const std::int64_t days = secs / 86400;
  const std::int64_t daySecs = secs % 86400;
  const std::int64_t z = days + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[] = "0000-00-00T00:00:00.000Z";
  auto put = [&buf](int at, int width, std::int64_t v) {
    for (int i = at + width - 1; i >= at; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  put(0, 4, year);
  put(5, 2, month);
  put(8, 2, day);
  put(11, 2, daySecs / 3600);
  put(14, 2, daySecs / 60 % 60);
  put(17, 2, daySecs % 60);
  put(20, 3, ms % 1000);
  return std::string(buf, sizeof buf - 1);
}

void normalizeLogs(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
                   NormalizedBatch* out, const NormalizeOptions& opts) {
  for (const logs::ResourceLogs& rl : req.resource_logs()) {
    const int resource = addResource(out, rl.resource(), rl.schema_url());
    for (const logs::ScopeLogs& sl : rl.scope_logs()) {
      const int scope = addScope(out, sl.scope(), sl.schema_url());
      out->events.reserve(out->events.size() + static_cast<std::size_t>(sl.log_records_size()));
      for (const logs::LogRecord& lr : sl.log_records()) normalizeRecord(lr, resource, scope, out, opts);
    }
  }
}

void normalizeMetrics(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& req,
                      NormalizedBatch* out) {
  for (const metrics::ResourceMetrics& rm : req.resource_metrics()) {
    const int resource = addResource(out, rm.resource(), rm.schema_url());
    const std::string* resourceSession = stringAttribute(rm.resource().attributes(), "session.id");
    for (const metrics::ScopeMetrics& sm : rm.scope_metrics()) {
      const int scope = addScope(out, sm.scope(), sm.schema_url());
      for (const metrics::Metric& m : sm.metrics()) {
        MetricPointRow base;
        base.name = m.name();
        base.description = m.description();
        base.unit = m.unit();
        base.resource = resource;
        base.scope = scope;
        auto finish = [&](MetricPointRow& row) {
          if (row.sessionId.empty() && resourceSession) row.sessionId = *resourceSession;
          out->points.push_back(std::move(row));
        };
        switch (m.data_case()) {
          case metrics::Metric::kGauge:
            base.type = 1;
            for (const auto& p : m.gauge().data_points()) {
              MetricPointRow row = base;
              if (!fillCommon(p, &row, out)) continue;
              appendNumberPoint(p, &row);
              if (!row.hasValue) { out->reject("gauge point of " + m.name() + " has no value"); continue; }
              finish(row);
            }
            break;
          case metrics::Metric::kSum:
            base.type = 2;
            base.temporality = m.sum().aggregation_temporality();
            base.isMonotonic = m.sum().is_monotonic();
            for (const auto& p : m.sum().data_points()) {
              MetricPointRow row = base;
              if (!fillCommon(p, &row, out)) continue;
              appendNumberPoint(p, &row);
              if (!row.hasValue) { out->reject("sum point of " + m.name() + " has no value"); continue; }
              finish(row);
            }
            break;
          case metrics::Metric::kHistogram:
            base.type = 3;
            base.temporality = m.histogram().aggregation_temporality();
            for (const auto& p : m.histogram().data_points()) {
              MetricPointRow row = base;
              if (!fillCommon(p, &row, out)) continue;
              beginHistogram(p, &row);
              appendUints(row.data, "bucketCounts", p.bucket_counts());
              row.data += ",\"explicitBounds\":[";
              for (int i = 0; i < p.explicit_bounds_size(); ++i) {
                if (i) row.data.push_back(',');
                appendJsonDouble(row.data, p.explicit_bounds(i));
              }
              row.data += "]}";
              finish(row);
            }
            break;
          case metrics::Metric::kExponentialHistogram:
            base.type = 4;
            base.temporality = m.exponential_histogram().aggregation_temporality();
            for (const auto& p : m.exponential_histogram().data_points()) {
              MetricPointRow row = base;
              if (!fillCommon(p, &row, out)) continue;
              beginHistogram(p, &row);
              row.data += ",\"scale\":";
              appendJsonInt(row.data, p.scale());
              row.data += ",\"zeroCount\":";
              appendJsonInt(row.data, static_cast<std::int64_t>(std::min<std::uint64_t>(p.zero_count(), kMaxTime)));
              row.data += ",\"zeroThreshold\":";
              appendJsonDouble(row.data, p.zero_threshold());
              row.data += ",\"positiveOffset\":";
              appendJsonInt(row.data, p.positive().offset());
              appendUints(row.data, "positiveBucketCounts", p.positive().bucket_counts());
              row.data += ",\"negativeOffset\":";
              appendJsonInt(row.data, p.negative().offset());
              appendUints(row.data, "negativeBucketCounts", p.negative().bucket_counts());
              row.data.push_back('}');
              finish(row);
            }
            break;
          case metrics::Metric::kSummary:
            base.type = 5;
            for (const auto& p : m.summary().data_points()) {
              MetricPointRow row = base;
              if (p.time_unix_nano() == 0 || p.time_unix_nano() > kMaxTime || p.start_time_unix_nano() > kMaxTime) {
                out->reject("summary point of " + m.name() + " has no usable timeUnixNano");
                continue;
              }
              row.startNs = static_cast<std::int64_t>(p.start_time_unix_nano());
              row.timeNs = static_cast<std::int64_t>(p.time_unix_nano());
              row.attributes = attributesJson(p.attributes(), true);
              if (const std::string* sid = stringAttribute(p.attributes(), "session.id")) row.sessionId = *sid;
              row.hasValue = true;
              row.value = p.sum();
              row.flags = p.flags();
              row.data = "{\"count\":";
              appendJsonInt(row.data, static_cast<std::int64_t>(std::min<std::uint64_t>(p.count(), kMaxTime)));
              row.data += ",\"sum\":";
              appendJsonDouble(row.data, p.sum());
              row.data += ",\"quantileValues\":[";
              for (int i = 0; i < p.quantile_values_size(); ++i) {
                if (i) row.data.push_back(',');
                row.data += "{\"quantile\":";
                appendJsonDouble(row.data, p.quantile_values(i).quantile());
                row.data += ",\"value\":";
                appendJsonDouble(row.data, p.quantile_values(i).value());
                row.data.push_back('}');
              }
              row.data += "]}";
              finish(row);
            }
            break;
          case metrics::Metric::DATA_NOT_SET: break;  // a metric with no data carries no points
        }
      }
    }
  }
}

void normalizeTraces(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
                     NormalizedBatch* out, const NormalizeOptions& opts) {
  for (const trace::ResourceSpans& rs : req.resource_spans()) {
    const int resource = addResource(out, rs.resource(), rs.schema_url());
    for (const trace::ScopeSpans& ss : rs.scope_spans()) {
      const int scope = addScope(out, ss.scope(), ss.schema_url());
      for (const trace::Span& sent : ss.spans()) {
        // Under --redact the span is copied and its content values replaced before anything reads them.
        std::optional<trace::Span> redactedSpan;
        if (opts.redactContent) {
          redactedSpan.emplace(sent);
          redact(redactedSpan->mutable_attributes());
          for (trace::Span::Event& e : *redactedSpan->mutable_events()) redact(e.mutable_attributes());
          for (trace::Span::Link& l : *redactedSpan->mutable_links()) redact(l.mutable_attributes());
        }
        const trace::Span& s = redactedSpan ? *redactedSpan : sent;
        if (s.trace_id().size() != 16 || s.span_id().size() != 8) {
          out->reject("span \"" + s.name() + "\" has no valid traceId/spanId");
          continue;
        }
        if (s.start_time_unix_nano() > kMaxTime || s.end_time_unix_nano() > kMaxTime) {
          out->reject("span \"" + s.name() + "\" has a timestamp out of range");
          continue;
        }
        SpanRow row;
        row.traceId = hex(s.trace_id());
        row.spanId = hex(s.span_id());
        row.parentSpanId = hex(s.parent_span_id());
        row.traceState = s.trace_state();
        row.name = s.name();
        row.kind = s.kind();
        row.startNs = static_cast<std::int64_t>(s.start_time_unix_nano());
        row.endNs = static_cast<std::int64_t>(s.end_time_unix_nano());
        row.statusCode = s.status().code();
        row.statusMessage = s.status().message();
        row.attributes = attributesJson(s.attributes());
        if (const std::string* sid = stringAttribute(s.attributes(), "session.id")) row.sessionId = *sid;
        else if (const std::string* cid = stringAttribute(s.attributes(), "gen_ai.conversation.id"))
          row.sessionId = *cid;
        if (const std::string* pid = stringAttribute(s.attributes(), "prompt.id")) row.promptId = *pid;
        row.events = "[";
        for (int i = 0; i < s.events_size(); ++i) {
          const trace::Span::Event& e = s.events(i);
          if (i) row.events.push_back(',');
          row.events += "{\"timeUnixNano\":";
          appendJsonInt(row.events, static_cast<std::int64_t>(std::min<std::uint64_t>(e.time_unix_nano(), kMaxTime)));
          row.events += ",\"name\":";
          appendJsonString(row.events, e.name());
          row.events += ",\"attributes\":";
          appendKvList(row.events, e.attributes());
          row.events += ",\"droppedAttributesCount\":";
          appendJsonInt(row.events, e.dropped_attributes_count());
          row.events.push_back('}');
        }
        row.events.push_back(']');
        row.links = "[";
        for (int i = 0; i < s.links_size(); ++i) {
          const trace::Span::Link& l = s.links(i);
          if (i) row.links.push_back(',');
          row.links += "{\"traceId\":";
          appendJsonString(row.links, hex(l.trace_id()));
          row.links += ",\"spanId\":";
          appendJsonString(row.links, hex(l.span_id()));
          row.links += ",\"traceState\":";
          appendJsonString(row.links, l.trace_state());
          row.links += ",\"attributes\":";
          appendKvList(row.links, l.attributes());
          row.links += ",\"droppedAttributesCount\":";
          appendJsonInt(row.links, l.dropped_attributes_count());
          row.links += ",\"flags\":";
          appendJsonInt(row.links, l.flags());
          row.links.push_back('}');
        }
        row.links.push_back(']');
        row.flags = s.flags();
        row.droppedAttributesCount = s.dropped_attributes_count();
        row.droppedEventsCount = s.dropped_events_count();
        row.droppedLinksCount = s.dropped_links_count();
        row.resource = resource;
        row.scope = scope;
        out->spans.push_back(std::move(row));
      }
    }
  }
}

}  // namespace cctv::model
