// cctv: receives Claude Code's OpenTelemetry export and keeps it in SQLite; shows it when there is a display.

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "Options.h"
#include "SignalWatcher.h"
#include "ingest/IngestService.h"

namespace {

bool haveDisplay() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

cctv::ingest::ServiceOptions serviceOptions(const cctv::app::Options& o) {
  cctv::ingest::ServiceOptions s;
  s.dbPath = QDir::cleanPath(QFileInfo(o.dbPath).absoluteFilePath()).toStdString();
  s.http.bindAddress = o.bind == QLatin1String("localhost") ? "127.0.0.1" : o.bind.toStdString();
  s.http.port = static_cast<std::uint16_t>(o.httpPort);
  s.http.maxBodyBytes = o.maxBody;
  s.receiver.token = o.token.toStdString();
  s.receiver.maxBodyBytes = o.maxBody;
  s.receiver.normalize.redactContent = o.redact;
  s.receiver.logRequests = !o.quiet;
  return s;
}

int runHeadless(QCoreApplication& app, const cctv::app::Options& o) {
  const QString dir = QFileInfo(o.dbPath).absolutePath();
  if (!QDir().mkpath(dir)) {
    std::fprintf(stderr, "cctv: cannot create the database directory %s\n", qPrintable(dir));
    return 1;
  }
  cctv::ingest::IngestService service(serviceOptions(o));
  std::string error;
  if (!service.start(&error)) {
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "cctv %s: database %s\n", CCTV_VERSION, qPrintable(QFileInfo(o.dbPath).absoluteFilePath()));
  std::printf("listening on %s\n", service.url().c_str());
  std::fflush(stdout);

  cctv::app::SignalWatcher signals;
  QObject::connect(&signals, &cctv::app::SignalWatcher::terminationRequested, &app, [&](int sig) {
    std::fprintf(stderr, "cctv: signal %d, finishing and flushing\n", sig);
    app.quit();
  });
  app.exec();
  service.stop();
  std::fprintf(stderr, "cctv: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);  // the database, its WAL and anything else cctv writes: owner only
  QCoreApplication::setApplicationName(QStringLiteral("cctv"));
  QCoreApplication::setApplicationVersion(QStringLiteral(CCTV_VERSION));
  QCoreApplication app(argc, argv);
  int exitCode = 0;
  const auto options = cctv::app::parseOptions(app.arguments(), &exitCode);
  if (!options) return exitCode;
  if (!options->headless && !haveDisplay())
    std::fprintf(stderr, "cctv: no display (DISPLAY and WAYLAND_DISPLAY are unset): running the headless "
                         "receiver\n");
  return runHeadless(app, *options);
}
