// Forwarding end to end over real sockets: a real cctv ingest service (TestServer) forwarding to a fake
// upstream (FakeUpstream, an in-test HTTP server) that records what it gets and answers 200, 503 +
// Retry-After, 400, nothing (hang), or is down.

#include <QtTest>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <set>

#include "otlp/Gzip.h"
#include "store/Schema.h"
#include "support/FakeUpstream.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv;
using namespace cctv::test;
using namespace std::chrono_literals;

namespace {

// A forwarding service with timings short enough for tests.
ingest::ServiceOptions forwardingTo(const std::string& base) {
  ingest::ServiceOptions o = TestServer::defaults();
  forward::ForwardOptions f;
  std::string error;
  if (!forward::resolveTargets(base, "", "", "", &f.targets, &error)) qFatal("%s", error.c_str());
  f.headers = {{"Authorization", "Bearer upstream-token"}, {"X-Panther-Source", "laptop"}};
  f.backoff.initial = 50ms;
  f.backoff.max = 200ms;
  f.connectTimeout = 2s;
  f.responseTimeout = 2s;
  f.stopGrace = 500ms;
  f.logStateChanges = false;
  o.forward = f;
  o.writer.logForwardDrops = false;
  return o;
}

// One log record of a made-up session; every n gives a distinct event of the same byte length for n < 10^4.
std::string logsBody(int n) {
  char seq[8];
  std::snprintf(seq, sizeof seq, "%04d", n);
  const std::string ns = std::to_string(1795548000000000000LL + n * 1000000LL);
  return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},)"
         R"("scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{"timeUnixNano":")" +
         ns + R"(","body":{"stringValue":"claude_code.user_prompt"},"attributes":[)"
         R"({"key":"session.id","value":{"stringValue":"forward-test-session"}},)"
         R"({"key":"event.name","value":{"stringValue":"user_prompt"}},)"
         R"({"key":"event.sequence","value":{"intValue":")" + std::string(seq) + R"("}},)"
         R"({"key":"prompt","value":{"stringValue":"prompt )" + std::string(seq) + R"("}}]}]}]}]})";
}

int post(HttpClient& client, const std::string& path, const std::string& body,
         const std::string& contentType = "application/json") {
  return client
      .request("POST", path, {{"Authorization", "Bearer testtoken"}, {"Content-Type", contentType}}, body)
      .status;
}

std::vector<std::string> bodies(const std::vector<UpstreamRequest>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.body);
  return out;
}

std::string fixtureBytes(const QString& rel) {
  QFile f(fixturesDir() + '/' + rel);
  if (!f.open(QIODevice::ReadOnly)) qFatal("missing fixture %s", qPrintable(rel));
  return f.readAll().toStdString();
}

// Sends bytes to a gRPC method as they are (a generic stub), optionally gzip-compressed on the wire.
grpc::Status grpcCall(std::uint16_t port, const std::string& method, const std::string& bytes, bool gzip) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  ctx.AddMetadata("authorization", "Bearer testtoken");
  if (gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

}  // namespace

class TestForward : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void forwardsBodiesAndHeadersAsReceived() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    // JSON, gzipped JSON, protobuf, gzipped protobuf, traces, and a run with byte-identical exporter resends.
    QList<FixtureRequest> sent;
    for (const char* run : {"json-basic", "json-gzip", "proto-basic", "proto-gzip", "json-traces", "json-otlp-503"})
      sent += loadRun(run);
    QCOMPARE(server.replay(sent, client), static_cast<int>(sent.size()));

    // A resend of a stored request was queued the first time: the upstream gets each distinct request once,
    // in arrival order.
    QList<FixtureRequest> expected;
    std::set<QByteArray> seen;
    for (const FixtureRequest& r : sent)
      if (seen.insert(r.body).second) expected << r;
    QVERIFY(expected.size() < sent.size());
    QTRY_COMPARE_WITH_TIMEOUT(upstream.count(), static_cast<std::size_t>(expected.size()), 20000);
    QTest::qWait(200);
    const auto got = upstream.received();
    QCOMPARE(got.size(), static_cast<std::size_t>(expected.size()));
    for (int i = 0; i < expected.size(); ++i) {
      const FixtureRequest& want = expected[i];
      const UpstreamRequest& r = got[static_cast<std::size_t>(i)];
      QCOMPARE(r.method, std::string("POST"));
      QCOMPARE(QString::fromStdString(r.path), want.path);
      QVERIFY2(r.body == want.body.toStdString(), qPrintable(want.run + '/' + want.file));
      for (const auto& [name, value] : want.headers) {
        const std::string n = name.toStdString();
        if (QByteArray("Content-Type").compare(name, Qt::CaseInsensitive) == 0 ||
            QByteArray("Content-Encoding").compare(name, Qt::CaseInsensitive) == 0)
          QCOMPARE(r.header(n), value.toStdString());
      }
      QCOMPARE(r.has("Content-Encoding"), want.body.startsWith("\x1f\x8b"));
      // Our upstream's credentials, never the token cctv itself checks.
      QCOMPARE(r.header("Authorization"), std::string("Bearer upstream-token"));
      QCOMPARE(r.header("X-Panther-Source"), std::string("laptop"));
      QVERIFY(r.header("User-Agent").rfind("cctv/", 0) == 0);
      QCOMPARE(r.header("Host"), "127.0.0.1:" + std::to_string(upstream.port()));
    }
    // All of it over one kept-alive connection.
    QCOMPARE(upstream.openConnections(), std::size_t{1});
    // Every delivery is logged, and the queue is empty once the deletions are committed.
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 200"),
                 static_cast<std::int64_t>(expected.size()));
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QCOMPARE(server.count("SELECT sum(accepted) FROM ingest_log WHERE transport = 'forward'"),
             server.count("SELECT sum(accepted + duplicates + rejected) FROM ingest_log WHERE transport = 'http' AND "
                          "accepted > 0"));
    const forward::ForwardStatus st = server.service().forwarder()->status();
    QCOMPARE(st.state, forward::ForwardState::Ok);
    QCOMPARE(st.forwardedRequests, static_cast<std::int64_t>(expected.size()));
    QCOMPARE(st.queuedRequests, std::int64_t{0});
    QCOMPARE(st.queuedBytes, std::int64_t{0});
  }

  void downUpstreamQueuesAndDrainsInOrder() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    upstream.stop();  // its port is known and nobody listens there
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    std::vector<std::string> sent;
    for (int i = 0; i < 8; ++i) {
      sent.push_back(logsBody(i));
      QCOMPARE(post(client, "/v1/logs", sent.back()), 200);  // ingest does not wait for the upstream
    }
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{8});
    QTRY_COMPARE(server.service().forwarder()->status().state, forward::ForwardState::BackingOff);
    const forward::ForwardStatus down = server.service().forwarder()->status();
    QCOMPARE(down.queuedRequests, std::int64_t{8});
    QVERIFY(down.queuedBytes > 0);
    QVERIFY2(down.lastError.find("cannot connect to 127.0.0.1:") == 0, down.lastError.c_str());
    QVERIFY(down.failedAttempts >= 1);
    QTRY_VERIFY(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 0 AND "
                             "message LIKE 'cannot connect to%retry in%'") >= 1);
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t{8});

    QVERIFY(upstream.start());
    QTRY_COMPARE_WITH_TIMEOUT(upstream.count(), std::size_t{8}, 10000);
    QCOMPARE(bodies(upstream.received()), sent);
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QCOMPARE(server.service().forwarder()->status().state, forward::ForwardState::Ok);
    // Later requests go straight through.
    sent.push_back(logsBody(8));
    QCOMPARE(post(client, "/v1/logs", sent.back()), 200);
    QTRY_COMPARE(upstream.count(), std::size_t{9});
    QCOMPARE(bodies(upstream.received()), sent);
  }

  void permanentRefusalIsDroppedAndLogged() {
    FakeUpstream upstream;
    upstream.setMode(FakeUpstream::Mode::BadRequest);
    QVERIFY(upstream.start());
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);
    QCOMPARE(post(client, "/v1/logs", logsBody(2)), 200);
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 400"),
                 std::int64_t{2});
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QTest::qWait(300);
    QCOMPARE(upstream.count(), std::size_t{2});  // each tried once, not retried
    QCOMPARE(server.text("SELECT message FROM ingest_log WHERE transport = 'forward' ORDER BY id LIMIT 1"),
             std::string(R"(refused for good (HTTP 400 Bad Request: {"code":3,"message":"bad payload"}); dropped)"));
    QCOMPARE(server.count("SELECT sum(rejected) FROM ingest_log WHERE transport = 'forward'"), std::int64_t{2});
    forward::ForwardStatus st = server.service().forwarder()->status();
    QCOMPARE(st.state, forward::ForwardState::Failing);
    QCOMPARE(st.refusedRequests, std::int64_t{2});
    QCOMPARE(st.forwardedRequests, std::int64_t{0});
    // The stored events are not affected.
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t{2});

    upstream.setMode(FakeUpstream::Mode::Ok);
    QCOMPARE(post(client, "/v1/logs", logsBody(3)), 200);
    QTRY_COMPARE(server.service().forwarder()->status().state, forward::ForwardState::Ok);
    QCOMPARE(upstream.count(), std::size_t{3});
  }

  void retryAfterIsHonoured() {
    FakeUpstream upstream;
    upstream.setMode(FakeUpstream::Mode::Unavailable, 1);
    QVERIFY(upstream.start());
    TestServer server(forwardingTo(upstream.url()));  // backoff 50..200 ms: only Retry-After explains a 1 s gap
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.count(), std::size_t{2}, 5000);
    upstream.setMode(FakeUpstream::Mode::Ok);
    const auto tries = upstream.received();
    QVERIFY(tries[1].at - tries[0].at >= 900ms);
    QCOMPARE(tries[0].body, tries[1].body);
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QVERIFY(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 503 AND "
                         "message LIKE '%retry in 1.0 s'") >= 2);
    QCOMPARE(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 200"),
             std::int64_t{1});
  }

  void hangingUpstreamTimesOutAndIsRetried() {
    FakeUpstream upstream;
    upstream.setMode(FakeUpstream::Mode::Hang);
    QVERIFY(upstream.start());
    ingest::ServiceOptions o = forwardingTo(upstream.url());
    o.forward->responseTimeout = 300ms;
    TestServer server(o);
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);  // answered at once, though the upstream hangs
    QTRY_VERIFY(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND status = 0 AND "
                             "message LIKE 'no answer from 127.0.0.1:% within 300 ms; retry in%'") >= 1);
    QCOMPARE(server.service().forwarder()->status().state, forward::ForwardState::BackingOff);
    upstream.setMode(FakeUpstream::Mode::Ok);
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    const auto got = upstream.received();
    QVERIFY(got.size() >= 2);
    for (const auto& r : got) QCOMPARE(r.body, logsBody(1));
  }

  void restartWithQueuedRequestsForwardsThemOnce() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    upstream.stop();
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    std::vector<std::string> sent;
    {
      HttpClient client("127.0.0.1", server.port());
      for (int i = 0; i < 3; ++i) {
        sent.push_back(logsBody(i));
        QCOMPARE(post(client, "/v1/logs", sent.back()), 200);
      }
    }
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{3});
    server.stop();

    // A new cctv on the same database, with the upstream back: the queue is sent, once.
    QVERIFY(upstream.start());
    QVERIFY(server.start());
    QTRY_COMPARE(upstream.count(), std::size_t{3});
    QCOMPARE(bodies(upstream.received()), sent);
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    server.stop();
    QVERIFY(server.start());
    QTest::qWait(300);
    QCOMPARE(upstream.count(), std::size_t{3});
    server.stop();
  }

  void queueCapDropsTheOldest() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    upstream.stop();
    ingest::ServiceOptions o = forwardingTo(upstream.url());
    const std::int64_t size = static_cast<std::int64_t>(logsBody(0).size());
    o.writer.forwardQueueMaxBytes = 3 * size + size / 2;  // room for three
    TestServer server(o);
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    std::vector<std::string> sent;
    for (int i = 0; i < 5; ++i) {
      sent.push_back(logsBody(i));
      QCOMPARE(post(client, "/v1/logs", sent.back()), 200);
    }
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{3});
    QCOMPARE(server.count("SELECT sum(bytes) FROM forward_queue"), 3 * size);
    const forward::ForwardStatus st = server.service().forwarder()->status();
    QCOMPARE(st.capDroppedRequests, std::int64_t{2});
    QCOMPARE(st.queuedRequests, std::int64_t{3});
    QCOMPARE(st.queuedBytes, 3 * size);
    QCOMPARE(server.count("SELECT count(*) FROM ingest_log WHERE transport = 'forward' AND message LIKE "
                          "'forward queue over its cap of % bytes: dropped the 1 oldest request(s) not yet forwarded'"),
             std::int64_t{2});
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t{5});  // the store keeps everything

    QVERIFY(upstream.start());
    QTRY_COMPARE(upstream.count(), std::size_t{3});
    QCOMPARE(bodies(upstream.received()), std::vector<std::string>(sent.begin() + 2, sent.end()));
  }

  void grpcIsForwardedAsProtobuf() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    ingest::ServiceOptions o = forwardingTo(upstream.url());
    o.grpcPort = 0;
    TestServer server(o);
    QVERIFY(server.start());
    const std::uint16_t port = server.service().grpcPort();
    const std::string logs = fixtureBytes("grpc-basic/grpc/0002-logs.pb");
    const std::string metrics = fixtureBytes("grpc-basic/grpc/0003-metrics.pb");
    const std::string traces = fixtureBytes("grpc-basic/grpc/0001-traces.pb");
    for (const auto& [method, bytes, gzip] :
         {std::tuple<const char*, const std::string*, bool>{"trace.v1.TraceService", &traces, false},
          {"logs.v1.LogsService", &logs, true},
          {"metrics.v1.MetricsService", &metrics, false}}) {
      const grpc::Status s =
          grpcCall(port, std::string("/opentelemetry.proto.collector.") + method + "/Export", *bytes, gzip);
      QVERIFY2(s.ok(), s.error_message().c_str());
    }
    QTRY_COMPARE(upstream.count(), std::size_t{3});
    const auto got = upstream.received();
    QCOMPARE(got[0].path, std::string("/v1/traces"));
    QCOMPARE(got[0].header("Content-Type"), std::string("application/x-protobuf"));
    QVERIFY(!got[0].has("Content-Encoding"));
    QVERIFY(got[0].body == traces);  // the gRPC message is the OTLP/HTTP body, byte for byte
    QCOMPARE(got[1].path, std::string("/v1/logs"));
    QCOMPARE(got[1].header("Content-Type"), std::string("application/x-protobuf"));
    // Compressed on the wire: forwarded still compressed, as received.
    QCOMPARE(got[1].header("Content-Encoding"), std::string("gzip"));
    std::string inflated, error;
    QCOMPARE(otlp::gunzip(got[1].body, 1 << 24, &inflated, &error), otlp::InflateResult::Ok);
    QVERIFY(inflated == logs);
    QCOMPARE(got[2].path, std::string("/v1/metrics"));
    QVERIFY(got[2].body == metrics);
  }

  void perSignalUrlAndUnforwardedSignals() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    ingest::ServiceOptions o = forwardingTo("");
    std::string error;
    // Only logs, to a URL that does not end in /v1/logs (like Panther's HTTP source).
    QVERIFY(forward::resolveTargets("", upstream.url() + "/http/0b9a7c1e", "", "", &o.forward->targets, &error));
    TestServer server(o);
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);
    const FixtureRequest metrics = loadRun("json-basic").at(1);
    QCOMPARE(metrics.path, QString("/v1/metrics"));
    QCOMPARE(post(client, "/v1/metrics", metrics.body.toStdString()), 200);
    QTRY_COMPARE(upstream.count(), std::size_t{1});
    QCOMPARE(upstream.received()[0].path, std::string("/http/0b9a7c1e"));
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QTest::qWait(200);
    QCOMPARE(upstream.count(), std::size_t{1});
    QVERIFY(server.count("SELECT count(*) FROM metric_points") > 0);
  }

  void duplicatesAndEmptyRequestsAreNotForwarded() {
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);
    QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);  // the exporter's resend
    QCOMPARE(post(client, "/v1/logs", "{}"), 200);         // nothing in it
    QCOMPARE(post(client, "/v1/logs", logsBody(2)), 200);
    QTRY_COMPARE(upstream.count(), std::size_t{2});
    QTest::qWait(200);
    QCOMPARE(bodies(upstream.received()), (std::vector<std::string>{logsBody(1), logsBody(2)}));
  }

  void withoutForwardingNothingIsQueuedAndLeftoversStay() {
    // A queue left by a forwarding run stays (and is counted) while cctv runs without --forward.
    FakeUpstream upstream;
    QVERIFY(upstream.start());
    upstream.stop();
    TestServer server(forwardingTo(upstream.url()));
    QVERIFY(server.start());
    {
      HttpClient client("127.0.0.1", server.port());
      QCOMPARE(post(client, "/v1/logs", logsBody(1)), 200);
    }
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{1});
    server.stop();

    ingest::ServiceOptions plain = TestServer::defaults();  // no forwarding
    plain.dbPath = server.dbPath();
    ingest::IngestService service(plain);
    std::string err;
    QVERIFY2(service.start(&err), err.c_str());
    QVERIFY(service.forwarder() == nullptr);
    QCOMPARE(service.writer().forwardQueue().entries.load(), std::int64_t{1});
    HttpClient client("127.0.0.1", service.port());
    QCOMPARE(post(client, "/v1/logs", logsBody(2)), 200);
    service.stop();
    QCOMPARE(server.count("SELECT count(*) FROM events"), std::int64_t{2});
    QCOMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{1});
  }

  void version1DatabaseGetsTheQueue() {
    TestServer server;
    QVERIFY(server.start());
    server.stop();
    {
      store::Database db(server.dbPath(), store::Database::Mode::ReadWriteCreate);
      // Version 1 had neither the forward queue (2) nor the page roll-ups (3).
      db.exec("DROP TABLE forward_queue; DROP TABLE metric_hours; DROP TABLE daily_tools; DROP TABLE "
              "daily_tool_durations; DROP TABLE daily_tool_rejections; DROP TABLE daily_api_errors; "
              "PRAGMA user_version = 1");
    }
    QVERIFY(server.start());
    server.stop();
    QCOMPARE(server.count("PRAGMA user_version"), std::int64_t{store::kSchemaVersion});
    QCOMPARE(server.count("SELECT count(*) FROM sqlite_schema WHERE name = 'forward_queue'"), std::int64_t{1});
  }
};

QTEST_GUILESS_MAIN(TestForward)
#include "tst_forward.moc"
