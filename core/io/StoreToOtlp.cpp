#include "io/StoreToOtlp.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "io/JsonValue.h"
#include "model/EventSchema.h"

namespace cctv::io {

namespace {

using model::FieldType;
using store::Statement;
namespace lg = opentelemetry::proto::logs::v1;
namespace mt = opentelemetry::proto::metrics::v1;
namespace tr = opentelemetry::proto::trace::v1;

// Columns of eventRowsSql, before the schema fields.
enum EventCol {
  kTime, kObserved, kBody, kWf, kDropped, kSeverity, kSeverityText, kFlags, kTraceId, kSpanId, kLogEventName,
  kResourceRef, kScopeRef, kStrMask, kExtra, kFirstField
};
// event_data.wf bit: the body was not a string but the JSON of another AnyValue.
constexpr std::int64_t kBodyNotString = 8;

std::string text(const Statement& st, int col) { return st.columnText(col); }
std::string blob(const Statement& st, int col) {
  const void* p = sqlite3_column_blob(st.handle(), col);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st.handle(), col)))
           : std::string();
}
int type(const Statement& st, int col) { return sqlite3_column_type(st.handle(), col); }

// The exact text of a double that strtod reads back as the same double.
std::string exactDouble(double d) {
  char buf[40];
  for (int precision : {15, 16, 17}) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

// A schema field's stored value -> the attribute value that normalizes back to it. `sentAsString`: the
// store's mark that the field arrived as a string (e.g. duration_ms "38"); it must arrive as one again.
void fieldValue(const Statement& st, int col, int field, bool sentAsString, AnyValue* out) {
  const FieldType ft = model::eventFields()[field].type;
  switch (type(st, col)) {
    case SQLITE_INTEGER: {
      const std::int64_t v = st.columnInt(col);
      if (ft == FieldType::Bool && (v == 0 || v == 1)) {
        if (sentAsString) out->set_string_value(v ? "true" : "false");
        else out->set_bool_value(v != 0);
      } else if (sentAsString || ft == FieldType::Text || ft == FieldType::Json || ft == FieldType::Timestamp) {
        out->set_string_value(std::to_string(v));
      } else {
        out->set_int_value(v);
      }
      return;
    }
    case SQLITE_FLOAT: {
      const double d = st.columnDouble(col);
      if (sentAsString || ft == FieldType::Text || ft == FieldType::Json || ft == FieldType::Timestamp)
        out->set_string_value(exactDouble(d));
      else
        out->set_double_value(d);
      return;
    }
    default: {
      std::string s = text(st, col);
      // An array that came as an arrayValue (not as a string) is stored as its JSON: send the array again.
      if (ft == FieldType::Array && !sentAsString) {
        std::string ignored;
        if (parseAnyValue(s, out, &ignored)) return;
      }
      out->set_string_value(std::move(s));
    }
  }
}

// A non-string body was stored as JSON. JSON strings there stand for bytes (base64) or non-finite doubles.
void bodyFromJson(const std::string& json, AnyValue* out) {
  std::string ignored;
  if (!parseAnyValue(json, out, &ignored)) {
    out->set_string_value(json);
    return;
  }
  if (out->value_case() != AnyValue::kStringValue) return;
  const std::string s = out->string_value();
  std::string bytes;
  if (s == "NaN") out->set_double_value(std::numeric_limits<double>::quiet_NaN());
  else if (s == "Infinity") out->set_double_value(std::numeric_limits<double>::infinity());
  else if (s == "-Infinity") out->set_double_value(-std::numeric_limits<double>::infinity());
  else if (fromBase64(s, &bytes)) out->set_bytes_value(bytes);
}

bool attributes(const std::string& json, Attributes* out, const char* what, std::string* error) {
  if (parseAttributes(json, out, error)) return true;
  *error = std::string(what) + ": " + *error;
  return false;
}

// Metric point columns.
enum PointCol {
  pSeries, pName, pDescription, pUnit, pType, pTemporality, pMonotonic, pAttributes, pResourceRef, pScopeRef,
  pStart, pTime, pValue, pIntValue, pFlags, pData, pExemplars
};

template <typename Point>
bool fillExemplars(const Statement& st, Point* p, std::string* error) {
  if (type(st, pExemplars) == SQLITE_NULL) return true;
  AnyValue ex;
  if (!parseAnyValue(text(st, pExemplars), &ex, error)) return false;
  for (const AnyValue& e : ex.array_value().values()) {
    mt::Exemplar* out = p->add_exemplars();
    out->set_time_unix_nano(static_cast<std::uint64_t>(memberInt(e, "timeUnixNano")));
    if (const AnyValue* v = member(e, "value"); v && v->value_case() == AnyValue::kIntValue)
      out->set_as_int(v->int_value());
    else
      out->set_as_double(memberDouble(e, "value"));
    std::string bytes;
    if (const AnyValue* t = member(e, "traceId"); t && fromHex(t->string_value(), &bytes)) out->set_trace_id(bytes);
    if (const AnyValue* s = member(e, "spanId"); s && fromHex(s->string_value(), &bytes)) out->set_span_id(bytes);
    if (const AnyValue* a = member(e, "filteredAttributes"); a && a->value_case() == AnyValue::kKvlistValue)
      *out->mutable_filtered_attributes() = a->kvlist_value().values();
  }
  return true;
}

template <typename Point>
bool fillCommon(const Statement& st, Point* p, std::string* error) {
  p->set_start_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(pStart)));
  p->set_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(pTime)));
  p->set_flags(static_cast<std::uint32_t>(st.columnInt(pFlags)));
  if (!attributes(text(st, pAttributes), p->mutable_attributes(), "point attributes", error)) return false;
  return fillExemplars(st, p, error);
}

void fillNumber(const Statement& st, mt::NumberDataPoint* p) {
  if (type(st, pIntValue) != SQLITE_NULL) p->set_as_int(st.columnInt(pIntValue));
  else p->set_as_double(st.columnDouble(pValue));
}

// count/sum/min/max of histograms (and count/sum of summaries), from the point's data JSON.
template <typename Point>
void fillHistogramTotals(const AnyValue& data, Point* p) {
  p->set_count(static_cast<std::uint64_t>(memberInt(data, "count")));
  if (hasMember(data, "sum")) p->set_sum(memberDouble(data, "sum"));
  if (hasMember(data, "min")) p->set_min(memberDouble(data, "min"));
  if (hasMember(data, "max")) p->set_max(memberDouble(data, "max"));
}

void uints(const AnyValue& data, const char* key, google::protobuf::RepeatedField<std::uint64_t>* out) {
  if (const AnyValue* a = member(data, key))
    for (const AnyValue& v : a->array_value().values()) out->Add(static_cast<std::uint64_t>(v.int_value()));
}

}  // namespace

StoreResources::StoreResources(store::Database& db)
    : resource_(db.prepare("SELECT attributes, dropped_attributes_count, schema_url FROM resources WHERE id = ?")),
      scope_(db.prepare(
          "SELECT name, version, attributes, dropped_attributes_count, schema_url FROM scopes WHERE id = ?")) {}

void StoreResources::fill(std::int64_t ref, opentelemetry::proto::resource::v1::Resource* out,
                          std::string* schemaUrl) {
  auto it = resources_.find(ref);
  if (it == resources_.end()) {
    opentelemetry::proto::resource::v1::Resource r;
    resource_.bind(1, ref);
    if (resource_.step()) {
      std::string ignored;
      parseAttributes(resource_.columnText(0), r.mutable_attributes(), &ignored);
      r.set_dropped_attributes_count(static_cast<std::uint32_t>(resource_.columnInt(1)));
      resourceUrls_[ref] = resource_.columnText(2);
    }
    resource_.reset();
    it = resources_.emplace(ref, std::move(r)).first;
  }
  *out = it->second;
  *schemaUrl = resourceUrls_[ref];
}

void StoreResources::fillScope(std::int64_t ref, opentelemetry::proto::common::v1::InstrumentationScope* out,
                               std::string* schemaUrl) {
  auto it = scopes_.find(ref);
  if (it == scopes_.end()) {
    opentelemetry::proto::common::v1::InstrumentationScope s;
    scope_.bind(1, ref);
    if (scope_.step()) {
      s.set_name(scope_.columnText(0));
      s.set_version(scope_.columnText(1));
      std::string ignored;
      parseAttributes(scope_.columnText(2), s.mutable_attributes(), &ignored);
      s.set_dropped_attributes_count(static_cast<std::uint32_t>(scope_.columnInt(3)));
      scopeUrls_[ref] = scope_.columnText(4);
    }
    scope_.reset();
    it = scopes_.emplace(ref, std::move(s)).first;
  }
  *out = it->second;
  *schemaUrl = scopeUrls_[ref];
}

std::string eventRowsSql(const std::string& where) {
  // Typed, resolved field values come from the events view (dictionary references, derived timestamps);
  // how they were sent (str_mask, extra, the body's kind) from the table underneath.
  std::string sql =
      "SELECT v.timeUnixNano, v.observedTimeUnixNano, v.body, e.wf, e.dropped_attributes_count, e.severity_number, "
      "e.severity_text, e.flags, e.trace_id, e.span_id, e.log_event_name, e.resource_ref, e.scope_ref, e.str_mask, "
      "e.extra";
  for (int i = 0; i < model::kFieldCount; ++i) sql += ", v.\"" + std::string(model::eventFields()[i].name) + "\"";
  sql += " FROM event_data e JOIN events v ON v.id = e.id WHERE " + where +
         " ORDER BY e.time_ns, e.event_sequence, e.id";
  return sql;
}

RowRefs eventRefs(const Statement& row) { return {row.columnInt(kResourceRef), row.columnInt(kScopeRef), 0}; }

bool fillLogRecord(const Statement& st, lg::LogRecord* out, std::string* error) {
  out->set_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(kTime)));
  out->set_observed_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(kObserved)));
  if (type(st, kBody) != SQLITE_NULL) {
    if (st.columnInt(kWf) & kBodyNotString) bodyFromJson(text(st, kBody), out->mutable_body());
    else out->mutable_body()->set_string_value(text(st, kBody));
  }
  out->set_dropped_attributes_count(static_cast<std::uint32_t>(st.columnInt(kDropped)));
  out->set_severity_number(static_cast<lg::SeverityNumber>(st.columnInt(kSeverity)));
  out->set_severity_text(text(st, kSeverityText));
  out->set_flags(static_cast<std::uint32_t>(st.columnInt(kFlags)));
  out->set_trace_id(blob(st, kTraceId));
  out->set_span_id(blob(st, kSpanId));
  out->set_event_name(text(st, kLogEventName));
  // Schema fields first, then the attributes kept outside the schema in their order: a key that came twice
  // filled its field the first time and went to `extra` the second, and does so again.
  const auto mask = static_cast<std::uint64_t>(st.columnInt(kStrMask));
  for (int i = 0; i < model::kFieldCount; ++i) {
    const int col = kFirstField + i;
    if (type(st, col) == SQLITE_NULL) continue;
    const int bit = model::stringMaskBit(i);
    KeyValue* kv = out->add_attributes();
    kv->set_key(model::eventFields()[i].wireKey);
    fieldValue(st, col, i, bit >= 0 && (mask >> bit & 1), kv->mutable_value());
  }
  return attributes(text(st, kExtra), out->mutable_attributes(), "extra attributes", error);
}

std::string pointRowsSql(const std::string& where) {
  return "SELECT s.id, s.metric_name, s.description, s.unit, s.type, s.temporality, s.is_monotonic, s.attributes, "
         "s.resource_ref, s.scope_ref, d.start_ns, d.time_ns, d.value, d.int_value, d.flags, d.data, d.exemplars "
         "FROM metric_data d JOIN metric_series s ON s.id = d.series_ref WHERE " +
         where + " ORDER BY d.time_ns, d.id";
}

RowRefs pointRefs(const Statement& row) {
  return {row.columnInt(pResourceRef), row.columnInt(pScopeRef), row.columnInt(pSeries)};
}

void fillMetric(const Statement& st, mt::Metric* m) {
  m->set_name(text(st, pName));
  m->set_description(text(st, pDescription));
  m->set_unit(text(st, pUnit));
  const auto temporality = static_cast<mt::AggregationTemporality>(st.columnInt(pTemporality));
  switch (st.columnInt(pType)) {
    case 1: m->mutable_gauge(); break;
    case 2:
      m->mutable_sum()->set_aggregation_temporality(temporality);
      m->mutable_sum()->set_is_monotonic(st.columnInt(pMonotonic) != 0);
      break;
    case 3: m->mutable_histogram()->set_aggregation_temporality(temporality); break;
    case 4: m->mutable_exponential_histogram()->set_aggregation_temporality(temporality); break;
    case 5: m->mutable_summary(); break;
    default: break;
  }
}

bool addMetricPoint(const Statement& st, mt::Metric* m, std::string* error) {
  AnyValue data;
  if (type(st, pData) != SQLITE_NULL && !parseAnyValue(text(st, pData), &data, error)) return false;
  switch (m->data_case()) {
    case mt::Metric::kGauge: {
      auto* p = m->mutable_gauge()->add_data_points();
      fillNumber(st, p);
      return fillCommon(st, p, error);
    }
    case mt::Metric::kSum: {
      auto* p = m->mutable_sum()->add_data_points();
      fillNumber(st, p);
      return fillCommon(st, p, error);
    }
    case mt::Metric::kHistogram: {
      auto* p = m->mutable_histogram()->add_data_points();
      fillHistogramTotals(data, p);
      uints(data, "bucketCounts", p->mutable_bucket_counts());
      if (const AnyValue* b = member(data, "explicitBounds"))
        for (const AnyValue& v : b->array_value().values()) p->add_explicit_bounds(v.double_value());
      return fillCommon(st, p, error);
    }
    case mt::Metric::kExponentialHistogram: {
      auto* p = m->mutable_exponential_histogram()->add_data_points();
      fillHistogramTotals(data, p);
      p->set_scale(static_cast<std::int32_t>(memberInt(data, "scale")));
      p->set_zero_count(static_cast<std::uint64_t>(memberInt(data, "zeroCount")));
      p->set_zero_threshold(memberDouble(data, "zeroThreshold"));
      p->mutable_positive()->set_offset(static_cast<std::int32_t>(memberInt(data, "positiveOffset")));
      uints(data, "positiveBucketCounts", p->mutable_positive()->mutable_bucket_counts());
      p->mutable_negative()->set_offset(static_cast<std::int32_t>(memberInt(data, "negativeOffset")));
      uints(data, "negativeBucketCounts", p->mutable_negative()->mutable_bucket_counts());
      return fillCommon(st, p, error);
    }
    case mt::Metric::kSummary: {
      auto* p = m->mutable_summary()->add_data_points();
      p->set_count(static_cast<std::uint64_t>(memberInt(data, "count")));
      p->set_sum(memberDouble(data, "sum"));
      if (const AnyValue* q = member(data, "quantileValues"))
        for (const AnyValue& v : q->array_value().values()) {
          auto* qv = p->add_quantile_values();
          qv->set_quantile(memberDouble(v, "quantile"));
          qv->set_value(memberDouble(v, "value"));
        }
      p->set_start_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(pStart)));
      p->set_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(pTime)));
      p->set_flags(static_cast<std::uint32_t>(st.columnInt(pFlags)));
      return attributes(text(st, pAttributes), p->mutable_attributes(), "point attributes", error);
    }
    case mt::Metric::DATA_NOT_SET: break;
  }
  *error = "metric " + m->name() + " has an unknown type";
  return false;
}

std::string spanRowsSql(const std::string& where) {
  return "SELECT sp.trace_id, sp.span_id, sp.parent_span_id, sp.trace_state, sp.name, sp.kind, "
         "sp.start_time_unix_nano, sp.end_time_unix_nano, sp.status_code, sp.status_message, sp.attributes, "
         "sp.events, sp.links, sp.flags, sp.dropped_attributes_count, sp.dropped_events_count, "
         "sp.dropped_links_count, sp.resource_ref, sp.scope_ref FROM span_data sp WHERE " +
         where + " ORDER BY sp.start_time_unix_nano, sp.id";
}

RowRefs spanRefs(const Statement& row) { return {row.columnInt(17), row.columnInt(18), 0}; }

bool fillSpan(const Statement& st, tr::Span* s, std::string* error) {
  std::string bytes;
  if (!fromHex(text(st, 0), &bytes)) return (*error = "span with a bad trace id", false);
  s->set_trace_id(bytes);
  if (!fromHex(text(st, 1), &bytes)) return (*error = "span with a bad span id", false);
  s->set_span_id(bytes);
  if (fromHex(text(st, 2), &bytes)) s->set_parent_span_id(bytes);
  s->set_trace_state(text(st, 3));
  s->set_name(text(st, 4));
  s->set_kind(static_cast<tr::Span::SpanKind>(st.columnInt(5)));
  s->set_start_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(6)));
  s->set_end_time_unix_nano(static_cast<std::uint64_t>(st.columnInt(7)));
  if (st.columnInt(8) != 0 || !text(st, 9).empty()) {
    s->mutable_status()->set_code(static_cast<tr::Status::StatusCode>(st.columnInt(8)));
    s->mutable_status()->set_message(text(st, 9));
  }
  if (!attributes(text(st, 10), s->mutable_attributes(), "span attributes", error)) return false;
  AnyValue events, links;
  if (!parseAnyValue(text(st, 11), &events, error) || !parseAnyValue(text(st, 12), &links, error)) return false;
  for (const AnyValue& e : events.array_value().values()) {
    tr::Span::Event* out = s->add_events();
    out->set_time_unix_nano(static_cast<std::uint64_t>(memberInt(e, "timeUnixNano")));
    if (const AnyValue* n = member(e, "name")) out->set_name(n->string_value());
    if (const AnyValue* a = member(e, "attributes")) *out->mutable_attributes() = a->kvlist_value().values();
    out->set_dropped_attributes_count(static_cast<std::uint32_t>(memberInt(e, "droppedAttributesCount")));
  }
  for (const AnyValue& l : links.array_value().values()) {
    tr::Span::Link* out = s->add_links();
    if (const AnyValue* t = member(l, "traceId"); t && fromHex(t->string_value(), &bytes)) out->set_trace_id(bytes);
    if (const AnyValue* i = member(l, "spanId"); i && fromHex(i->string_value(), &bytes)) out->set_span_id(bytes);
    if (const AnyValue* ts = member(l, "traceState")) out->set_trace_state(ts->string_value());
    if (const AnyValue* a = member(l, "attributes")) *out->mutable_attributes() = a->kvlist_value().values();
    out->set_dropped_attributes_count(static_cast<std::uint32_t>(memberInt(l, "droppedAttributesCount")));
    out->set_flags(static_cast<std::uint32_t>(memberInt(l, "flags")));
  }
  s->set_flags(static_cast<std::uint32_t>(st.columnInt(13)));
  s->set_dropped_attributes_count(static_cast<std::uint32_t>(st.columnInt(14)));
  s->set_dropped_events_count(static_cast<std::uint32_t>(st.columnInt(15)));
  s->set_dropped_links_count(static_cast<std::uint32_t>(st.columnInt(16)));
  return true;
}

}  // namespace cctv::io
