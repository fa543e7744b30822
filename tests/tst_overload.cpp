// Load and slow clients against the real receiver: a writer stalled by another connection's write lock
// (bounded queue, 503 + Retry-After, recovery without a restart, nothing lost once the senders retry), and
// hundreds of idle and half-sent connections (normal requests still served at once, the stalled ones
// answered 408 or closed, the connection cap freed again).

#include <QtTest>

#include <atomic>
#include <thread>

#include "support/TestServer.h"

using namespace cctv::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::pair<std::string, std::string>> kJson = {{"Authorization", "Bearer testtoken"},
                                                                {"Content-Type", "application/json"}};
constexpr int kRecords = 10;

std::string batch(int client, int index) {
  std::string records;
  for (int i = 0; i < kRecords; ++i) {
    if (i) records += ',';
    records += R"({"timeUnixNano":"1795547844547000000","attributes":[{"key":"session.id","value":{"stringValue":"load-)" +
               std::to_string(client) + R"("}},{"key":"event.name","value":{"stringValue":"api_request"}},)"
               R"({"key":"event.sequence","value":{"intValue":)" + std::to_string(index * kRecords + i) + "}}]}";
  }
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + records + "]}]}]}";
}

}  // namespace

class TestOverload : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void stalledWriterRefusesThenRecoversByItself() {
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.writer.maxQueuedItems = 30;  // 3 requests' worth, fewer than the 8 clients keep in flight
    o.writer.busyTimeoutMs = 10000;
    TestServer server(o);
    QVERIFY(server.start());
    auto locker = std::make_unique<cctv::store::Database>(server.dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
    locker->exec("BEGIN IMMEDIATE");  // another process holds the write lock: the writer stalls

    constexpr int kClients = 8, kBatches = 12;
    std::atomic<int> refused{0}, retryAfterOk{0}, maxQueued{0};
    std::atomic<bool> done{false};
    std::thread sampler([&] {  // the queue never grows past its cap (+ the one job being written)
      while (!done) {
        maxQueued = std::max<int>(maxQueued, static_cast<int>(server.service().writer().queuedItems()));
        std::this_thread::sleep_for(2ms);
      }
    });
    std::vector<std::thread> clients;
    std::atomic<int> failures{0};
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        HttpClient http("127.0.0.1", server.port());
        for (int b = 0; b < kBatches; ++b) {
          for (int attempt = 0;; ++attempt) {  // an OTLP exporter: resend the same bytes after Retry-After
            const HttpReply r = http.request("POST", "/v1/logs", kJson, batch(c, b));
            if (r.status == 200) break;
            if (r.status != 503 || attempt > 60) {
              ++failures;
              return;
            }
            ++refused;
            if (r.header("Retry-After") == "1") ++retryAfterOk;
            std::this_thread::sleep_for(100ms);  // shorter than Retry-After, to keep the test quick
          }
        }
      });
    }
    std::this_thread::sleep_for(1500ms);
    const int refusedWhileStalled = refused;
    locker->exec("ROLLBACK");  // the other process lets go; nothing is restarted
    locker.reset();
    for (auto& t : clients) t.join();
    done = true;
    sampler.join();

    QCOMPARE(failures.load(), 0);
    QVERIFY2(refusedWhileStalled > 0, "the stall produced no 503 at all");
    QCOMPARE(retryAfterOk.load(), refused.load());
    QVERIFY2(maxQueued <= 30, qPrintable(QString::number(maxQueued)));
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t(kClients * kBatches * kRecords));
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 503"), std::int64_t(refused.load()));
  }

  void idleAndHalfSentConnectionsDoNotStarveOthers() {
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.http.idleTimeout = 600ms;
    o.http.requestTimeout = 900ms;
    o.http.maxConnections = 400;
    TestServer server(o);
    QVERIFY(server.start());

    std::vector<std::unique_ptr<HttpClient>> idle, halfHead, halfBody;
    for (int i = 0; i < 120; ++i) {
      idle.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
      QVERIFY(idle.back()->connect());
      halfHead.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
      QVERIFY(halfHead.back()->sendRaw("POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer testtoken\r\nContent-Le"));
      halfBody.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
      QVERIFY(halfBody.back()->sendRaw("POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer testtoken\r\n"
                                       "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"resourceLogs\":["));
    }
    // 360 stalled connections, and a normal request is answered at once.
    QElapsedTimer t;
    t.start();
    HttpClient normal("127.0.0.1", server.port());
    QCOMPARE(normal.request("POST", "/v1/logs", kJson, batch(0, 0)).status, 200);
    QVERIFY2(t.elapsed() < 500, qPrintable(QString::number(t.elapsed())));

    // The stalled ones are closed by the server: idle ones silently, half-sent ones with a 408.
    for (auto& c : idle) QVERIFY(c->peerClosed(3000));
    for (auto& c : halfHead) QCOMPARE(c->readReply(3000).status, 408);
    for (auto& c : halfBody) QCOMPARE(c->readReply(3000).status, 408);
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t(kRecords));  // the half body stored nothing
  }

  void connectionCapIsFreedByTimeouts() {
    cctv::ingest::ServiceOptions o = TestServer::defaults();
    o.http.idleTimeout = 500ms;
    o.http.maxConnections = 50;
    TestServer server(o);
    QVERIFY(server.start());
    std::vector<std::unique_ptr<HttpClient>> hogs;
    for (int i = 0; i < 50; ++i) {
      hogs.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
      QVERIFY(hogs.back()->connect());
    }
    QTest::qWait(100);
    // Over the cap: 503 + Retry-After, at once, and the connection closed.
    HttpClient extra("127.0.0.1", server.port());
    const HttpReply r = extra.request("POST", "/v1/logs", kJson, batch(1, 0));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), std::string("1"));
    // The idle hogs time out; then the same client is served.
    for (auto& c : hogs) QVERIFY(c->peerClosed(3000));
    QTRY_COMPARE_WITH_TIMEOUT(HttpClient("127.0.0.1", server.port()).request("POST", "/v1/logs", kJson, batch(1, 0)).status, 200, 3000);
  }
};

QTEST_GUILESS_MAIN(TestOverload)
#include "tst_overload.moc"
