// fuzz_seeds OUTDIR: writes the seed corpus of every fuzz target from the captured Claude Code requests in
// ../shared/fixtures (read, never modified): the bodies as they arrived for the HTTP target, inflated bodies
// for the decoders (sorted by signal and format; every JSON body again for fuzz_json_diff), and the gzipped
// ones for the inflater. Run by tools/fuzz before each session, so the corpora follow the fixtures.

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include <cstdio>
#include <memory>
#include <string>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/Gzip.h"
#include "otlp/OtlpJson.h"
#include "support/Fixtures.h"

namespace {

int written = 0;

void write(const QString& dir, const QByteArray& bytes) {
  QDir().mkpath(dir);
  const QString name = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha1).toHex());
  QFile f(dir + QLatin1Char('/') + name);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
    std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", qPrintable(f.fileName()));
    std::exit(1);
  }
  ++written;
}

QByteArray header(const cctv::test::FixtureRequest& r, const char* name) {
  for (const auto& h : r.headers)
    if (h.first.compare(name, Qt::CaseInsensitive) == 0) return h.second;
  return {};
}

// The request as a client puts it on the wire: recorded headers, our Host and Content-Length.
QByteArray httpRequest(const cctv::test::FixtureRequest& r, const QByteArray& body) {
  QByteArray out = "POST " + r.path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : r.headers) out += h.first + ": " + h.second + "\r\n";
  out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
  return out;
}

std::unique_ptr<google::protobuf::Message> messageFor(const QString& signal) {
  if (signal == QLatin1String("logs"))
    return std::make_unique<opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>();
  if (signal == QLatin1String("metrics"))
    return std::make_unique<opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest>();
  return std::make_unique<opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>();
}

// Most captures are JSON: their protobuf twin gives the protobuf decoders as many seeds, and vice versa.
QByteArray otherFormat(const QString& signal, const QByteArray& body, bool json) {
  auto msg = messageFor(signal);
  if (json) {
    if (!cctv::otlp::parseOtlpJson(body.toStdString(), msg.get(), nullptr)) return {};
    return QByteArray::fromStdString(msg->SerializeAsString());
  }
  if (!msg->ParseFromArray(body.constData(), body.size())) return {};
  return QByteArray::fromStdString(cctv::otlp::toOtlpJson(*msg));
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUTDIR\n");
    return 1;
  }
  const QString out = QString::fromLocal8Bit(argv[1]);
  for (const QString& run : cctv::test::fixtureRuns()) {
    for (const cctv::test::FixtureRequest& r : cctv::test::loadRun(run)) {
      QByteArray body = r.body;
      const bool gzipped = header(r, "Content-Encoding") == "gzip";
      if (!r.grpc) write(out + "/http", httpRequest(r, body));
      if (gzipped) {
        write(out + "/gunzip", QByteArray(1, '\x10') + body);  // first byte: cap 64 KiB
        std::string inflated, error;
        if (cctv::otlp::gunzip(body.toStdString(), 16 << 20, &inflated, &error) != cctv::otlp::InflateResult::Ok) {
          std::fprintf(stderr, "fuzz_seeds: %s/%s: %s\n", qPrintable(run), qPrintable(r.file), error.c_str());
          return 1;
        }
        body = QByteArray::fromStdString(inflated);
      } else {
        write(out + "/gunzip", QByteArray(1, '\x10') + QByteArray::fromStdString(cctv::otlp::gzip(body.toStdString())));
      }
      const bool json = header(r, "Content-Type").startsWith("application/json");
      write(out + (json ? "/json_" : "/proto_") + r.signal, body);
      const QByteArray twin = otherFormat(r.signal, body, json);
      if (!twin.isEmpty()) write(out + (json ? "/proto_" : "/json_") + r.signal, twin);
      const QByteArray& jsonBody = json ? body : twin;  // every signal's JSON for the decoder comparison
      if (!jsonBody.isEmpty()) write(out + "/json_diff", jsonBody);
    }
  }
  std::printf("fuzz_seeds: %d seed files under %s\n", written, qPrintable(out));
  return 0;
}
