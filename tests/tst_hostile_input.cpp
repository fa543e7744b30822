// A generated corpus of hostile and odd requests sent to the real receiver over a socket: malformed and
// truncated JSON and protobuf, wrong types in every field, invalid UTF-8, NaN/Infinity, negative and
// overflowing timestamps, 100k attributes, 10 MB strings, deep nesting, duplicate keys, empty bodies,
// missing required fields, unknown event names, fields from future versions.
//
// Each request must get the right status and must never be half-stored: a refusal adds no row, and a 200
// adds exactly the rows the request carries (less those the response says were rejected or duplicates).
// Nothing here is a fixture edit; every body is built in code.

#include <QtTest>

#include "ingest/OtlpDecode.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/Gzip.h"
#include "otlp/OtlpJson.h"
#include "support/TestServer.h"

using namespace cctv::test;
using Headers = std::vector<std::pair<std::string, std::string>>;
namespace logs = opentelemetry::proto::collector::logs::v1;

namespace {

const std::string kJson = "application/json";
const std::string kProto = "application/x-protobuf";
int sessionCounter = 0;

// A log record shaped like Claude Code's, with a session and times of its own so that no two cases collide
// as duplicates (not even when a case removes the attributes, and the whole record's hash is the key).
std::string record(const std::string& extraFields = {}, const std::string& extraAttrs = {}) {
  const std::string session = "hostile-" + std::to_string(++sessionCounter);
  const std::string time = "\"" + std::to_string(1795547844547000000LL + sessionCounter * 1000LL) + "\"";
  return std::string("{\"timeUnixNano\":") + time + ",\"observedTimeUnixNano\":" + time +
         ",\"body\":{\"stringValue\":\"claude_code.user_prompt\"}" + extraFields +
         ",\"attributes\":[{\"key\":\"session.id\",\"value\":{\"stringValue\":\"" + session +
         "\"}},{\"key\":\"event.name\",\"value\":{\"stringValue\":\"user_prompt\"}},"
         "{\"key\":\"event.sequence\",\"value\":{\"intValue\":1}}" +
         extraAttrs + "]}";
}

std::string logsBody(const std::string& records) {
  return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},)"
         R"("scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events","version":"2.1.331"},"logRecords":[)" +
         records + "]}]}]}";
}

// One record whose field `name` holds the raw JSON `value` (replacing the record's own when it has one).
std::string recordWithField(const std::string& name, const std::string& value) {
  std::string r = record();
  const std::string key = "\"" + name + "\":";
  const std::size_t at = r.find(key);
  if (at == std::string::npos) return r.insert(1, key + value + ",");
  // Replace the old value: it ends at the next top-level comma of the record.
  std::size_t end = at + key.size();
  int depth = 0;
  bool inString = false;
  for (; end < r.size(); ++end) {
    const char c = r[end];
    if (inString) {
      if (c == '\\') ++end;
      else if (c == '"') inString = false;
    } else if (c == '"') inString = true;
    else if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth < 0) break;  // the record itself ends: it was the last field
    else if (c == ',' && depth == 0) break;
  }
  return r.replace(at + key.size(), end - at - key.size(), value);
}

std::string protoOf(const std::string& json) {
  logs::ExportLogsServiceRequest req;
  std::string err;
  if (!cctv::otlp::parseOtlpJson(json, &req, &err)) qFatal("bad test JSON: %s", err.c_str());
  return req.SerializeAsString();
}

struct Outcome {
  int status = 0;
  std::int64_t added = 0;  // rows stored by this request
  std::string body;
};

}  // namespace

class TestHostileInput : public QObject {
  Q_OBJECT

  std::unique_ptr<TestServer> server;
  std::unique_ptr<HttpClient> client;

  Outcome send(const std::string& path, const std::string& type, const std::string& body,
               const std::string& encoding = {}) {
    Headers h = {{"Authorization", "Bearer testtoken"}, {"Content-Type", type}};
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    const std::int64_t before = server->storedItems();
    const HttpReply r = client->request("POST", path, h, body);
    if (r.status == 0) client = std::make_unique<HttpClient>("127.0.0.1", server->port());  // closed: reconnect
    return {r.status, server->storedItems() - before, r.body};
  }

  // The request is answered `status` and stores exactly `rows` (0 for every refusal).
  void expect(const char* what, const Outcome& o, int status, std::int64_t rows) {
    const std::string where = std::string(what) + ": " + o.body.substr(0, 300);
    QVERIFY2(o.status == status, qPrintable(QString::fromStdString(where) + " status " + QString::number(o.status)));
    QVERIFY2(o.added == rows, qPrintable(QString::fromStdString(where) + " rows " + QString::number(o.added)));
  }

  // What the decoder makes of a body is what the receiver must store: all of it or none.
  void expectAllOrNothing(const char* what, cctv::ingest::Signal signal, cctv::ingest::Format format,
                          const std::string& body, const Outcome& o) {
    cctv::model::NormalizedBatch batch;
    std::string err;
    const bool ok = cctv::ingest::decodeAndNormalize(signal, format, body, &batch, {}, &err);
    QVERIFY2(o.status == (ok ? 200 : 400), qPrintable(QString(what) + " status " + QString::number(o.status)));
    if (ok) QVERIFY2(o.added <= std::int64_t(batch.itemCount()), what);  // fewer only as duplicates
    else QVERIFY2(o.added == 0, what);
  }

 private Q_SLOTS:
  void init() {
    server = std::make_unique<TestServer>();
    QVERIFY(server->start());
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
  }
  void cleanup() {
    client.reset();
    server.reset();
  }

  void truncatedJsonAtEveryStep() {
    const std::string body = logsBody(record() + "," + record() + "," + record());
    for (std::size_t n = 0; n < body.size(); n += 7) {
      const Outcome o = send("/v1/logs", kJson, body.substr(0, n));
      expect("truncated JSON", o, 400, 0);
      QVERIFY2(o.body.find("\"code\":3") != std::string::npos, o.body.c_str());
    }
    expect("whole JSON", send("/v1/logs", kJson, body), 200, 3);
  }

  void truncatedProtobufAtEveryStep() {
    const std::string body = protoOf(logsBody(record() + "," + record() + "," + record()));
    for (std::size_t n = 1; n < body.size(); n += 5) {
      const std::string cut = body.substr(0, n);
      expectAllOrNothing("truncated protobuf", cctv::ingest::Signal::Logs, cctv::ingest::Format::Protobuf, cut,
                         send("/v1/logs", kProto, cut));
    }
    // The same bytes after the decoder-agreement pass: some prefixes were valid shorter requests.
    const Outcome whole = send("/v1/logs", kProto, body);
    QCOMPARE(whole.status, 200);
  }

  void garbageBodies() {
    const std::string junk[] = {std::string("\0\0\0\0", 4), "\xff\xff\xff\xff\xff\xff", "{", "}", "[", "null",
                                "\"x\"", "{\"resourceLogs\":", "\x0a\x05\x0a\x03\x0a\x01", std::string(1000, '{')};
    for (const std::string& j : junk) {
      expect("garbage JSON", send("/v1/logs", kJson, j), 400, 0);
      expectAllOrNothing("garbage protobuf", cctv::ingest::Signal::Logs, cctv::ingest::Format::Protobuf, j,
                         send("/v1/logs", kProto, j));
      expect("garbage gzip", send("/v1/logs", kJson, j, "gzip"), 400, 0);
    }
  }

  void wrongTypesInEveryRecordField() {
    // For each field of a log record, the JSON kinds it accepts; null means "absent" for every field.
    struct FieldKinds {
      const char* name;
      std::vector<const char*> accepted;  // of: string, int, negative, fraction, bool, object, array
    };
    const FieldKinds fields[] = {
        {"timeUnixNano", {"int"}},         {"observedTimeUnixNano", {"int"}},
        {"severityNumber", {"int", "negative"}},  {"severityText", {"string"}},
        {"body", {"object"}},              {"attributes", {"array"}},
        {"droppedAttributesCount", {"int"}}, {"flags", {"int"}},
        {"traceId", {}},                   {"spanId", {}},
        {"eventName", {"string"}},
    };
    const std::pair<const char*, const char*> values[] = {
        {"string", "\"x\""}, {"int", "7"},       {"negative", "-1"}, {"fraction", "1.5"},
        {"bool", "true"},    {"object", "{}"},   {"array", "[]"},    {"null", "null"}};
    for (const FieldKinds& f : fields) {
      for (const auto& [kind, value] : values) {
        const std::string what = std::string(f.name) + " <- " + kind;
        const bool ok = std::string(kind) == "null" ||
                        std::find_if(f.accepted.begin(), f.accepted.end(),
                                     [&](const char* a) { return std::string(a) == kind; }) != f.accepted.end();
        const Outcome o = send("/v1/logs", kJson, logsBody(recordWithField(f.name, value)));
        // Every accepted variant still has a usable time (the other of the two), so it is one stored row.
        expect(what.c_str(), o, ok ? 200 : 400, ok ? 1 : 0);
        if (!ok) QVERIFY2(o.body.find(f.name) != std::string::npos, qPrintable(QString::fromStdString(what) + o.body.c_str()));
      }
    }
  }

  void wrongTypesInEveryAttributeValue() {
    const char* kinds[] = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"};
    const char* values[] = {"\"x\"", "7", "1.5", "true", "{}", "[]", "null", "\"NaN\"", "\"-Infinity\"", "\"1e999\""};
    for (const char* kind : kinds) {
      for (const char* value : values) {
        const std::string attr = std::string(",{\"key\":\"cost_usd\",\"value\":{\"") + kind + "\":" + value + "}}";
        const std::string body = logsBody(record({}, attr));
        const std::string what = std::string(kind) + " <- " + value;
        expectAllOrNothing(what.c_str(), cctv::ingest::Signal::Logs, cctv::ingest::Format::Json, body,
                           send("/v1/logs", kJson, body));
      }
    }
  }

  void invalidUtf8() {
    const std::string bad = "\xc3\x28 \xff \xed\xa0\x80";
    expect("JSON string", send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"prompt\",\"value\":{\"stringValue\":\"" + bad + "\"}}"))), 400, 0);
    expect("JSON key", send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"" + bad + "\",\"value\":{\"intValue\":1}}"))), 400, 0);
    // protobuf: a proto3 string holding invalid UTF-8 is not a valid message.
    logs::ExportLogsServiceRequest req;
    cctv::otlp::parseOtlpJson(logsBody(record()), &req, nullptr);
    auto* kv = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->add_attributes();
    kv->set_key("prompt");
    kv->mutable_value()->set_string_value(bad);
    expect("protobuf string", send("/v1/logs", kProto, req.SerializePartialAsString()), 400, 0);
    // The refusal's log line does not quote the bytes back either (they could be a prompt).
    QTRY_COMPARE(server->count("SELECT count(*) FROM ingest_log WHERE status = 400"), 3);
  }

  void nonFiniteNumbers() {
    const std::string metric = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[)"
                               R"({"timeUnixNano":"1795547844547000000","asDouble":"NaN"},)"
                               R"({"timeUnixNano":"1795547844547000001","asDouble":"Infinity"},)"
                               R"({"timeUnixNano":"1795547844547000002","asDouble":"-Infinity"}]}}]}]}]})";
    expect("NaN points", send("/v1/metrics", kJson, metric), 200, 3);
    expect("bare NaN token", send("/v1/metrics", kJson, R"({"resourceMetrics":[{"x":NaN}]})"), 400, 0);
    expect("number overflow", send("/v1/logs", kJson, logsBody(record(",\"flags\":1e999"))), 400, 0);
    // A non-finite cost is kept as text, the row stored.
    const Outcome o = send("/v1/logs", kJson, logsBody(record({}, R"(,{"key":"cost_usd","value":{"doubleValue":"Infinity"}})")));
    expect("infinite cost", o, 200, 1);
  }

  void timestamps() {
    expect("negative", send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "\"-1\""))), 400, 0);
    expect("negative number", send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "-5"))), 400, 0);
    expect("over uint64", send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "\"18446744073709551616\""))), 400, 0);
    // Fits uint64 but not a signed ns time: that record is rejected, its neighbour stored.
    const std::string twoRecords = recordWithField("timeUnixNano", "\"18446744073709551615\"") + "," + record();
    const Outcome o = send("/v1/logs", kJson, logsBody(twoRecords));
    expect("over int64", o, 200, 1);
    QVERIFY2(o.body.find("\"rejectedLogRecords\":\"1\"") != std::string::npos, o.body.c_str());
    expect("zero time, observed set", send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "\"0\""))), 200, 1);
  }

  void hundredThousandAttributes() {
    std::string attrs;
    attrs.reserve(100000 * 48);
    for (int i = 0; i < 100000; ++i) attrs += ",{\"key\":\"custom." + std::to_string(i) + "\",\"value\":{\"intValue\":" + std::to_string(i) + "}}";
    const std::string body = logsBody(record({}, attrs));
    expect("100k attributes JSON", send("/v1/logs", kJson, body), 200, 1);
    // Same attributes on a new session, as protobuf, gzipped.
    expect("100k attributes protobuf+gzip", send("/v1/logs", kProto, cctv::otlp::gzip(protoOf(logsBody(record({}, attrs)))), "gzip"), 200, 1);
    QCOMPARE(server->count("SELECT count(*) FROM events, json_each(events.extra_attributes) "
                           "WHERE events.session_id = 'hostile-" + std::to_string(sessionCounter) + "'"), 100000);
  }

  void tenMegabyteStrings() {
    const std::string big(10 * 1024 * 1024, 'p');
    const Outcome o = send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"prompt\",\"value\":{\"stringValue\":\"" + big + "\"}}")));
    expect("10 MB prompt", o, 200, 1);
    QCOMPARE(server->count("SELECT length(prompt) FROM events WHERE session_id = 'hostile-" + std::to_string(sessionCounter) + "'"),
             std::int64_t(big.size()));
    // In a field that wants a number: refused, and the answer quotes only a short cut of it.
    const Outcome wrong = send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "\"" + big + "\"")));
    expect("10 MB timestamp", wrong, 400, 0);
    QVERIFY(wrong.body.size() < 1000);
    // Past the 16 MiB cap: 413 from the head alone, before any of the body is read.
    HttpClient raw("127.0.0.1", server->port());
    QVERIFY(raw.sendRaw("POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer testtoken\r\n"
                        "Content-Type: application/json\r\nContent-Length: 20971520\r\n\r\n"));
    QCOMPARE(raw.readReply().status, 413);
  }

  void deepNesting() {
    std::string nested = "{\"intValue\":1}";
    for (int i = 0; i < 200; ++i) nested = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":" + nested + "}]}}";
    expect("deep kvlist JSON", send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"deep\",\"value\":" + nested + "}"))), 400, 0);
    expect("deep arrays JSON", send("/v1/logs", kJson, "{\"x\":" + std::string(100000, '[')), 400, 0);
    // protobuf: 200 levels of kvlist, past the decoder's recursion limit.
    opentelemetry::proto::common::v1::AnyValue v;
    v.set_int_value(1);
    for (int i = 0; i < 200; ++i) {
      opentelemetry::proto::common::v1::AnyValue outer;
      auto* kv = outer.mutable_kvlist_value()->add_values();
      kv->set_key("k");
      *kv->mutable_value() = v;
      v = outer;
    }
    logs::ExportLogsServiceRequest req;
    cctv::otlp::parseOtlpJson(logsBody(record()), &req, nullptr);
    auto* kv = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->add_attributes();
    kv->set_key("deep");
    *kv->mutable_value() = v;
    expect("deep kvlist protobuf", send("/v1/logs", kProto, req.SerializeAsString()), 400, 0);
    // Reasonable nesting (Claude Code sends none) is stored.
    std::string ok = "{\"intValue\":1}";
    for (int i = 0; i < 8; ++i) ok = "{\"arrayValue\":{\"values\":[" + ok + "]}}";
    expect("8 levels", send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"nested\",\"value\":" + ok + "}"))), 200, 1);
  }

  void duplicateKeys() {
    // A JSON key given twice: the last one counts, as in most JSON readers.
    std::string r = record();
    r.insert(1, "\"timeUnixNano\":\"1\",");
    expect("duplicate JSON key", send("/v1/logs", kJson, logsBody(r)), 200, 1);
    // An attribute key given twice: the first fills the column, the second is kept among the extras.
    const Outcome o = send("/v1/logs", kJson, logsBody(record({}, R"(,{"key":"model","value":{"stringValue":"a"}},{"key":"model","value":{"stringValue":"b"}})")));
    expect("duplicate attribute", o, 200, 1);
    const std::string where = " FROM events WHERE session_id = 'hostile-" + std::to_string(sessionCounter) + "'";
    QCOMPARE(server->text("SELECT model" + where), std::string("a"));
    QCOMPARE(server->text("SELECT extra_attributes" + where), std::string(R"({"model":"b"})"));
  }

  void emptyBodies() {
    expect("empty JSON", send("/v1/logs", kJson, ""), 400, 0);
    expect("empty protobuf", send("/v1/logs", kProto, ""), 200, 0);  // a valid, empty Export request
    expect("empty object", send("/v1/traces", kJson, "{}"), 200, 0);
    expect("empty gzip", send("/v1/logs", kJson, "", "gzip"), 400, 0);
    expect("gzip of nothing", send("/v1/metrics", kProto, cctv::otlp::gzip(""), "gzip"), 200, 0);
    expect("empty lists", send("/v1/logs", kJson, R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[]}]}]})"), 200, 0);
  }

  void missingRequiredFields() {
    const Outcome noTime = send("/v1/logs", kJson, logsBody(R"({"body":{"stringValue":"x"}},)" + record()));
    expect("record without time", noTime, 200, 1);
    QVERIFY2(noTime.body.find("\"rejectedLogRecords\":\"1\"") != std::string::npos, noTime.body.c_str());
    const Outcome noIds = send("/v1/traces", kJson, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"s","startTimeUnixNano":"1"}]}]}]})");
    expect("span without ids", noIds, 200, 0);
    QVERIFY2(noIds.body.find("\"rejectedSpans\":\"1\"") != std::string::npos, noIds.body.c_str());
    const Outcome noPointTime = send("/v1/metrics", kJson, R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","sum":{"dataPoints":[{"asDouble":1}]}}]}]}]})");
    expect("point without time", noPointTime, 200, 0);
    QVERIFY2(noPointTime.body.find("\"rejectedDataPoints\":\"1\"") != std::string::npos, noPointTime.body.c_str());
    // A record without any attribute at all is still a row (a hash stands in for session and sequence).
    expect("no attributes", send("/v1/logs", kJson, logsBody("{\"timeUnixNano\":\"1795547844547000999\"}")), 200, 1);
  }

  void unknownEventsAndFutureFields() {
    std::string r = record();
    r.replace(r.find("user_prompt\"}}"), 11, "time_travel");
    const Outcome unknown = send("/v1/logs", kJson, logsBody(r));
    expect("unknown event", unknown, 200, 1);
    QCOMPARE(server->text("SELECT event_name FROM events WHERE session_id = 'hostile-" + std::to_string(sessionCounter) + "'"),
             std::string("time_travel"));
    // Fields a later OTLP or Claude Code may add, at every level: ignored, the data stored.
    const std::string future = R"({"resourceLogs":[{"futureA":1,"resource":{"futureB":[1,{"x":null}]},"scopeLogs":[{"futureC":"c",)"
                               R"("scope":{"name":"s","futureD":{}},"logRecords":[)" +
                               record(",\"futureE\":{\"deep\":[[[]]]}") + "]}]}],\"futureF\":true}";
    expect("future JSON fields", send("/v1/logs", kJson, future), 200, 1);
    // protobuf: unknown field numbers (field 99, varint and length-delimited) inside a record.
    std::string proto = protoOf(logsBody(record()));
    logs::ExportLogsServiceRequest req;
    QVERIFY(req.ParseFromString(proto));
    auto* lr = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
    lr->GetReflection()->MutableUnknownFields(lr)->AddVarint(99, 7);
    lr->GetReflection()->MutableUnknownFields(lr)->AddLengthDelimited(100, "future");
    expect("future protobuf fields", send("/v1/logs", kProto, req.SerializeAsString()), 200, 1);
  }

  void refusalsAreLoggedWithoutContent() {
    // A prompt where an integer belongs: the client is told what it sent; the log is not.
    const std::string secret = "my secret prompt text";
    const Outcome o = send("/v1/logs", kJson, logsBody(recordWithField("timeUnixNano", "\"" + secret + "\"")));
    expect("prompt as a time", o, 400, 0);
    QVERIFY2(o.body.find(secret) != std::string::npos, o.body.c_str());
    const Outcome parse = send("/v1/logs", kJson, logsBody(record({}, ",{\"key\":\"prompt\",\"value\":{\"stringValue\":\"" + secret + "\\q\"}}")));
    expect("bad escape in a prompt", parse, 400, 0);
    QTRY_COMPARE(server->count("SELECT count(*) FROM ingest_log WHERE status = 400"), 2);
    QCOMPARE(server->count("SELECT count(*) FROM ingest_log WHERE message LIKE '%secret%'"), 0);
    QCOMPARE(server->count("SELECT count(*) FROM ingest_log WHERE message LIKE '%timeUnixNano: expected an integer, got a string%'"), 1);
  }
};

QTEST_GUILESS_MAIN(TestHostileInput)
#include "tst_hostile_input.moc"
