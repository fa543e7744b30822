// cctv: receives Claude Code's OpenTelemetry export and keeps it in SQLite; shows it when there is a display.

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "BatchCommands.h"
#include "Gui.h"
#include "Options.h"
#include "ServiceOptions.h"
#include "SignalWatcher.h"
#include "ingest/IngestService.h"
#include "ingest/PortOwner.h"

namespace {

bool haveDisplay() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

int runHeadless(QCoreApplication& app, const cctv::app::Options& o) {
  const QString dir = QFileInfo(o.dbPath).absolutePath();
  if (!QDir().mkpath(dir)) {
    std::fprintf(stderr, "cctv: cannot create the database directory %s\n", qPrintable(dir));
    return 1;
  }
  // Handlers first: a SIGTERM that arrives right after "listening on" must flush, not kill.
  cctv::app::SignalWatcher signals;
  QObject::connect(&signals, &cctv::app::SignalWatcher::terminationRequested, &app, [&](int sig) {
    std::fprintf(stderr, "cctv: signal %d, finishing and flushing\n", sig);
    app.quit();
  });
  const cctv::ingest::ServiceOptions so = cctv::app::serviceOptions(o);
  cctv::ingest::IngestService service(so);
  std::string error;
  if (!service.start(&error)) {
    // A port another cctv holds: say which, and exit 3 (scripts can tell it from other failures, exit 1).
    if (service.failure() == cctv::ingest::IngestService::Failure::Listen && service.failedPort() != 0) {
      const auto owner = cctv::ingest::whoHasPort(so.dbPath, so.http.bindAddress, service.failedPort());
      if (owner.kind == cctv::ingest::PortOwner::Kind::SameDatabase) {
        std::fprintf(stderr,
                     "cctv: another cctv (pid %ld) already receives into %s at %s; view it with --read-only (in "
                     "the window), or pick another port\n",
                     owner.pid, so.dbPath.c_str(), owner.url.c_str());
        return 3;
      }
      if (owner.kind == cctv::ingest::PortOwner::Kind::OtherCctv) {
        std::fprintf(stderr, "cctv: %s (another cctv, with another database, has port %u; pick another port)\n",
                     error.c_str(), static_cast<unsigned>(owner.port));
        return 3;
      }
    }
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "cctv %s: database %s\n", CCTV_VERSION, qPrintable(QFileInfo(o.dbPath).absoluteFilePath()));
  QStringList retention;
  if (o.retainDays.value_or(0) > 0)
    retention << QStringLiteral("sessions idle for over %1 days are removed").arg(*o.retainDays);
  if (o.retainMb.value_or(0) > 0)
    retention << QStringLiteral("the data is kept under %1 MiB").arg(*o.retainMb);
  if (!retention.isEmpty())
    std::fprintf(stderr, "cctv: retention: %s (in the background)\n", qPrintable(retention.join(QStringLiteral(", "))));
  if (!service.forwarder()) {
    const auto& queue = service.writer().forwardQueue();
    if (queue.entries > 0)
      std::fprintf(stderr,
                   "cctv: %lld request(s) (%lld bytes) from an earlier run wait in the forward queue; they are sent "
                   "when cctv runs with --forward again\n",
                   static_cast<long long>(queue.entries.load()), static_cast<long long>(queue.bytes.load()));
  }
  std::printf("listening on %s\n", service.url().c_str());
  if (!service.grpcUrl().empty()) std::printf("listening on %s\n", service.grpcUrl().c_str());
  std::fflush(stdout);

  app.exec();
  service.stop();
  std::fprintf(stderr, "cctv: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);  // the database, its WAL and anything else cctv writes: owner only
  // A file size limit (ulimit -f) must be a write error SQLite reports, like a full disk, not a signal that
  // kills the receiver mid-transaction.
  std::signal(SIGXFSZ, SIG_IGN);
  QCoreApplication::setOrganizationName(QStringLiteral("cctv"));
  QCoreApplication::setApplicationName(QStringLiteral("cctv"));
  QCoreApplication::setApplicationVersion(QStringLiteral(CCTV_VERSION));
  // Window or not is decided before the application object exists: a QApplication needs a display.
  bool headless = !haveDisplay(), screenshot = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--headless" || a == "--help" || a == "-h" || a == "--version" || a == "-v") headless = true;
    if (a == "--screenshot" || a.rfind("--screenshot=", 0) == 0) screenshot = true;
  }
  QStringList rawArgs;
  for (int i = 0; i < argc; ++i) rawArgs << QString::fromLocal8Bit(argv[i]);
  if (cctv::app::isBatchCommand(rawArgs)) {
    QCoreApplication app(argc, argv);
    int exitCode = 0;
    const auto options = cctv::app::parseOptions(app.arguments(), &exitCode);
    if (!options) return exitCode;
    return options->importFiles.isEmpty() ? cctv::app::runExport(*options) : cctv::app::runImport(*options);
  }
  if (screenshot && !haveDisplay()) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (headless && !screenshot) {
    QCoreApplication app(argc, argv);
    int exitCode = 0;
    const auto options = cctv::app::parseOptions(app.arguments(), &exitCode);
    if (!options) return exitCode;
    if (options->readOnly) {
      std::fprintf(stderr, "cctv: --read-only opens the window, and there is no display (DISPLAY and "
                           "WAYLAND_DISPLAY are unset)\n");
      return 1;
    }
    if (!options->headless)
      std::fprintf(stderr, "cctv: no display (DISPLAY and WAYLAND_DISPLAY are unset): running the headless "
                           "receiver\n");
    return runHeadless(app, *options);
  }
  QApplication app(argc, argv);
  int exitCode = 0;
  const auto options = cctv::app::parseOptions(app.arguments(), &exitCode);
  if (!options) return exitCode;
  return cctv::app::runGui(*options);
}
