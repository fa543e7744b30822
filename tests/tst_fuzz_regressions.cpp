// Every input a fuzz target ever flagged (fuzz/regressions/<target>/), replayed in the normal suite with the
// same contract the target checks, so a finding stays fixed without clang or libFuzzer:
// - fuzz_http: the raw bytes on a new connection to the real receiver, write side shut; an answer or a
//   close within 10 s, each answer a status line, no 5xx but 503;
// - fuzz_{json,proto}_{logs,metrics,traces}: decodeAndNormalize refuses with a reason and no rows, or
//   accounts for every record.
// docs/TESTING.md says what each input was and why it was kept.

#include <QtTest>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "ingest/OtlpDecode.h"
#include "support/TestServer.h"

using namespace cctv::test;

namespace {

QStringList inputsOf(const QString& target) {
  QDir dir(QStringLiteral(CCTV_SOURCE_DIR "/fuzz/regressions/") + target);
  QStringList out;
  for (const QString& f : dir.entryList(QDir::Files, QDir::Name)) out << dir.filePath(f);
  return out;
}

QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// What the server sends back before closing, or nullopt when it neither answers nor closes in time.
std::optional<std::string> exchange(std::uint16_t port, const QByteArray& bytes, int timeoutMs) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  for (qsizetype off = 0; off < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.constData() + off, static_cast<size_t>(bytes.size() - off), MSG_NOSIGNAL);
    if (n <= 0) break;
    off += n;
  }
  ::shutdown(fd, SHUT_WR);
  std::string replies;
  QElapsedTimer t;
  t.start();
  for (;;) {
    const qint64 left = timeoutMs - t.elapsed();
    pollfd pfd{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    char buf[16384];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    replies.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return replies;
}

}  // namespace

class TestFuzzRegressions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void httpInputs() {
    const QStringList inputs = inputsOf("fuzz_http");
    QVERIFY2(!inputs.isEmpty(), "fuzz/regressions/fuzz_http is empty: nothing to replay");
    TestServer server;  // token "testtoken", as in the fuzz target
    QVERIFY(server.start());
    for (const QString& path : inputs) {
      const auto replies = exchange(server.port(), readFile(path), 10000);
      QVERIFY2(replies, qPrintable("no answer and no close: " + path));
      if (replies->empty()) continue;  // closed without a word: never formed a request head
      QVERIFY2(replies->rfind("HTTP/1.", 0) == 0, qPrintable(path));
      const int status = std::atoi(replies->c_str() + 9);
      QVERIFY2(status >= 100 && status <= 599 && (status < 500 || status == 503),
               qPrintable(path + ": " + QString::fromStdString(replies->substr(0, 200))));
    }
  }

  void decoderInputs() {
    using cctv::ingest::Format;
    using cctv::ingest::Signal;
    const std::pair<const char*, Signal> signals[] = {{"logs", Signal::Logs}, {"metrics", Signal::Metrics}, {"traces", Signal::Traces}};
    for (const auto& [name, signal] : signals) {
      for (const auto& [prefix, format] : {std::pair{"json", Format::Json}, std::pair{"proto", Format::Protobuf}}) {
        for (const QString& path : inputsOf(QStringLiteral("fuzz_%1_%2").arg(prefix, name))) {
          const QByteArray body = readFile(path);
          cctv::model::NormalizedBatch batch;
          std::string error;
          if (!cctv::ingest::decodeAndNormalize(signal, format, std::string_view(body.constData(), size_t(body.size())),
                                                &batch, {}, &error)) {
            QVERIFY2(!error.empty(), qPrintable(path));
            QVERIFY2(batch.itemCount() == 0 && batch.rejected == 0, qPrintable(path));
          }
        }
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
