#include "ServiceOptions.h"

#include <QDir>
#include <QFileInfo>

namespace cctv::app {

ingest::ServiceOptions serviceOptions(const Options& o) {
  ingest::ServiceOptions s;
  s.dbPath = QDir::cleanPath(QFileInfo(o.dbPath).absoluteFilePath()).toStdString();
  s.http.bindAddress = o.bind == QLatin1String("localhost") ? "127.0.0.1" : o.bind.toStdString();
  s.http.port = static_cast<std::uint16_t>(o.httpPort);
  s.http.maxBodyBytes = o.maxBody;
  s.grpcPort = o.noGrpc ? -1 : o.grpcPort;  // on the same address as HTTP
  s.receiver.token = o.token.toStdString();
  s.receiver.maxBodyBytes = o.maxBody;
  s.receiver.normalize.redactContent = o.redact;
  s.receiver.logRequests = !o.quiet;
  s.writer.retention.days = o.retainDays.value_or(0);
  s.writer.retention.maxBytes = o.retainMb.value_or(0) * 1024 * 1024;
  s.writer.forwardQueueMaxBytes = o.forwardQueueMax;
  if (o.forwarding()) {
    // parseOptions() has validated these.
    forward::ForwardOptions f;
    std::string error;
    forward::resolveTargets(o.forward.toStdString(), o.forwardLogs.toStdString(), o.forwardMetrics.toStdString(),
                            o.forwardTraces.toStdString(), &f.targets, &error);
    for (const QString& h : o.forwardHeaders) {
      std::pair<std::string, std::string> header;
      if (forward::parseHeader(h.toStdString(), &header, &error)) f.headers.push_back(std::move(header));
    }
    f.caFile = o.forwardCa.toStdString();
    s.forward = std::move(f);
  }
  return s;
}

}  // namespace cctv::app
