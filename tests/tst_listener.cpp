// The listener changing under a running service (Preferences → IngestService::reconfigure): a new port takes
// requests and the old one refuses connections, a new token is required at once, a taken port leaves the old
// listener running, and nothing the writer holds is lost. And who has a port cctv could not take: another
// cctv on the same database (its instance file), another cctv, or some other program.

#include <QtTest>

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>

#include <atomic>
#include <thread>
#include <QTemporaryDir>

#include <unistd.h>

#include "ingest/InstanceFile.h"
#include "ingest/PortOwner.h"
#include "support/HttpClient.h"
#include "support/TestServer.h"

using namespace cctv;
using cctv::test::HttpClient;
using cctv::test::TestServer;

namespace {

std::string logsBody(const std::string& session, int sequence) {
  return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},)"
         R"("scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{"timeUnixNano":")" +
         std::to_string(1795547844000000000LL + sequence) +
         R"(","body":{"stringValue":"claude_code.user_prompt"},"attributes":[)"
         R"({"key":"session.id","value":{"stringValue":")" + session + R"("}},)"
         R"({"key":"event.name","value":{"stringValue":"user_prompt"}},)"
         R"({"key":"event.sequence","value":{"intValue":")" + std::to_string(sequence) + R"("}},)"
         R"({"key":"prompt.id","value":{"stringValue":"p-)" + std::to_string(sequence) + R"("}}]}]}]}]})";
}

// Status of one POST on a fresh connection; 0 when nothing accepts the connection.
int post(std::uint16_t port, const std::string& token, const std::string& body) {
  HttpClient c("127.0.0.1", port);
  if (!c.connect()) return 0;
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return c.request("POST", "/v1/logs", headers, body).status;
}

// A port nothing listens on right now.
std::uint16_t freePort() {
  QTcpServer s;
  if (!s.listen(QHostAddress::LocalHost, 0)) return 0;
  return s.serverPort();
}

bool refusesConnections(std::uint16_t port) {
  HttpClient c("127.0.0.1", port);
  return !c.connect();
}

}  // namespace

class TestListener : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void movesToANewPortInPlace() {
    TestServer server;
    QVERIFY(server.start());
    const std::uint16_t oldPort = server.port();
    QCOMPARE(post(oldPort, "testtoken", logsBody("S1", 1)), 200);

    ingest::ServiceOptions next = server.service().options();
    const std::uint16_t newPort = freePort();
    QVERIFY(newPort != 0 && newPort != oldPort);
    next.http.port = newPort;
    std::string error;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    QCOMPARE(server.service().port(), newPort);
    QCOMPARE(server.service().url(), "http://127.0.0.1:" + std::to_string(newPort));
    QCOMPARE(post(newPort, "testtoken", logsBody("S1", 2)), 200);
    QVERIFY(refusesConnections(oldPort));
    // The writer never stopped: both requests are stored, in the same database.
    QCOMPARE(server.count("SELECT count(*) FROM events WHERE session_id = 'S1'"), 2);
  }

  void aNewTokenIsRequiredAtOnce() {
    TestServer server;
    QVERIFY(server.start());
    ingest::ServiceOptions next = server.service().options();
    next.receiver.token = "fresh";
    std::string error;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    const std::uint16_t port = server.service().port();
    QCOMPARE(post(port, "testtoken", logsBody("S2", 1)), 401);
    QCOMPARE(post(port, "fresh", logsBody("S2", 1)), 200);
    next.receiver.token.clear();  // and off again
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    QCOMPARE(post(server.service().port(), "", logsBody("S2", 2)), 200);
  }

  void redactionAppliesToWhatArrivesNext() {
    TestServer server;
    QVERIFY(server.start());
    ingest::ServiceOptions next = server.service().options();
    next.receiver.normalize.redactContent = true;
    std::string error;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    std::string body = logsBody("S3", 1);
    body.insert(body.find(R"({"key":"event.name")"), R"({"key":"prompt","value":{"stringValue":"my secret"}},)");
    QCOMPARE(post(server.service().port(), "testtoken", body), 200);
    QCOMPARE(server.text("SELECT prompt FROM events WHERE session_id = 'S3'"), "<REDACTED>");
  }

  void aTakenPortKeepsTheOldListener() {
    TestServer server;
    QVERIFY(server.start());
    const std::uint16_t port = server.port();
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    ingest::ServiceOptions next = server.service().options();
    next.http.port = taken.serverPort();
    next.receiver.token = "never-applied";
    std::string error;
    QVERIFY(!server.service().reconfigure(next, &error));
    QVERIFY2(error.find("in use") != std::string::npos, error.c_str());
    QCOMPARE(server.service().failedPort(), taken.serverPort());
    QCOMPARE(server.service().failure(), ingest::IngestService::Failure::None);
    QCOMPARE(server.service().port(), port);  // back where it was, with the old token
    QCOMPARE(server.service().options().receiver.token, "testtoken");
    QCOMPARE(post(port, "testtoken", logsBody("S4", 1)), 200);
  }

  void aTakenGrpcPortToo() {
    ingest::ServiceOptions o = TestServer::defaults();
    o.grpcPort = 0;
    TestServer server(o);
    QVERIFY(server.start());
    const std::uint16_t http = server.port(), grpc = server.service().grpcPort();
    QVERIFY(grpc != 0);
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    ingest::ServiceOptions next = server.service().options();
    next.http.port = freePort();
    next.grpcPort = taken.serverPort();
    std::string error;
    QVERIFY(!server.service().reconfigure(next, &error));
    QVERIFY2(error.find("grpc") != std::string::npos, error.c_str());
    QCOMPARE(server.service().port(), http);
    QCOMPARE(server.service().grpcPort(), grpc);
    QCOMPARE(post(http, "testtoken", logsBody("S5", 1)), 200);
    // gRPC off, then on again on a port of its own choosing.
    next = server.service().options();
    next.grpcPort = -1;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    QCOMPARE(server.service().grpcUrl(), std::string());
    next.grpcPort = 0;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    QVERIFY(server.service().grpcPort() != 0);
  }

  void requestsDuringTheRestartAreAnsweredOrRefusedNeverLost() {
    TestServer server;
    QVERIFY(server.start());
    std::atomic<bool> done{false};
    std::atomic<int> accepted{0}, sent{0};
    std::atomic<std::uint16_t> port{server.port()};
    std::thread sender([&] {
      for (int i = 0; !done; ++i, ++sent)
        if (post(port, "testtoken", logsBody("S6", i)) == 200) ++accepted;  // 0: between listeners
    });
    for (int round = 0; round < 5; ++round) {
      QTest::qWait(50);
      ingest::ServiceOptions next = server.service().options();
      next.http.port = freePort();
      std::string error;
      QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
      port = server.service().port();
    }
    QTest::qWait(50);
    done = true;
    sender.join();
    QVERIFY(accepted > 0);
    server.stop();
    // Every 200 is a stored row: nothing acknowledged went missing across five restarts. (A request stored
    // while its connection was being closed may miss its answer; an exporter resends it, and the resend is a
    // duplicate, so the store can hold a row or two more than were acknowledged, never fewer.)
    const std::int64_t stored = server.count("SELECT count(*) FROM events WHERE session_id = 'S6'");
    QVERIFY2(stored >= accepted && stored <= sent, qPrintable(QStringLiteral("stored %1, acknowledged %2, sent %3")
                                                                  .arg(stored).arg(accepted.load()).arg(sent.load())));
  }

  void theInstanceFileNamesTheRunningCctv() {
    TestServer server;
    QVERIFY(server.start());
    const auto running = ingest::InstanceFile::running(server.dbPath());
    QVERIFY(running.has_value());
    QCOMPARE(running->pid, static_cast<long>(::getpid()));
    QCOMPARE(running->url, server.service().url());
    QCOMPARE(running->port(), server.port());
    // It follows the listener.
    ingest::ServiceOptions next = server.service().options();
    next.http.port = freePort();
    std::string error;
    QVERIFY2(server.service().reconfigure(next, &error), error.c_str());
    QCOMPARE(ingest::InstanceFile::running(server.dbPath())->port(), server.service().port());
    server.stop();
    QVERIFY(!ingest::InstanceFile::running(server.dbPath()));
    QVERIFY(!QFile::exists(QString::fromStdString(ingest::InstanceFile::pathFor(server.dbPath()))));
  }

  void aStaleInstanceFileNamesNobody() {
    QTemporaryDir dir;
    const std::string db = dir.filePath("cctv.db").toStdString();
    QFile f(QString::fromStdString(ingest::InstanceFile::pathFor(db)));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("pid=1\nurl=http://127.0.0.1:4318\ngrpc=\n");  // what a crashed cctv leaves: nobody holds the lock
    f.close();
    QVERIFY(!ingest::InstanceFile::running(db));
  }

  void whoHasThePort() {
    TestServer first;
    QVERIFY(first.start());
    const std::uint16_t port = first.port();

    // A second cctv on the same database and port: cannot listen, and learns it is the first one.
    ingest::ServiceOptions o = TestServer::defaults();
    o.dbPath = first.dbPath();
    o.http.port = port;
    ingest::IngestService second(o);
    std::string error;
    QVERIFY(!second.start(&error));
    QCOMPARE(second.failure(), ingest::IngestService::Failure::Listen);
    QCOMPARE(second.failedPort(), port);
    ingest::PortOwner owner = ingest::whoHasPort(first.dbPath(), "127.0.0.1", port);
    QCOMPARE(owner.kind, ingest::PortOwner::Kind::SameDatabase);
    QCOMPARE(owner.pid, static_cast<long>(::getpid()));
    QCOMPARE(owner.url, first.service().url());

    // Another database, same port: another cctv (it answers "Server: cctv").
    QTemporaryDir dir;
    owner = ingest::whoHasPort(dir.filePath("other.db").toStdString(), "127.0.0.1", port);
    QCOMPARE(owner.kind, ingest::PortOwner::Kind::OtherCctv);
    QVERIFY(ingest::answersAsCctv("127.0.0.1", port));

    // Some other program: a socket that never answers, and one that answers as something else.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    owner = ingest::whoHasPort(first.dbPath(), "127.0.0.1", silent.serverPort());
    QCOMPARE(owner.kind, ingest::PortOwner::Kind::OtherProgram);
    QCOMPARE(owner.port, silent.serverPort());
  }

  void onlyAServerThatSaysCctvIsTakenForOne() {
    // Two fake servers answering from this thread's event loop while the probe waits on another thread.
    auto probeAnswer = [this](const QByteArray& serverHeader) {
      QTcpServer fake;
      if (!fake.listen(QHostAddress::LocalHost, 0)) return -2;
      connect(&fake, &QTcpServer::newConnection, this, [&fake, serverHeader] {
        QTcpSocket* c = fake.nextPendingConnection();
        connect(c, &QTcpSocket::readyRead, c, [c, serverHeader] {
          c->readAll();
          c->write("HTTP/1.1 404 Not Found\r\nServer: " + serverHeader + "\r\nContent-Length: 0\r\n\r\n");
        });
      });
      std::atomic<int> result{-1};
      std::thread probe([&] { result = ingest::answersAsCctv("127.0.0.1", fake.serverPort(), 5000) ? 1 : 0; });
      QElapsedTimer t;
      t.start();
      while (result == -1 && t.elapsed() < 6000) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
      probe.join();
      return result.load();
    };
    QCOMPARE(probeAnswer("nginx"), 0);
    QCOMPARE(probeAnswer("cctv"), 1);
  }
};

QTEST_GUILESS_MAIN(TestListener)
#include "tst_listener.moc"
