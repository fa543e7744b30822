#include "Gui.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMessageBox>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <memory>

#include "SignalWatcher.h"
#include "ServiceOptions.h"
#include "ingest/IngestService.h"
#include "main/DatabaseActions.h"
#include "main/MainWindow.h"
#include "store/Writer.h"

namespace cctv::app {

namespace {

ui::MainWindow::Page pageFor(const QString& name) {
  if (name == QLatin1String("costs")) return ui::MainWindow::Page::Costs;
  if (name == QLatin1String("metrics")) return ui::MainWindow::Page::Metrics;
  if (name == QLatin1String("tools")) return ui::MainWindow::Page::Tools;
  if (name == QLatin1String("ingest")) return ui::MainWindow::Page::Ingest;
  return ui::MainWindow::Page::Sessions;
}

// Waits (running the event loop) until the window's queries have all delivered twice in a row, so the
// picture shows data, not "loading".
void settle(ui::MainWindow& w, int maxMs) {
  QElapsedTimer t;
  t.start();
  int quiet = 0;
  while (t.elapsed() < maxMs && quiet < 4) {
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    QThread::msleep(50);
    quiet = w.idle() ? quiet + 1 : 0;
  }
}

int screenshot(const Options& o) {
  ui::WindowOptions wo;
  wo.dbPath = QFileInfo(o.dbPath).absoluteFilePath();
  wo.url = QStringLiteral("http://%1:%2").arg(o.bind).arg(o.httpPort);
  ui::MainWindow w(wo);
  w.resize(1440, 900);
  w.show();
  settle(w, 10000);
  if (!o.session.isEmpty()) {
    w.selectSession(o.session);
    settle(w, 10000);
  }
  w.showPage(pageFor(o.page));
  settle(w, 10000);
  if (o.page == QLatin1String("prompt")) {
    w.showBusiestPrompt();
    settle(w, 10000);
  }
  if (o.page == QLatin1String("events")) {
    w.showEventsTab();
    settle(w, 10000);
  }
  QApplication::processEvents();
  if (!w.grab().save(o.screenshot)) {
    std::fprintf(stderr, "cctv: cannot write %s\n", qPrintable(o.screenshot));
    return 1;
  }
  std::printf("saved %s\n", qPrintable(o.screenshot));
  return 0;
}

}  // namespace

int runGui(const Options& o) {
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/cctv/cctv.svg")));
  QGuiApplication::setDesktopFileName(QStringLiteral(CCTV_APP_ID));
  if (!o.screenshot.isEmpty()) return screenshot(o);
  // Installed before listening: a signal during start-up is queued and handled once the window runs.
  SignalWatcher signals;

  const QString dir = QFileInfo(o.dbPath).absolutePath();
  QDir().mkpath(dir);
  ingest::ServiceOptions so = serviceOptions(o);
  // Retention: a flag wins for this run; otherwise the preference (Database → Retention…).
  const store::RetentionPolicy saved = ui::DatabaseActions::savedRetention();
  if (!o.retainDays) so.writer.retention.days = saved.days;
  if (!o.retainMb) so.writer.retention.maxBytes = saved.maxBytes;
  auto service = std::make_unique<ingest::IngestService>(so);
  std::string error;
  ui::WindowOptions wo;
  wo.dbPath = QFileInfo(o.dbPath).absoluteFilePath();
  wo.token = o.token;
  if (service->start(&error)) {
    wo.url = QString::fromStdString(service->url());
    wo.grpcUrl = QString::fromStdString(service->grpcUrl());
    wo.notifier = service->writer().notifier();
    wo.writer = &service->writer();
    wo.redact = o.redact;
    std::printf("listening on %s\n", service->url().c_str());
    if (!service->grpcUrl().empty()) std::printf("listening on %s\n", service->grpcUrl().c_str());
    std::fflush(stdout);
  } else {
    std::fprintf(stderr, "cctv: %s\n", error.c_str());
    wo.listenError = QString::fromStdString(error);
    service.reset();
    if (!QFileInfo::exists(wo.dbPath)) {
      QMessageBox::critical(nullptr, QObject::tr("cctv"), QObject::tr("cctv cannot start: %1").arg(wo.listenError));
      return 1;
    }
  }
  ui::MainWindow window(wo);
  window.show();
  if (!o.session.isEmpty()) window.selectSession(o.session);
  if (!wo.listenError.isEmpty())
    QMessageBox::warning(&window, QObject::tr("Not receiving telemetry"),
                         QObject::tr("%1\n\nThe window shows what the database already holds; nothing new arrives "
                                     "until the receiver can listen. Is another cctv running?")
                             .arg(wo.listenError));
  QObject::connect(&signals, &SignalWatcher::terminationRequested, &window, &QWidget::close);
  const int rc = QApplication::exec();
  if (service) service->stop();
  return rc;
}

}  // namespace cctv::app
