// Every way a request can be refused: the status, the message, the headers, and that nothing was stored
// (only the ingest_log row). Bad inputs are generated here, never hand-edited fixtures.

#include <QtTest>

#include <thread>

#include "ingest/OtlpDecode.h"
#include "otlp/Gzip.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv::test;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const Headers kJson = {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/json"}};
const Headers kProto = {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/x-protobuf"}};

std::string fixtureBody(const char* run, const char* file) {
  QFile f(fixturesDir() + "/" + run + "/otlp/" + file);
  if (!f.open(QIODevice::ReadOnly)) qFatal("missing fixture %s", file);
  return f.readAll().toStdString();
}

Headers with(Headers h, const std::string& k, const std::string& v) {
  h.emplace_back(k, v);
  return h;
}

}  // namespace

class TestReceiverErrors : public QObject {
  Q_OBJECT

  std::unique_ptr<TestServer> server;
  std::unique_ptr<HttpClient> client;

  // Sends, expects `status`, expects the JSON Status message to contain `fragment`, expects no rows.
  HttpReply expectRefused(const std::string& path, const Headers& headers, const std::string& body, int status,
                          const std::string& fragment, const std::string& method = "POST") {
    const std::int64_t logged = server->count("SELECT count(*) FROM ingest_log");
    HttpReply r = client->request(method, path, headers, body);
    [&] {
      QCOMPARE(r.status, status);
      QVERIFY2(r.body.find(fragment) != std::string::npos, r.body.c_str());
      QCOMPARE(server->storedItems(), 0);
      // The refusal is logged (the writer takes log rows asynchronously).
      QTRY_COMPARE(server->count("SELECT count(*) FROM ingest_log WHERE status = " + std::to_string(status)) > 0,
                   true);
      QTRY_COMPARE(server->count("SELECT count(*) FROM ingest_log"), logged + 1);
    }();
    return r;
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

  void undecodableJson() {
    const HttpReply r = expectRefused("/v1/logs", kJson, "{\"resourceLogs\": [", 400, "cannot decode logs");
    QCOMPARE(r.header("Content-Type"), std::string("application/json"));
    QVERIFY(r.body.find("\"code\":3") != std::string::npos);
  }
  void wrongJsonTypes() {
    expectRefused("/v1/logs", kJson, R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":{}}]}]}]})", 400,
                  "timeUnixNano");
    expectRefused("/v1/metrics", kJson, "[1,2,3]", 400, "cannot decode metrics");
    expectRefused("/v1/traces", kJson, "", 400, "cannot decode traces");
  }
  void undecodableProtobuf() {
    const HttpReply r = expectRefused("/v1/logs", kProto, std::string("\x0a\xff\xff\xff\xff\x0f garbage", 12), 400,
                                      "cannot decode");
    QCOMPARE(r.header("Content-Type"), std::string("application/x-protobuf"));
    // A google.rpc.Status: field 1 (code) = 3.
    QCOMPARE(r.body.substr(0, 2), std::string("\x08\x03", 2));
  }
  void corruptGzip() {
    expectRefused("/v1/logs", with(kJson, "Content-Encoding", "gzip"), "not gzip at all", 400, "gzip");
    std::string truncated = cctv::otlp::gzip(fixtureBody("json-basic", "0001-logs.json"));
    truncated.resize(truncated.size() / 2);
    expectRefused("/v1/logs", with(kJson, "Content-Encoding", "gzip"), truncated, 400, "truncated");
  }
  void missingToken() {
    const HttpReply r = expectRefused("/v1/logs", {{"Content-Type", "application/json"}},
                                      fixtureBody("json-basic", "0001-logs.json"), 401, "missing Authorization");
    QCOMPARE(r.header("WWW-Authenticate"), std::string("Bearer"));
  }
  void wrongToken() {
    const HttpReply r = expectRefused("/v1/logs", {{"Authorization", "Bearer testtokem"}, {"Content-Type", "application/json"}},
                                      fixtureBody("json-basic", "0001-logs.json"), 401, "wrong bearer token");
    QCOMPARE(r.header("WWW-Authenticate"), std::string("Bearer"));
    expectRefused("/v1/logs", {{"Authorization", "Bearer testtoken2"}, {"Content-Type", "application/json"}},
                  fixtureBody("json-basic", "0001-logs.json"), 401, "wrong bearer token");
    expectRefused("/v1/logs", {{"Authorization", "Basic dGVzdHRva2Vu"}, {"Content-Type", "application/json"}},
                  fixtureBody("json-basic", "0001-logs.json"), 401, "wrong bearer token");
    // The token itself never appears in the log.
    QCOMPARE(server->count("SELECT count(*) FROM ingest_log WHERE message LIKE '%testtoke%'"), 0);
  }
  void bearerSchemeIsCaseInsensitive() {
    const HttpReply r = client->request("POST", "/v1/logs", {{"authorization", "bearer testtoken"}, {"content-type", "application/json"}},
                                        fixtureBody("json-basic", "0001-logs.json"));
    QCOMPARE(r.status, 200);
    QCOMPARE(server->count("SELECT count(*) FROM events"), 11);
  }
  void unknownPath() {
    expectRefused("/v1/log", kJson, "{}", 404, "unknown path /v1/log");
    expectRefused("/", kJson, "{}", 404, "unknown path");
  }
  void wrongMethod() {
    const HttpReply r = expectRefused("/v1/logs", kJson, "", 405, "not allowed", "GET");
    QCOMPARE(r.header("Allow"), std::string("POST"));
    expectRefused("/v1/metrics", kJson, "{}", 405, "not allowed", "PUT");
  }
  void tooLarge() {
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.receiver.maxBodyBytes = 12000;
    o.http.maxBodyBytes = 12000;
    server = std::make_unique<TestServer>(o);
    QVERIFY(server->start());
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
    expectRefused("/v1/logs", kJson, fixtureBody("json-basic", "0001-logs.json"), 413, "{\"code\":8,\"message\":\"request body of 15531 bytes exceeds the limit of 12000");
    // Small on the wire, too large once inflated: refused without inflating past the cap.
    const std::string bomb = cctv::otlp::gzip(std::string(10 * 1024 * 1024, ' '));
    QVERIFY(bomb.size() < 12000);
    expectRefused("/v1/logs", with(kJson, "Content-Encoding", "gzip"), bomb, 413, "decompressed");
  }
  void unsupportedMediaType() {
    expectRefused("/v1/logs", {{"Authorization", "Bearer testtoken"}, {"Content-Type", "text/plain"}}, "{}", 415,
                  "unsupported Content-Type");
    expectRefused("/v1/logs", {{"Authorization", "Bearer testtoken"}}, "{}", 415, "unsupported Content-Type");
    expectRefused("/v1/logs", with(kJson, "Content-Encoding", "br"), "{}", 415, "unsupported Content-Encoding");
  }
  void contentTypeParameters() {
    const HttpReply r = client->request("POST", "/v1/logs",
                                        {{"Authorization", "Bearer testtoken"},
                                         {"Content-Type", "Application/JSON; charset=utf-8"}},
                                        fixtureBody("json-basic", "0001-logs.json"));
    QCOMPARE(r.status, 200);
  }
  void partialSuccess() {
    // Two records, one without any timestamp: that one is rejected, the other stored.
    const std::string body = R"({"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[)"
                             R"({"timeUnixNano":"1795547844547000000","body":{"stringValue":"claude_code.x"},)"
                             R"("attributes":[{"key":"session.id","value":{"stringValue":"s1"}},)"
                             R"({"key":"event.sequence","value":{"intValue":1}}]},)"
                             R"({"body":{"stringValue":"no time"}}]}]}]})";
    const HttpReply r = client->request("POST", "/v1/logs", kJson, body);
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.find("\"partialSuccess\"") != std::string::npos, r.body.c_str());
    QVERIFY2(r.body.find("\"rejectedLogRecords\":\"1\"") != std::string::npos, r.body.c_str());
    QVERIFY2(r.body.find("timeUnixNano") != std::string::npos, r.body.c_str());
    QCOMPARE(server->count("SELECT count(*) FROM events"), 1);
    QCOMPARE(server->count("SELECT rejected FROM ingest_log"), 1);
  }
  void storeBusyAnswers503() {
    // Another process holds the write lock: the commit cannot happen, so the request is not acknowledged.
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.writer.busyTimeoutMs = 200;
    server = std::make_unique<TestServer>(o);
    QVERIFY(server->start());
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
    cctv::store::Database locker(server->dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
    locker.exec("BEGIN IMMEDIATE");
    const HttpReply r = client->request("POST", "/v1/logs", kJson, fixtureBody("json-basic", "0001-logs.json"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), std::string("1"));
    QVERIFY2(r.body.find("store unavailable") != std::string::npos, r.body.c_str());
    locker.exec("ROLLBACK");
    QCOMPARE(server->storedItems(), 0);
    // The exporter's retry of the same bytes then succeeds.
    const HttpReply retry = client->request("POST", "/v1/logs", kJson, fixtureBody("json-basic", "0001-logs.json"));
    QCOMPARE(retry.status, 200);
    QCOMPARE(server->count("SELECT count(*) FROM events"), 11);
  }
  void fullQueueAnswers503() {
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.writer.busyTimeoutMs = 3000;
    o.writer.maxQueuedItems = 5;
    server = std::make_unique<TestServer>(o);
    QVERIFY(server->start());
    cctv::store::Database locker(server->dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
    locker.exec("BEGIN IMMEDIATE");
    // First request: taken by the (now stalled) writer. Second and third: queued, then over the cap.
    std::thread first([&] {
      HttpClient c("127.0.0.1", server->port());
      c.request("POST", "/v1/logs", kJson, fixtureBody("json-basic", "0001-logs.json"));
    });
    QTest::qWait(300);
    HttpClient c2("127.0.0.1", server->port());
    std::thread second([&] { c2.request("POST", "/v1/metrics", kJson, fixtureBody("json-basic", "0002-metrics.json")); });
    QTest::qWait(300);
    HttpClient c3("127.0.0.1", server->port());
    const HttpReply r = c3.request("POST", "/v1/logs", kJson, fixtureBody("json-read", "0001-logs.json"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), std::string("1"));
    QVERIFY2(r.body.find("write queue full") != std::string::npos, r.body.c_str());
    locker.exec("ROLLBACK");
    first.join();
    second.join();
  }
};

QTEST_GUILESS_MAIN(TestReceiverErrors)
#include "tst_receiver_errors.moc"
