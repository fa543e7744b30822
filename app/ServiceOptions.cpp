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
  return s;
}

}  // namespace cctv::app
