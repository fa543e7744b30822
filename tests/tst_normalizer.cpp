// The normalizer on inputs built in code: every schema type coercion, values that do not fit, attributes
// outside the schema, unknown events, non-string bodies, rejected records, metrics of every kind, spans.

#include <QtTest>

#include <ctime>
#include <limits>
#include <random>

#include "ingest/OtlpDecode.h"
#include "model/JsonText.h"
#include "model/Normalizer.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

using namespace cctv::model;
namespace col = opentelemetry::proto::collector;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;

namespace {

template <typename T>
KeyValue* attr(T* owner, const std::string& key) {
  KeyValue* kv = owner->add_attributes();
  kv->set_key(key);
  return kv;
}

opentelemetry::proto::logs::v1::LogRecord* record(col::logs::v1::ExportLogsServiceRequest& req) {
  auto* rl = req.resource_logs_size() ? req.mutable_resource_logs(0) : req.add_resource_logs();
  auto* sl = rl->scope_logs_size() ? rl->mutable_scope_logs(0) : rl->add_scope_logs();
  auto* r = sl->add_log_records();
  r->set_time_unix_nano(1795547844547000000ull);
  r->set_observed_time_unix_nano(1795547844547000000ull);
  return r;
}

const Value& field(const EventRow& row, const char* name) { return row.field(fieldByName(name)); }

bool sentAsString(const EventRow& row, const char* name) {
  return row.sentAsString >> stringMaskBit(fieldByName(name)) & 1;
}

}  // namespace

class TestNormalizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void schemaTable() {
    QCOMPARE(fieldByName("event_name"), F::event_name);
    QCOMPARE(fieldByName("session_id"), F::session_id);
    QCOMPARE(fieldForAttribute("session.id"), F::session_id);
    QCOMPARE(fieldForAttribute("prompt.id"), F::prompt_id);
    QCOMPARE(fieldForAttribute("event.sequence"), F::event_sequence);
    QCOMPARE(fieldForAttribute("mcp_server.name"), fieldByName("mcp_server_name"));
    QCOMPARE(fieldForAttribute("duration_ms"), fieldByName("duration_ms"));
    QCOMPARE(fieldForAttribute("session_id"), -1);  // not the wire key: kept as an extra attribute
    QCOMPARE(fieldForAttribute("anthropic.provider"), -1);
    int masked = 0;
    for (int i = 0; i < kFieldCount; ++i)
      if (stringMaskBit(i) >= 0) ++masked;
    QCOMPARE(masked, 41);  // 26 bigint + 13 boolean + 1 float + 1 array: one 64-bit mask is enough
  }

  void coercesToSchemaTypes() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    r->mutable_body()->set_string_value("claude_code.tool_result");
    attr(r, "event.name")->mutable_value()->set_string_value("tool_result");
    attr(r, "event.sequence")->mutable_value()->set_int_value(8);
    attr(r, "session.id")->mutable_value()->set_string_value("s-1");
    attr(r, "success")->mutable_value()->set_string_value("true");
    attr(r, "duration_ms")->mutable_value()->set_string_value("38");
    attr(r, "has_hooks")->mutable_value()->set_bool_value(false);
    attr(r, "cost_usd")->mutable_value()->set_int_value(3);
    attr(r, "status_code")->mutable_value()->set_double_value(529.0);
    auto* paths = attr(r, "workspace.host_paths")->mutable_value()->mutable_array_value();
    paths->add_values()->set_string_value("/a");
    paths->add_values()->set_string_value("/b\"c");
    attr(r, "tool_parameters")->mutable_value()->set_string_value("{\"full_command\":\"echo hi\"}");
    NormalizedBatch out;
    normalizeLogs(req, &out);
    QCOMPARE(out.events.size(), std::size_t(1));
    const EventRow& row = out.events[0];
    QCOMPARE(field(row, "success").kind, Value::Kind::Int);
    QCOMPARE(field(row, "success").i, 1);
    QVERIFY(sentAsString(row, "success"));
    QCOMPARE(field(row, "duration_ms").i, 38);
    QVERIFY(sentAsString(row, "duration_ms"));
    QCOMPARE(field(row, "has_hooks").i, 0);
    QVERIFY(!sentAsString(row, "has_hooks"));
    QCOMPARE(field(row, "cost_usd").kind, Value::Kind::Real);
    QCOMPARE(field(row, "cost_usd").d, 3.0);
    QCOMPARE(field(row, "status_code").i, 529);
    QCOMPARE(field(row, "event_sequence").i, 8);
    QCOMPARE(QString::fromStdString(field(row, "workspace_host_paths").s), QString("[\"/a\",\"/b\\\"c\"]"));
    QCOMPARE(field(row, "tool_parameters").s, std::string("{\"full_command\":\"echo hi\"}"));
    QVERIFY(row.extra.empty());
    QCOMPARE(row.coercionFailures, 0);
  }

  void keepsWhatDoesNotFitAsText() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    attr(r, "duration_ms")->mutable_value()->set_string_value("12 ms");
    attr(r, "success")->mutable_value()->set_string_value("yes");
    attr(r, "input_tokens")->mutable_value()->set_double_value(1.5);
    attr(r, "prompt_length")->mutable_value()->set_string_value("99999999999999999999999");
    NormalizedBatch out;
    normalizeLogs(req, &out);
    const EventRow& row = out.events[0];
    QCOMPARE(field(row, "duration_ms").kind, Value::Kind::Text);
    QCOMPARE(field(row, "duration_ms").s, std::string("12 ms"));
    QCOMPARE(field(row, "success").s, std::string("yes"));
    QCOMPARE(field(row, "input_tokens").s, std::string("1.5"));
    QCOMPARE(field(row, "prompt_length").s, std::string("99999999999999999999999"));
    QCOMPARE(row.coercionFailures, 4);
    QCOMPARE(out.coercionFailures, 4);
    QCOMPARE(row.sentAsString, std::uint64_t{0});
  }

  void unknownEventsAndAttributesAreKept() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    r->mutable_body()->set_string_value("claude_code.from_the_future");
    attr(r, "event.name")->mutable_value()->set_string_value("from_the_future");
    attr(r, "anthropic.provider")->mutable_value()->set_string_value("firstParty");
    attr(r, "ttft_ms")->mutable_value()->set_int_value(310);
    attr(r, "ratio")->mutable_value()->set_double_value(2.0);
    attr(r, "raw")->mutable_value()->set_bytes_value(std::string("\x00\x01\xff", 3));
    auto* kv = attr(r, "nested")->mutable_value()->mutable_kvlist_value()->add_values();
    kv->set_key("a");
    kv->mutable_value()->set_bool_value(true);
    attr(r, "empty");
    attr(r, "session_id")->mutable_value()->set_string_value("underscore spelling");
    NormalizedBatch out;
    normalizeLogs(req, &out);
    const EventRow& row = out.events[0];
    QCOMPARE(field(row, "event_name").s, std::string("from_the_future"));
    QCOMPARE(QString::fromStdString(row.extra),
             QString("{\"anthropic.provider\":\"firstParty\",\"ttft_ms\":310,\"ratio\":2.0,\"raw\":\"AAH/\","
                     "\"nested\":{\"a\":true},\"empty\":null,\"session_id\":\"underscore spelling\"}"));
    QVERIFY(!row.has(F::session_id));
  }

  void bodiesAndRecordFields() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    auto* kv = r->mutable_body()->mutable_kvlist_value()->add_values();
    kv->set_key("msg");
    kv->mutable_value()->set_string_value("hi");
    r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
    r->set_severity_text("WARN");
    r->set_trace_id(std::string(16, '\x11'));
    r->set_span_id(std::string(8, '\x22'));
    r->set_flags(1);
    r->set_dropped_attributes_count(2);
    NormalizedBatch out;
    normalizeLogs(req, &out);
    const EventRow& row = out.events[0];
    QVERIFY(row.hasBody);
    QVERIFY(!row.bodyIsString);
    QCOMPARE(row.body, std::string("{\"msg\":\"hi\"}"));
    QCOMPARE(row.severityNumber, 13);
    QCOMPARE(row.severityText, std::string("WARN"));
    QCOMPARE(hex(row.traceId), std::string(32, '1'));
    QCOMPARE(row.droppedAttributesCount, 2u);
  }

  void rejectsRecordsWithoutUsableTime() {
    col::logs::v1::ExportLogsServiceRequest req;
    record(req);                                   // fine
    record(req)->set_time_unix_nano(0);            // falls back to observed time: fine
    auto* none = record(req);
    none->set_time_unix_nano(0);
    none->set_observed_time_unix_nano(0);          // nothing: rejected
    record(req)->set_time_unix_nano(~0ull);        // past int64: rejected
    NormalizedBatch out;
    normalizeLogs(req, &out);
    QCOMPARE(out.events.size(), std::size_t(2));
    QCOMPARE(out.rejected, 2);
    QVERIFY(out.rejectReason.find("timeUnixNano") != std::string::npos);
    QCOMPARE(out.events[1].timeNs, std::int64_t(1795547844547000000));
  }

  void redactsContent() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    attr(r, "prompt")->mutable_value()->set_string_value("my secret prompt");
    attr(r, "prompt_text")->mutable_value()->set_string_value("my secret prompt");
    attr(r, "tool_input")->mutable_value()->set_string_value("{\"command\":\"cat ~/.ssh/id_rsa\"}");
    attr(r, "prompt_length")->mutable_value()->set_string_value("16");
    NormalizedBatch out;
    NormalizeOptions o;
    o.redactContent = true;
    normalizeLogs(req, &out, o);
    const EventRow& row = out.events[0];
    QCOMPARE(field(row, "prompt").s, std::string("<REDACTED>"));
    QCOMPARE(field(row, "tool_input").s, std::string("<REDACTED>"));
    QCOMPARE(row.extra, std::string("{\"prompt_text\":\"<REDACTED>\"}"));
    QCOMPARE(field(row, "prompt_length").i, 16);
  }

  void redactsContentOfAnyKindAndInSpans() {
    col::logs::v1::ExportLogsServiceRequest req;
    auto* r = record(req);
    // A prompt that is not a plain string is still content.
    attr(r, "prompt")->mutable_value()->mutable_array_value()->add_values()->set_string_value("secret");
    attr(r, "response")->mutable_value()->mutable_kvlist_value()->add_values()->set_key("secret");
    NormalizeOptions o;
    o.redactContent = true;
    NormalizedBatch out;
    normalizeLogs(req, &out, o);
    QCOMPARE(field(out.events[0], "prompt").s, std::string("<REDACTED>"));
    QCOMPARE(QString::fromStdString(out.events[0].extra).contains("secret"), false);

    col::trace::v1::ExportTraceServiceRequest traces;
    auto* s = traces.add_resource_spans()->add_scope_spans()->add_spans();
    s->set_trace_id(std::string(16, '\x01'));
    s->set_span_id(std::string(8, '\x02'));
    attr(s, "user_prompt")->mutable_value()->set_string_value("secret prompt");
    attr(s, "full_command")->mutable_value()->set_string_value("cat secret.txt");
    attr(s, "tool_name")->mutable_value()->set_string_value("Bash");
    auto* ev = s->add_events();
    ev->set_name("tool.output");
    attr(ev, "output")->mutable_value()->set_string_value("secret output");
    NormalizedBatch spans;
    normalizeTraces(traces, &spans, o);
    QCOMPARE(QString::fromStdString(spans.spans[0].attributes),
             QString(R"({"user_prompt":"<REDACTED>","full_command":"<REDACTED>","tool_name":"Bash"})"));
    QVERIFY(spans.spans[0].events.find("secret") == std::string::npos);
    NormalizedBatch kept;
    normalizeTraces(traces, &kept);  // without --redact nothing changes
    QVERIFY(kept.spans[0].events.find("secret output") != std::string::npos);
  }

  void isoMillisMatchesClaudeCode() {
    QCOMPARE(isoMillis(1795547844547000000), std::string("2026-11-24T19:17:24.547Z"));
    QCOMPARE(isoMillis(0), std::string("1970-01-01T00:00:00.000Z"));
  }

  // isoMillis computes the date itself (it runs for every stored event); gmtime_r is the reference.
  void isoMillisAgreesWithGmtime() {
    auto reference = [](std::int64_t ns) {
      const std::int64_t ms = ns / 1000000;
      const std::time_t secs = static_cast<std::time_t>(ms / 1000);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
      return std::string(buf);
    };
    constexpr std::int64_t kDay = 86400LL * 1000000000LL;
    std::vector<std::int64_t> cases = {0, 999999, 1000000, kDay - 1, kDay, std::numeric_limits<std::int64_t>::max()};
    // Around leap days and century rules: 1972-02-29, 2000-02-29 (leap), 2100-02-28/03-01 (not leap).
    for (std::int64_t day : {789, 790, 11015, 11016, 11017, 47540, 47541, 47542, 106750})
      for (std::int64_t off : {std::int64_t{0}, kDay - 1}) cases.push_back(day * kDay + off);
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::int64_t> any(0, std::numeric_limits<std::int64_t>::max());
    for (int i = 0; i < 20000; ++i) cases.push_back(any(rng));
    for (std::int64_t ns : cases) QCOMPARE(isoMillis(ns), reference(ns));
  }

  void metricsOfEveryKind() {
    col::metrics::v1::ExportMetricsServiceRequest req;
    auto* rm = req.add_resource_metrics();
    attr(rm->mutable_resource(), "session.id")->mutable_value()->set_string_value("from-resource");
    auto* sm = rm->add_scope_metrics();
    auto* sum = sm->add_metrics();
    sum->set_name("claude_code.cost.usage");
    sum->set_unit("USD");
    sum->mutable_sum()->set_aggregation_temporality(opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
    sum->mutable_sum()->set_is_monotonic(true);
    auto* p = sum->mutable_sum()->add_data_points();
    attr(p, "session.id")->mutable_value()->set_string_value("s-1");
    attr(p, "model")->mutable_value()->set_string_value("m");
    p->set_start_time_unix_nano(1);
    p->set_time_unix_nano(2);
    p->set_as_double(0.5);
    auto* noTime = sum->mutable_sum()->add_data_points();
    noTime->set_as_double(1);
    auto* gauge = sm->add_metrics();
    gauge->set_name("g");
    auto* gp = gauge->mutable_gauge()->add_data_points();
    gp->set_time_unix_nano(5);
    gp->set_as_int(7);
    auto* hist = sm->add_metrics();
    hist->set_name("h");
    auto* hp = hist->mutable_histogram()->add_data_points();
    hp->set_time_unix_nano(6);
    hp->set_count(3);
    hp->set_sum(4.5);
    hp->add_bucket_counts(1);
    hp->add_bucket_counts(2);
    hp->add_explicit_bounds(1.0);
    auto* summary = sm->add_metrics();
    summary->set_name("s");
    auto* sp = summary->mutable_summary()->add_data_points();
    sp->set_time_unix_nano(7);
    sp->set_count(2);
    sp->set_sum(3);
    auto* q = sp->add_quantile_values();
    q->set_quantile(0.5);
    q->set_value(1.5);
    NormalizedBatch out;
    normalizeMetrics(req, &out);
    QCOMPARE(out.points.size(), std::size_t(4));
    QCOMPARE(out.rejected, 1);
    const MetricPointRow& c = out.points[0];
    QCOMPARE(c.type, 2);
    QCOMPARE(c.temporality, 1);
    QVERIFY(c.isMonotonic);
    QCOMPARE(c.sessionId, std::string("s-1"));
    QCOMPARE(c.attributes, std::string("{\"model\":\"m\",\"session.id\":\"s-1\"}"));  // sorted keys
    QCOMPARE(c.value, 0.5);
    QCOMPARE(out.points[1].type, 1);
    QVERIFY(out.points[1].isInt);
    QCOMPARE(out.points[1].intValue, 7);
    QCOMPARE(out.points[1].sessionId, std::string("from-resource"));
    QCOMPARE(out.points[2].type, 3);
    QCOMPARE(out.points[2].value, 4.5);
    QCOMPARE(QString::fromStdString(out.points[2].data),
             QString("{\"count\":3,\"sum\":4.5,\"bucketCounts\":[1,2],\"explicitBounds\":[1.0]}"));
    QCOMPARE(out.points[3].type, 5);
    QCOMPARE(QString::fromStdString(out.points[3].data),
             QString("{\"count\":2,\"sum\":3.0,\"quantileValues\":[{\"quantile\":0.5,\"value\":1.5}]}"));
  }

  void spans() {
    col::trace::v1::ExportTraceServiceRequest req;
    auto* ss = req.add_resource_spans()->add_scope_spans();
    auto* s = ss->add_spans();
    s->set_trace_id(std::string(16, '\xab'));
    s->set_span_id(std::string(8, '\x01'));
    s->set_name("claude_code.interaction");
    s->set_start_time_unix_nano(10);
    s->set_end_time_unix_nano(20);
    s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
    s->mutable_status()->set_message("boom");
    attr(s, "gen_ai.conversation.id")->mutable_value()->set_string_value("s-9");
    auto* ev = s->add_events();
    ev->set_name("gen_ai.request.attempt");
    ev->set_time_unix_nano(15);
    attr(ev, "attempt")->mutable_value()->set_int_value(2);
    auto* bad = ss->add_spans();
    bad->set_name("no ids");
    NormalizedBatch out;
    normalizeTraces(req, &out);
    QCOMPARE(out.spans.size(), std::size_t(1));
    QCOMPARE(out.rejected, 1);
    const SpanRow& r = out.spans[0];
    QCOMPARE(r.traceId, std::string("abababababababababababababababab"));
    QCOMPARE(r.spanId, std::string("0101010101010101"));
    QCOMPARE(r.parentSpanId, std::string());
    QCOMPARE(r.sessionId, std::string("s-9"));
    QCOMPARE(r.statusCode, 2);
    QCOMPARE(QString::fromStdString(r.events),
             QString("[{\"timeUnixNano\":15,\"name\":\"gen_ai.request.attempt\",\"attributes\":{\"attempt\":2},\"droppedAttributesCount\":0}]"));
  }

  void endpointUrls() {
    QCOMPARE(cctv::ingest::endpointUrl("http", "127.0.0.1", 4318), std::string("http://127.0.0.1:4318"));
    QCOMPARE(cctv::ingest::endpointUrl("http", "::1", 4318), std::string("http://[::1]:4318"));
    QCOMPARE(cctv::ingest::endpointUrl("grpc", "[::1]", 4317), std::string("grpc://[::1]:4317"));
  }

  // appendJsonString sizes its output first and writes in place; the plain loop below is the reference.
  void jsonStringAgreesWithPlainEscaping() {
    auto reference = [](std::string_view in) {
      std::string out = "\"";
      for (const char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          case '\b': out += "\\b"; break;
          case '\f': out += "\\f"; break;
          default:
            if (c < 0x20) {
              char buf[8];
              std::snprintf(buf, sizeof buf, "\\u%04x", c);
              out += buf;
            } else {
              out += ch;
            }
        }
      }
      return out + "\"";
    };
    std::mt19937 rng(7);
    for (int i = 0; i < 4000; ++i) {
      // From an escape in every other byte to one in 512 (long runs copied 8 bytes at a time), any byte value.
      const unsigned every = 2u << (i % 9);
      std::string in(static_cast<std::size_t>(rng() % 300), '\0');
      for (char& c : in) c = static_cast<char>(rng() % every == 0 ? rng() % 0x24 : 0x24 + rng() % (256 - 0x24));
      if (i % 7 == 0 && !in.empty()) in[rng() % in.size()] = '\\';
      std::string out = "prefix";  // appends after what is there
      appendJsonString(out, in);
      QCOMPARE(out, "prefix" + reference(in));
    }
  }

  void jsonText() {
    std::string s;
    appendJsonString(s, std::string("a\"b\\c\n\x01", 7));
    QCOMPARE(s, std::string("\"a\\\"b\\\\c\\n\\u0001\""));
    s.clear();
    appendJsonDouble(s, 0.1);
    QCOMPARE(s, std::string("0.1"));
    s.clear();
    appendJsonDouble(s, 3);
    QCOMPARE(s, std::string("3.0"));
    s.clear();
    appendJsonDouble(s, 0.027211650000000004);
    QCOMPARE(std::stod(s), 0.027211650000000004);
    QCOMPARE(validUtf8("ok \xc3\xa9 \xff \xed\xa0\x80"), std::string("ok \xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
    QCOMPARE(base64(std::string_view("\x00\x01\xff", 3)), std::string("AAH/"));
  }
};

QTEST_GUILESS_MAIN(TestNormalizer)
#include "tst_normalizer.moc"
