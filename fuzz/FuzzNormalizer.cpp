// libFuzzer target: the normalizer's attribute coercion, fed structurally. The input bytes (through
// FuzzedDataProvider) build a logs or metrics Export request whose attribute keys are mostly real schema
// wire keys, with values of every AnyValue kind and strings chosen to sit on coercion edges ("1e309",
// " 1", "-0", "9223372036854775808", invalid UTF-8, ...). A byte-level protobuf fuzzer rarely reaches these.
//
// Contracts checked on every row: each record is a row or a rejection; every schema field holds a value of
// its schema type or, when it did not fit, the text as sent (never a NaN or infinity); with --redact no
// content attribute keeps its text.

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/EventSchema.h"
#include "model/Normalizer.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace {

using namespace cctv::model;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
namespace logs = opentelemetry::proto::logs::v1;
namespace metrics = opentelemetry::proto::metrics::v1;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "contract broken: %s %s\n", what, detail.c_str());
  std::abort();
}

const char* const kEdgeStrings[] = {
    "",      "true",  "false", "True", "1",  "0",   "-0",   " 1",   "1 ",   "+1",  "0x10", "1e3",
    "1e309", "-1e309", "NaN",  "nan",  "inf", "-inf", "Infinity", "1.5", ".5", "5.", "-",  "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
    "2026-11-24T19:17:24.547Z", "{\"command\":\"ls\"}", "[1,2", "\xff\xfe", "a\0b", "\xc3\x28", "<REDACTED>",
};

std::string edgeOrRandom(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return kEdgeStrings[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kEdgeStrings) - 1)];
  return in.ConsumeRandomLengthString(64);
}

void fillValue(FuzzedDataProvider& in, AnyValue* v, int depth) {
  switch (in.ConsumeIntegralInRange<int>(0, 8)) {
    case 0: v->set_string_value(edgeOrRandom(in)); break;
    case 1: v->set_bool_value(in.ConsumeBool()); break;
    case 2: v->set_int_value(in.ConsumeIntegral<std::int64_t>()); break;
    case 3: {
      static const double specials[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 1e308, 9.2e18, 9.3e18, -9.3e18, 0.5};
      v->set_double_value(in.ConsumeBool() ? specials[in.ConsumeIntegralInRange<std::size_t>(0, 9)]
                                           : in.ConsumeFloatingPoint<double>());
      break;
    }
    case 4: v->set_bytes_value(in.ConsumeRandomLengthString(32)); break;
    case 5: {
      auto* arr = v->mutable_array_value();
      const int n = depth > 3 ? 0 : in.ConsumeIntegralInRange<int>(0, 4);
      for (int i = 0; i < n; ++i) fillValue(in, arr->add_values(), depth + 1);
      break;
    }
    case 6: {
      auto* kvs = v->mutable_kvlist_value();
      const int n = depth > 3 ? 0 : in.ConsumeIntegralInRange<int>(0, 4);
      for (int i = 0; i < n; ++i) {
        KeyValue* kv = kvs->add_values();
        kv->set_key(in.ConsumeRandomLengthString(16));
        fillValue(in, kv->mutable_value(), depth + 1);
      }
      break;
    }
    case 7: v->mutable_array_value(); break;  // an empty array, as in managed_settings.sources
    default: break;  // no value set at all
  }
}

void fillAttributes(FuzzedDataProvider& in, google::protobuf::RepeatedPtrField<KeyValue>* out) {
  const FieldDef* fields = eventFields();
  const int n = in.ConsumeIntegralInRange<int>(0, 24);
  for (int i = 0; i < n; ++i) {
    KeyValue* kv = out->Add();
    if (in.ConsumeIntegralInRange<int>(0, 4) != 0)
      kv->set_key(fields[in.ConsumeIntegralInRange<int>(0, kFieldCount - 1)].wireKey);
    else
      kv->set_key(in.ConsumeRandomLengthString(24));
    fillValue(in, kv->mutable_value(), 0);
  }
}

std::uint64_t timestamp(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return 0;
    case 1: return 1795547844547000000ull;
    case 2: return static_cast<std::uint64_t>(INT64_MAX) + in.ConsumeIntegralInRange<std::uint64_t>(0, 2);
    default: return in.ConsumeIntegral<std::uint64_t>();
  }
}

void checkEvent(const EventRow& row, bool redact) {
  const FieldDef* fields = eventFields();
  for (const EventRow::Field& f : row.fields) {
    if (f.index < 0 || f.index >= kFieldCount) fail("field index out of range");
    const FieldDef& def = fields[f.index];
    const Value& v = f.value;
    if (v.isNull()) fail("stored a null field", def.name);
    if (v.kind == Value::Kind::Real && !std::isfinite(v.d)) fail("non-finite real", def.name);
    switch (def.type) {
      case FieldType::Int:
        if (v.kind != Value::Kind::Int && v.kind != Value::Kind::Text) fail("int field of another kind", def.name);
        break;
      case FieldType::Bool:
        if (v.kind == Value::Kind::Int ? (v.i != 0 && v.i != 1) : v.kind != Value::Kind::Text)
          fail("bool field that is not 0/1 or text", def.name);
        break;
      case FieldType::Real:
        if (v.kind != Value::Kind::Real && v.kind != Value::Kind::Text) fail("real field of another kind", def.name);
        break;
      default:
        if (v.kind != Value::Kind::Text) fail("text field of another kind", def.name);
    }
    const std::string key = def.wireKey;
    if (redact && (key == "prompt" || key == "prompt_text" || key == "response" || key == "tool_parameters" ||
                   key == "tool_input" || key == "body") &&
        !(v.kind == Value::Kind::Text && v.s == "<REDACTED>"))
      fail("content kept under --redact", def.name);
  }
}

void fuzzLogs(FuzzedDataProvider& in) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  int records = 0;
  const int nResources = in.ConsumeIntegralInRange<int>(0, 2);
  for (int r = 0; r < nResources; ++r) {
    auto* rl = req.add_resource_logs();
    fillAttributes(in, rl->mutable_resource()->mutable_attributes());
    const int nScopes = in.ConsumeIntegralInRange<int>(0, 2);
    for (int s = 0; s < nScopes; ++s) {
      auto* sl = rl->add_scope_logs();
      sl->mutable_scope()->set_name(in.ConsumeRandomLengthString(16));
      const int n = in.ConsumeIntegralInRange<int>(0, 4);
      for (int i = 0; i < n; ++i, ++records) {
        logs::LogRecord* lr = sl->add_log_records();
        lr->set_time_unix_nano(timestamp(in));
        lr->set_observed_time_unix_nano(timestamp(in));
        if (in.ConsumeBool()) fillValue(in, lr->mutable_body(), 0);
        lr->set_severity_number(static_cast<logs::SeverityNumber>(in.ConsumeIntegralInRange<int>(-2, 30)));
        lr->set_trace_id(in.ConsumeRandomLengthString(17));
        lr->set_span_id(in.ConsumeRandomLengthString(9));
        fillAttributes(in, lr->mutable_attributes());
      }
    }
  }
  NormalizeOptions opts;
  opts.redactContent = in.ConsumeBool();
  NormalizedBatch batch;
  normalizeLogs(req, &batch, opts);
  if (batch.events.size() + static_cast<std::size_t>(batch.rejected) != static_cast<std::size_t>(records))
    fail("log records lost or invented");
  for (const EventRow& row : batch.events) {
    if (row.timeNs <= 0) fail("event without a usable time");
    checkEvent(row, opts.redactContent);
  }
}

template <typename Point>
void fillPoint(FuzzedDataProvider& in, Point* p) {
  fillAttributes(in, p->mutable_attributes());
  p->set_start_time_unix_nano(timestamp(in));
  p->set_time_unix_nano(timestamp(in));
  p->set_flags(in.ConsumeIntegral<std::uint32_t>());
}

void fuzzMetrics(FuzzedDataProvider& in) {
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest req;
  auto* sm = req.add_resource_metrics()->add_scope_metrics();
  const int nMetrics = in.ConsumeIntegralInRange<int>(0, 6);
  for (int m = 0; m < nMetrics; ++m) {
    metrics::Metric* metric = sm->add_metrics();
    metric->set_name(edgeOrRandom(in));
    metric->set_unit(in.ConsumeRandomLengthString(8));
    const int n = in.ConsumeIntegralInRange<int>(0, 3);
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
      case 0:
      case 1: {
        auto* pts = in.ConsumeBool() ? metric->mutable_sum()->mutable_data_points()
                                     : metric->mutable_gauge()->mutable_data_points();
        for (int i = 0; i < n; ++i) {
          auto* p = pts->Add();
          fillPoint(in, p);
          if (in.ConsumeBool()) p->set_as_int(in.ConsumeIntegral<std::int64_t>());
          else p->set_as_double(in.ConsumeFloatingPoint<double>());
        }
        break;
      }
      case 2:
        for (int i = 0; i < n; ++i) {
          auto* p = metric->mutable_histogram()->add_data_points();
          fillPoint(in, p);
          p->set_count(in.ConsumeIntegral<std::uint64_t>());
          if (in.ConsumeBool()) p->set_sum(in.ConsumeFloatingPoint<double>());
          const int b = in.ConsumeIntegralInRange<int>(0, 5);
          for (int k = 0; k < b; ++k) p->add_bucket_counts(in.ConsumeIntegral<std::uint64_t>());
          const int e = in.ConsumeIntegralInRange<int>(0, 5);  // deliberately not b - 1 at times
          for (int k = 0; k < e; ++k) p->add_explicit_bounds(in.ConsumeFloatingPoint<double>());
        }
        break;
      case 3:
        for (int i = 0; i < n; ++i) {
          auto* p = metric->mutable_exponential_histogram()->add_data_points();
          fillPoint(in, p);
          p->set_scale(in.ConsumeIntegral<std::int32_t>());
          p->set_zero_count(in.ConsumeIntegral<std::uint64_t>());
          p->mutable_positive()->set_offset(in.ConsumeIntegral<std::int32_t>());
          const int b = in.ConsumeIntegralInRange<int>(0, 4);
          for (int k = 0; k < b; ++k) p->mutable_positive()->add_bucket_counts(in.ConsumeIntegral<std::uint64_t>());
        }
        break;
      default:
        for (int i = 0; i < n; ++i) {
          auto* p = metric->mutable_summary()->add_data_points();
          fillPoint(in, p);
          p->set_sum(in.ConsumeFloatingPoint<double>());
          auto* q = p->add_quantile_values();
          q->set_quantile(in.ConsumeFloatingPoint<double>());
          q->set_value(in.ConsumeFloatingPoint<double>());
        }
    }
  }
  NormalizedBatch batch;
  normalizeMetrics(req, &batch);
  for (const MetricPointRow& p : batch.points)
    if (p.timeNs <= 0) fail("metric point without a usable time");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) fuzzLogs(in);
  else fuzzMetrics(in);
  return 0;
}
