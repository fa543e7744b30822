// The OTLP/gRPC receiver, driven by a real gRPC client (the generated stubs): the grpc-basic capture with
// and without compression, the HTTP fixtures' protobuf bodies giving the same rows as over HTTP, resends,
// and every refusal with its status code and ingest_log row.

#include <QtTest>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <thread>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "support/Fixtures.h"
#include "support/TestServer.h"

using namespace cctv::test;
namespace logs = opentelemetry::proto::collector::logs::v1;
namespace metrics = opentelemetry::proto::collector::metrics::v1;
namespace trace = opentelemetry::proto::collector::trace::v1;

namespace {

const char* const kLogsMethod = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

cctv::ingest::ServiceOptions grpcOptions() {
  cctv::ingest::ServiceOptions o = TestServer::defaults();
  o.grpcPort = 0;
  return o;
}

std::string fixtureBytes(const QString& rel) {
  QFile f(fixturesDir() + '/' + rel);
  if (!f.open(QIODevice::ReadOnly)) qFatal("missing fixture %s", qPrintable(rel));
  return f.readAll().toStdString();
}

template <typename Message>
Message parsed(const QString& rel) {
  Message m;
  if (!m.ParseFromString(fixtureBytes(rel))) qFatal("cannot parse %s", qPrintable(rel));
  return m;
}

struct CallOptions {
  std::string authorization = "Bearer testtoken";  // empty: none
  bool gzip = false;
  grpc_compression_algorithm compression() const { return gzip ? GRPC_COMPRESS_GZIP : GRPC_COMPRESS_NONE; }
};

// A client with the generated stubs of the three services, on its own channel.
class GrpcClient {
 public:
  explicit GrpcClient(std::uint16_t port)
      : channel_(grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials())),
        logs_(logs::LogsService::NewStub(channel_)),
        metrics_(metrics::MetricsService::NewStub(channel_)),
        traces_(trace::TraceService::NewStub(channel_)) {}

  grpc::Status send(const logs::ExportLogsServiceRequest& req, logs::ExportLogsServiceResponse* resp = nullptr,
                    const CallOptions& o = {}) {
    logs::ExportLogsServiceResponse ignored;
    auto ctx = context(o);
    return logs_->Export(ctx.get(), req, resp ? resp : &ignored);
  }
  grpc::Status send(const metrics::ExportMetricsServiceRequest& req, const CallOptions& o = {}) {
    metrics::ExportMetricsServiceResponse resp;
    auto ctx = context(o);
    return metrics_->Export(ctx.get(), req, &resp);
  }
  grpc::Status send(const trace::ExportTraceServiceRequest& req, const CallOptions& o = {}) {
    trace::ExportTraceServiceResponse resp;
    auto ctx = context(o);
    return traces_->Export(ctx.get(), req, &resp);
  }
  // Any bytes to any method, for what the stubs cannot send.
  grpc::Status raw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub stub(channel_);
    auto ctx = context({});
    grpc::Slice slice(bytes);
    const grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

 private:
  static std::unique_ptr<grpc::ClientContext> context(const CallOptions& o) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!o.authorization.empty()) ctx->AddMetadata("authorization", o.authorization);
    ctx->set_compression_algorithm(o.compression());
    return ctx;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<logs::LogsService::Stub> logs_;
  std::unique_ptr<metrics::MetricsService::Stub> metrics_;
  std::unique_ptr<trace::TraceService::Stub> traces_;
};

// The requests of a fixture folder in arrival order, sent with the stub of their signal.
grpc::Status sendFile(GrpcClient& c, const QString& rel, const CallOptions& o = {}) {
  if (rel.contains("-logs.")) return c.send(parsed<logs::ExportLogsServiceRequest>(rel), nullptr, o);
  if (rel.contains("-metrics.")) return c.send(parsed<metrics::ExportMetricsServiceRequest>(rel), o);
  return c.send(parsed<trace::ExportTraceServiceRequest>(rel), o);
}

const QStringList kGrpcBasic = {"grpc-basic/grpc/0001-traces.pb", "grpc-basic/grpc/0002-logs.pb",
                                "grpc-basic/grpc/0003-metrics.pb"};

QByteArray describe(const grpc::Status& s) {
  return QByteArray::number(s.error_code()) + " " + QByteArray::fromStdString(s.error_message());
}

}  // namespace

class TestGrpcReceiver : public QObject {
  Q_OBJECT

  // Sends the logs fixture, expects `code` and a message containing `fragment`, no rows, one logged refusal.
  void expectRefused(TestServer& server, GrpcClient& client, const CallOptions& o, grpc::StatusCode code,
                     const std::string& fragment) {
    const std::int64_t logged = server.count("SELECT count(*) FROM ingest_log");
    const grpc::Status s = sendFile(client, "grpc-basic/grpc/0002-logs.pb", o);
    QCOMPARE(s.error_code(), code);
    QVERIFY2(s.error_message().find(fragment) != std::string::npos, describe(s).constData());
    QCOMPARE(server.storedItems(), 0);
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log"), logged + 1);
    QCOMPARE(server.count("SELECT status FROM ingest_log ORDER BY id DESC LIMIT 1"), std::int64_t{code});
    QCOMPARE(server.text("SELECT transport || ' ' || path FROM ingest_log ORDER BY id DESC LIMIT 1"),
             std::string("grpc ") + kLogsMethod);
  }

 private Q_SLOTS:
  void grpcBasic_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("identity") << false;
    QTest::newRow("gzip") << true;
  }
  void grpcBasic() {
    QFETCH(bool, gzip);
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    QVERIFY(server.service().grpcPort() != 0);
    QCOMPARE(server.service().grpcUrl(), "grpc://127.0.0.1:" + std::to_string(server.service().grpcPort()));
    GrpcClient client(server.service().grpcPort());
    CallOptions o;
    o.gzip = gzip;
    for (const QString& f : kGrpcBasic) {
      const grpc::Status s = sendFile(client, f, o);
      QVERIFY2(s.ok(), describe(s).constData());
    }
    // The fixtures README: 11 events, 7 metric points, 6 spans, one session and one prompt.
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
    QCOMPARE(server.count("SELECT count(*) FROM metric_points"), 7);
    QCOMPARE(server.count("SELECT count(*) FROM spans"), 6);
    QCOMPARE(server.count("SELECT count(DISTINCT session_id) FROM events"), 1);
    QCOMPARE(server.count("SELECT count(DISTINCT prompt_id) FROM events"), 1);
    QCOMPARE(server.count("SELECT sum(events) FROM sessions"), 11);

    // One ingest_log row per call, in gRPC's terms.
    const auto rows = server.rows("SELECT transport, path, content_type, coalesce(content_encoding, ''), status, "
                                  "accepted, rejected, duplicates, message IS NULL OR message = '' FROM ingest_log "
                                  "ORDER BY id");
    const std::string prefix = "grpc\t/opentelemetry.proto.collector.";
    const std::string type = "\tapplication/grpc\t" + std::string(gzip ? "gzip" : "");
    const std::vector<std::string> expected = {prefix + "trace.v1.TraceService/Export" + type + "\t0\t6\t0\t0\t1",
                                               prefix + "logs.v1.LogsService/Export" + type + "\t0\t11\t0\t0\t1",
                                               prefix + "metrics.v1.MetricsService/Export" + type + "\t0\t7\t0\t0\t1"};
    QCOMPARE(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      QCOMPARE(QString::fromStdString(rows[i]), QString::fromStdString(expected[i]));
    // bytes: the message as it came over the wire (like HTTP's body as received), so gzipped when it was.
    const auto logsSize =
        static_cast<std::int64_t>(parsed<logs::ExportLogsServiceRequest>(kGrpcBasic[1]).ByteSizeLong());
    const std::int64_t logged = server.count("SELECT bytes FROM ingest_log WHERE id = 2");
    if (gzip) QVERIFY2(logged > 100 && logged < logsSize / 2, qPrintable(QString::number(logged)));
    else QCOMPARE(logged, logsSize);
    QVERIFY(server.text("SELECT user_agent FROM ingest_log LIMIT 1").find("grpc-c++") != std::string::npos);
    QVERIFY(server.text("SELECT remote FROM ingest_log LIMIT 1").rfind("127.0.0.1:", 0) == 0);
    QCOMPARE(server.service().grpcStats()->stored.load(), 24u);

    // The exporter's resend of the same messages: all OK, counted as duplicates, nothing new stored.
    const std::int64_t before = server.storedItems();
    for (const QString& f : kGrpcBasic) QVERIFY(sendFile(client, f, o).ok());
    QCOMPARE(server.storedItems(), before);
    QCOMPARE(server.count("SELECT sum(duplicates) FROM ingest_log WHERE id > 3"), 24);
    QCOMPARE(server.count("SELECT sum(accepted) FROM ingest_log WHERE id > 3"), 0);
    QCOMPARE(server.count("SELECT sum(events) FROM sessions"), 11);
  }

  // The protobuf bodies of the HTTP captures, over gRPC to one server and over HTTP to another: the same rows.
  void sameRowsAsHttp() {
    TestServer viaGrpc(grpcOptions()), viaHttp;
    QVERIFY(viaGrpc.start());
    QVERIFY(viaHttp.start());
    GrpcClient grpcClient(viaGrpc.service().grpcPort());
    HttpClient httpClient("127.0.0.1", viaHttp.port());
    // HTTP gets each run as captured (proto-gzip gzipped on the wire, grpc-basic as application/x-protobuf);
    // gRPC the same messages, the gzip run with gRPC's own compression.
    const QList<QPair<QString, QString>> grpcFiles = {
        {"proto-basic/otlp/0001-logs.pb", ""},          {"proto-basic/otlp/0002-metrics.pb", ""},
        {"proto-gzip/otlp/0001-logs.decoded.pb", "gz"}, {"proto-gzip/otlp/0002-metrics.decoded.pb", "gz"},
        {"grpc-basic/grpc/0001-traces.pb", ""},         {"grpc-basic/grpc/0002-logs.pb", ""},
        {"grpc-basic/grpc/0003-metrics.pb", ""}};
    for (const auto& [file, gz] : grpcFiles) {
      CallOptions o;
      o.gzip = !gz.isEmpty();
      const grpc::Status s = sendFile(grpcClient, file, o);
      QVERIFY2(s.ok(), qPrintable(file + ": " + describe(s)));
    }
    for (const char* run : {"proto-basic", "proto-gzip", "grpc-basic"}) {
      const QList<FixtureRequest> requests = loadRun(run);
      QCOMPARE(viaHttp.replay(requests, httpClient), requests.size());
    }
    QCOMPARE(viaGrpc.count("SELECT count(*) FROM spans"), 6);
    QVERIFY(viaGrpc.storedItems() > 0);
    QCOMPARE(viaGrpc.storedItems(), viaHttp.storedItems());
    for (const char* sql : {"SELECT * FROM events ORDER BY id", "SELECT * FROM metric_points ORDER BY id",
                            "SELECT * FROM spans ORDER BY id", "SELECT * FROM sessions", "SELECT * FROM prompts"}) {
      const auto a = viaGrpc.rows(sql), b = viaHttp.rows(sql);
      QCOMPARE(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i) QCOMPARE(QString::fromStdString(a[i]), QString::fromStdString(b[i]));
    }
    // The logs agree too, but in each transport's terms.
    QCOMPARE(viaGrpc.count("SELECT sum(accepted) + sum(duplicates) FROM ingest_log WHERE status = 0"),
             viaHttp.count("SELECT sum(accepted) + sum(duplicates) FROM ingest_log WHERE status = 200"));
  }

  void token() {
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    CallOptions none;
    none.authorization.clear();
    expectRefused(server, client, none, grpc::StatusCode::UNAUTHENTICATED, "missing authorization");
    for (const char* wrong : {"Bearer testtokem", "Bearer testtoken2", "Basic dGVzdHRva2Vu", "testtoken"}) {
      CallOptions o;
      o.authorization = wrong;
      expectRefused(server, client, o, grpc::StatusCode::UNAUTHENTICATED, "wrong bearer token");
    }
    QCOMPARE(server.count("SELECT count(*) FROM ingest_log WHERE message LIKE '%testtoke%'"), 0);
    // The scheme is case-insensitive, as over HTTP.
    CallOptions lower;
    lower.authorization = "bearer testtoken";
    QVERIFY(sendFile(client, "grpc-basic/grpc/0002-logs.pb", lower).ok());
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
  }

  void noTokenConfigured() {
    cctv::ingest::ServiceOptions o = grpcOptions();
    o.receiver.token.clear();
    TestServer server(o);
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    CallOptions none;
    none.authorization.clear();
    QVERIFY(sendFile(client, "grpc-basic/grpc/0002-logs.pb", none).ok());
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
  }

  void overTheCap() {
    cctv::ingest::ServiceOptions o = grpcOptions();
    o.receiver.maxBodyBytes = 4096;  // the logs message is 8290 bytes
    TestServer server(o);
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    // As sent: gRPC refuses it before cctv sees it.
    grpc::Status s = sendFile(client, "grpc-basic/grpc/0002-logs.pb");
    QCOMPARE(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    // Gzipped it is under the cap on the wire, but not once inflated: cctv refuses it and logs why.
    CallOptions gz;
    gz.gzip = true;
    s = sendFile(client, "grpc-basic/grpc/0002-logs.pb", gz);
    QCOMPARE(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    QVERIFY2(s.error_message().find("4096") != std::string::npos, describe(s).constData());
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 8 AND content_encoding = 'gzip'"), 1);
    QCOMPARE(server.storedItems(), 0);
    // Under the cap: fine.
    QVERIFY(sendFile(client, "grpc-basic/grpc/0003-metrics.pb").ok());
    QCOMPARE(server.count("SELECT count(*) FROM metric_points"), 7);
  }

  void gzipBombStopsAtTheCap() {
    // 64 MiB of one character is ~64 KB of gzip: fine on the wire, refused while inflating (default cap 16 MiB).
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    auto req = parsed<logs::ExportLogsServiceRequest>("grpc-basic/grpc/0002-logs.pb");
    req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->mutable_body()->set_string_value(
        std::string(64u << 20, 'a'));
    CallOptions gz;
    gz.gzip = true;
    const grpc::Status s = client.send(req, nullptr, gz);
    QCOMPARE(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 8"), 1);
    QCOMPARE(server.storedItems(), 0);
  }

  void deflateIsNotSupported() {
    // Only gzip (what OTLP exporters send); gRPC itself refuses the others.
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    auto stub = logs::LogsService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server.service().grpcPort()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer testtoken");
    ctx.set_compression_algorithm(GRPC_COMPRESS_DEFLATE);
    logs::ExportLogsServiceResponse resp;
    const grpc::Status s =
        stub->Export(&ctx, parsed<logs::ExportLogsServiceRequest>("grpc-basic/grpc/0002-logs.pb"), &resp);
    QCOMPARE(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    QCOMPARE(server.storedItems(), 0);
  }

  void undecodableAndUnknown() {
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    grpc::Status s = client.raw(kLogsMethod, std::string("\x0a\xff\xff\xff\xff\x0f garbage", 12));
    QCOMPARE(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    QVERIFY2(s.error_message().find("cannot decode logs") != std::string::npos, describe(s).constData());
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 3 AND bytes = 12"), 1);
    s = client.raw("/opentelemetry.proto.collector.logs.v1.LogService/Export", "");
    QCOMPARE(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    QVERIFY2(s.error_message().find("unknown method") != std::string::npos, describe(s).constData());
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 12 AND transport = 'grpc'"), 1);
    QCOMPARE(server.storedItems(), 0);
  }

  void partialSuccess() {
    TestServer server(grpcOptions());
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    auto req = parsed<logs::ExportLogsServiceRequest>("grpc-basic/grpc/0002-logs.pb");
    auto* records = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records();
    const int sent = records->size();
    auto* bad = records->Mutable(0);
    bad->clear_time_unix_nano();
    bad->clear_observed_time_unix_nano();
    logs::ExportLogsServiceResponse resp;
    const grpc::Status s = client.send(req, &resp);
    QVERIFY2(s.ok(), describe(s).constData());
    QVERIFY(resp.has_partial_success());
    QCOMPARE(resp.partial_success().rejected_log_records(), 1);
    QVERIFY2(resp.partial_success().error_message().find("neither timeUnixNano") != std::string::npos,
             resp.partial_success().error_message().c_str());
    QCOMPARE(server.count("SELECT count(*) FROM events"), sent - 1);
    QCOMPARE(server.text("SELECT status || ' ' || accepted || ' ' || rejected FROM ingest_log"),
             "0 " + std::to_string(sent - 1) + " 1");
    // And a clean one has no partial_success at all.
    logs::ExportLogsServiceResponse clean;
    QVERIFY(client.send(parsed<logs::ExportLogsServiceRequest>("grpc-basic/grpc/0002-logs.pb"), &clean).ok());
    QVERIFY(!clean.has_partial_success());
  }

  void storeBusyIsUnavailable() {
    // Another process holds the write lock: the commit cannot happen, so the call is not acknowledged.
    cctv::ingest::ServiceOptions o = grpcOptions();
    o.writer.busyTimeoutMs = 200;
    TestServer server(o);
    QVERIFY(server.start());
    GrpcClient client(server.service().grpcPort());
    {
      cctv::store::Database locker(server.dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
      locker.exec("BEGIN IMMEDIATE");
      const grpc::Status s = sendFile(client, "grpc-basic/grpc/0002-logs.pb");
      QCOMPARE(s.error_code(), grpc::StatusCode::UNAVAILABLE);
      QVERIFY2(s.error_message().find("store unavailable") != std::string::npos, describe(s).constData());
      locker.exec("ROLLBACK");
    }
    QCOMPARE(server.storedItems(), 0);
    // The exporter's retry of the same message then succeeds.
    QVERIFY(sendFile(client, "grpc-basic/grpc/0002-logs.pb").ok());
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
    QCOMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 0"), 1);
  }

  void fullQueueIsUnavailable() {
    cctv::ingest::ServiceOptions o = grpcOptions();
    o.writer.busyTimeoutMs = 3000;
    o.writer.maxQueuedItems = 5;
    TestServer server(o);
    QVERIFY(server.start());
    const std::uint16_t port = server.service().grpcPort();
    cctv::store::Database locker(server.dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
    locker.exec("BEGIN IMMEDIATE");
    // First call: taken by the (now stalled) writer; an empty queue takes any job. Second: over the cap.
    auto first = std::async(std::launch::async, [port] {
      GrpcClient c(port);
      return sendFile(c, "grpc-basic/grpc/0002-logs.pb");
    });
    QTest::qWait(300);
    GrpcClient second(port);
    const grpc::Status s = sendFile(second, "grpc-basic/grpc/0003-metrics.pb");
    QCOMPARE(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    QVERIFY2(s.error_message().find("write queue full") != std::string::npos, describe(s).constData());
    locker.exec("ROLLBACK");
    // The stalled one is answered once the lock is gone.
    const grpc::Status f = first.get();
    QVERIFY2(f.ok(), describe(f).constData());
    QTRY_COMPARE(server.count("SELECT count(*) FROM ingest_log WHERE status = 14 AND message LIKE '%queue full%'"), 1);
    QCOMPARE(server.count("SELECT count(*) FROM metric_points"), 0);
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
  }

  void stopAnswersInFlightCalls() {
    // A call waiting for the writer when the service stops still gets its answer, and its rows are kept.
    cctv::ingest::ServiceOptions o = grpcOptions();
    o.writer.busyTimeoutMs = 3000;
    TestServer server(o);
    QVERIFY(server.start());
    const std::uint16_t port = server.service().grpcPort();
    cctv::store::Database locker(server.dbPath(), cctv::store::Database::Mode::ReadWriteCreate);
    locker.exec("BEGIN IMMEDIATE");
    auto call = std::async(std::launch::async, [port] {
      GrpcClient c(port);
      return sendFile(c, "grpc-basic/grpc/0002-logs.pb");
    });
    QTest::qWait(300);
    std::thread unlock([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      locker.exec("ROLLBACK");
    });
    server.stop();
    unlock.join();
    const grpc::Status s = call.get();
    QVERIFY2(s.ok(), describe(s).constData());
    QCOMPARE(server.count("SELECT count(*) FROM events"), 11);
  }
};

QTEST_GUILESS_MAIN(TestGrpcReceiver)
#include "tst_grpc_receiver.moc"
