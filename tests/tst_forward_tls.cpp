// Forwarding to an https upstream: a real TLS server (Boost.Asio SSL) with a certificate made for the test by
// the openssl tool, for the name "localhost" only. Trusted through --forward-ca it gets the requests; without
// it, or under another name, the certificate check fails and cctv backs off instead of sending.

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "support/HttpClient.h"
#include "support/TestServer.h"

using namespace cctv;
using namespace cctv::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// One connection at a time, each answered 200 with Connection: close (the client then reconnects).
class TlsUpstream {
 public:
  bool start(const std::string& cert, const std::string& key) {
    boost::system::error_code ec;
    ctx_.use_certificate_chain_file(cert, ec);
    if (!ec) ctx_.use_private_key_file(key, ssl::context::pem, ec);
    if (!ec) acceptor_.open(tcp::v4(), ec);
    if (!ec) acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0}, ec);
    if (!ec) acceptor_.listen(16, ec);
    if (ec) {
      qWarning("tls upstream: %s", ec.message().c_str());
      return false;
    }
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
    return true;
  }
  ~TlsUpstream() {
    stopping_ = true;
    tcp::socket wake(ioc_);  // unblocks accept()
    boost::system::error_code ec;
    wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::vector<std::string> bodies() const {
    std::lock_guard<std::mutex> lock(m_);
    return bodies_;
  }
  int handshakeFailures() const { return handshakeFailures_; }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      beast::ssl_stream<tcp::socket> stream(std::move(socket), ctx_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) {
        ++handshakeFailures_;
        continue;
      }
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(stream, buffer, req, ec);
      if (ec) continue;
      {
        std::lock_guard<std::mutex> lock(m_);
        bodies_.push_back(req.body());
      }
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "application/json");
      res.body() = "{}";
      res.keep_alive(false);
      res.prepare_payload();
      bhttp::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  asio::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshakeFailures_{0};
  std::uint16_t port_ = 0;
  mutable std::mutex m_;
  std::vector<std::string> bodies_;
};

ingest::ServiceOptions forwardingTo(const std::string& url, const std::string& caFile) {
  ingest::ServiceOptions o = TestServer::defaults();
  forward::ForwardOptions f;
  std::string error;
  if (!forward::resolveTargets(url, "", "", "", &f.targets, &error)) qFatal("%s", error.c_str());
  f.caFile = caFile;
  f.backoff.initial = 50ms;
  f.backoff.max = 200ms;
  f.stopGrace = 200ms;
  f.logStateChanges = false;
  o.forward = f;
  return o;
}

const std::string kBody =
    R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795548000000000000","attributes":[)"
    R"({"key":"session.id","value":{"stringValue":"tls"}},{"key":"event.name","value":{"stringValue":"user_prompt"}},)"
    R"({"key":"event.sequence","value":{"intValue":"1"}}]}]}]}]})";

}  // namespace

class TestForwardTls : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string cert_, key_;

 private Q_SLOTS:
  void initTestCase() {
    cert_ = dir_.filePath("cert.pem").toStdString();
    key_ = dir_.filePath("key.pem").toStdString();
    QProcess p;
    p.start("openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", QString::fromStdString(key_), "-out", QString::fromStdString(cert_), "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"});
    QVERIFY(p.waitForFinished(30000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
  }

  void trustedCertificateDelivers() {
    TlsUpstream upstream;
    QVERIFY(upstream.start(cert_, key_));
    TestServer server(forwardingTo("https://localhost:" + std::to_string(upstream.port()), cert_));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(client.request("POST", "/v1/logs", {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/json"}}, kBody).status, 200);
    QTRY_COMPARE(upstream.bodies().size(), std::size_t{1});
    QCOMPARE(upstream.bodies()[0], kBody);
    QTRY_COMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{0});
    QCOMPARE(server.service().forwarder()->status().state, forward::ForwardState::Ok);
  }

  void untrustedCertificateIsNotSentTo() {
    TlsUpstream upstream;
    QVERIFY(upstream.start(cert_, key_));
    TestServer server(forwardingTo("https://localhost:" + std::to_string(upstream.port()), ""));  // system store only
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(client.request("POST", "/v1/logs", {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/json"}}, kBody).status, 200);
    QTRY_COMPARE(server.service().forwarder()->status().state, forward::ForwardState::BackingOff);
    const std::string error = server.service().forwarder()->status().lastError;
    QVERIFY2(error.find("TLS handshake with localhost:") == 0 && error.find("certificate verify failed") != std::string::npos,
             error.c_str());
    QTest::qWait(300);
    QVERIFY(upstream.bodies().empty());
    QCOMPARE(server.count("SELECT count(*) FROM forward_queue"), std::int64_t{1});
  }

  void wrongNameIsNotSentTo() {
    TlsUpstream upstream;
    QVERIFY(upstream.start(cert_, key_));
    // Trusted certificate, but for "localhost", not for the address in the URL.
    TestServer server(forwardingTo("https://127.0.0.1:" + std::to_string(upstream.port()), cert_));
    QVERIFY(server.start());
    HttpClient client("127.0.0.1", server.port());
    QCOMPARE(client.request("POST", "/v1/logs", {{"Authorization", "Bearer testtoken"}, {"Content-Type", "application/json"}}, kBody).status, 200);
    QTRY_COMPARE(server.service().forwarder()->status().state, forward::ForwardState::BackingOff);
    QVERIFY(server.service().forwarder()->status().lastError.find("certificate verify failed") != std::string::npos);
    QTest::qWait(300);
    QVERIFY(upstream.bodies().empty());
  }
};

QTEST_GUILESS_MAIN(TestForwardTls)
#include "tst_forward_tls.moc"
