// OTLP/JSON decoder and writer: real Claude Code fixtures (counts, protobuf equivalence, round trip) and
// generated edge cases (number/string forms, names, unknown fields, hostile input).

#include <QtTest>

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "otlp/OtlpJson.h"

#include <google/protobuf/util/message_differencer.h>
#include <opentelemetry/proto/collector/logs/v1/logs_service.pb.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

using cctv::otlp::parseOtlpJson;
using cctv::otlp::toOtlpJson;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using LogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using MetricsRequest = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using TracesRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
namespace common = opentelemetry::proto::common::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace trace = opentelemetry::proto::trace::v1;

namespace {

enum class Signal { None, Logs, Metrics, Traces };

Signal signalOf(const QString& fileName) {
  if (fileName.contains(QLatin1String("-logs."))) return Signal::Logs;
  if (fileName.contains(QLatin1String("-metrics."))) return Signal::Metrics;
  if (fileName.contains(QLatin1String("-traces."))) return Signal::Traces;
  return Signal::None;
}

std::unique_ptr<Message> newRequest(Signal s) {
  switch (s) {
  case Signal::Logs: return std::make_unique<LogsRequest>();
  case Signal::Metrics: return std::make_unique<MetricsRequest>();
  case Signal::Traces: return std::make_unique<TracesRequest>();
  case Signal::None: break;
  }
  return nullptr;
}

QString fixturesDir() { return QStringLiteral(CCTV_FIXTURES_DIR); }

QByteArray readFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
  return f.readAll();
}

std::string str(const QByteArray& b) { return std::string(b.constData(), size_t(b.size())); }

// Every file of the fixtures matching `pattern` that is an OTLP body or rendering (not meta/run.json).
QStringList fixtureFiles(const QString& pattern) {
  QStringList out;
  QDirIterator it(fixturesDir(), {pattern}, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString p = it.next();
    const QString name = QFileInfo(p).fileName();
    if (!name.endsWith(QLatin1String(".meta.json")) && signalOf(name) != Signal::None) out << p;
  }
  out.sort();
  return out;
}

QString rel(const QString& path) { return QDir(fixturesDir()).relativeFilePath(path); }

// Records of a request: log records, metric data points (all five kinds) or spans.
int countProto(const Message& m, Signal s) {
  int n = 0;
  if (s == Signal::Logs) {
    for (const auto& rl : static_cast<const LogsRequest&>(m).resource_logs())
      for (const auto& sl : rl.scope_logs()) n += sl.log_records_size();
  } else if (s == Signal::Traces) {
    for (const auto& rs : static_cast<const TracesRequest&>(m).resource_spans())
      for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  } else {
    for (const auto& rm : static_cast<const MetricsRequest&>(m).resource_metrics())
      for (const auto& sm : rm.scope_metrics())
        for (const auto& metric : sm.metrics())
          n += metric.gauge().data_points_size() + metric.sum().data_points_size() +
             metric.histogram().data_points_size() + metric.exponential_histogram().data_points_size() +
             metric.summary().data_points_size();
  }
  return n;
}

// The same count done independently, on a QJsonDocument.
int countJson(const QJsonObject& root, Signal s) {
  const char* resourceKey = s == Signal::Logs ? "resourceLogs" : s == Signal::Traces ? "resourceSpans" : "resourceMetrics";
  const char* scopeKey = s == Signal::Logs ? "scopeLogs" : s == Signal::Traces ? "scopeSpans" : "scopeMetrics";
  int n = 0;
  for (const QJsonValue r : root.value(QLatin1String(resourceKey)).toArray())
    for (const QJsonValue sc : r.toObject().value(QLatin1String(scopeKey)).toArray()) {
      const QJsonObject scope = sc.toObject();
      if (s == Signal::Logs) n += scope.value(QLatin1String("logRecords")).toArray().size();
      if (s == Signal::Traces) n += scope.value(QLatin1String("spans")).toArray().size();
      if (s != Signal::Metrics) continue;
      for (const QJsonValue m : scope.value(QLatin1String("metrics")).toArray())
        for (const char* kind : {"gauge", "sum", "histogram", "exponentialHistogram", "summary"})
          n += m.toObject().value(QLatin1String(kind)).toObject().value(QLatin1String("dataPoints")).toArray().size();
    }
  return n;
}

QString differences(const Message& a, const Message& b) {
  std::string report;
  MessageDifferencer d;
  d.ReportDifferencesToString(&report);
  return d.Compare(a, b) ? QString() : QString::fromStdString(report).left(2000);
}

// Wraps one LogRecord / Metric / Span (JSON text) in a full request.
std::string logsWith(const std::string& record) {
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + record + "]}]}]}";
}
std::string metricsWith(const std::string& metric) {
  return R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[)" + metric + "]}]}]}";
}
std::string tracesWith(const std::string& span) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + span + "]}]}]}";
}

const auto& firstRecord(const LogsRequest& r) { return r.resource_logs(0).scope_logs(0).log_records(0); }
const auto& firstMetric(const MetricsRequest& r) { return r.resource_metrics(0).scope_metrics(0).metrics(0); }
const auto& firstSpan(const TracesRequest& r) { return r.resource_spans(0).scope_spans(0).spans(0); }

// Declares `var` of type T parsed from `json`; fails the test (not just warns) when that parse fails.
#define PARSE_OK(T, var, json)                                               \
  T var;                                                                     \
  do {                                                                       \
    std::string parseOkError;                                                \
    QVERIFY2(parseOtlpJson(json, &var, &parseOkError), parseOkError.c_str()); \
  } while (false)

// The error of a parse that must fail, as a QString for readable QCOMPARE output.
template <typename T>
QString parseError(const std::string& json) {
  T req;  // pre-filled (field 1 is resource_logs/_metrics/_spans) to see that a failed parse clears it
  req.GetReflection()->AddMessage(&req, req.GetDescriptor()->field(0));
  std::string error;
  if (parseOtlpJson(json, &req, &error)) return QStringLiteral("<parsed>");
  if (req.ByteSizeLong() != 0) return QStringLiteral("<out not cleared>");
  return error.empty() ? QStringLiteral("<empty error>") : QString::fromStdString(error);
}

// Log records of the first scope of a JSON logs body, via Qt's JSON reader.
QJsonArray jsonLogRecords(const QByteArray& body) {
  const QJsonObject root = QJsonDocument::fromJson(body).object();
  const QJsonObject rl = root.value(QLatin1String("resourceLogs")).toArray().at(0).toObject();
  const QJsonObject sl = rl.value(QLatin1String("scopeLogs")).toArray().at(0).toObject();
  return sl.value(QLatin1String("logRecords")).toArray();
}

QString hex(const std::string& bytes) { return QString::fromLatin1(QByteArray::fromStdString(bytes).toHex()); }

}  // namespace

class TstOtlpJson : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void fixtureBodies_data() {
    QTest::addColumn<QString>("path");
    const QStringList files = fixtureFiles(QStringLiteral("*.json"));
    QVERIFY(files.size() >= 90);
    for (const QString& f : files) QTest::newRow(qPrintable(rel(f))) << f;
  }
  // Every JSON body parses into the request of its signal, with the record count of an independent recount.
  void fixtureBodies() {
    QFETCH(QString, path);
    const Signal s = signalOf(QFileInfo(path).fileName());
    const QByteArray body = readFile(path);
    auto req = newRequest(s);
    std::string error;
    QVERIFY2(parseOtlpJson(str(body), req.get(), &error), error.c_str());
    QJsonParseError jerr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &jerr);
    QCOMPARE(jerr.error, QJsonParseError::NoError);
    QCOMPARE(countProto(*req, s), countJson(doc.object(), s));
    QVERIFY(countProto(*req, s) > 0);
  }

  // The README table: per run, requests and records summed over every body (one JSON rendering each).
  void readmeCounts() {
    struct Row { int logReqs, metricReqs, traceReqs, logs, points, spans; };
    const std::map<QString, Row> table = {
      {"grpc-basic", {1, 1, 1, 11, 7, 6}},         {"json-allcontent", {1, 1, 0, 15, 7, 0}},
      {"json-basic", {1, 1, 0, 11, 7, 0}},         {"json-cumulative", {1, 1, 0, 11, 7, 0}},
      {"json-delta", {1, 1, 0, 11, 7, 0}},         {"json-error529", {2, 2, 0, 7, 2, 0}},
      {"json-gzip", {1, 1, 0, 11, 7, 0}},          {"json-multi", {2, 2, 0, 23, 18, 0}},
      {"json-multiturn", {7, 6, 0, 62, 48, 0}},    {"json-noprivacy", {1, 1, 0, 11, 7, 0}},
      {"json-otlp-503", {7, 8, 0, 29, 39, 0}},     {"json-read", {1, 1, 0, 11, 7, 0}},
      {"json-reject", {1, 1, 0, 10, 7, 0}},        {"json-resume-1", {1, 1, 0, 11, 7, 0}},
      {"json-resume-2", {1, 1, 0, 7, 7, 0}},       {"json-toolfail", {2, 2, 1, 15, 12, 10}},
      {"json-traces", {1, 1, 1, 11, 7, 6}},        {"proto-basic", {1, 1, 0, 11, 7, 0}},
      {"proto-gzip", {1, 1, 0, 11, 7, 0}},         {"tmux-permissions", {8, 9, 4, 25, 38, 17}},
    };
    std::map<QString, Row> seen;
    for (const QString& f : fixtureFiles(QStringLiteral("*.json"))) {
      const Signal s = signalOf(QFileInfo(f).fileName());
      auto req = newRequest(s);
      std::string error;
      QVERIFY2(parseOtlpJson(str(readFile(f)), req.get(), &error), error.c_str());
      Row& r = seen[rel(f).section(QLatin1Char('/'), 0, 0)];
      const int n = countProto(*req, s);
      if (s == Signal::Logs) { ++r.logReqs; r.logs += n; }
      if (s == Signal::Metrics) { ++r.metricReqs; r.points += n; }
      if (s == Signal::Traces) { ++r.traceReqs; r.spans += n; }
    }
    const auto text = [](const QString& run, const Row& r) {
      return QStringLiteral("%1 %2/%3/%4 %5 %6 %7").arg(run).arg(r.logReqs).arg(r.metricReqs).arg(r.traceReqs)
          .arg(r.logs).arg(r.points).arg(r.spans);
    };
    QCOMPARE(seen.size(), table.size());
    for (const auto& [run, want] : table) QCOMPARE(text(run, seen[run]), text(run, want));
  }

  void protobufEquivalence_data() {
    QTest::addColumn<QString>("pb");
    QTest::addColumn<QString>("json");
    const QStringList pbs = fixtureFiles(QStringLiteral("*.pb"));
    QVERIFY(pbs.size() >= 7);  // grpc-basic 3, proto-basic 2, proto-gzip 2 (decoded)
    for (const QString& pb : pbs) {
      QString json = pb.endsWith(QLatin1String(".decoded.pb")) ? pb.chopped(11) + QStringLiteral(".pb.otlp.json")
                                   : pb + QStringLiteral(".otlp.json");
      QVERIFY2(QFile::exists(json), qPrintable(json));
      QTest::newRow(qPrintable(rel(pb))) << pb << json;
    }
  }
  // The protobuf body and its JSON rendering decode to the same message.
  void protobufEquivalence() {
    QFETCH(QString, pb);
    QFETCH(QString, json);
    const Signal s = signalOf(QFileInfo(pb).fileName());
    auto fromPb = newRequest(s), fromJson = newRequest(s);
    QVERIFY(fromPb->ParseFromString(str(readFile(pb))));
    std::string error;
    QVERIFY2(parseOtlpJson(str(readFile(json)), fromJson.get(), &error), error.c_str());
    QVERIFY(countProto(*fromPb, s) > 0);
    QVERIFY2(MessageDifferencer::Equals(*fromPb, *fromJson), qPrintable(differences(*fromPb, *fromJson)));
  }

  void roundTrip_data() {
    QTest::addColumn<QString>("path");
    for (const QString& f : fixtureFiles(QStringLiteral("*.json")) + fixtureFiles(QStringLiteral("*.pb")))
      QTest::newRow(qPrintable(rel(f))) << f;
  }
  // parse(toOtlpJson(m)) == m, and the output is JSON that Qt reads with the same record count.
  void roundTrip() {
    QFETCH(QString, path);
    const Signal s = signalOf(QFileInfo(path).fileName());
    auto m = newRequest(s), back = newRequest(s);
    std::string error;
    if (path.endsWith(QLatin1String(".pb"))) QVERIFY(m->ParseFromString(str(readFile(path))));
    else QVERIFY2(parseOtlpJson(str(readFile(path)), m.get(), &error), error.c_str());
    const std::string json = toOtlpJson(*m);
    QVERIFY2(parseOtlpJson(json, back.get(), &error), error.c_str());
    QVERIFY2(MessageDifferencer::Equals(*m, *back), qPrintable(differences(*m, *back)));
    QCOMPARE(toOtlpJson(*back), json);
    QJsonParseError jerr;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &jerr);
    QCOMPARE(jerr.error, QJsonParseError::NoError);
    QCOMPARE(countJson(doc.object(), s), countProto(*m, s));
  }

  void typedLogs() {
    const QString path = fixturesDir() + QStringLiteral("/json-basic/otlp/0001-logs.json");
    const QByteArray body = readFile(path);
    PARSE_OK(LogsRequest, req, str(body));
    const QJsonArray records = jsonLogRecords(body);
    QCOMPARE(records.size(), 11);
    const auto& protoRecords = req.resource_logs(0).scope_logs(0).log_records();
    QCOMPARE(protoRecords.size(), 11);
    // 64-bit timestamp given as a string.
    QCOMPARE(QString::number(protoRecords[0].time_unix_nano()), records[0]["timeUnixNano"].toString());
    QCOMPARE(protoRecords[0].time_unix_nano(), 1795547843996000000ull);

    int sequences = 0, costs = 0, exact = 0;
    for (int i = 0; i < records.size(); ++i) {
      const QJsonArray attrs = records[i]["attributes"].toArray();
      QCOMPARE(protoRecords[i].attributes_size(), attrs.size());
      QString eventName;
      for (int k = 0; k < attrs.size(); ++k) {
        const auto& kv = protoRecords[i].attributes(k);
        QCOMPARE(QString::fromStdString(kv.key()), attrs[k]["key"].toString());
        if (kv.key() == "event.name") eventName = QString::fromStdString(kv.value().string_value());
        if (kv.key() == "event.sequence") {
          const QJsonValue v = attrs[k]["value"]["intValue"];
          QVERIFY(v.isDouble());  // a JSON number in this file, not a string
          QCOMPARE(kv.value().value_case(), common::AnyValue::kIntValue);
          QCOMPARE(kv.value().int_value(), qint64(v.toDouble()));
          QCOMPARE(kv.value().int_value(), i);
          ++sequences;
        }
        if (kv.key() == "cost_usd") {
          QCOMPARE(eventName, QStringLiteral("api_request"));
          QCOMPARE(kv.value().value_case(), common::AnyValue::kDoubleValue);
          QCOMPARE(kv.value().double_value(), attrs[k]["value"]["doubleValue"].toDouble());
          ++costs;
          exact += kv.value().double_value() == 0.02702565;  // a literal in the file, rounded by the compiler
        }
      }
    }
    QCOMPARE(sequences, 11);
    QVERIFY(costs >= 1);
    QCOMPARE(exact, 1);
  }

  void traceIdsHex() {
    const QString path = fixturesDir() + QStringLiteral("/json-traces/otlp/0002-logs.json");
    const QByteArray body = readFile(path);
    PARSE_OK(LogsRequest, req, str(body));
    const QJsonArray records = jsonLogRecords(body);
    int withIds = 0;
    for (int i = 0; i < records.size(); ++i) {
      const auto& r = req.resource_logs(0).scope_logs(0).log_records(i);
      const QString traceId = records[i]["traceId"].toString(), spanId = records[i]["spanId"].toString();
      if (traceId.isEmpty()) continue;
      ++withIds;
      QCOMPARE(r.trace_id().size(), size_t(16));
      QCOMPARE(r.span_id().size(), size_t(8));
      QCOMPARE(hex(r.trace_id()), traceId);
      QCOMPARE(hex(r.span_id()), spanId);
      QVERIFY(toOtlpJson(r).find("\"traceId\":\"" + traceId.toStdString() + "\"") != std::string::npos);
    }
    QVERIFY(withIds > 0);
    // Upper-case hex is accepted; the writer always emits lower case.
    PARSE_OK(LogsRequest, upper, logsWith(R"({"traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":""})"));
    QCOMPARE(hex(firstRecord(upper).trace_id()), QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    QVERIFY(firstRecord(upper).span_id().empty());
    QVERIFY(toOtlpJson(upper).find("0af7651916cd43dd8448eb211c80319c") != std::string::npos);
  }

  void integers() {
    // 64-bit as number and as string, full unsigned range.
    PARSE_OK(LogsRequest, req, logsWith(
      R"({"timeUnixNano":1795547843996000000,"observedTimeUnixNano":"18446744073709551615","droppedAttributesCount":"7","flags":4294967295,)"
      R"("attributes":[{"key":"a","value":{"intValue":-9223372036854775808}},{"key":"b","value":{"intValue":"9223372036854775807"}},)"
      R"({"key":"c","value":{"intValue":3.0}},{"key":"d","value":{"intValue":"-12"}},{"key":"e","value":{"intValue":1e3}}]})"));
    const auto& r = firstRecord(req);
    QCOMPARE(r.time_unix_nano(), 1795547843996000000ull);
    QCOMPARE(r.observed_time_unix_nano(), 18446744073709551615ull);
    QCOMPARE(r.dropped_attributes_count(), 7u);
    QCOMPARE(r.flags(), 4294967295u);
    QCOMPARE(r.attributes(0).value().int_value(), std::numeric_limits<qint64>::min());
    QCOMPARE(r.attributes(1).value().int_value(), std::numeric_limits<qint64>::max());
    QCOMPARE(r.attributes(2).value().int_value(), 3);
    QCOMPARE(r.attributes(3).value().int_value(), -12);
    QCOMPARE(r.attributes(4).value().int_value(), 1000);
    // The writer: 64-bit as strings, 32-bit as numbers.
    const std::string out = toOtlpJson(req);
    QVERIFY(out.find(R"("timeUnixNano":"1795547843996000000")") != std::string::npos);
    QVERIFY(out.find(R"("intValue":"-9223372036854775808")") != std::string::npos);
    QVERIFY(out.find(R"("droppedAttributesCount":7)") != std::string::npos);
    QVERIFY(out.find(R"("flags":4294967295)") != std::string::npos);
    // Metrics: asDouble integral, asInt as number and string, sint32 scale, negative offsets.
    PARSE_OK(MetricsRequest, m, metricsWith(
      R"({"name":"g","gauge":{"dataPoints":[{"asDouble":3},{"asDouble":"2.5"},{"asInt":-4},{"asInt":"5"}]}},)"
      R"({"name":"e","exponentialHistogram":{"dataPoints":[{"scale":-3,"zeroCount":"2","positive":{"offset":-5,"bucketCounts":["1",2]}}]}})"));
    const auto& g = firstMetric(m).gauge();
    QCOMPARE(g.data_points(0).value_case(), metrics::NumberDataPoint::kAsDouble);
    QCOMPARE(g.data_points(0).as_double(), 3.0);
    QCOMPARE(g.data_points(1).as_double(), 2.5);
    QCOMPARE(g.data_points(2).as_int(), -4);
    QCOMPARE(g.data_points(3).as_int(), 5);
    const auto& e = m.resource_metrics(0).scope_metrics(0).metrics(1).exponential_histogram().data_points(0);
    QCOMPARE(e.scale(), -3);
    QCOMPARE(e.zero_count(), 2ull);
    QCOMPARE(e.positive().offset(), -5);
    QCOMPARE(e.positive().bucket_counts_size(), 2);
    QCOMPARE(e.positive().bucket_counts(1), 2ull);
  }

  void snakeCaseNames() {
    PARSE_OK(LogsRequest, camel, logsWith(
      R"({"timeUnixNano":"5","severityNumber":9,"severityText":"INFO","traceId":"0102030405060708090a0b0c0d0e0f10","droppedAttributesCount":1,"body":{"stringValue":"x"}})"));
    PARSE_OK(LogsRequest, snake, 
      R"({"resource_logs":[{"scope_logs":[{"log_records":[{"time_unix_nano":"5","severity_number":9,"severity_text":"INFO",)"
      R"("trace_id":"0102030405060708090a0b0c0d0e0f10","dropped_attributes_count":1,"body":{"string_value":"x"}}]}]}]})");
    QCOMPARE(firstRecord(snake).time_unix_nano(), 5ull);
    QVERIFY2(MessageDifferencer::Equals(camel, snake), qPrintable(differences(camel, snake)));
    PARSE_OK(MetricsRequest, m, metricsWith(R"({"name":"s","sum":{"aggregation_temporality":1,"is_monotonic":true,"data_points":[{"as_int":"3"}]}})"));
    QCOMPARE(firstMetric(m).sum().aggregation_temporality(), metrics::AGGREGATION_TEMPORALITY_DELTA);
    QVERIFY(firstMetric(m).sum().is_monotonic());
    QCOMPARE(firstMetric(m).sum().data_points(0).as_int(), 3);
  }

  void unknownFieldsIgnored() {
    const std::string junk =
      R"("u1":1,"u2":"s","u3":null,"u4":true,"u5":1.5,"u6":{"a":[1,{"b":[]}],"c":{"d":null}},"u7":[[],[{}],"x"],"u8":{},"u9":[],"u10":-3)";
    PARSE_OK(LogsRequest, plain, logsWith(R"({"timeUnixNano":"5","body":{"stringValue":"x"},"attributes":[{"key":"k","value":{"intValue":1}}]})"));
    PARSE_OK(LogsRequest, noisy, 
      "{" + junk + R"(,"resourceLogs":[{)" + junk + R"(,"scopeLogs":[{"logRecords":[{)" + junk +
      R"(,"timeUnixNano":"5","body":{)" + junk + R"(,"stringValue":"x"},"attributes":[{"key":"k",)" + junk +
      R"(,"value":{"intValue":1,)" + junk + "}}]}]," + junk + "}]}]}");
    QCOMPARE(firstRecord(noisy).time_unix_nano(), 5ull);
    QVERIFY2(MessageDifferencer::Equals(plain, noisy), qPrintable(differences(plain, noisy)));
  }

  void enumByName() {
    PARSE_OK(TracesRequest, t, tracesWith(R"({"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_ERROR"}},{"kind":99},{"kind":"3"})"));
    QCOMPARE(firstSpan(t).kind(), trace::Span::SPAN_KIND_SERVER);
    QCOMPARE(firstSpan(t).status().code(), trace::Status::STATUS_CODE_ERROR);
    QCOMPARE(int(t.resource_spans(0).scope_spans(0).spans(1).kind()), 99);  // open enum: kept
    QCOMPARE(t.resource_spans(0).scope_spans(0).spans(2).kind(), trace::Span::SPAN_KIND_CLIENT);
    QVERIFY(toOtlpJson(t).find(R"("kind":99)") != std::string::npos);
    PARSE_OK(MetricsRequest, m, metricsWith(R"({"sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA"}})"));
    QCOMPARE(firstMetric(m).sum().aggregation_temporality(), metrics::AGGREGATION_TEMPORALITY_DELTA);
    PARSE_OK(LogsRequest, l, logsWith(R"({"severityNumber":"SEVERITY_NUMBER_WARN"})"));
    QCOMPARE(firstRecord(l).severity_number(), opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
    QCOMPARE(parseError<TracesRequest>(tracesWith(R"({"kind":"SPAN_KIND_NOPE"})")),
         QStringLiteral(R"(resourceSpans[0].scopeSpans[0].spans[0].kind: expected an enum number or name, got "SPAN_KIND_NOPE")"));
  }

  void nullFields() {
    PARSE_OK(LogsRequest, l, logsWith(
      R"({"timeUnixNano":null,"body":null,"attributes":null,"traceId":null,"severityNumber":null,"severityText":null,"flags":null,"eventName":"e"})"));
    const auto& r = firstRecord(l);
    QVERIFY(!r.has_body());
    QCOMPARE(r.time_unix_nano(), 0ull);
    QCOMPARE(r.attributes_size(), 0);
    QVERIFY(r.trace_id().empty());
    QCOMPARE(r.event_name(), std::string("e"));
    PARSE_OK(LogsRequest, top, R"({"resourceLogs":null})");
    QCOMPARE(top.resource_logs_size(), 0);
  }

  void nonFiniteDoubles() {
    PARSE_OK(MetricsRequest, m, metricsWith(
      R"({"gauge":{"dataPoints":[{"asDouble":"NaN"},{"asDouble":"Infinity"},{"asDouble":"-Infinity"},{"asDouble":"1.25"},{"asDouble":-0.0},{"asDouble":1e-300}]}},)"
      R"({"histogram":{"dataPoints":[{"sum":"NaN","min":0,"max":"Infinity","explicitBounds":[1,"2.5","-Infinity"],"bucketCounts":[1,"2",3,4]}]}})"));
    const auto& dp = firstMetric(m).gauge().data_points();
    QVERIFY(std::isnan(dp[0].as_double()));
    QCOMPARE(dp[1].as_double(), std::numeric_limits<double>::infinity());
    QCOMPARE(dp[2].as_double(), -std::numeric_limits<double>::infinity());
    QCOMPARE(dp[3].as_double(), 1.25);
    QVERIFY(dp[4].as_double() == 0 && std::signbit(dp[4].as_double()));
    QCOMPARE(dp[5].as_double(), 1e-300);
    const auto& h = m.resource_metrics(0).scope_metrics(0).metrics(1).histogram().data_points(0);
    QVERIFY(std::isnan(h.sum()));
    QVERIFY(h.has_min() && h.min() == 0);  // optional: present although zero
    QCOMPARE(h.explicit_bounds(2), -std::numeric_limits<double>::infinity());
    // Written back as the spec strings; NaN != NaN so compare the text of a second round instead.
    const std::string out = toOtlpJson(m);
    for (const char* s : {R"("asDouble":"NaN")", R"("asDouble":"Infinity")", R"("asDouble":"-Infinity")", R"("asDouble":-0.0)", R"("min":0)", R"("sum":"NaN")"})
      QVERIFY2(out.find(s) != std::string::npos, s);
    PARSE_OK(MetricsRequest, back, out);
    QCOMPARE(toOtlpJson(back), out);
    QVERIFY(std::signbit(firstMetric(back).gauge().data_points(4).as_double()));
  }

  void badIds_data() {
    QTest::addColumn<QString>("id");
    QTest::newRow("odd length") << "abc";
    QTest::newRow("non-hex") << "zz";
    QTest::newRow("0x prefix") << "0x0102";
    QTest::newRow("base64") << "AQIDBAUGBwgJCgsMDQ4PEA==";
    QTest::newRow("space") << "01 2";
  }
  void badIds() {
    QFETCH(QString, id);
    const std::string span = "{\"spanId\":\"" + id.toStdString() + "\"}";
    QCOMPARE(parseError<TracesRequest>(tracesWith(span)), "resourceSpans[0].scopeSpans[0].spans[0].spanId: expected a hex string, got \"" + id + "\"");
    QVERIFY(parseError<TracesRequest>(tracesWith(R"({"links":[{"traceId":1}]})")).contains("links[0].traceId: expected a hex string, got 1"));
    QVERIFY(parseError<MetricsRequest>(metricsWith(R"({"gauge":{"dataPoints":[{"exemplars":[{"spanId":"q"}]}]}})")).contains("exemplars[0].spanId: expected a hex string"));
  }

  void base64() {
    PARSE_OK(LogsRequest, l, logsWith(
      R"({"attributes":[{"key":"a","value":{"bytesValue":"YQ=="}},{"key":"b","value":{"bytesValue":"YQ"}},{"key":"c","value":{"bytesValue":"+/8="}},)"
      R"({"key":"d","value":{"bytesValue":"-_8"}},{"key":"e","value":{"bytesValue":""}},{"key":"f","value":{"bytesValue":"AAECAwQ="}}]})"));
    const auto& a = firstRecord(l).attributes();
    QCOMPARE(a[0].value().bytes_value(), std::string("a"));
    QCOMPARE(a[1].value().bytes_value(), std::string("a"));
    QCOMPARE(a[2].value().bytes_value(), std::string("\xfb\xff"));
    QCOMPARE(a[3].value().bytes_value(), std::string("\xfb\xff"));
    QCOMPARE(a[4].value().value_case(), common::AnyValue::kBytesValue);
    QCOMPARE(a[5].value().bytes_value(), std::string("\0\1\2\3\4", 5));
    QVERIFY(toOtlpJson(l).find(R"("bytesValue":"+/8=")") != std::string::npos);
    for (const char* bad : {"!!!!", "a", "YQ=", "Y=Q=", "YQ===", "YQ==YQ==", "Y Q="})
      QVERIFY2(parseError<LogsRequest>(logsWith("{\"body\":{\"bytesValue\":\"" + std::string(bad) + "\"}}")).contains("body.bytesValue: invalid base64"), bad);
  }

  void wrongTypes_data() {
    QTest::addColumn<QString>("record");
    QTest::addColumn<QString>("error");
    QTest::newRow("string<-number") << R"({"severityText":5})" << "severityText: expected a string, got 5";
    QTest::newRow("string<-bool") << R"({"body":{"stringValue":true}})" << "body.stringValue: expected a string, got true";
    QTest::newRow("string<-object") << R"({"severityText":{}})" << "severityText: expected a string, got an object";
    QTest::newRow("string<-array") << R"({"severityText":[]})" << "severityText: expected a string, got an array";
    QTest::newRow("bool<-string") << R"({"body":{"boolValue":"true"}})" << R"(body.boolValue: expected true or false, got "true")";
    QTest::newRow("bool<-number") << R"({"body":{"boolValue":1}})" << "body.boolValue: expected true or false, got 1";
    QTest::newRow("int64<-word") << R"({"timeUnixNano":"abc"})" << R"(timeUnixNano: expected an integer, got "abc")";
    QTest::newRow("int64<-empty") << R"({"timeUnixNano":""})" << R"(timeUnixNano: expected an integer, got "")";
    QTest::newRow("int64<-fraction") << R"({"body":{"intValue":1.5}})" << "body.intValue: expected an integer, got 1.5";
    QTest::newRow("int64<-fraction str") << R"({"body":{"intValue":"1.0"}})" << R"(body.intValue: expected an integer, got "1.0")";
    QTest::newRow("int64<-bool") << R"({"body":{"intValue":false}})" << "body.intValue: expected an integer, got false";
    QTest::newRow("int64 overflow") << R"({"body":{"intValue":"9223372036854775808"}})" << R"(body.intValue: integer out of range, got "9223372036854775808")";
    QTest::newRow("int64 overflow num") << R"({"body":{"intValue":9223372036854775808}})" << "body.intValue: integer out of range, got 9223372036854775808";
    QTest::newRow("uint64 negative") << R"({"timeUnixNano":"-1"})" << R"(timeUnixNano: expected a non-negative integer, got "-1")";
    QTest::newRow("uint64 negative num") << R"({"timeUnixNano":-1})" << "timeUnixNano: expected a non-negative integer, got -1";
    QTest::newRow("uint64 overflow") << R"({"timeUnixNano":"18446744073709551616"})" << R"(timeUnixNano: integer out of range, got "18446744073709551616")";
    QTest::newRow("uint64 overflow num") << R"({"timeUnixNano":18446744073709551616})" << "timeUnixNano: integer out of range, got 18446744073709551616";
    QTest::newRow("uint32 overflow") << R"({"droppedAttributesCount":4294967296})" << "droppedAttributesCount: integer out of range, got 4294967296";
    QTest::newRow("fixed32 negative") << R"({"flags":-1})" << "flags: expected a non-negative integer, got -1";
    QTest::newRow("double<-word") << R"({"body":{"doubleValue":"abc"}})" << R"(body.doubleValue: expected a number, got "abc")";
    QTest::newRow("double<-bool") << R"({"body":{"doubleValue":true}})" << "body.doubleValue: expected a number, got true";
    QTest::newRow("double<-object") << R"({"body":{"doubleValue":{}}})" << "body.doubleValue: expected a number, got an object";
    QTest::newRow("enum<-fraction") << R"({"severityNumber":1.5})" << "severityNumber: expected an enum number or name, got 1.5";
    QTest::newRow("enum<-bool") << R"({"severityNumber":true})" << "severityNumber: expected an enum number or name, got true";
    QTest::newRow("enum overflow") << R"({"severityNumber":2147483648})" << "severityNumber: expected an enum number or name, got 2147483648";
    QTest::newRow("bytes<-number") << R"({"body":{"bytesValue":1}})" << "body.bytesValue: expected a base64 string, got 1";
    QTest::newRow("message<-string") << R"({"body":"x"})" << R"(body: expected an object, got "x")";
    QTest::newRow("message<-array") << R"({"body":[]})" << "body: expected an object, got an array";
    QTest::newRow("repeated<-object") << R"({"attributes":{}})" << "attributes: expected an array, got an object";
    QTest::newRow("repeated<-scalar") << R"({"attributes":"x"})" << R"(attributes: expected an array, got "x")";
    QTest::newRow("element<-scalar") << R"({"attributes":[{"key":"a"},1]})" << "attributes[1]: expected an object, got 1";
    QTest::newRow("element<-array") << R"({"attributes":[[]]})" << "attributes[0]: expected an object, got an array";
    QTest::newRow("element null") << R"({"attributes":[{},null]})" << "attributes[1]: null is not allowed in an array";
    QTest::newRow("nested key") << R"({"attributes":[{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{"intValue":"x"}}]}}}]})"
                  << R"(attributes[0].value.kvlistValue.values[0].value.intValue: expected an integer, got "x")";
    QTest::newRow("snake path") << R"({"time_unix_nano":"x"})" << R"(time_unix_nano: expected an integer, got "x")";
    QTest::newRow("long string cut") << R"({"timeUnixNano":"0123456789012345678901234567890123456789abcdef"})"
                     << R"(timeUnixNano: expected an integer, got "0123456789012345678901234567890123456789...")";
  }
  void wrongTypes() {
    QFETCH(QString, record);
    QFETCH(QString, error);
    const std::string prefix = "resourceLogs[0].scopeLogs[0].logRecords[0].";
    QCOMPARE(parseError<LogsRequest>(logsWith(record.toStdString())), QString::fromStdString(prefix) + error);
  }

  void errorPathIndex() {
    // The example from the API comment: the fourth record's timestamp.
    const std::string json = logsWith(R"({"timeUnixNano":"1"},{},{"timeUnixNano":2},{"timeUnixNano":"abc"})");
    QCOMPARE(parseError<LogsRequest>(json), QStringLiteral(R"(resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano: expected an integer, got "abc")"));
    QCOMPARE(parseError<MetricsRequest>(metricsWith(R"({"histogram":{"dataPoints":[{"bucketCounts":["1","x"]}]}})")),
         QStringLiteral(R"(resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: expected an integer, got "x")"));
  }

  void topLevel_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("array") << "[]" << "expected an object at the top level, got an array";
    QTest::newRow("string") << "\"x\"" << "expected an object at the top level, got \"x\"";
    QTest::newRow("number") << "1" << "expected an object at the top level, got 1";
    QTest::newRow("null") << "null" << "expected an object at the top level, got null";
  }
  void topLevel() {
    QFETCH(QString, json);
    QFETCH(QString, error);
    QCOMPARE(parseError<LogsRequest>(json.toStdString()), error);
  }

  void invalidJson_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("whitespace") << QByteArray("  \n");
    QTest::newRow("truncated") << QByteArray(logsWith(R"({"timeUnixNano":"1"})").substr(0, 40).c_str());
    QTest::newRow("truncated string") << QByteArray("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"severityText\":\"ab");
    QTest::newRow("missing value") << QByteArray(R"({"a":})");
    QTest::newRow("single quotes") << QByteArray(R"({'a':1})");
    QTest::newRow("trailing comma") << QByteArray(R"({"resourceLogs":[],})");
    QTest::newRow("trailing garbage") << QByteArray(R"({"resourceLogs":[]} x)");
    QTest::newRow("two documents") << QByteArray(R"({} {})");
    QTest::newRow("invalid utf8 value") << QByteArray(logsWith("{\"severityText\":\"a\xff\"}").c_str());
    QTest::newRow("invalid utf8 unknown") << QByteArray("{\"zzz\":\"\xc3\x28\"}");
    QTest::newRow("invalid utf8 key") << QByteArray("{\"\xed\xa0\x80\":1}");
    QTest::newRow("lone surrogate") << QByteArray(R"({"resourceLogs":[{"schemaUrl":"\ud800"}]})");
    QTest::newRow("control char") << QByteArray("{\"a\":\"\x01\"}");
    QTest::newRow("number overflow") << QByteArray(R"({"a":1e999})");
    QTest::newRow("comment") << QByteArray("{/* */}");
  }
  void invalidJson() {
    QFETCH(QByteArray, json);
    const QString err = parseError<LogsRequest>(str(json));
    QVERIFY2(err.startsWith(QLatin1String("invalid JSON at byte ")), qPrintable(err));
  }

  void deepNesting() {
    const std::string deepUnknown = std::string(10000, '[');
    std::string objs;
    for (int i = 0; i < 10000; ++i) objs += "{\"a\":";
    const QString tooDeep = QStringLiteral("nesting deeper than 64 levels");
    QVERIFY(parseError<LogsRequest>("{\"x\":" + deepUnknown).contains(tooDeep));
    QVERIFY(parseError<LogsRequest>(objs + "1" + std::string(10000, '}')).contains(tooDeep));
    QVERIFY(parseError<LogsRequest>(R"({"resourceLogs":)" + deepUnknown).contains(tooDeep) == false);  // fails earlier: [[
    // Nested AnyValue through known fields: 10 levels are fine, 100 are refused.
    const auto nested = [](int levels) {
      std::string v = R"({"intValue":1})";
      for (int i = 0; i < levels; ++i) v = R"({"kvlistValue":{"values":[{"key":"k","value":)" + v + "}]}}";
      return logsWith(R"({"body":)" + v + "}");
    };
    PARSE_OK(LogsRequest, ok, nested(10));
    QCOMPARE(firstRecord(ok).body().kvlist_value().values(0).key(), std::string("k"));
    QVERIFY(parseError<LogsRequest>(nested(100)).contains(tooDeep));
    QVERIFY(parseError<LogsRequest>(nested(10000)).contains(tooDeep));
  }

  void emptyAndWhitespace() {
    for (const char* json : {"{}", " \n\t{ } \r\n", R"({"resourceLogs":[]})"}) {
      LogsRequest req;
      req.add_resource_logs();
      std::string error;
      QVERIFY2(parseOtlpJson(json, &req, &error), error.c_str());
      QCOMPARE(req.ByteSizeLong(), size_t(0));  // cleared, not merged
    }
    QCOMPARE(toOtlpJson(LogsRequest()), std::string("{}"));
    QVERIFY(parseOtlpJson("{}", &*std::make_unique<LogsRequest>(), nullptr));
    LogsRequest req;
    QVERIFY(!parseOtlpJson("[", &req, nullptr));  // error pointer is optional
  }

  // Writer on a message built in code with every kind of field, incl. all metric point types.
  void writerAllKinds() {
    MetricsRequest m;
    auto* sm = m.add_resource_metrics()->add_scope_metrics();
    sm->mutable_scope()->set_name("s\"q\\\n\t\x01 é 日本 😀");
    auto* h = sm->add_metrics()->mutable_histogram();
    h->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);
    auto* hp = h->add_data_points();
    hp->set_count(18446744073709551615ull);
    hp->set_sum(0.1 + 0.2);
    hp->set_min(0);
    hp->set_max(1e300);
    for (double b : {0.5, 1.0, 2.5e-10}) hp->add_explicit_bounds(b);
    for (quint64 c : {1ull, 0ull, 7ull, 9007199254740993ull}) hp->add_bucket_counts(c);
    auto* ex = hp->add_exemplars();
    ex->set_trace_id(std::string("\x00\x01\xab\xcd\xef\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xff", 16));
    ex->set_span_id(std::string("\xde\xad\xbe\xef\x00\x00\x00\x01", 8));
    ex->set_as_int(-1);
    ex->add_filtered_attributes()->set_key("k");
    auto* ep = sm->add_metrics()->mutable_exponential_histogram()->add_data_points();
    ep->set_scale(-2);
    ep->set_zero_threshold(1e-9);
    ep->mutable_negative()->set_offset(-7);
    ep->mutable_negative()->add_bucket_counts(3);
    auto* sp = sm->add_metrics()->mutable_summary()->add_data_points();
    sp->set_sum(123456789.125);
    auto* q = sp->add_quantile_values();
    q->set_quantile(0.99);
    q->set_value(3334);
    auto* g = sm->add_metrics();
    g->set_name("g");
    g->mutable_gauge()->add_data_points()->set_as_double(std::numeric_limits<double>::denorm_min());
    g->mutable_gauge()->add_data_points()->set_as_int(0);  // oneof member at default: still written
    auto* kv = g->add_metadata();
    kv->set_key("bytes");
    kv->mutable_value()->set_bytes_value(std::string("\0\xff", 2));
    g->add_metadata()->mutable_value()->mutable_array_value()->add_values()->set_string_value("bad \xff utf8");

    const std::string out = toOtlpJson(m);
    for (const char* s : {R"("count":"18446744073709551615")", R"("min":0)", R"("max":1e+300)", R"("sum":0.30000000000000004)",
               R"("traceId":"0001abcdef102030405060708090a0ff")", R"("spanId":"deadbeef00000001")", R"("asInt":"-1")",
               R"("aggregationTemporality":2)", R"("scale":-2)", R"("offset":-7)", R"("bucketCounts":["1","0","7","9007199254740993"])",
               R"("value":3334)", R"("asInt":"0")", R"("bytesValue":"AP8=")", "\"name\":\"s\\\"q\\\\\\n\\t\\u0001 é 日本 😀\"",
               "\"bad \xef\xbf\xbd utf8\""})
      QVERIFY2(out.find(s) != std::string::npos, s);
    QVERIFY(out.find("\"flags\"") == std::string::npos);  // proto3 zero omitted
    QVERIFY(out.find("\"description\"") == std::string::npos);
    QVERIFY(out.find(" ") == out.find(" é"));  // compact: the only space is inside the string
    MetricsRequest back;
    std::string error;
    QVERIFY2(parseOtlpJson(out, &back, &error), error.c_str());
    // The invalid UTF-8 string cannot survive; everything else must.
    QCOMPARE(back.resource_metrics(0).scope_metrics(0).metrics(3).metadata(1).value().array_value().values(0).string_value(),
         std::string("bad \xef\xbf\xbd utf8"));
    m.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_metrics(3)->mutable_metadata(1)->mutable_value()
      ->mutable_array_value()->mutable_values(0)->set_string_value("bad \xef\xbf\xbd utf8");
    QVERIFY2(MessageDifferencer::Equals(m, back), qPrintable(differences(m, back)));

    TracesRequest t;
    auto* span = t.add_resource_spans()->add_scope_spans()->add_spans();
    span->set_kind(trace::Span::SPAN_KIND_CONSUMER);
    span->set_flags(257);
    span->add_events()->set_name("ev");
    auto* link = span->add_links();
    link->set_trace_state("a=b");
    link->set_span_id(std::string(8, '\x11'));
    span->mutable_status()->set_code(trace::Status::STATUS_CODE_ERROR);
    const std::string tj = toOtlpJson(t);
    for (const char* s : {R"("kind":5)", R"("status":{"code":2})", R"("spanId":"1111111111111111")", R"("flags":257)"})
      QVERIFY2(tj.find(s) != std::string::npos, s);
    TracesRequest tb;
    QVERIFY(parseOtlpJson(tj, &tb, &error));
    QVERIFY(MessageDifferencer::Equals(t, tb));
  }
};

QTEST_GUILESS_MAIN(TstOtlpJson)
#include "tst_otlp_json.moc"
